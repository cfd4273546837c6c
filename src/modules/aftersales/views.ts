import { Type } from '@sinclair/typebox';
import { Literals, Money, Nullable, Time } from '../../platform/http-schemas.js';
import { CASE_STATUSES, CASE_TYPES, DECISION_OUTCOMES, REASON_CODES } from './schema.js';

/** A case as the API shows it. */
export const CaseOut = Type.Object({
  id: Type.String(),
  order_id: Type.String(),
  shop_id: Type.String(),
  buyer_id: Type.String(),
  type: Literals(CASE_TYPES),
  status: Literals(CASE_STATUSES),
  reason: Type.String(),
  reason_code: Nullable(Literals(REASON_CODES)),
  order_item_id: Nullable(Type.String()),
  quantity: Nullable(Type.Integer()),
  amount: Type.Ref(Money),
  refunded: Type.Ref(Money),
  evidence: Type.Array(Type.Object({ id: Type.String(), url: Type.String() })),
  return: Nullable(Type.Object({ carrier: Type.String(), tracking_number: Type.String(), shipped_at: Time })),
  seller_due_at: Nullable(Time),
  return_due_at: Nullable(Time),
  receipt_due_at: Nullable(Time),
  escalation_due_at: Nullable(Time),
  decision: Nullable(Type.Object({ outcome: Literals(DECISION_OUTCOMES), amount: Type.Ref(Money), note: Type.String(), by: Type.String(), at: Time })),
  timeline: Type.Array(Type.Object({ type: Type.String(), at: Time, by_role: Type.String(), note: Nullable(Type.String()) })),
  shipments: Type.Optional(
    Type.Array(Type.Object({ id: Type.String(), carrier: Type.String(), tracking_number: Type.String(), status: Type.String(), delivered_at: Nullable(Time) }), {
      description: "The case's page (`GET /v1/after-sales/{id}`): the order's parcels, for whoever decides",
    }),
  ),
  created_at: Time,
  updated_at: Time,
});
