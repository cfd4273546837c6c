import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { minorUnits, money, requiredRef, timestamps, timestamptz } from '../../platform/columns.js';

export const CASE_TYPES = ['refund_only', 'return_and_refund', 'replacement'] as const;
export type CaseType = (typeof CASE_TYPES)[number];

/**
 * After-sales case states (DESIGN.md): requested → seller_accepted | seller_rejected → escalated →
 * resolved_buyer | resolved_seller; returns: seller_accepted → return_shipped → return_received →
 * refunded (replacement: → resolved_buyer); `closed` when the buyer withdrew or let a window pass.
 */
export const CASE_STATUSES = [
  'requested',
  'seller_accepted',
  'seller_rejected',
  'escalated',
  'return_shipped',
  'return_received',
  'refunded',
  'resolved_buyer',
  'resolved_seller',
  'closed',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const TERMINAL_STATUSES = ['refunded', 'resolved_buyer', 'resolved_seller', 'closed'] as const satisfies readonly CaseStatus[];

export const REASON_CODES = ['not_received', 'damaged', 'not_as_described', 'wrong_item', 'changed_mind', 'other'] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export const DECISION_OUTCOMES = ['full_refund', 'partial_refund', 'reject'] as const;
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];

export interface Decision {
  outcome: DecisionOutcome;
  /** Minor units refunded by the decision (0 for `reject`). */
  amount: number;
  note: string;
  by: string;
  at: string;
}

export type ActorRole = 'buyer' | 'seller' | 'operator' | 'system';

/**
 * A buyer's after-sales case on one order (or one item of it). `order_id`, `shop_id`, `buyer_id`
 * carry no foreign key into other modules' tables. At most one case per order is open at a time
 * (partial unique index). `amount` is what the buyer claims, `refunded_amount` what was paid back.
 */
export const afterSalesCases = pgTable(
  'after_sales_cases',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull(),
    shopId: text('shop_id').notNull(),
    buyerId: text('buyer_id').notNull(),
    type: text('type', { enum: CASE_TYPES }).notNull(),
    status: text('status', { enum: CASE_STATUSES }).notNull(),
    reason: text('reason').notNull(),
    reasonCode: text('reason_code', { enum: REASON_CODES }),
    orderItemId: text('order_item_id'),
    quantity: integer('quantity'),
    ...money(),
    refundedAmount: minorUnits('refunded_amount').notNull().default(0),
    returnCarrier: text('return_carrier'),
    returnTrackingNumber: text('return_tracking_number'),
    returnShippedAt: timestamptz('return_shipped_at'),
    /** Deadlines on the platform clock: seller answer, return shipment, receipt, escalation after a rejection. */
    sellerDueAt: timestamptz('seller_due_at'),
    returnDueAt: timestamptz('return_due_at'),
    receiptDueAt: timestamptz('receipt_due_at'),
    escalationDueAt: timestamptz('escalation_due_at'),
    decision: jsonb('decision').$type<Decision>(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('after_sales_cases_one_open_idx')
      .on(t.orderId)
      .where(sql`${t.status} not in ('refunded', 'resolved_buyer', 'resolved_seller', 'closed')`),
    index('after_sales_cases_order_idx').on(t.orderId),
    index('after_sales_cases_shop_idx').on(t.shopId, t.id),
    index('after_sales_cases_buyer_idx').on(t.buyerId, t.id),
    index('after_sales_cases_status_idx').on(t.status, t.id),
    check('after_sales_cases_amounts', sql`${t.amount} > 0 and ${t.refundedAmount} between 0 and ${t.amount}`),
  ],
);

/** The case timeline: who did what, when. */
export const afterSalesEvents = pgTable(
  'after_sales_events',
  {
    id: text('id').primaryKey(),
    caseId: requiredRef('case_id', () => afterSalesCases.id),
    type: text('type').notNull(),
    byRole: text('by_role').$type<ActorRole>().notNull(),
    byUserId: text('by_user_id'),
    note: text('note'),
    at: timestamptz('at').notNull(),
  },
  (t) => [index('after_sales_events_case_idx').on(t.caseId, t.id)],
);

/** Evidence photos: uploaded first (case null), attached to a case by its buyer. Files live under the media dir. */
export const afterSalesEvidence = pgTable(
  'after_sales_evidence',
  {
    id: text('id').primaryKey(),
    uploaderId: text('uploader_id').notNull(),
    caseId: text('case_id').references(() => afterSalesCases.id),
    contentType: text('content_type').notNull(),
    bytes: integer('bytes').notNull(),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [index('after_sales_evidence_case_idx').on(t.caseId), index('after_sales_evidence_uploader_idx').on(t.uploaderId)],
);
