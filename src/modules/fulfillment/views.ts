import { Type } from '@sinclair/typebox';
import { Nullable } from '../../platform/http-schemas.js';
import { SHIPMENT_STATUSES } from './schema.js';

export const ShipmentItem = Type.Object({ order_item_id: Type.String({ maxLength: 40 }), quantity: Type.Integer({ minimum: 1, maximum: 100_000 }) }, { additionalProperties: false });
export const Status = Type.Union(SHIPMENT_STATUSES.map((s) => Type.Literal(s)));

export const ShipmentOut = Type.Object({
  id: Type.String(),
  order_id: Type.String(),
  shop_id: Type.String(),
  carrier: Type.String(),
  tracking_number: Type.String(),
  status: Status,
  items: Type.Array(ShipmentItem),
  destination_postal_code: Type.String(),
  flags: Type.Array(Type.String()),
  has_open_flags: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' }),
  picked_up_at: Nullable(Type.String({ format: 'date-time' })),
  delivered_at: Nullable(Type.String({ format: 'date-time' })),
  receipt_confirmed_at: Nullable(Type.String({ format: 'date-time', description: 'When the buyer confirmed receipt (then also `delivered_at`); null while only the carrier reports delivery' })),
  timeline: Type.Array(Type.Object({ status: Status, at: Type.String({ format: 'date-time' }), postal_code: Nullable(Type.String()), description: Type.String() })),
});
