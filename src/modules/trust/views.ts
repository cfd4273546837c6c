import { Type } from '@sinclair/typebox';
import { Nullable, Time } from '../../platform/http-schemas.js';
import { ACTION_TYPES } from './schema.js';

export const Literals = <T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>(Type.Union(values.map((v) => Type.Literal(v))));

export const ParamsOut = Type.Object({
  max_new_listings_per_day: Type.Optional(Type.Integer()),
  max_orders_per_day: Type.Optional(Type.Integer()),
  reserve_bps: Type.Optional(Type.Integer()),
});

/** An enforcement action as the API shows it. */
export const ActionOut = Type.Object({
  id: Type.String(),
  shop_id: Type.String(),
  type: Literals(ACTION_TYPES),
  status: Literals(['active', 'reversed'] as const),
  source: Literals(['automatic', 'operator'] as const),
  reason: Type.String(),
  params: ParamsOut,
  metric: Nullable(Type.String({ description: 'Automatic actions: the metric whose rule breached' })),
  created_at: Time,
  created_by: Nullable(Type.String()),
  reversed_at: Nullable(Time),
  reversed_by: Nullable(Type.String()),
  reverse_reason: Nullable(Type.String()),
  appeal: Nullable(
    Type.Object({
      message: Type.String(),
      at: Time,
      status: Literals(['pending', 'granted', 'denied'] as const),
      decided_at: Nullable(Time),
      decided_by: Nullable(Type.String()),
      decision_reason: Nullable(Type.String()),
    }),
  ),
});

export const MetricsOut = Type.Object({
  orders: Type.Integer({ description: 'Orders paid in the window' }),
  late_dispatch_rate: Type.Number({ description: 'Fraction 0..1' }),
  cancellation_rate: Type.Number({ description: 'Fraction 0..1' }),
  fake_tracking_flags: Type.Integer(),
  refund_rate: Type.Number({ description: 'Fraction 0..1' }),
  not_as_described_cases: Type.Integer(),
  dispute_losses: Type.Integer(),
  average_rating: Nullable(Type.Number()),
  rating_count: Type.Integer(),
});

export const BreachOut = Type.Object({ metric: Type.String(), value: Type.Number(), threshold: Type.Number(), action: Literals(ACTION_TYPES), params: ParamsOut });

export const ShopStatus = Literals(['active', 'frozen', 'suspended'] as const);

/** A shop's health as the API shows it. */
export const HealthOut = Type.Object({
  shop_id: Type.String(),
  shop_name: Type.String(),
  status: ShopStatus,
  computed_at: Time,
  window_days: Type.Integer(),
  metrics: MetricsOut,
  breaches: Type.Array(BreachOut),
  actions: Type.Array(ActionOut),
});
