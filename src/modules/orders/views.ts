import { Type, type Static, type TSchema, type TUnknown } from '@sinclair/typebox';
import { MoneyOut } from '../../platform/http-schemas.js';
import { PaymentOut, toPaymentView } from '../payments/index.js';
import type { CheckoutOutcome } from './paying.js';
import { ORDER_STATUSES } from './schema.js';

export const CheckoutResult = Type.Object({
  payment: PaymentOut,
  orders: Type.Array(Type.Object({ id: Type.String(), shop_id: Type.String(), status: Type.String(), total: MoneyOut })),
});

export function checkoutView(o: CheckoutOutcome) {
  return {
    payment: toPaymentView(o.payment),
    orders: o.orders.map((x) => ({ id: x.id, shop_id: x.shopId, status: x.status, total: { amount: x.total, currency: x.currency } })),
  };
}

const NameRef = Type.Object({ id: Type.String(), name: Type.String() });

const SourceOut = Type.Object({ video_id: Type.Optional(Type.String()), live_id: Type.Optional(Type.String()), creator_id: Type.Optional(Type.String()) });

/** An order item as the API shows it (`review` only on order pages). */
export const OrderItemOut = Type.Object({
  id: Type.String(),
  sku_id: Type.String(),
  product_id: Type.String(),
  title: Type.String(),
  option_values: Type.Array(Type.String()),
  image: Type.Union([Type.String(), Type.Null()]),
  unit_price: MoneyOut,
  quantity: Type.Integer(),
  line_total: MoneyOut,
  source: SourceOut,
  review: Type.Optional(
    Type.Union([Type.Object({ id: Type.String(), rating: Type.Integer(), text: Type.String(), editable_until: Type.String({ format: 'date-time' }) }), Type.Null()], { description: "Order pages: the buyer's review of this item, if any" }),
  ),
});

const Nullable = (s: ReturnType<typeof Type.String>) => Type.Union([s, Type.Null()]);

const OrderSummaryFields = {
  id: Type.String(),
  shop_id: Type.String(),
  shop: NameRef,
  buyer: NameRef,
  status: Type.Union(ORDER_STATUSES.map((s) => Type.Literal(s)), { description: 'The order lifecycle (docs/architecture.md); a partial refund keeps the status and shows in `refunded`' }),
  awaiting_verification: Type.Union(
    [Type.Object({ payment_id: Type.String(), expires_at: Type.String({ format: 'date-time' }) }), Type.Null()],
    {
      description:
        'Set while the order is `pending_payment` and its card waits for the buyer\'s 3-D-Secure verification: the payment to confirm (POST /v1/payments/{id}/confirm) and when the unpaid order expires',
    },
  ),
  items: Type.Array(OrderItemOut),
  item_count: Type.Integer(),
  subtotal: MoneyOut,
  shipping_fee: MoneyOut,
  tax: MoneyOut,
  total: MoneyOut,
  payment_id: Type.String(),
  ship_by: Nullable(Type.String({ format: 'date-time' })),
  paid_at: Nullable(Type.String({ format: 'date-time' })),
  cancelled_at: Nullable(Type.String({ format: 'date-time' })),
  cancel_reason: Nullable(Type.String()),
  delivered_at: Nullable(Type.String({ format: 'date-time' })),
  completed_at: Nullable(Type.String({ format: 'date-time' })),
  refunded: MoneyOut,
  created_at: Type.String({ format: 'date-time' }),
};

/** An order as lists show it. */
export const OrderSummaryOut = Type.Object(OrderSummaryFields);

/** Where an order goes, as order views show it. */
export const ShippingAddressOut = Type.Object({
  name: Type.String(),
  line1: Type.String(),
  line2: Type.Optional(Type.String()),
  city: Type.String(),
  region: Type.Optional(Type.String()),
  postal_code: Type.String(),
  country: Type.String(),
  phone: Type.Optional(Type.String()),
});

export const orderDetailSchema = <S extends TSchema>(shipment: S) =>
  Type.Object({
    ...OrderSummaryFields,
    shipping_address: ShippingAddressOut,
    payment: Type.Object({ id: Type.String(), status: Type.String(), card_last4: Nullable(Type.String()) }),
    shipments: Type.Array(shipment),
    timeline: Type.Array(Type.Object({ type: Type.String(), at: Type.String({ format: 'date-time' }), data: Type.Record(Type.String(), Type.Unknown()) })),
  });

/** An order detail as the orders module builds it: `shipments` are filled by the HTTP layer from fulfillment. */
export type OrderDetail = Static<ReturnType<typeof orderDetailSchema<TUnknown>>>;
