/**
 * Catalog, inventory, cart, checkout and orders: the shapes the API answers with and typed calls.
 * Prices are always the server's; the web app only displays them.
 */
import { ApiError } from '../api';
import { client, data, idempotent, q, type Query } from '../api/client';
import type { BodyOf, ItemOf, QueryOf, ResponseOf } from '../api/types';

/** A product as cards show it (lists, anchors, showcases). */
export type ProductSummary = ResponseOf<'/v1/live/{id}'>['products'][number];
/** A product as the catalog list answers it (a ProductSummary and more). */
export type ProductListItem = ItemOf<'/v1/products'>;
export type Product = ResponseOf<'/v1/products/{id}'>;
export type ProductStatus = Product['status'];
export type Variant = Product['variants'][number];
export type ProductInput = BodyOf<'/v1/shops/{shop_id}/products'>;
export type ProductPatch = BodyOf<'/v1/products/{id}', 'patch'>;
/** A variant of a new product. */
export type NewVariant = ProductInput['variants'][number];
/** A variant to create or (with its `sku_id`) change. */
export type VariantInput = NonNullable<ProductPatch['variants']>[number];
export type StockRow = ItemOf<'/v1/skus/{sku_id}/stock'>;

/** Where the buyer found the item, sent when adding it: the server works out who (if anyone) earns from it. */
export type CartSource = NonNullable<BodyOf<'/v1/cart/items'>['source']>;
export type Cart = ResponseOf<'/v1/cart'>;
export type CartShop = Cart['shops'][number];
export type CartItem = CartShop['items'][number];
/** A cart line's source as the server verified it: the content, its creator or host then, the time of the click. */
export type CartLineSource = NonNullable<CartItem['source']>;

type CheckoutBody = BodyOf<'/v1/checkout'>;
export type ShippingAddress = CheckoutBody['shipping_address'];
export type CardInput = CheckoutBody['payment_method'];
export type CheckoutResult = ResponseOf<'/v1/checkout', 'post'>;
export type PaymentStatus = CheckoutResult['payment']['status'];

export type OrderSummary = ItemOf<'/v1/orders'>;
export type Order = ResponseOf<'/v1/orders/{id}'>;
export type OrderStatus = Order['status'];
export type OrderItem = Order['items'][number];
export type OrderEvent = Order['timeline'][number];

const id = (value: string) => ({ params: { path: { id: value } } });

export const commerce = {
  products: (params: Query<QueryOf<'/v1/products'>>) => data(client.GET('/v1/products', { params: { query: q(params) } })),
  product: (productId: string) => data(client.GET('/v1/products/{id}', id(productId))),
  createProduct: (shopId: string, body: ProductInput, idempotencyKey: string) =>
    data(client.POST('/v1/shops/{shop_id}/products', { params: { path: { shop_id: shopId } }, body, ...idempotent(idempotencyKey) })),
  updateProduct: (productId: string, body: ProductPatch) => data(client.PATCH('/v1/products/{id}', { ...id(productId), body })),
  stock: async (skuId: string): Promise<StockRow[]> => (await data(client.GET('/v1/skus/{sku_id}/stock', { params: { path: { sku_id: skuId } } }))).data,

  cart: () => data(client.GET('/v1/cart')),
  addToCart: (body: BodyOf<'/v1/cart/items'>) => data(client.POST('/v1/cart/items', { body })),
  updateCartItem: (itemId: string, quantity: number) => data(client.PATCH('/v1/cart/items/{id}', { ...id(itemId), body: { quantity } })),
  removeCartItem: (itemId: string) => data(client.DELETE('/v1/cart/items/{id}', id(itemId))),

  checkout: (body: CheckoutBody, idempotencyKey: string) => data(client.POST('/v1/checkout', { body, ...idempotent(idempotencyKey) })),
  confirmPayment: (paymentId: string, challenge: 'pass' | 'fail') => data(client.POST('/v1/payments/{id}/confirm', { ...id(paymentId), body: { challenge } })),
  payment: (paymentId: string) => data(client.GET('/v1/payments/{id}', id(paymentId))),
  cancelPayment: (paymentId: string, idempotencyKey: string) => data(client.POST('/v1/payments/{id}/cancel', { ...id(paymentId), body: {}, ...idempotent(idempotencyKey) })),

  orders: (params: Query<QueryOf<'/v1/orders'>>) => data(client.GET('/v1/orders', { params: { query: q(params) } })),
  order: (orderId: string) => data(client.GET('/v1/orders/{id}', id(orderId))),
  cancelOrder: (orderId: string, idempotencyKey: string) =>
    data(client.POST('/v1/orders/{id}/cancel', { ...id(orderId), body: {}, ...idempotent(idempotencyKey) })),
  confirmReceipt: (orderId: string, idempotencyKey: string) =>
    data(client.POST('/v1/orders/{id}/confirm-receipt', { ...id(orderId), body: {}, ...idempotent(idempotencyKey) })),
};

/** The payment an unpaid order waits on for the buyer's 3-D-Secure verification, or null. */
export type AwaitingVerification = OrderSummary['awaiting_verification'];

/** The 409 of a checkout while an order of the same items awaits verification: that payment. */
export function awaitingPaymentOf(err: unknown): { payment_id: string; order_ids: string[] } | null {
  if (!(err instanceof ApiError) || err.code !== 'payment_awaiting_verification') return null;
  const d = err.details as { payment_id?: unknown; order_ids?: unknown } | null;
  return typeof d?.payment_id === 'string' && Array.isArray(d.order_ids) ? { payment_id: d.payment_id, order_ids: d.order_ids.map(String) } : null;
}

/** Orders a buyer or seller may still cancel (before shipping). */
export const CANCELLABLE: readonly string[] = ['pending_payment', 'paid'];

/** A fresh Idempotency-Key. */
export function newIdempotencyKey(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
