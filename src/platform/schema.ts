import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { minorUnits, requiredRef, timestamptz } from './columns.js';

/** Durable jobs: claimed with FOR UPDATE SKIP LOCKED so any number of nodes can share them. */
export const jobs = pgTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull().default({}),
    runAt: timestamptz('run_at').notNull(),
    status: text('status', { enum: ['queued', 'running', 'done', 'failed'] }).notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(5),
    lastError: text('last_error'),
    lockedBy: text('locked_by'),
    lockedAt: timestamptz('locked_at'),
    uniqueKey: text('unique_key'),
    createdAt: timestamptz('created_at').notNull(),
    finishedAt: timestamptz('finished_at'),
  },
  (t) => [
    index('jobs_due_idx').on(t.status, t.runAt),
    uniqueIndex('jobs_unique_key_idx').on(t.uniqueKey).where(sql`${t.uniqueKey} is not null`),
  ],
);

/**
 * The domain event outbox (decision 019, src/platform/events.ts): one row per emitted event,
 * written in the transaction of its fact.
 */
export const domainEvents = pgTable(
  'domain_events',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    payload: jsonb('payload').notNull(),
    occurredAt: timestamptz('occurred_at').notNull(),
  },
  (t) => [index('domain_events_name_idx').on(t.name, t.occurredAt)],
);

/** One row per event delivered to a durable subscriber: a second delivery finds it and does nothing. */
export const eventDeliveries = pgTable(
  'event_deliveries',
  {
    eventId: requiredRef('event_id', () => domainEvents.id),
    subscriber: text('subscriber').notNull(),
    deliveredAt: timestamptz('delivered_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.subscriber] })],
);

/** First response of a mutating request, replayed for 24 h to retries with the same key. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    status: text('status', { enum: ['in_progress', 'completed'] }).notNull(),
    responseStatus: integer('response_status'),
    responseBody: text('response_body'),
    responseType: text('response_type'),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_created_idx').on(t.createdAt)],
);

const ms = (name: string) => bigint(name, { mode: 'number' }).notNull();

/**
 * Markets as data (decision 008): one row per market, edited by operators, cached per process
 * by `loadMarkets` (src/platform/markets.ts). Durations are milliseconds.
 */
export const markets = pgTable(
  'markets',
  {
    code: text('code').primaryKey(),
    currency: text('currency').notNull(),
    timezone: text('timezone').notNull(),
    taxRateBps: integer('tax_rate_bps').notNull(),
    shipWithinMs: ms('ship_within_ms'),
    reservationTtlMs: ms('reservation_ttl_ms'),
    pickupWithinMs: ms('pickup_within_ms'),
    deliveryWithinMs: ms('delivery_within_ms'),
    noScanFlagMs: ms('no_scan_flag_ms'),
    autoCancelGraceMs: ms('auto_cancel_grace_ms'),
    afterSalesWindowMs: ms('after_sales_window_ms'),
    caseAnswerWithinMs: ms('case_answer_within_ms'),
    returnShipWithinMs: ms('return_ship_within_ms'),
    returnReceiptWithinMs: ms('return_receipt_within_ms'),
    caseEscalateWithinMs: ms('case_escalate_within_ms'),
    /** Documents a seller application must carry (local_stock_proof, sales_statement, licence). */
    requiredDocuments: text('required_documents').array().notNull().default(sql`'{}'::text[]`),
    /** Yearly sales in one category another marketplace must prove, minor units of `currency`; null = none. */
    salesThreshold: minorUnits('sales_threshold'),
    /** Most shops the market takes; null = unlimited. */
    slotQuota: integer('slot_quota'),
    /** An affiliate is paid only when the click that led to the cart line is at most this many days old at checkout. */
    attributionWindowDays: integer('attribution_window_days').notNull().default(7),
    /** `semi_closed` (external anchors allowed, click-outs recorded) or `closed` (decision on link detection). */
    linkPolicyMode: text('link_policy_mode').notNull().default('semi_closed'),
    cutoverAt: timestamptz('cutover_at'),
    updatedAt: timestamptz('updated_at'),
    updatedBy: text('updated_by'),
  },
  (t) => [
    check('markets_tax_rate', sql`${t.taxRateBps} between 0 and 10000`),
    check('markets_thresholds', sql`coalesce(${t.salesThreshold}, 0) >= 0 and coalesce(${t.slotQuota}, 0) >= 0`),
    check('markets_attribution_window', sql`${t.attributionWindowDays} between 1 and 90`),
  ],
);

/**
 * Rate-limit counters shared by every server process: one row per limit key and fixed window,
 * bumped by one upsert per limited request (src/platform/rate-limit.ts). Keys are SHA-256 hashes
 * (no emails or addresses at rest); rows past `expires_at` are purged hourly.
 */
export const rateLimitCounters = pgTable(
  'rate_limit_counters',
  {
    key: text('key').notNull(),
    windowStart: timestamptz('window_start').notNull(),
    count: integer('count').notNull(),
    expiresAt: timestamptz('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] }), index('rate_limit_counters_expires_idx').on(t.expiresAt)],
);

/**
 * Secrets an installation generated for itself at first start (the sandbox providers' webhook
 * signing secrets when no environment variable sets them). Inserted with `on conflict do
 * nothing`, so nodes starting together on one database all keep the first value.
 */
export const installationSecrets = pgTable('installation_secrets', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  createdAt: timestamptz('created_at').notNull(),
});
