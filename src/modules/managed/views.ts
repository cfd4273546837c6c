import { Type } from '@sinclair/typebox';
import { Nullable, Time } from '../../platform/http-schemas.js';
import { INBOUND_STATUSES, OFFER_STATUSES } from './schema.js';

export const MoneyOut = Type.Object({ amount: Type.Integer(), currency: Type.String() });

/** A supply offer as the API shows it. */
export const OfferOut = Type.Object({
  id: Type.String(),
  shop_id: Type.String(),
  status: Type.Union(OFFER_STATUSES.map((s) => Type.Literal(s))),
  title: Type.String(),
  description: Type.String(),
  category: Nullable(Type.String()),
  images: Type.Array(Type.String()),
  option_names: Type.Array(Type.String()),
  variants: Type.Array(
    Type.Object({
      index: Type.Integer(),
      option_values: Type.Array(Type.String()),
      supply_price: MoneyOut,
      quantity_available: Type.Integer(),
      sku_id: Nullable(Type.String()),
      retail_price: Type.Union([MoneyOut, Type.Null()]),
    }),
  ),
  product_id: Nullable(Type.String()),
  warehouse_id: Nullable(Type.String()),
  note: Nullable(Type.String()),
  reviewed_at: Nullable(Time),
  created_at: Time,
  updated_at: Time,
});

/** An inbound shipment as the API shows it. */
export const InboundOut = Type.Object({
  id: Type.String(),
  shop_id: Type.String(),
  warehouse_id: Type.String(),
  carrier: Nullable(Type.String()),
  tracking_number: Nullable(Type.String()),
  status: Type.Union(INBOUND_STATUSES.map((s) => Type.Literal(s))),
  items: Type.Array(
    Type.Object({
      sku_id: Type.String(),
      expected_quantity: Type.Integer(),
      received_quantity: Nullable(Type.Integer()),
      discrepancy: Nullable(Type.Integer({ description: 'received − expected' })),
    }),
  ),
  note: Nullable(Type.String()),
  received_at: Nullable(Time),
  created_at: Time,
});
