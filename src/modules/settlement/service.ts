import type { Static } from '@sinclair/typebox';
import { and, eq, gt, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import { DAY, HOUR } from '../../platform/clock.js';
import { emit } from '../../platform/events.js';
import type { Db } from '../../platform/db.js';
import { AppError, badRequest, conflict, notFound } from '../../platform/errors.js';
import { isId, newId } from '../../platform/ids.js';
import { enqueue, type JobRunner } from '../../platform/jobs.js';
import type { Money } from '../../platform/money.js';
import { pageById } from '../../platform/pagination.js';
import { audited } from '../audit/index.js';
import { accounts, getBalance, listPostings, positiveBalances, postPayout, postPayoutFailed, postPayoutPaid, totalsByKind, type AccountPosting } from '../ledger/index.js';
import type { OrderStatus } from '../orders/index.js';
import { itemsAttributedTo, listOrdersByStatus } from '../orders/index.js';
import { getShop } from '../sellers/index.js';
import { hasHolds, requestRelease } from './holds.js';
import type { PayoutOutcome, PayoutRail } from './payout-rail.js';
import { tryTransitionPayout } from './lifecycle.js';
import { applyReserve, getPayoutRestriction, recordReserve, restrictionsInForce } from './restrictions.js';
import { commissionRules, payoutHolds, payouts, settlements, type PayeeType, type SettlementLine } from './schema.js';
import type { PayoutHoldOut, PayoutOut, RuleOut } from './views.js';

/**
 * Settlement (SPEC §11): the escrow of a completed order with no hold is released once —
 * commission to the platform, the creator's affiliate share to `creator_payable:<creator>`, the
 * rest to `seller_payable:<shop>` — by rules in force at payment time (the release is the flow
 * `flows/release.ts`; settlement keeps the rules, the split and its rows); payouts move available
 * balances to `payouts_in_transit` in a batch, and the payout rail settles each of them once
 * (paid, or failed and back on the payable); finance views for shops and creators.
 */

export const SWEEP_JOB = 'settlement.sweep';
export const PAYOUTS_JOB = 'settlement.payouts';
export const PAYOUT_SETTLE_JOB = 'settlement.settle_payouts';
/**
 * How long a payout stays in transit before the rail is asked for its outcome: bank transfers
 * (ACH next day, SEPA credit transfers) arrive or bounce within about one business day, so a
 * payout of the daily batch is settled before the next batch runs (decision 016).
 */
export const PAYOUT_SETTLE_MS = DAY;
/** How often the settle job runs (each run settles every payout that fell due). */
export const PAYOUT_SETTLE_EVERY_MS = HOUR;
/** How far back the hourly sweep looks for completed orders left unsettled. */
export const SWEEP_WINDOW_MS = 7 * DAY;
/** Orders whose money is still in escrow (until the completed ones are settled). */
const ESCROW_STATUSES: OrderStatus[] = ['paid', 'shipped', 'delivered', 'completed'];
const CATEGORY_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_BPS = 10_000;

const money = (amount: number, currency: string): Money => ({ amount, currency });
/** ⌊amount × num / den⌋ exactly (BigInt); 0 when den is 0. */
const floorShare = (amount: number, num: number, den: number): number =>
  den === 0 ? 0 : Number((BigInt(amount) * BigInt(num)) / BigInt(den));

// ---------------------------------------------------------------------------------------------
// Commission rules
// ---------------------------------------------------------------------------------------------

export type CommissionRule = typeof commissionRules.$inferSelect;

export interface CommissionRuleInput {
  category?: string | null;
  rate_bps: number;
  new_shop_days?: number | null;
  subsidy_bps?: number;
  /** ISO 8601; default now. A rule never starts in the past (history stays). */
  effective_from?: string;
  effective_to?: string | null;
}

export type CommissionRuleView = Static<typeof RuleOut>;

export const ruleView = (r: CommissionRule): CommissionRuleView => ({
  id: r.id,
  category: r.category,
  rate_bps: r.rateBps,
  new_shop_days: r.newShopDays,
  subsidy_bps: r.subsidyBps,
  effective_from: r.effectiveFrom.toISOString(),
  effective_to: r.effectiveTo?.toISOString() ?? null,
  created_by: r.createdBy,
  created_at: r.createdAt.toISOString(),
});

function checkBps(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > MAX_BPS) {
    throw badRequest('invalid_rate', `${field} is a whole number of basis points from 0 to ${MAX_BPS}`, { field });
  }
  return value;
}

function parseTime(value: string, code: string, field: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw badRequest(code, `${field} is not an ISO 8601 time`, { field });
  return d;
}

/** An operator adds a commission rule, with its audit entry in the same transaction (the API and the demo). */
export async function createCommissionRuleAudited(db: Db, clock: Clock, operatorId: string, input: CommissionRuleInput): Promise<CommissionRuleView> {
  return audited(
    db,
    clock,
    (tx) => createCommissionRule(tx, clock, operatorId, input),
    (r) => ({
      actorId: operatorId,
      action: 'commission_rule.create',
      targetType: 'commission_rule',
      targetId: r.id,
      data: { category: r.category, rate_bps: r.rate_bps, new_shop_days: r.new_shop_days, subsidy_bps: r.subsidy_bps, effective_from: r.effective_from, effective_to: r.effective_to },
    }),
  );
}

export async function createCommissionRule(db: Db, clock: Clock, operatorId: string, input: CommissionRuleInput): Promise<CommissionRuleView> {
  const now = clock.now();
  const rateBps = checkBps(input.rate_bps, 'rate_bps');
  const subsidyBps = checkBps(input.subsidy_bps ?? 0, 'subsidy_bps');
  const category = input.category == null ? null : input.category.trim().toLowerCase();
  if (category !== null && (category.length > 64 || !CATEGORY_RE.test(category))) {
    throw badRequest('invalid_category', 'category is a slug such as "camping-gear", or null for every category');
  }
  const days = input.new_shop_days ?? null;
  if (days !== null && (!Number.isSafeInteger(days) || days < 1 || days > 3650)) {
    throw badRequest('invalid_new_shop_days', 'new_shop_days is a whole number of days from 1 to 3650, or null');
  }
  const from = input.effective_from === undefined ? now : parseTime(input.effective_from, 'invalid_effective_from', 'effective_from');
  if (from < now) throw badRequest('invalid_effective_from', 'A rule starts now or later: rules in force at past payments stay as they were');
  const to = input.effective_to == null ? null : parseTime(input.effective_to, 'invalid_effective_to', 'effective_to');
  if (to !== null && to <= from) throw badRequest('invalid_effective_to', 'effective_to is after effective_from');
  const [row] = await db
    .insert(commissionRules)
    .values({ id: newId('cmr'), category, rateBps, newShopDays: days, subsidyBps, effectiveFrom: from, effectiveTo: to, createdBy: operatorId, createdAt: now })
    .returning();
  return ruleView(row!);
}

/**
 * Ends a rule (the only edit: to change a rate, end the rule and add a new one). The end is now
 * or later and after its start; an ended rule stays as it was (409 `rule_ended`).
 */
export async function endCommissionRule(db: Db, clock: Clock, ruleId: string, effectiveTo: string): Promise<CommissionRuleView> {
  const now = clock.now();
  const to = parseTime(effectiveTo, 'invalid_effective_to', 'effective_to');
  return db.transaction(async (tx) => {
    const [rule] = await tx.select().from(commissionRules).where(eq(commissionRules.id, ruleId)).for('update');
    if (!rule) throw notFound('Commission rule', ruleId);
    if (rule.effectiveTo !== null && rule.effectiveTo <= now) throw conflict('rule_ended', 'This rule has ended; its history stays');
    if (to < now || to <= rule.effectiveFrom) {
      throw badRequest('invalid_effective_to', 'effective_to is now or later, and after effective_from');
    }
    const [row] = await tx.update(commissionRules).set({ effectiveTo: to }).where(eq(commissionRules.id, ruleId)).returning();
    return ruleView(row!);
  });
}

/** Newest first, paginated by id. */
export async function listCommissionRules(db: Db, opts: { limit?: number; cursor?: string } = {}) {
  const { rows, next_cursor } = await pageById(db, commissionRules, { ...opts, prefix: 'cmr', order: 'newest' });
  return { data: rows.map(ruleView), next_cursor };
}

/** The rules effective at a moment. */
export async function rulesInForce(db: Db, at: Date): Promise<CommissionRule[]> {
  return db
    .select()
    .from(commissionRules)
    .where(and(lte(commissionRules.effectiveFrom, at), or(isNull(commissionRules.effectiveTo), gt(commissionRules.effectiveTo, at))));
}

/**
 * The rule for an item of `category` of a shop `shopAgeMs` old at payment: among `rules` (in
 * force then) that match, the most specific (category + new shop > category > new shop >
 * default), ties → newest.
 */
export function pickRule(rules: CommissionRule[], category: string | null, shopAgeMs: number): CommissionRule | null {
  const rank = (r: CommissionRule) => (r.category !== null ? 2 : 0) + (r.newShopDays !== null ? 1 : 0);
  const fits = rules.filter(
    (r) => (r.category === null || r.category === category) && (r.newShopDays === null || shopAgeMs < r.newShopDays * DAY),
  );
  fits.sort((a, b) => rank(b) - rank(a) || b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
  return fits[0] ?? null;
}

// ---------------------------------------------------------------------------------------------
// Release
// ---------------------------------------------------------------------------------------------

export interface SettlementItem {
  id: string;
  lineTotal: number;
  category: string | null;
  affiliateRateBps: number;
  creatorId: string | null;
  rule: CommissionRule | null;
}

export interface SettlementPlan {
  lines: SettlementLine[];
  commission: number;
  affiliate: number;
  subsidy: number;
  seller: number;
}

/**
 * Splits what escrow holds. Each item's share is its line total scaled by held/total (after a
 * partial refund); commission, affiliate and subsidy are rounded down per item, the affiliate
 * never exceeds what the commission leaves of the share, and the seller gets the remainder — so
 * the parts add up to `held` exactly.
 */
export function planSettlement(held: number, total: number, items: SettlementItem[]): SettlementPlan {
  const lines = items.map((i): SettlementLine => {
    const base = floorShare(i.lineTotal, held, total);
    const rate = i.rule?.rateBps ?? 0;
    const commission = floorShare(base, rate, MAX_BPS);
    const affRate = i.creatorId ? i.affiliateRateBps : 0;
    const affiliate = Math.min(floorShare(base, affRate, MAX_BPS), base - commission);
    const subsidyBps = i.rule?.subsidyBps ?? 0;
    return {
      order_item_id: i.id,
      category: i.category,
      base,
      rule_id: i.rule?.id ?? null,
      rate_bps: rate,
      commission,
      creator_id: i.creatorId,
      affiliate_rate_bps: affRate,
      affiliate,
      subsidy_bps: subsidyBps,
      subsidy: floorShare(base, subsidyBps, MAX_BPS),
    };
  });
  const sumOf = (f: (l: SettlementLine) => number) => lines.reduce((n, l) => n + f(l), 0);
  const commission = sumOf((l) => l.commission);
  const affiliate = sumOf((l) => l.affiliate);
  return { lines, commission, affiliate, subsidy: sumOf((l) => l.subsidy), seller: held - commission - affiliate };
}

/**
 * A managed shop's order: the shop is paid the supply owed (`supply` per item), bounded by what
 * escrow holds; the platform keeps the rest (retail − supply, shipping and tax) and pays the
 * creator's affiliate share out of it. `commission` is the platform's margin; no rule applies.
 */
export function planManagedSettlement(held: number, total: number, items: Array<SettlementItem & { supply: number }>): SettlementPlan {
  const seller = Math.min(held, items.reduce((n, i) => n + i.supply, 0));
  let platform = held - seller;
  const lines = items.map((i): SettlementLine => {
    const base = floorShare(i.lineTotal, held, total);
    const affRate = i.creatorId ? i.affiliateRateBps : 0;
    const affiliate = Math.min(floorShare(base, affRate, MAX_BPS), platform);
    platform -= affiliate;
    return {
      order_item_id: i.id,
      category: i.category,
      base,
      rule_id: null,
      rate_bps: 0,
      commission: 0,
      creator_id: i.creatorId,
      affiliate_rate_bps: affRate,
      affiliate,
      subsidy_bps: 0,
      subsidy: 0,
      supply: i.supply,
    };
  });
  return { lines, commission: platform, affiliate: held - seller - platform, subsidy: 0, seller };
}

/** Where the platform's margin on managed orders is posted (docs/decisions/007-managed-mode.md). */
export const PLATFORM_MARGIN_ACCOUNT = accounts.platformMargin();

export type SettlementRow = typeof settlements.$inferSelect;

/** What `recordSettlement` writes: the order's split, planned by the release flow (flows/release.ts). */
export interface NewSettlement {
  orderId: string;
  shopId: string;
  currency: string;
  held: number;
  plan: SettlementPlan;
}

/**
 * Records an order's settlement (at most one per order: a second one finds the row taken and
 * returns null, so a racing release posts nothing).
 */
export async function recordSettlement(tx: Db, clock: Clock, s: NewSettlement): Promise<SettlementRow | null> {
  const [row] = await tx
    .insert(settlements)
    .values({
      id: newId('stl'),
      orderId: s.orderId,
      shopId: s.shopId,
      currency: s.currency,
      held: s.held,
      commission: s.plan.commission,
      affiliate: s.plan.affiliate,
      subsidy: s.plan.subsidy,
      sellerAmount: s.plan.seller,
      lines: s.plan.lines,
      createdAt: clock.now(),
    })
    .onConflictDoNothing()
    .returning();
  if (!row) return null;
  const earned = new Map<string, number>();
  for (const l of s.plan.lines) if (l.creator_id && l.affiliate > 0) earned.set(l.creator_id, (earned.get(l.creator_id) ?? 0) + l.affiliate);
  const creators = [...earned].map(([creator_id, amount]) => ({ creator_id, amount }));
  await emit(tx, clock, { name: 'order.settled', payload: { order_id: s.orderId, shop_id: s.shopId, currency: s.currency, creators } });
  return row;
}

export async function getSettlement(db: Db, orderId: string): Promise<SettlementRow | null> {
  const [row] = await db.select().from(settlements).where(eq(settlements.orderId, orderId));
  return row ?? null;
}

async function settledOf(db: Db, orderIds: string[]): Promise<Map<string, SettlementRow>> {
  if (orderIds.length === 0) return new Map();
  const found = await db.select().from(settlements).where(inArray(settlements.orderId, orderIds));
  return new Map(found.map((s) => [s.orderId, s]));
}

/**
 * Safety net: queues a release for every order completed within the last `SWEEP_WINDOW_MS` with
 * no settlement and no hold (older ones were swept many times; a hold lifted later requests its
 * own release).
 */
export async function sweepUnsettled(db: Db, clock: Clock): Promise<number> {
  let queued = 0;
  let afterId: string | undefined;
  const completedAfter = new Date(clock.now().getTime() - SWEEP_WINDOW_MS);
  for (;;) {
    const page = await listOrdersByStatus(db, { statuses: ['completed'], completedAfter, afterId, limit: 500 });
    if (page.length === 0) return queued;
    const settled = await settledOf(db, page.map((o) => o.id));
    for (const o of page) {
      if (settled.has(o.id) || (await hasHolds(db, o.id))) continue;
      await requestRelease(db, clock, o.id);
      queued++;
    }
    afterId = page[page.length - 1]!.id;
  }
}

// ---------------------------------------------------------------------------------------------
// Payouts
// ---------------------------------------------------------------------------------------------

export type PayoutRow = typeof payouts.$inferSelect;

export type PayoutView = Static<typeof PayoutOut>;

export const payoutView = (p: PayoutRow): PayoutView => ({
  id: p.id,
  payee_type: p.payeeType,
  payee_id: p.payeeId,
  amount: money(p.amount, p.currency),
  status: p.status,
  created_at: p.createdAt.toISOString(),
  paid_at: p.paidAt?.toISOString() ?? null,
  failed_at: p.failedAt?.toISOString() ?? null,
  failure_reason: p.failureReason,
});

/**
 * The payout batch: every `seller_payable:<shop>` (shops without a payout hold) and
 * `creator_payable:<user>` balance above zero moves to `payouts_in_transit`, one entry and one
 * `payouts` row per payee and currency. A balance another batch took meanwhile is skipped.
 * Shops under a trust & safety full hold are skipped too; under a reserve, the share kept back
 * stays on `seller_payable` and only the rest is paid (decision 012).
 */
export async function runPayouts(db: Db, clock: Clock): Promise<PayoutView[]> {
  const held = new Set((await db.select({ shopId: payoutHolds.shopId }).from(payoutHolds).where(eq(payoutHolds.hold, true))).map((h) => h.shopId));
  const owed = [
    ...(await positiveBalances(db, 'seller_payable')).map((b) => ({ ...b, payeeType: 'shop' as const })),
    ...(await positiveBalances(db, 'creator_payable')).map((b) => ({ ...b, payeeType: 'creator' as const })),
  ];
  // Trust & safety (decision 012): a full hold skips the shop, a reserve keeps a share on its payable.
  const restricted = await restrictionsInForce(db);
  const made: PayoutView[] = [];
  for (const b of owed) {
    const payeeId = b.account.slice(b.account.indexOf(':') + 1);
    if (b.payeeType === 'shop' && held.has(payeeId)) continue;
    const restriction = b.payeeType === 'shop' ? restricted.get(payeeId) : undefined;
    if (restriction?.fullHold) continue;
    const reserve = restriction ? applyReserve(b.balance, restriction.reserved[b.currency] ?? 0, restriction.reserveBps) : null;
    const amount = reserve ? reserve.pay : b.balance;
    try {
      const row = await db.transaction(async (tx) => {
        if (restriction && reserve) await recordReserve(tx, clock, restriction, b.currency, reserve.kept);
        if (amount <= 0) return null;
        const id = newId('pyo');
        await postPayout(tx, clock, { payoutId: id, payee: { type: b.payeeType, id: payeeId }, amount, currency: b.currency });
        const [p] = await tx
          .insert(payouts)
          .values({ id, payeeType: b.payeeType, payeeId, amount, currency: b.currency, status: 'in_transit', createdAt: clock.now() })
          .returning();
        return p!;
      });
      if (row) made.push(payoutView(row));
    } catch (e) {
      if (!(e instanceof AppError && e.code === 'insufficient_funds')) throw e;
    }
  }
  return made;
}

export type PayoutHoldView = Static<typeof PayoutHoldOut>;

/** Sets or clears a shop's payout hold (operator; later also trust & safety). 404 for an unknown shop. */
export async function setPayoutHold(db: Db, clock: Clock, by: string, shopId: string, hold: boolean, reason?: string): Promise<PayoutHoldView> {
  await getShop(db, shopId);
  const values = { hold, reason: reason?.trim() || null, updatedBy: by, updatedAt: clock.now() };
  const [row] = await db
    .insert(payoutHolds)
    .values({ shopId, ...values })
    .onConflictDoUpdate({ target: payoutHolds.shopId, set: values })
    .returning();
  return { shop_id: shopId, hold: row!.hold, reason: row!.reason, updated_at: row!.updatedAt.toISOString() };
}

/** True while the operator's flag or a trust & safety full hold (suspension, freeze) keeps the shop out of payouts. */
export async function hasPayoutHold(db: Db, shopId: string): Promise<boolean> {
  const [row] = await db.select({ hold: payoutHolds.hold }).from(payoutHolds).where(eq(payoutHolds.shopId, shopId));
  return (row?.hold ?? false) || ((await getPayoutRestriction(db, shopId))?.fullHold ?? false);
}

/**
 * Settles one payout in transit through the rail, exactly once: the rail is asked first (it is
 * idempotent by payout id, and no transaction is held open while it answers), then one
 * transaction moves the payout out of `in_transit` only if it is still there
 * (`update … where status = 'in_transit'`) and posts its entry:
 * - paid: `payouts_in_transit` −amount → `payouts_paid` +amount (the money left the platform);
 * - failed: `payouts_in_transit` −amount → the payee's payable +amount (the next batch pays it again).
 * Returns null when another run settled it first, it is not in transit, or the rail has no
 * outcome yet: safe to call any number of times, from any number of processes.
 */
export async function settlePayout(db: Db, clock: Clock, rail: PayoutRail, payoutId: string): Promise<PayoutRow | null> {
  const [p] = await db.select().from(payouts).where(eq(payouts.id, payoutId));
  if (!p || p.status !== 'in_transit') return null;
  const outcome: PayoutOutcome = await rail.send({ id: p.id, payee_type: p.payeeType, payee_id: p.payeeId, amount: p.amount, currency: p.currency });
  if (outcome.status === 'in_transit') return null;
  return db.transaction(async (tx) => {
    const now = clock.now();
    const moved =
      outcome.status === 'paid'
        ? await tryTransitionPayout(tx, p.id, 'pay', { from: 'in_transit', set: { paidAt: now } })
        : await tryTransitionPayout(tx, p.id, 'fail', { from: 'in_transit', set: { failedAt: now, failureReason: outcome.reason.slice(0, 200) } });
    if (!moved) return null;
    const row = moved.row;
    const c = row.currency;
    if (outcome.status === 'paid') {
      await emit(tx, clock, { name: 'payout.paid', payload: { payout_id: row.id, payee_type: row.payeeType, payee_id: row.payeeId, amount: row.amount, currency: c } });
      await postPayoutPaid(tx, clock, { payoutId: row.id, amount: row.amount, currency: c, memo: `Payout paid by the ${rail.name} rail` });
    } else {
      await postPayoutFailed(tx, clock, {
        payoutId: row.id,
        payee: { type: row.payeeType, id: row.payeeId },
        amount: row.amount,
        currency: c,
        memo: `Payout failed at the ${rail.name} rail (${row.failureReason}): returned to the payee's available balance`,
      });
    }
    return row;
  });
}

/**
 * The settle job's work: every payout in transit for at least `settleAfterMs` (default
 * PAYOUT_SETTLE_MS) is settled through the rail, oldest first in pages of `pageSize` (default
 * 100), each in its own transaction (see settlePayout). A payout the rail cannot answer for
 * stays in transit for the next run and does not stop the others; the run then throws, naming
 * them, so the job records the error.
 */
export async function settleDuePayouts(
  db: Db,
  clock: Clock,
  rail: PayoutRail,
  opts: { settleAfterMs?: number; pageSize?: number } = {},
): Promise<{ paid: PayoutView[]; failed: PayoutView[] }> {
  const cutoff = new Date(clock.now().getTime() - (opts.settleAfterMs ?? PAYOUT_SETTLE_MS));
  const paid: PayoutView[] = [];
  const failed: PayoutView[] = [];
  const errors: string[] = [];
  let after: { createdAt: Date; id: string } | null = null;
  for (;;) {
    const page: Array<{ id: string; createdAt: Date }> = await db
      .select({ id: payouts.id, createdAt: payouts.createdAt })
      .from(payouts)
      .where(
        and(
          eq(payouts.status, 'in_transit'),
          lte(payouts.createdAt, cutoff),
          after ? or(gt(payouts.createdAt, after.createdAt), and(eq(payouts.createdAt, after.createdAt), gt(payouts.id, after.id))) : undefined,
        ),
      )
      .orderBy(payouts.createdAt, payouts.id)
      .limit(opts.pageSize ?? 100);
    if (page.length === 0) break;
    for (const { id } of page) {
      try {
        const row = await settlePayout(db, clock, rail, id);
        if (row) (row.status === 'paid' ? paid : failed).push(payoutView(row));
      } catch (e) {
        errors.push(`${id}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    after = page[page.length - 1]!;
  }
  if (errors.length > 0) throw new Error(`settling ${errors.length} payout(s) failed: ${errors.slice(0, 5).join('; ')}`);
  return { paid, failed };
}

/** Payouts by id (statement lines of payouts show their outcome). */
async function payoutsOf(db: Db, ids: string[]): Promise<Map<string, PayoutRow>> {
  if (ids.length === 0) return new Map();
  const found = await db.select().from(payouts).where(inArray(payouts.id, ids));
  return new Map(found.map((p) => [p.id, p]));
}

/** What left the payee's payable and did not come back: payouts in transit or paid (a failed one came back). */
async function paidOut(db: Db, payeeType: PayeeType, payeeId: string, currency: string): Promise<number> {
  const [row] = await db
    .select({ total: sql<string>`coalesce(sum(${payouts.amount}), 0)::text` })
    .from(payouts)
    .where(and(eq(payouts.payeeType, payeeType), eq(payouts.payeeId, payeeId), eq(payouts.currency, currency), inArray(payouts.status, ['in_transit', 'paid'])));
  return Number(row?.total ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Finance views
// ---------------------------------------------------------------------------------------------

export interface StatementLine {
  at: string;
  kind: string;
  order_id: string | null;
  amount: Money;
  description: string;
  /** Settlement lines: what escrow held and what went to commission, affiliates and subsidy. */
  breakdown: { held: Money; commission: Money; affiliate: Money; subsidy: Money } | null;
  /** Payout lines (`payout`, `payout_failed`): the payout and where it stands. */
  payout: PayoutView | null;
}

const DESCRIPTIONS: Record<string, string> = {
  settlement: 'Order settled: escrow released minus commission and affiliate commission',
  commission_subsidy: 'Ad-subsidy credit (commission promotion)',
  payout: 'Payout batch: moved to payouts in transit',
  payout_failed: 'Payout failed: returned to the available balance',
};
const PAYOUT_KINDS = new Set(['payout', 'payout_failed']);

/**
 * The lines of one payable account. `creator`: a creator's own view — a settlement line is their
 * commission on the order, without the seller's breakdown of the order's escrow.
 */
async function statement(db: Db, account: string, currency: string, opts: { limit?: number; cursor?: string }, perspective: 'shop' | 'creator' = 'shop') {
  const page = await listPostings(db, account, { currency, limit: opts.limit ?? 20, cursor: opts.cursor ?? null });
  const orderOf = (p: AccountPosting) => (p.reference && isId(p.reference, 'ord') ? p.reference : null);
  const payoutOf = (p: AccountPosting) => (PAYOUT_KINDS.has(p.kind) && p.reference && isId(p.reference, 'pyo') ? p.reference : null);
  const settled = await settledOf(db, [...new Set(page.data.map(orderOf).filter((id): id is string => id !== null))]);
  const paid = await payoutsOf(db, [...new Set(page.data.map(payoutOf).filter((id): id is string => id !== null))]);
  const data = page.data.map((p): StatementLine => {
    const orderId = orderOf(p);
    const s = p.kind === 'settlement' && orderId && perspective === 'shop' ? settled.get(orderId) : undefined;
    const payout = paid.get(payoutOf(p) ?? '');
    return {
      at: p.created_at,
      kind: p.kind,
      order_id: orderId,
      amount: money(p.amount, p.currency),
      description: (perspective === 'creator' && p.kind === 'settlement' ? 'Your commission on this order' : DESCRIPTIONS[p.kind]) ?? p.kind.replace(/_/g, ' '),
      breakdown: s
        ? { held: money(s.held, s.currency), commission: money(s.commission, s.currency), affiliate: money(s.affiliate, s.currency), subsidy: money(s.subsidy, s.currency) }
        : null,
      payout: payout ? payoutView(payout) : null,
    };
  });
  return { data, next_cursor: page.next_cursor };
}

export interface ShopFinance {
  currency: string;
  pending: Money;
  available: Money;
  paid_out: Money;
  payout_hold: boolean;
  statement: { data: StatementLine[]; next_cursor: string | null };
}

/**
 * A shop's money: pending (escrow of its paid, shipped, delivered and completed-but-unsettled
 * orders), available (its seller_payable balance), paid out, the payout hold flag and its
 * statement (every posting of seller_payable:<shop>, oldest first, paginated). The caller checks
 * membership.
 */
export async function financeOfShop(db: Db, shopId: string, opts: { limit?: number; cursor?: string } = {}): Promise<ShopFinance> {
  const shop = await getShop(db, shopId);
  const c = shop.currency;
  let pending = 0;
  let afterId: string | undefined;
  for (;;) {
    const page = await listOrdersByStatus(db, { statuses: ESCROW_STATUSES, shopId, afterId, limit: 500 });
    if (page.length === 0) break;
    const settled = await settledOf(db, page.filter((o) => o.status === 'completed').map((o) => o.id));
    for (const o of page) if (o.currency === c && !settled.has(o.id)) pending += o.total - o.refundedAmount;
    afterId = page[page.length - 1]!.id;
  }
  const account = accounts.sellerPayable(shopId);
  const [available, out, hold, lines] = await Promise.all([
    getBalance(db, account, c),
    paidOut(db, 'shop', shopId, c),
    hasPayoutHold(db, shopId),
    statement(db, account, c, opts),
  ]);
  return { currency: c, pending: money(pending, c), available: money(available, c), paid_out: money(out, c), payout_hold: hold, statement: lines };
}

export interface CreatorEarnings {
  currency: string;
  pending: Money;
  available: Money;
  paid_out: Money;
  /** Every commission credited to the creator (settled), paid out or not. */
  commission: Money;
  lines: { data: StatementLine[]; next_cursor: string | null };
}

/**
 * A creator's affiliate earnings in one currency: pending (estimated from the frozen rates on
 * attributed items of orders not settled yet), available (creator_payable balance), paid out,
 * `commission` (the sum of every posting on creator_payable:<user> that is not a payout move: what
 * the creator has earned, settled) and the lines of that account, in the creator's own words.
 */
export async function earningsOfCreator(db: Db, userId: string, opts: { currency?: string; limit?: number; cursor?: string } = {}): Promise<CreatorEarnings> {
  const c = opts.currency ?? 'USD';
  const attributed = (await itemsAttributedTo(db, userId, ESCROW_STATUSES)).filter(({ order }) => order.currency === c);
  const settled = await settledOf(db, [...new Set(attributed.filter(({ order }) => order.status === 'completed').map(({ order }) => order.id))]);
  const pending = attributed
    .filter(({ order }) => !settled.has(order.id))
    .reduce((s, { item, order }) => s + floorShare(floorShare(item.lineTotal, order.total - order.refundedAmount, order.total), item.affiliateRateBps, MAX_BPS), 0);
  const account = accounts.creatorPayable(userId);
  const [available, out, byKind, lines] = await Promise.all([
    getBalance(db, account, c),
    paidOut(db, 'creator', userId, c),
    totalsByKind(db, account, c),
    statement(db, account, c, opts, 'creator'),
  ]);
  const commission = [...byKind].reduce((sum, [kind, total]) => (PAYOUT_KINDS.has(kind) ? sum : sum + total), 0);
  return { currency: c, pending: money(pending, c), available: money(available, c), paid_out: money(out, c), commission: money(commission, c), lines };
}

// ---------------------------------------------------------------------------------------------
// Jobs
// ---------------------------------------------------------------------------------------------

export interface SettlementJobOptions {
  /** Where payouts go: the composition root's rail (src/strategies.ts; the sandbox pays everyone). */
  payoutRail: PayoutRail;
  /** How long a payout stays in transit before it is settled (PAYOUT_SETTLE_MS by default). */
  payoutSettleMs?: number;
}

export function registerSettlementJobs(jobs: JobRunner, clock: Clock, opts: SettlementJobOptions): void {
  const rail = opts.payoutRail;
  jobs.register(SWEEP_JOB, async (tx) => {
    await sweepUnsettled(tx, clock);
    await enqueue(tx, clock, SWEEP_JOB, {}, { runAt: new Date(clock.now().getTime() + HOUR) });
  });
  jobs.register(PAYOUTS_JOB, async (tx) => {
    await runPayouts(tx, clock);
    await enqueue(tx, clock, PAYOUTS_JOB, {}, { runAt: new Date(clock.now().getTime() + DAY) });
  });
  jobs.register(
    PAYOUT_SETTLE_JOB,
    async (db) => {
      // The next run first (keyed by its slot, so a retry of this one does not start a second chain).
      const next = nextSettleSlot(clock);
      await enqueue(db, clock, PAYOUT_SETTLE_JOB, {}, { runAt: new Date(next), uniqueKey: `${PAYOUT_SETTLE_JOB}:${next}` });
      await settleDuePayouts(db, clock, rail, { settleAfterMs: opts.payoutSettleMs });
    },
    // Outside one long transaction: every payout commits on its own, and no transaction waits on the rail.
    { transaction: false },
  );
}

const nextSettleSlot = (clock: Clock) => Math.floor(clock.now().getTime() / PAYOUT_SETTLE_EVERY_MS + 1) * PAYOUT_SETTLE_EVERY_MS;

/** The hourly release sweep, the daily payout batch and the hourly payout settlement, enqueued once per database. */
export async function scheduleSettlementJobs(db: Db, clock: Clock): Promise<void> {
  const now = clock.now().getTime();
  await enqueue(db, clock, SWEEP_JOB, {}, { runAt: new Date(now + HOUR), uniqueKey: 'recurring:settlement_sweep' });
  await enqueue(db, clock, PAYOUTS_JOB, {}, { runAt: new Date(now + DAY), uniqueKey: 'recurring:settlement_payouts' });
  await enqueue(db, clock, PAYOUT_SETTLE_JOB, {}, { runAt: new Date(nextSettleSlot(clock)), uniqueKey: 'recurring:settlement_settle_payouts' });
}
