import { sql } from 'drizzle-orm';
import { bigint, boolean, customType, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { minorUnits, timestamptz } from '../../platform/columns.js';

/** PostgreSQL's 64-bit transaction id (never wraps); compared as text literals cast to xid8. */
const xid8 = customType<{ data: string }>({ dataType: () => 'xid8' });

/** What the apps may send (`POST /v1/events`). */
export const CLIENT_EVENT_TYPES = [
  'impression',
  'view',
  'product_click',
  'add_to_cart',
  'checkout_started',
  'live_join',
  'live_leave',
  'outbound_click',
] as const;
/**
 * Facts only the services record (never accepted from a client): `checkout` (an order written by
 * a checkout, paid or not), `order_paid`, `refund`, and `video_removed` (a deleted video's
 * caption, `data: { caption }`, so its rows still name it; no counter).
 */
export const SERVER_EVENT_TYPES = ['checkout', 'order_paid', 'refund', 'video_removed'] as const;
export type ClientEventType = (typeof CLIENT_EVENT_TYPES)[number];
export type EventType = ClientEventType | (typeof SERVER_EVENT_TYPES)[number];

/**
 * The append-only event log. The key is who sent it and the sender's own event id, so a retried
 * batch is counted once: `actor` is `u:<user id>` (signed in), `d:<device id>` (anonymous) or
 * `server` (facts recorded by the services, with ids `checkout:<order>`, `order_paid:<order>` and
 * `refund:<refund>`).
 * `xid` is the inserting transaction: the rollup job folds in events by transaction id below the
 * oldest still-running transaction, so an event committed late is never skipped nor counted twice.
 * No foreign keys: events name objects of other modules and outlive them.
 */
export const analyticsEvents = pgTable(
  'analytics_events',
  {
    actor: text('actor').notNull(),
    eventId: text('event_id').notNull(),
    type: text('type', { enum: [...CLIENT_EVENT_TYPES, ...SERVER_EVENT_TYPES] }).notNull(),
    at: timestamptz('at').notNull(),
    receivedAt: timestamptz('received_at').notNull(),
    userId: text('user_id'),
    deviceId: text('device_id'),
    shopId: text('shop_id'),
    videoId: text('video_id'),
    productId: text('product_id'),
    skuId: text('sku_id'),
    liveId: text('live_id'),
    creatorId: text('creator_id'),
    watchedMs: integer('watched_ms'),
    durationMs: integer('duration_ms'),
    completed: boolean('completed'),
    orderId: text('order_id'),
    /** order_paid: the order total; refund: the amount refunded (minor units of `currency`). */
    amount: minorUnits('amount'),
    currency: text('currency'),
    /**
     * checkout, order_paid: `{ gmv, commission, items: [{ product_id, sku_id, video_id, live_id, creator_id, quantity, line_total, commission }] }`;
     * outbound_click: `{ url }`.
     */
    data: jsonb('data').$type<Record<string, unknown>>(),
    xid: xid8('xid').notNull().default(sql`pg_current_xact_id()`),
  },
  (t) => [primaryKey({ columns: [t.actor, t.eventId] }), index('analytics_events_xid_idx').on(t.xid)],
);

export const ROLLUP_DIMS = ['shop', 'video', 'product', 'live', 'creator'] as const;
export type RollupDim = (typeof ROLLUP_DIMS)[number];

/** The counters of a rollup row, in column order. */
export const METRICS = [
  'impressions',
  'views',
  'views_3s',
  'completed_views',
  'watched_ms',
  'product_clicks',
  'add_to_carts',
  'checkouts',
  'orders',
  'gmv',
  'commission',
  'refunds',
  'refund_amount',
  'outbound_clicks',
  'live_joins',
] as const;
export type Metric = (typeof METRICS)[number];

const counter = (name: Metric) => bigint(name, { mode: 'number' }).notNull().default(0);

const rollupColumns = () => ({
  shopId: text('shop_id').notNull(),
  dim: text('dim', { enum: ROLLUP_DIMS }).notNull(),
  bucket: timestamptz('bucket').notNull(),
  key: text('key').notNull(),
  impressions: counter('impressions'),
  views: counter('views'),
  views3s: counter('views_3s'),
  completedViews: counter('completed_views'),
  watchedMs: counter('watched_ms'),
  productClicks: counter('product_clicks'),
  addToCarts: counter('add_to_carts'),
  checkouts: counter('checkouts'),
  orders: counter('orders'),
  gmv: counter('gmv'),
  commission: counter('commission'),
  refunds: counter('refunds'),
  refundAmount: counter('refund_amount'),
  outboundClicks: counter('outbound_clicks'),
  liveJoins: counter('live_joins'),
});

/**
 * Hourly counters per shop and dimension (`shop` keyed by the shop id; `video`, `product`, `live`,
 * `creator` by that id). `shop_id` is '' for events that named no shop. Money is in the shop's
 * currency. Maintained only by the rollup job; dashboards read nothing else.
 */
export const analyticsRollups = pgTable('analytics_rollups', rollupColumns(), (t) => [
  primaryKey({ columns: [t.shopId, t.dim, t.bucket, t.key] }),
  index('analytics_rollups_key_idx').on(t.dim, t.key, t.bucket),
]);

/** The same counters per UTC day (written with the hourly rows), so long ranges read 24× fewer rows. */
export const analyticsRollupsDaily = pgTable('analytics_rollups_daily', rollupColumns(), (t) => [
  primaryKey({ columns: [t.shopId, t.dim, t.bucket, t.key] }),
  index('analytics_rollups_daily_key_idx').on(t.dim, t.key, t.bucket),
]);

/** The rollup job's watermark: every event with `xid` below it is in the rollups. */
export const analyticsRollupState = pgTable('analytics_rollup_state', {
  id: text('id').primaryKey(),
  watermark: xid8('watermark').notNull(),
  updatedAt: timestamptz('updated_at').notNull(),
});
