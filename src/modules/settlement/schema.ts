import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { minorUnits, money, timestamptz } from '../../platform/columns.js';

/**
 * Something that keeps an order's escrow from being released: an open after-sales case, an open
 * fake-tracking flag. Other modules place and lift holds through settlement's service; an order
 * is released only when it is completed and has no hold left (`lifted_at` null = in force).
 */
export const escrowHolds = pgTable(
  'escrow_holds',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull(),
    /** `case` (aftersales) · `flag` (fulfillment) — what placed it. */
    kind: text('kind').notNull(),
    /** The id of the case or flag. */
    ref: text('ref').notNull(),
    createdAt: timestamptz('created_at').notNull(),
    liftedAt: timestamptz('lifted_at'),
  },
  (t) => [uniqueIndex('escrow_holds_ref_idx').on(t.kind, t.ref), index('escrow_holds_order_idx').on(t.orderId)],
);

/**
 * Commission rules, data an operator edits. The rule in force at an order's `paid_at` applies:
 * among the rules effective then, the most specific wins (category + new shop > category >
 * new shop > default), ties → newest. A rule is never edited but ended (`effective_to`), so
 * history stays. A default 8 % rule is inserted by the migration.
 */
export const commissionRules = pgTable(
  'commission_rules',
  {
    id: text('id').primaryKey(),
    /** Category slug; null = every category. */
    category: text('category'),
    rateBps: integer('rate_bps').notNull(),
    /** Applies only while the shop is younger than this many days at payment time; null = any shop. */
    newShopDays: integer('new_shop_days'),
    /** Ad-subsidy credit of the item's share: platform_subsidy → seller_payable. */
    subsidyBps: integer('subsidy_bps').notNull().default(0),
    effectiveFrom: timestamptz('effective_from').notNull(),
    effectiveTo: timestamptz('effective_to'),
    createdBy: text('created_by').notNull(),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [
    index('commission_rules_from_idx').on(t.effectiveFrom),
    check('commission_rules_rates', sql`${t.rateBps} between 0 and 10000 and ${t.subsidyBps} between 0 and 10000`),
    check('commission_rules_window', sql`${t.effectiveTo} is null or ${t.effectiveTo} > ${t.effectiveFrom}`),
  ],
);

export interface SettlementLine {
  order_item_id: string;
  category: string | null;
  /** The item's share of what escrow held. */
  base: number;
  rule_id: string | null;
  rate_bps: number;
  commission: number;
  creator_id: string | null;
  affiliate_rate_bps: number;
  affiliate: number;
  subsidy_bps: number;
  subsidy: number;
  /** Managed shops: supply price × units sold and kept (what the shop is paid for this item). */
  supply?: number;
}

/** The one release of an order's escrow (unique per order), with its breakdown. */
export const settlements = pgTable(
  'settlements',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull(),
    shopId: text('shop_id').notNull(),
    currency: text('currency').notNull(),
    /** What escrow held at release (captured − refunded). */
    held: minorUnits('held').notNull(),
    commission: minorUnits('commission').notNull(),
    affiliate: minorUnits('affiliate').notNull(),
    subsidy: minorUnits('subsidy').notNull(),
    /** held − commission − affiliate (+ subsidy arrives on its own entry). */
    sellerAmount: minorUnits('seller_amount').notNull(),
    lines: jsonb('lines').$type<SettlementLine[]>().notNull(),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [uniqueIndex('settlements_order_idx').on(t.orderId), index('settlements_shop_idx').on(t.shopId, t.id)],
);

export const PAYEE_TYPES = ['shop', 'creator'] as const;
export type PayeeType = (typeof PAYEE_TYPES)[number];

export const PAYOUT_STATUSES = ['in_transit', 'paid', 'failed'] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

/**
 * A payout: a payee's available balance moved to payouts_in_transit by the batch, then settled
 * once by the payout rail (docs/decisions/016-payouts-complete.md): `paid` (the money left the
 * platform, `paid_at`) or `failed` (it went back to the payee's payable, `failed_at`,
 * `failure_reason`). Only `in_transit` ever changes.
 */
export const payouts = pgTable(
  'payouts',
  {
    id: text('id').primaryKey(),
    payeeType: text('payee_type', { enum: PAYEE_TYPES }).notNull(),
    payeeId: text('payee_id').notNull(),
    ...money(),
    status: text('status', { enum: PAYOUT_STATUSES }).notNull().default('in_transit'),
    createdAt: timestamptz('created_at').notNull(),
    paidAt: timestamptz('paid_at'),
    failedAt: timestamptz('failed_at'),
    /** The rail's reason, e.g. `account_closed` (failed payouts only). */
    failureReason: text('failure_reason'),
  },
  (t) => [
    index('payouts_payee_idx').on(t.payeeType, t.payeeId, t.id),
    // The settle job's look-up: payouts still in transit, oldest first.
    index('payouts_in_transit_idx').on(t.createdAt, t.id).where(sql`${t.status} = 'in_transit'`),
    check('payouts_amount_positive', sql`${t.amount} > 0`),
    check(
      'payouts_outcome',
      sql`(${t.paidAt} is not null) = (${t.status} = 'paid') and (${t.failedAt} is not null) = (${t.status} = 'failed') and (${t.failureReason} is null or ${t.status} = 'failed')`,
    ),
  ],
);

/** A shop's payout hold flag (operator, later trust & safety): payouts skip held shops. */
export const payoutHolds = pgTable('payout_holds', {
  shopId: text('shop_id').primaryKey(),
  hold: boolean('hold').notNull(),
  reason: text('reason'),
  updatedBy: text('updated_by').notNull(),
  updatedAt: timestamptz('updated_at').notNull(),
});

/**
 * Payout restrictions placed by trust & safety (decision 012), apart from the operator's manual
 * flag above: `full_hold` (suspension, freeze) skips the shop in every payout batch;
 * `reserve_bps` (payout_hold action) keeps that share of what the shop earns while it is in force
 * on its seller payable. `reserved` (minor units per currency) is what has been kept back so far;
 * it is released — paid by the next batch — only when the restriction is lifted.
 */
export const payoutRestrictions = pgTable('payout_restrictions', {
  shopId: text('shop_id').primaryKey(),
  fullHold: boolean('full_hold').notNull().default(false),
  reserveBps: integer('reserve_bps').notNull().default(0),
  reserved: jsonb('reserved').$type<Record<string, number>>().notNull().default({}),
  updatedAt: timestamptz('updated_at').notNull(),
});
