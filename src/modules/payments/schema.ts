import { sql } from 'drizzle-orm';
import { check, index, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { minorUnits, money, requiredRef, timestamps, timestamptz } from '../../platform/columns.js';

/**
 * `pending`: created by checkout, the provider not answered yet · `requires_action`: waiting for
 * the buyer's 3-D-Secure-style confirmation · `succeeded`: captured · `declined` · `refunded` /
 * `partially_refunded` · `cancelled`: the buyer cancelled before paying · `expired`: never
 * confirmed before its stock reservation ran out.
 */
export const PAYMENT_STATUSES = [
  'pending',
  'requires_action',
  'succeeded',
  'declined',
  'refunded',
  'partially_refunded',
  'cancelled',
  'expired',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** One payment per checkout (it may pay for several orders, one per shop). */
export const payments = pgTable(
  'payments',
  {
    id: text('id').primaryKey(),
    buyerId: text('buyer_id').notNull(),
    provider: text('provider').notNull(),
    providerRef: text('provider_ref'),
    /** The checkout's Idempotency-Key: one payment per (buyer, key), even across a crash. */
    idempotencyKey: text('idempotency_key'),
    ...money(),
    status: text('status', { enum: PAYMENT_STATUSES }).notNull(),
    cardLast4: text('card_last4'),
    failureCode: text('failure_code'),
    refundedAmount: minorUnits('refunded_amount').notNull().default(0),
    /** When the stock held for this payment runs out (unpaid orders are cancelled then). */
    expiresAt: timestamptz('expires_at').notNull(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('payments_buyer_idempotency_idx').on(t.buyerId, t.idempotencyKey).where(sql`${t.idempotencyKey} is not null`),
    uniqueIndex('payments_provider_ref_idx').on(t.provider, t.providerRef).where(sql`${t.providerRef} is not null`),
    index('payments_buyer_idx').on(t.buyerId, t.id),
    check('payments_amounts', sql`${t.amount} > 0 and ${t.refundedAmount} between 0 and ${t.amount}`),
  ],
);

export const refunds = pgTable(
  'refunds',
  {
    id: text('id').primaryKey(),
    paymentId: requiredRef('payment_id', () => payments.id),
    /** The order refunded (null for a payment-wide refund, e.g. a capture that arrived too late). */
    orderId: text('order_id'),
    ...money(),
    reason: text('reason').notNull(),
    providerRef: text('provider_ref').notNull(),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('refunds_provider_ref_idx').on(t.paymentId, t.providerRef),
    index('refunds_order_idx').on(t.orderId),
    check('refunds_amount', sql`${t.amount} > 0`),
  ],
);

/** Every provider webhook event applied, by the provider's event id: replays are ignored. */
export const webhookEvents = pgTable(
  'webhook_events',
  {
    id: text('id').primaryKey(),
    provider: text('provider').notNull(),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull(),
    receivedAt: timestamptz('received_at').notNull(),
  },
  (t) => [uniqueIndex('webhook_events_provider_event_idx').on(t.provider, t.eventId)],
);
