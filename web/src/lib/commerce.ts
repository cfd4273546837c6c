/**
 * Catalog, inventory, cart, checkout and orders: the shapes the API answers with and typed calls.
 * Prices are always the server's; the web app only displays them.
 */
import { query, request, type Page } from '../api';
import type { Money } from '../i18n/format';
import type { Shipment } from './fulfillment';

export type ProductStatus = 'draft' | 'live' | 'suspended';

export interface ProductSummary {
  id: string;
  shop_id: string;
  title: string;
  description?: string;
  category?: string | null;
  status?: ProductStatus | string;
  images: string[];
  option_names?: string[];
  price_range: { min: Money; max: Money };
  available: number;
  created_at?: string;
}

export interface Variant {
  sku_id: string;
  option_values: string[];
  price: Money;
  compare_at_price: Money | null;
  code: string | null;
  available: number;
  status?: string;
}

export interface Product {
  id: string;
  shop_id: string;
  shop: { id: string; name: string };
  title: string;
  description: string;
  category: string | null;
  status: ProductStatus | string;
  images: string[];
  option_names: string[];
  variants: Variant[];
  /** GET only: the average of the buyers' ratings and how many. */
  rating?: { average: number | null; count: number };
}

export interface VariantInput {
  sku_id?: string;
  option_values?: string[];
  /** Required for a new variant; optional when changing an existing one. */
  price?: Money;
  compare_at_price?: Money | null;
  code?: string | null;
  /** In the shop's default warehouse unless `warehouse_id` names another of its warehouses. */
  stock?: { on_hand: number; warehouse_id?: string };
}

export interface ProductInput {
  title: string;
  description?: string;
  category?: string;
  images?: string[];
  status?: 'draft' | 'live';
  option_names?: string[];
  variants: VariantInput[];
}

export interface ProductPatch {
  title?: string;
  description?: string;
  category?: string | null;
  images?: string[];
  status?: 'draft' | 'live';
  variants?: VariantInput[];
}

export interface StockRow {
  sku_id: string;
  warehouse_id: string;
  on_hand: number;
  reserved: number;
  available: number;
}

/** Where the buyer found the item, sent when adding it: the server works out who (if anyone) earns from it. */
export interface CartSource {
  video_id?: string;
  live_id?: string;
}

/** A cart line's source as the server verified it: the content, its creator or host then, the time of the click. */
export interface CartLineSource extends CartSource {
  creator_id?: string;
  clicked_at?: string;
}

export interface CartItem {
  id: string;
  sku_id: string;
  product_id: string;
  title: string;
  option_values: string[];
  image: string | null;
  quantity: number;
  unit_price: Money;
  line_total: Money;
  available: number;
  /** False when the product was unlisted or the variant archived since it was added. */
  sellable?: boolean;
  source: CartLineSource | null;
}

export interface CartShop {
  shop: { id: string; name: string };
  items: CartItem[];
  subtotal: Money;
  shipping_fee: Money;
}

export interface Cart {
  shops: CartShop[];
  subtotal: Money | null;
  shipping: Money | null;
  tax: Money | null;
  total: Money | null;
}

export interface ShippingAddress {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postal_code: string;
  country: string;
  phone?: string;
}

export interface CardInput {
  type: 'card';
  number: string;
  exp_month: number;
  exp_year: number;
  cvc: string;
}

export type PaymentStatus = 'requires_action' | 'succeeded' | 'declined' | 'refunded' | 'partially_refunded' | string;

export type OrderStatus =
  | 'pending_payment'
  | 'paid'
  | 'shipped'
  | 'delivered'
  | 'completed'
  | 'cancelled'
  | 'refunded'
  | string;

export interface CheckoutResult {
  payment: { id: string; status: PaymentStatus; amount: Money };
  orders: { id: string; shop_id: string; status: OrderStatus; total: Money; shop?: { id: string; name: string } }[];
}

export interface OrderSummary {
  id: string;
  shop_id: string;
  shop?: { id: string; name: string };
  buyer?: { id: string; name: string };
  status: OrderStatus;
  total: Money;
  item_count?: number;
  items?: OrderItem[];
  ship_by?: string | null;
  paid_at?: string | null;
  created_at: string;
}

export interface OrderItem {
  id: string;
  sku_id: string;
  product_id: string;
  title: string;
  option_values: string[];
  image: string | null;
  unit_price: Money;
  quantity: number;
  line_total: Money;
  /** Order pages: the buyer's review of this item, if any. */
  review?: { id: string; rating: number; text: string; editable_until: string } | null;
}

export interface OrderEvent {
  type: string;
  at: string;
  data: Record<string, unknown> | null;
}

export interface Order {
  id: string;
  shop: { id: string; name: string; timezone?: string };
  buyer: { id: string; name: string };
  status: OrderStatus;
  items: OrderItem[];
  subtotal: Money;
  shipping_fee: Money;
  tax: Money;
  total: Money;
  shipping_address: ShippingAddress;
  payment: { id: string; status: PaymentStatus; card_last4: string | null } | null;
  ship_by: string | null;
  paid_at: string | null;
  delivered_at: string | null;
  completed_at: string | null;
  /** What was refunded so far (0 when nothing). */
  refunded: Money;
  created_at?: string;
  shipments: Shipment[];
  timeline: OrderEvent[];
}

export const commerce = {
  products: (params: { q?: string; shop_id?: string; status?: string; limit?: number; cursor?: string | null }) =>
    request<Page<ProductSummary>>('GET', `/v1/products${query(params)}`),
  product: (id: string) => request<Product>('GET', `/v1/products/${encodeURIComponent(id)}`),
  createProduct: (shopId: string, body: ProductInput, idempotencyKey: string) =>
    request<Product>('POST', `/v1/shops/${encodeURIComponent(shopId)}/products`, body, { headers: { 'Idempotency-Key': idempotencyKey } }),
  updateProduct: (id: string, body: ProductPatch) => request<Product>('PATCH', `/v1/products/${encodeURIComponent(id)}`, body),
  stock: async (skuId: string): Promise<StockRow[]> => (await request<{ data: StockRow[] }>('GET', `/v1/skus/${encodeURIComponent(skuId)}/stock`)).data,

  cart: () => request<Cart>('GET', '/v1/cart'),
  addToCart: (body: { sku_id: string; quantity: number; source?: CartSource }) => request<unknown>('POST', '/v1/cart/items', body),
  updateCartItem: (id: string, quantity: number) => request<unknown>('PATCH', `/v1/cart/items/${encodeURIComponent(id)}`, { quantity }),
  removeCartItem: (id: string) => request<unknown>('DELETE', `/v1/cart/items/${encodeURIComponent(id)}`),

  checkout: (body: { shipping_address: ShippingAddress; payment_method: CardInput }, idempotencyKey: string) =>
    request<CheckoutResult>('POST', '/v1/checkout', body, { headers: { 'Idempotency-Key': idempotencyKey } }),
  confirmPayment: (paymentId: string, challenge: 'pass' | 'fail') =>
    request<CheckoutResult>('POST', `/v1/payments/${encodeURIComponent(paymentId)}/confirm`, { challenge }),

  orders: (params: { role: 'buyer' | 'seller'; shop_id?: string; limit?: number; cursor?: string | null }) =>
    request<Page<OrderSummary>>('GET', `/v1/orders${query(params)}`),
  order: (id: string) => request<Order>('GET', `/v1/orders/${encodeURIComponent(id)}`),
  cancelOrder: (id: string, idempotencyKey: string) =>
    request<Order>('POST', `/v1/orders/${encodeURIComponent(id)}/cancel`, {}, { headers: { 'Idempotency-Key': idempotencyKey } }),
};

/** Orders a buyer or seller may still cancel (before shipping). */
export const CANCELLABLE: readonly string[] = ['pending_payment', 'paid'];

/** A fresh Idempotency-Key. */
export function newIdempotencyKey(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
