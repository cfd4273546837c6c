import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../platform/columns.js';

/** What a health rule or an operator can do to a shop (decision 012). */
export const ACTION_TYPES = ['warning', 'listing_limit', 'order_cap', 'payout_hold', 'suspension', 'freeze'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

/** The seller-health metrics a rule can watch (rates are fractions 0..1). */
export const METRICS = [
  'late_dispatch_rate',
  'cancellation_rate',
  'fake_tracking_flags',
  'refund_rate',
  'not_as_described_cases',
  'dispute_losses',
  'average_rating',
] as const;
export type Metric = (typeof METRICS)[number];

export const COMPARISONS = ['gt', 'gte', 'lt', 'lte'] as const;
export type Comparison = (typeof COMPARISONS)[number];

export interface ActionParams {
  /** listing_limit: products the shop may create per rolling 24 hours. */
  max_new_listings_per_day?: number;
  /** order_cap: orders the shop may take per rolling 24 hours. */
  max_orders_per_day?: number;
  /** payout_hold: share of what the shop earns while the hold is active that stays on its payable (10000 = nothing paid out). */
  reserve_bps?: number;
}

export interface HealthRule {
  metric: Metric;
  threshold: number;
  /** The rule applies only when the shop had at least this many orders in the window. */
  min_orders: number;
  /** average_rating rules: only with at least this many ratings in the window (default 0). */
  min_ratings?: number;
  /** Default per metric: rates `gt`, counts `gte`, average_rating `lt`. */
  comparison?: Comparison;
  action: ActionType;
  params?: ActionParams;
}

/**
 * Health thresholds of one market, edited by operators (data, like the market itself): the
 * rolling window the metrics are computed over, how long a shop may ignore its orders and cases
 * before it is frozen as vanished, and the rules. Migration 0017 inserts the defaults.
 */
export const healthThresholds = pgTable(
  'health_thresholds',
  {
    market: text('market').primaryKey(),
    windowDays: integer('window_days').notNull(),
    freezeAfterDays: integer('freeze_after_days').notNull(),
    rules: jsonb('rules').$type<HealthRule[]>().notNull(),
    updatedAt: timestamptz('updated_at'),
    updatedBy: text('updated_by'),
  },
  (t) => [check('health_thresholds_days', sql`${t.windowDays} between 1 and 365 and ${t.freezeAfterDays} between 1 and 365`)],
);

/**
 * An action against a shop: created by a health rule (`automatic`) or an operator, in force while
 * `active`, appealable once by the shop, reversed by an operator (or by a granted appeal).
 * `dedupe_key` (automatic actions only) is unique among active actions of a shop, so the
 * evaluation job never creates the same action twice, even when two nodes run it at once.
 */
export const shopActions = pgTable(
  'shop_actions',
  {
    id: text('id').primaryKey(),
    shopId: text('shop_id').notNull(),
    type: text('type', { enum: ACTION_TYPES }).notNull(),
    status: text('status', { enum: ['active', 'reversed'] }).notNull(),
    source: text('source', { enum: ['automatic', 'operator'] }).notNull(),
    reason: text('reason').notNull(),
    params: jsonb('params').$type<ActionParams>().notNull().default({}),
    /** Automatic actions: the metric whose rule breached. */
    metric: text('metric'),
    dedupeKey: text('dedupe_key'),
    createdAt: timestamptz('created_at').notNull(),
    createdBy: text('created_by'),
    reversedAt: timestamptz('reversed_at'),
    reversedBy: text('reversed_by'),
    reverseReason: text('reverse_reason'),
    appealMessage: text('appeal_message'),
    appealAt: timestamptz('appeal_at'),
    appealStatus: text('appeal_status', { enum: ['pending', 'granted', 'denied'] }),
    appealDecidedAt: timestamptz('appeal_decided_at'),
    appealDecidedBy: text('appeal_decided_by'),
    appealDecisionReason: text('appeal_decision_reason'),
  },
  (t) => [
    index('shop_actions_shop_idx').on(t.shopId, t.id),
    index('shop_actions_appeal_idx').on(t.appealStatus, t.id),
    uniqueIndex('shop_actions_dedupe_idx')
      .on(t.shopId, t.dedupeKey)
      .where(sql`${t.status} = 'active' and ${t.dedupeKey} is not null`),
  ],
);
