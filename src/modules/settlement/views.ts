import { Type } from '@sinclair/typebox';
import { Money, Nullable, Time } from '../../platform/http-schemas.js';
import { PAYEE_TYPES, PAYOUT_STATUSES } from './schema.js';

/** A commission rule as the API shows it. */
export const RuleOut = Type.Object({
  id: Type.String(),
  category: Nullable(Type.String()),
  rate_bps: Type.Integer(),
  new_shop_days: Nullable(Type.Integer()),
  subsidy_bps: Type.Integer(),
  effective_from: Time,
  effective_to: Nullable(Time),
  created_by: Type.String(),
  created_at: Time,
});

/** A payout as the API shows it. */
export const PayoutOut = Type.Object({
  id: Type.String(),
  payee_type: Type.Union(PAYEE_TYPES.map((t) => Type.Literal(t))),
  payee_id: Type.String(),
  amount: Type.Ref(Money),
  status: Type.Union(PAYOUT_STATUSES.map((s) => Type.Literal(s)), { description: 'in_transit → paid | failed (the rail settles it once, a day after the batch)' }),
  created_at: Time,
  paid_at: Nullable(Time),
  failed_at: Nullable(Time),
  failure_reason: Nullable(Type.String({ description: 'Failed payouts: the rail\'s reason, e.g. account_closed' })),
});

/** A shop's payout hold as the API shows it. */
export const PayoutHoldOut = Type.Object({ shop_id: Type.String(), hold: Type.Boolean(), reason: Nullable(Type.String()), updated_at: Nullable(Time) });
