import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { requiredRef, timestamps, timestamptz } from '../../platform/columns.js';

export const LIVE_STATUSES = ['scheduled', 'live', 'ended'] as const;
export type LiveStatus = (typeof LIVE_STATUSES)[number];

/** Who ended a session: its creator, or the platform after `LIVE_IDLE_END_MS` without a sign of life or `LIVE_MAX_DURATION_MS` live. */
export const LIVE_END_REASONS = ['creator', 'idle', 'max_duration'] as const;
export type LiveEndReason = (typeof LIVE_END_REASONS)[number];

/**
 * A creator's live session: scheduled → live → ended. One creator is live in one place at a
 * time: the partial unique index below is the arbiter (two racing starts: one gets 409
 * `already_live`). Starting records the creator's exclusivity attestation (who, when, which
 * text version). `pinned_product_id` is the product shown in the room now (one of the pins).
 * The flash-sale allotments are inventory stock holds whose holder is the session id.
 * `last_active_at` is the creator console's last sign of life (start, pin, allotment change,
 * heartbeat): a live without one for too long is ended by the platform, `end_reason` says who ended it.
 */
export const liveSessions = pgTable(
  'live_sessions',
  {
    id: text('id').primaryKey(),
    creatorId: text('creator_id').notNull(),
    title: text('title').notNull(),
    streamUrl: text('stream_url').notNull(),
    status: text('status', { enum: LIVE_STATUSES }).notNull().default('scheduled'),
    scheduledAt: timestamptz('scheduled_at').notNull(),
    startedAt: timestamptz('started_at'),
    endedAt: timestamptz('ended_at'),
    endReason: text('end_reason', { enum: LIVE_END_REASONS }),
    lastActiveAt: timestamptz('last_active_at'),
    attestedBy: text('attested_by'),
    attestedAt: timestamptz('attested_at'),
    attestationVersion: text('attestation_version'),
    pinnedProductId: text('pinned_product_id'),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('live_sessions_one_live_per_creator').on(t.creatorId).where(sql`${t.status} = 'live'`),
    index('live_sessions_creator_idx').on(t.creatorId, t.id),
    index('live_sessions_status_idx').on(t.status, t.id),
  ],
);

/** The products pinned in a session, in pin order (the room lists them; one is featured). */
export const livePins = pgTable(
  'live_pins',
  {
    liveId: requiredRef('live_id', () => liveSessions.id),
    productId: text('product_id').notNull(),
    position: integer('position').notNull(),
    pinnedAt: timestamptz('pinned_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.liveId, t.productId] })],
);

/**
 * Paid order items bought from a live room (source.live_id), written by checkout's payment
 * transaction; the room's "recent purchases" and the session's sales. Keyed by the order item.
 */
export const livePurchases = pgTable(
  'live_purchases',
  {
    orderItemId: text('order_item_id').primaryKey(),
    liveId: text('live_id').notNull(),
    orderId: text('order_id').notNull(),
    buyerId: text('buyer_id').notNull(),
    productId: text('product_id').notNull(),
    skuId: text('sku_id').notNull(),
    title: text('title').notNull(),
    quantity: integer('quantity').notNull(),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [index('live_purchases_live_idx').on(t.liveId, t.createdAt)],
);

/**
 * Viewers connected to a room, per server process (`node_id`), refreshed by a heartbeat; the
 * room's viewer count is the sum over the rows seen recently, so a process that died stops
 * counting after `PRESENCE_TTL_MS`.
 */
export const liveViewers = pgTable(
  'live_viewers',
  {
    liveId: text('live_id').notNull(),
    nodeId: text('node_id').notNull(),
    viewers: integer('viewers').notNull(),
    seenAt: timestamptz('seen_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.liveId, t.nodeId] }), check('live_viewers_count', sql`${t.viewers} >= 0`)],
);
