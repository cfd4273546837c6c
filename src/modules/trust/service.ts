import type { Static } from '@sinclair/typebox';
import { and, desc, eq, isNotNull } from 'drizzle-orm';
import { DAY, HOUR, type Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { AppError, badRequest, conflict, notFound } from '../../platform/errors.js';
import { emit, type DomainEvents } from '../../platform/events.js';
import { plainText } from '../../platform/text.js';
import { newId } from '../../platform/ids.js';
import { enqueue, type JobRunner } from '../../platform/jobs.js';
import { MARKETS } from '../../platform/markets.js';
import { pageById } from '../../platform/pagination.js';
import { hasCaseOpenedBetween, lastSellerAnswerAt, shopCaseStats } from '../aftersales/index.js';
import { recordAudit } from '../audit/index.js';
import { lastShipmentAt, shopFulfillmentStats } from '../fulfillment/index.js';
import { hasUnhandledOrder, shopOrderStats } from '../orders/index.js';
import { shopRating } from '../reviews/index.js';
import { searchShops, setShopRestrictions, shopIdsPage, type ShopStatus } from '../sellers/index.js';
import { getShop } from '../sellers/index.js';
import { setPayoutRestriction } from '../settlement/index.js';
import {
  ACTION_TYPES,
  COMPARISONS,
  healthThresholds,
  METRICS,
  shopActions,
  type ActionParams,
  type ActionType,
  type Comparison,
  type HealthRule,
  type Metric,
} from './schema.js';
import type { ActionOut, HealthOut } from './views.js';

/**
 * Trust & safety (issue 8 item 1, decision 012): seller health per shop over a rolling window,
 * rules per market that turn breached thresholds into actions (warning, listing limit, order cap,
 * payout hold with a reserve, suspension), the vanished-seller freeze, and the life of an action:
 * notified to the shop, written to the audit log, appealable once by the shop, reversible by an
 * operator. An action's effect is not stored on the action: after every change the shop's
 * restrictions are recomputed from all its active actions (`syncEffects`), so reversing one
 * lifts exactly what no other active action still imposes.
 */

export const EVALUATE_JOB = 'trust.evaluate';
/**
 * How often every shop is evaluated: metrics move slowly and a freeze after days of silence may
 * come up to this late; each run costs about a dozen indexed queries per shop.
 */
export const EVALUATE_EVERY_MS = 6 * HOUR;
/** Defaults of an action's parameters when a rule or an operator gives none. */
export const DEFAULT_PARAMS = { max_new_listings_per_day: 5, max_orders_per_day: 50, reserve_bps: 10_000 } as const;
const MAX_REASON = 1000;

// ---------------------------------------------------------------------------------------------
// Thresholds (data per market)
// ---------------------------------------------------------------------------------------------

export interface Thresholds {
  window_days: number;
  freeze_after_days: number;
  rules: HealthRule[];
}

/** Used for a market that has no row yet (migration 0017 inserts one per market that existed then). */
export const DEFAULT_THRESHOLDS: Thresholds = {
  window_days: 30,
  freeze_after_days: 5,
  rules: [
    { metric: 'late_dispatch_rate', threshold: 0.1, min_orders: 20, action: 'warning' },
    { metric: 'late_dispatch_rate', threshold: 0.2, min_orders: 20, action: 'order_cap', params: { max_orders_per_day: 50 } },
    { metric: 'cancellation_rate', threshold: 0.15, min_orders: 20, action: 'warning' },
    { metric: 'fake_tracking_flags', threshold: 3, min_orders: 0, action: 'payout_hold', params: { reserve_bps: 3000 } },
    { metric: 'fake_tracking_flags', threshold: 5, min_orders: 0, action: 'suspension' },
    { metric: 'refund_rate', threshold: 0.25, min_orders: 20, action: 'listing_limit', params: { max_new_listings_per_day: 5 } },
    { metric: 'not_as_described_cases', threshold: 5, min_orders: 0, action: 'payout_hold', params: { reserve_bps: 3000 } },
    { metric: 'dispute_losses', threshold: 5, min_orders: 0, action: 'warning' },
    { metric: 'average_rating', threshold: 3, min_orders: 0, min_ratings: 10, action: 'warning' },
  ],
};

const RATE_METRICS: readonly Metric[] = ['late_dispatch_rate', 'cancellation_rate', 'refund_rate'];
const defaultComparison = (m: Metric): Comparison => (m === 'average_rating' ? 'lt' : RATE_METRICS.includes(m) ? 'gt' : 'gte');

function requireMarket(code: string): void {
  if (!MARKETS[code]) throw notFound('Market', code);
}

export async function getThresholds(db: Db, marketCode: string): Promise<Thresholds> {
  requireMarket(marketCode);
  const [row] = await db.select().from(healthThresholds).where(eq(healthThresholds.market, marketCode));
  return row ? { window_days: row.windowDays, freeze_after_days: row.freezeAfterDays, rules: row.rules } : structuredClone(DEFAULT_THRESHOLDS);
}

const invalidRule = (i: number, field: string, message: string) => badRequest('invalid_rule', message, [{ field: `/rules/${i}/${field}`, rule: field }]);

function checkParams(type: ActionType, params: ActionParams | undefined, at: (field: string, message: string) => AppError): ActionParams {
  const p = params ?? {};
  const allowed: Record<ActionType, Array<keyof ActionParams>> = {
    warning: [],
    listing_limit: ['max_new_listings_per_day'],
    order_cap: ['max_orders_per_day'],
    payout_hold: ['reserve_bps'],
    suspension: [],
    freeze: [],
  };
  for (const key of Object.keys(p) as Array<keyof ActionParams>) {
    if (!allowed[type].includes(key)) throw at(`params/${key}`, `${type} takes no ${key}`);
    const v = p[key];
    const max = key === 'reserve_bps' ? 10_000 : 100_000;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw at(`params/${key}`, `${key} is a whole number from 0 to ${max}`);
  }
  return p;
}

/** Replaces a market's thresholds (operators), with an audit entry. */
export async function putThresholds(db: Db, clock: Clock, operatorId: string, marketCode: string, input: Thresholds): Promise<Thresholds> {
  requireMarket(marketCode);
  const rules = input.rules.map((r, i): HealthRule => {
    if (!METRICS.includes(r.metric)) throw invalidRule(i, 'metric', `metric is one of ${METRICS.join(', ')}`);
    if (!ACTION_TYPES.includes(r.action) || r.action === 'freeze') {
      throw invalidRule(i, 'action', 'action is warning, listing_limit, order_cap, payout_hold or suspension (a freeze comes from the vanished-seller rule or an operator)');
    }
    const rate = RATE_METRICS.includes(r.metric);
    const max = rate ? 1 : r.metric === 'average_rating' ? 5 : 1_000_000;
    if (typeof r.threshold !== 'number' || !Number.isFinite(r.threshold) || r.threshold < 0 || r.threshold > max) {
      throw invalidRule(i, 'threshold', `The threshold of ${r.metric} is from 0 to ${max}${rate ? ' (a fraction)' : ''}`);
    }
    if (r.comparison !== undefined && !COMPARISONS.includes(r.comparison)) throw invalidRule(i, 'comparison', `comparison is one of ${COMPARISONS.join(', ')}`);
    const params = checkParams(r.action, r.params, (field, message) => invalidRule(i, field, message));
    return {
      metric: r.metric,
      threshold: r.threshold,
      min_orders: r.min_orders,
      ...(r.min_ratings !== undefined ? { min_ratings: r.min_ratings } : {}),
      ...(r.comparison !== undefined ? { comparison: r.comparison } : {}),
      action: r.action,
      ...(Object.keys(params).length > 0 ? { params } : {}),
    };
  });
  const values = { windowDays: input.window_days, freezeAfterDays: input.freeze_after_days, rules, updatedAt: clock.now(), updatedBy: operatorId };
  await db.transaction(async (tx) => {
    await tx.insert(healthThresholds).values({ market: marketCode, ...values }).onConflictDoUpdate({ target: healthThresholds.market, set: values });
    await recordAudit(tx, clock, [
      { actorId: operatorId, action: 'health_thresholds.updated', targetType: 'market', targetId: marketCode, data: { window_days: input.window_days, freeze_after_days: input.freeze_after_days, rules } },
    ]);
  });
  return { window_days: input.window_days, freeze_after_days: input.freeze_after_days, rules };
}

// ---------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------

export interface HealthMetrics {
  orders: number;
  late_dispatch_rate: number;
  cancellation_rate: number;
  fake_tracking_flags: number;
  refund_rate: number;
  not_as_described_cases: number;
  dispute_losses: number;
  average_rating: number | null;
  rating_count: number;
}

export interface Breach {
  metric: Metric;
  value: number;
  threshold: number;
  action: ActionType;
  params: ActionParams;
}

/** count / orders, four decimals, at most 1; 0 without orders. */
const rate = (n: number, orders: number) => (orders === 0 ? 0 : Math.min(1, Math.round((n / orders) * 10_000) / 10_000));

/**
 * A shop's metrics over the window ending now: orders paid in it; late-dispatch breaches recorded
 * in it, cancellations and after-sales refunds of its orders, each ÷ orders; fake-tracking flags
 * raised in it and not cleared; not-as-described cases opened in it; cases an operator decided for
 * the buyer in it; ratings written in it.
 */
export async function computeMetrics(db: Db, shopId: string, since: Date): Promise<HealthMetrics> {
  // One after the other: `db` may be a transaction (one connection).
  const o = await shopOrderStats(db, shopId, since);
  const f = await shopFulfillmentStats(db, shopId, since);
  const c = await shopCaseStats(db, shopId, since);
  const r = await shopRating(db, shopId, since);
  return {
    orders: o.orders,
    late_dispatch_rate: rate(f.lateDispatch, o.orders),
    cancellation_rate: rate(o.cancelled, o.orders),
    fake_tracking_flags: f.fakeTrackingFlags,
    refund_rate: rate(o.refunded, o.orders),
    not_as_described_cases: c.notAsDescribed,
    dispute_losses: c.disputeLosses,
    average_rating: r.average,
    rating_count: r.count,
  };
}

function compare(value: number, threshold: number, how: Comparison): boolean {
  switch (how) {
    case 'gt':
      return value > threshold;
    case 'gte':
      return value >= threshold;
    case 'lt':
      return value < threshold;
    case 'lte':
      return value <= threshold;
  }
}

/** The rules the metrics breach, in rule order (a rule needs `min_orders` orders, a rating rule `min_ratings` ratings). */
export function breachesOf(metrics: HealthMetrics, rules: HealthRule[]): Breach[] {
  return rules.flatMap((rule) => {
    if (metrics.orders < rule.min_orders) return [];
    const value = metrics[rule.metric];
    if (value === null) return [];
    if (rule.metric === 'average_rating' && metrics.rating_count < (rule.min_ratings ?? 0)) return [];
    if (!compare(value, rule.threshold, rule.comparison ?? defaultComparison(rule.metric))) return [];
    return [{ metric: rule.metric, value, threshold: rule.threshold, action: rule.action, params: rule.params ?? {} }];
  });
}

// ---------------------------------------------------------------------------------------------
// Actions: views
// ---------------------------------------------------------------------------------------------

export type ActionRow = typeof shopActions.$inferSelect;

export type ActionView = Static<typeof ActionOut>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const actionView = (a: ActionRow): ActionView => ({
  id: a.id,
  shop_id: a.shopId,
  type: a.type,
  status: a.status,
  source: a.source,
  reason: a.reason,
  params: a.params,
  metric: a.metric,
  created_at: a.createdAt.toISOString(),
  created_by: a.createdBy,
  reversed_at: iso(a.reversedAt),
  reversed_by: a.reversedBy,
  reverse_reason: a.reverseReason,
  appeal:
    a.appealStatus && a.appealMessage && a.appealAt
      ? {
          message: a.appealMessage,
          at: a.appealAt.toISOString(),
          status: a.appealStatus,
          decided_at: iso(a.appealDecidedAt),
          decided_by: a.appealDecidedBy,
          decision_reason: a.appealDecisionReason,
        }
      : null,
});

export async function activeActions(db: Db, shopId: string): Promise<ActionRow[]> {
  return db
    .select()
    .from(shopActions)
    .where(and(eq(shopActions.shopId, shopId), eq(shopActions.status, 'active')))
    .orderBy(desc(shopActions.id));
}

/** Actions, newest first, paginated by id: of one shop, or every shop's (`appeal: 'pending'`: only those waiting for a decision). */
export async function listActions(
  db: Db,
  q: { shopId?: string; appeal?: 'pending' | 'all'; limit?: number; cursor?: string },
): Promise<{ data: ActionView[]; next_cursor: string | null }> {
  const where = [q.shopId ? eq(shopActions.shopId, q.shopId) : undefined, q.appeal === 'pending' ? eq(shopActions.appealStatus, 'pending') : undefined];
  const { rows, next_cursor } = await pageById(db, shopActions, { limit: q.limit, cursor: q.cursor, prefix: 'sac', order: 'newest', where });
  return { data: rows.map(actionView), next_cursor };
}

async function findAction(db: Db, actionId: string): Promise<ActionRow> {
  const [a] = await db.select().from(shopActions).where(eq(shopActions.id, actionId));
  if (!a) throw notFound('Shop action', actionId);
  return a;
}

async function lockAction(tx: Db, actionId: string): Promise<ActionRow> {
  const [a] = await tx.select().from(shopActions).where(eq(shopActions.id, actionId)).for('update');
  if (!a) throw notFound('Shop action', actionId);
  return a;
}

/** The shop an action belongs to (for per-object checks); 404 for an unknown action. */
export async function actionShopId(db: Db, actionId: string): Promise<string> {
  return (await findAction(db, actionId)).shopId;
}

// ---------------------------------------------------------------------------------------------
// Actions: effects
// ---------------------------------------------------------------------------------------------

const minOf = (list: ActionRow[], key: 'max_new_listings_per_day' | 'max_orders_per_day') =>
  list.length === 0 ? null : Math.min(...list.map((a) => a.params[key] ?? DEFAULT_PARAMS[key]));

/**
 * Recomputes what a shop may do from all its active actions: status (freeze > suspension >
 * active), the strictest listing limit and order cap, and its payout restriction (full hold while
 * suspended or frozen; the largest reserve of its payout holds).
 */
export async function syncEffects(tx: Db, clock: Clock, shopId: string): Promise<void> {
  const active = await activeActions(tx, shopId);
  const of = (type: ActionType) => active.filter((a) => a.type === type);
  const status: ShopStatus = of('freeze').length > 0 ? 'frozen' : of('suspension').length > 0 ? 'suspended' : 'active';
  await setShopRestrictions(tx, clock, shopId, {
    status,
    maxNewListingsPerDay: minOf(of('listing_limit'), 'max_new_listings_per_day'),
    maxOrdersPerDay: minOf(of('order_cap'), 'max_orders_per_day'),
  });
  const holds = of('payout_hold');
  await setPayoutRestriction(tx, clock, shopId, {
    fullHold: status !== 'active',
    reserveBps: holds.length === 0 ? 0 : Math.max(...holds.map((a) => a.params.reserve_bps ?? DEFAULT_PARAMS.reserve_bps)),
  });
}

/** Tells whoever listens (the shop's members are notified) that an action was taken, reversed or upheld. */
async function announce(tx: Db, clock: Clock, a: ActionRow, change: DomainEvents['shop.health_action']['change'], reason: string, via?: 'operator' | 'appeal'): Promise<void> {
  const limits = {
    max_new_listings_per_day: a.params.max_new_listings_per_day ?? DEFAULT_PARAMS.max_new_listings_per_day,
    max_orders_per_day: a.params.max_orders_per_day ?? DEFAULT_PARAMS.max_orders_per_day,
    reserve_bps: a.params.reserve_bps ?? DEFAULT_PARAMS.reserve_bps,
  };
  await emit(tx, clock, { name: 'shop.health_action', payload: { shop_id: a.shopId, action_id: a.id, action_type: a.type, change, reason, ...(via ? { via } : {}), limits } });
}

export interface NewAction {
  shopId: string;
  type: ActionType;
  reason: string;
  params?: ActionParams;
  source: 'automatic' | 'operator';
  createdBy: string | null;
  metric?: string | null;
  dedupeKey?: string | null;
}

/**
 * What a freeze does beyond trust's own tables: the flow `flows/trust-freeze.ts` (cancel and
 * refund the paid unshipped orders, decide the open cases for the buyers), given by the
 * composition root. Runs in the action's transaction; returns its effects for the audit entry.
 */
export type FreezeShop = (tx: Db, clock: Clock, shop: { id: string }, action: ActionRow) => Promise<Record<string, unknown>>;

/**
 * Creates an action and applies it in the caller's transaction: the shop's restrictions, a
 * notification to every member of the shop, an audit entry; a freeze also runs `freeze` (not
 * for a managed shop, whose orders the platform runs). Null when an automatic action with the
 * same `dedupeKey` is already active (nothing changed).
 */
export async function createAction(tx: Db, clock: Clock, freeze: FreezeShop, input: NewAction): Promise<ActionRow | null> {
  const reason = input.reason.trim();
  if (reason.length === 0 || reason.length > MAX_REASON) throw badRequest('invalid_reason', `Give a reason of 1–${MAX_REASON} characters`, [{ field: '/reason', rule: 'length' }]);
  const params = checkParams(input.type, input.params, (field, message) => badRequest('invalid_params', message, [{ field: `/${field}`, rule: 'range' }]));
  const shop = await getShop(tx, input.shopId);
  const [row] = await tx
    .insert(shopActions)
    .values({
      id: newId('sac'),
      shopId: shop.id,
      type: input.type,
      status: 'active',
      source: input.source,
      reason,
      params,
      metric: input.metric ?? null,
      dedupeKey: input.dedupeKey ?? null,
      createdAt: clock.now(),
      createdBy: input.createdBy,
    })
    .onConflictDoNothing()
    .returning();
  if (!row) return null;
  await syncEffects(tx, clock, shop.id);
  const effects = row.type === 'freeze' && shop.mode !== 'managed' ? await freeze(tx, clock, shop, row) : {};
  await announce(tx, clock, row, 'taken', reason);
  await recordAudit(tx, clock, [
    {
      actorId: row.createdBy,
      action: 'shop_action.created',
      targetType: 'shop',
      targetId: shop.id,
      data: { action_id: row.id, type: row.type, source: row.source, reason, params, metric: row.metric, ...effects },
    },
  ]);
  return row;
}

/** An operator's action on a shop (404 for an unknown shop). */
export async function createOperatorAction(
  db: Db,
  clock: Clock,
  freeze: FreezeShop,
  operatorId: string,
  shopId: string,
  input: { type: ActionType; reason: string; params?: ActionParams },
): Promise<ActionView> {
  const row = await db.transaction((tx) => createAction(tx, clock, freeze, { shopId, type: input.type, reason: input.reason, params: input.params, source: 'operator', createdBy: operatorId }));
  return actionView(row!);
}

async function reverse(tx: Db, clock: Clock, a: ActionRow, by: string, reason: string, via: 'operator' | 'appeal'): Promise<ActionRow> {
  const now = clock.now();
  const [row] = await tx
    .update(shopActions)
    .set({ status: 'reversed', reversedAt: now, reversedBy: by, reverseReason: reason })
    .where(eq(shopActions.id, a.id))
    .returning();
  await syncEffects(tx, clock, a.shopId);
  await announce(tx, clock, row!, 'reversed', reason, via);
  await recordAudit(tx, clock, [{ actorId: by, action: 'shop_action.reversed', targetType: 'shop', targetId: a.shopId, data: { action_id: a.id, type: a.type, reason, via } }]);
  return row!;
}

function cleanText(value: string, field: string): string {
  const text = plainText(value, { multiline: true });
  if (text.length === 0 || text.length > MAX_REASON) throw badRequest(`invalid_${field}`, `Give a ${field} of 1–${MAX_REASON} characters`, [{ field: `/${field}`, rule: 'length' }]);
  return text;
}

/** An operator reverses an active action (409 `action_not_active` otherwise); its effect is lifted unless another active action imposes it. */
export async function reverseAction(db: Db, clock: Clock, operatorId: string, actionId: string, reason: string): Promise<ActionView> {
  const text = cleanText(reason, 'reason');
  return db.transaction(async (tx) => {
    const a = await lockAction(tx, actionId);
    if (a.status !== 'active') throw conflict('action_not_active', 'This action has already been reversed');
    const row = await reverse(tx, clock, a, operatorId, text, 'operator');
    // A pending appeal is moot once the action is gone.
    if (row.appealStatus === 'pending') {
      const [done] = await tx
        .update(shopActions)
        .set({ appealStatus: 'granted', appealDecidedAt: clock.now(), appealDecidedBy: operatorId, appealDecisionReason: text })
        .where(eq(shopActions.id, a.id))
        .returning();
      return actionView(done!);
    }
    return actionView(row);
  });
}

/** The shop appeals an active action once (409 `action_not_active`, `already_appealed`); the caller checked membership. */
export async function appealAction(db: Db, clock: Clock, userId: string, actionId: string, message: string): Promise<ActionView> {
  const text = cleanText(message, 'message');
  return db.transaction(async (tx) => {
    const a = await lockAction(tx, actionId);
    if (a.status !== 'active') throw conflict('action_not_active', 'Only an action in force can be appealed');
    if (a.appealStatus) throw conflict('already_appealed', 'This action has been appealed already', { appeal_status: a.appealStatus });
    const [row] = await tx
      .update(shopActions)
      .set({ appealMessage: text, appealAt: clock.now(), appealStatus: 'pending' })
      .where(eq(shopActions.id, a.id))
      .returning();
    await recordAudit(tx, clock, [{ actorId: userId, action: 'shop_action.appealed', targetType: 'shop', targetId: a.shopId, data: { action_id: a.id, type: a.type, message: text } }]);
    return actionView(row!);
  });
}

/** An operator decides a pending appeal (409 `no_pending_appeal`): `grant` reverses the action, `deny` keeps it. */
export async function decideAppeal(db: Db, clock: Clock, operatorId: string, actionId: string, decision: 'grant' | 'deny', reason: string): Promise<ActionView> {
  const text = cleanText(reason, 'reason');
  return db.transaction(async (tx) => {
    const a = await lockAction(tx, actionId);
    if (a.appealStatus !== 'pending') throw conflict('no_pending_appeal', 'This action has no appeal waiting for a decision');
    const [decided] = await tx
      .update(shopActions)
      .set({ appealStatus: decision === 'grant' ? 'granted' : 'denied', appealDecidedAt: clock.now(), appealDecidedBy: operatorId, appealDecisionReason: text })
      .where(eq(shopActions.id, a.id))
      .returning();
    await recordAudit(tx, clock, [
      { actorId: operatorId, action: decision === 'grant' ? 'shop_action.appeal_granted' : 'shop_action.appeal_denied', targetType: 'shop', targetId: a.shopId, data: { action_id: a.id, type: a.type, reason: text } },
    ]);
    if (decision === 'grant') return actionView(await reverse(tx, clock, decided!, operatorId, text, 'appeal'));
    await announce(tx, clock, decided!, 'appeal_denied', text);
    return actionView(decided!);
  });
}

// ---------------------------------------------------------------------------------------------
// Health views
// ---------------------------------------------------------------------------------------------

export type HealthView = Static<typeof HealthOut>;

/** A shop's health now: metrics over its market's window, the rules they breach, its active actions. */
export async function shopHealth(db: Db, clock: Clock, shopId: string): Promise<HealthView> {
  const shop = await getShop(db, shopId);
  const t = await getThresholds(db, shop.market).catch(() => structuredClone(DEFAULT_THRESHOLDS));
  const now = clock.now();
  const metrics = await computeMetrics(db, shop.id, new Date(now.getTime() - t.window_days * DAY));
  return {
    shop_id: shop.id,
    shop_name: shop.name,
    status: shop.status,
    computed_at: now.toISOString(),
    window_days: t.window_days,
    metrics,
    breaches: breachesOf(metrics, t.rules),
    actions: (await activeActions(db, shop.id)).map(actionView),
  };
}

/** Shops for the operator console with their health and active actions. */
export async function listShopsWithHealth(db: Db, clock: Clock, q: { q?: string; status?: ShopStatus; limit?: number; cursor?: string }) {
  const { rows: found, next_cursor } = await searchShops(db, q);
  const data = [];
  for (const s of found) {
    const h = await shopHealth(db, clock, s.id);
    data.push({ id: s.id, name: s.name, market: s.market, mode: s.mode, status: s.status, health: { metrics: h.metrics, breaches: h.breaches }, active_actions: h.actions });
  }
  return { data, next_cursor };
}

// ---------------------------------------------------------------------------------------------
// Automatic evaluation
// ---------------------------------------------------------------------------------------------

/** When an action of this shop with this key was last reversed (an operator's call stands for a while). */
async function lastReversedAt(db: Db, shopId: string, type: ActionType, metric: string | null): Promise<Date | null> {
  const [row] = await db
    .select({ at: shopActions.reversedAt })
    .from(shopActions)
    .where(
      and(
        eq(shopActions.shopId, shopId),
        eq(shopActions.type, type),
        metric ? eq(shopActions.metric, metric) : undefined,
        isNotNull(shopActions.reversedAt),
      ),
    )
    .orderBy(desc(shopActions.reversedAt))
    .limit(1);
  return row?.at ?? null;
}

const latest = (...dates: Array<Date | null>): Date | null =>
  dates.reduce<Date | null>((a, b) => (b && (!a || b > a) ? b : a), null);

/**
 * The vanished seller: the shop left an order or a case unhandled for `freeze_after_days` — an
 * order paid that long ago that it never shipped (still paid, or cancelled by the dispatch SLA),
 * or a case opened that long ago — and has neither shipped a parcel nor answered a case since it
 * arrived. Managed shops are run by the platform and never vanish. Evidence from before the last
 * time an operator lifted a freeze does not count again.
 */
export async function hasVanished(db: Db, clock: Clock, shop: { id: string; mode: string }, freezeAfterDays: number): Promise<boolean> {
  if (shop.mode === 'managed') return false;
  const cutoff = new Date(clock.now().getTime() - freezeAfterDays * DAY);
  const since = latest(await lastShipmentAt(db, shop.id), await lastSellerAnswerAt(db, shop.id), await lastReversedAt(db, shop.id, 'freeze', null));
  if (since && since > cutoff) return false;
  return (await hasUnhandledOrder(db, shop.id, since, cutoff)) || (await hasCaseOpenedBetween(db, shop.id, since, cutoff));
}

/**
 * Evaluates one shop: for every breached rule, an automatic action unless one with its key is
 * active (warnings are keyed by metric, every other type by type, also counting operators'
 * actions) or an operator reversed one within the window; then the vanished-seller freeze.
 * Returns the actions it created.
 */
export async function evaluateShop(db: Db, clock: Clock, freeze: FreezeShop, shopId: string): Promise<ActionRow[]> {
  const shop = await getShop(db, shopId);
  const t = await getThresholds(db, shop.market).catch(() => structuredClone(DEFAULT_THRESHOLDS));
  const now = clock.now();
  const since = new Date(now.getTime() - t.window_days * DAY);
  const metrics = await computeMetrics(db, shop.id, since);
  const created: ActionRow[] = [];
  const active = await activeActions(db, shop.id);
  const take = async (input: Omit<NewAction, 'shopId' | 'source' | 'createdBy'>) => {
    const row = await db.transaction((tx) => createAction(tx, clock, freeze, { ...input, shopId: shop.id, source: 'automatic', createdBy: null }));
    if (row) {
      created.push(row);
      active.push(row);
    }
  };
  for (const b of breachesOf(metrics, t.rules)) {
    const warning = b.action === 'warning';
    const key = warning ? `warning:${b.metric}` : b.action;
    if (active.some((a) => (warning ? a.dedupeKey === key : a.type === b.action))) continue;
    const reversed = await lastReversedAt(db, shop.id, b.action, warning ? b.metric : null);
    if (reversed && reversed >= since) continue;
    const shown = RATE_METRICS.includes(b.metric) ? `${Math.round(b.value * 1000) / 10}%` : String(b.value);
    const limit = RATE_METRICS.includes(b.metric) ? `${Math.round(b.threshold * 1000) / 10}%` : String(b.threshold);
    await take({
      type: b.action,
      reason: `${b.metric.replace(/_/g, ' ')} is ${shown} over the last ${t.window_days} days (threshold ${limit}).`,
      params: b.params,
      metric: b.metric,
      dedupeKey: key,
    });
  }
  if (!active.some((a) => a.type === 'freeze') && (await hasVanished(db, clock, shop, t.freeze_after_days))) {
    await take({
      type: 'freeze',
      reason: `The shop has not shipped an order or answered a case for ${t.freeze_after_days} days while buyers waited.`,
      metric: null,
      dedupeKey: 'freeze',
    });
  }
  return created;
}

/**
 * Evaluates every shop (the recurring job). Each action commits on its own; a shop whose evaluation
 * fails does not stop the others, and the run then fails with their errors (the job retries,
 * which never duplicates an action).
 */
export async function evaluateAll(db: Db, clock: Clock, freeze: FreezeShop): Promise<number> {
  let made = 0;
  let after: string | null = null;
  const failed: string[] = [];
  for (;;) {
    const page = await shopIdsPage(db, after, 200);
    if (page.length === 0) break;
    for (const s of page) {
      try {
        made += (await evaluateShop(db, clock, freeze, s.id)).length;
      } catch (e) {
        failed.push(`${s.id}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    after = page[page.length - 1]!.id;
  }
  if (failed.length > 0) throw new Error(`health evaluation failed for ${failed.length} shop(s): ${failed.slice(0, 5).join('; ')}`);
  return made;
}

export function registerTrustJobs(jobs: JobRunner, clock: Clock, freeze: FreezeShop): void {
  jobs.register(
    EVALUATE_JOB,
    async (db) => {
      // The next run first (keyed by its slot, so a retry of this one does not start a second chain).
      const next = Math.floor(clock.now().getTime() / EVALUATE_EVERY_MS + 1) * EVALUATE_EVERY_MS;
      await enqueue(db, clock, EVALUATE_JOB, {}, { runAt: new Date(next), uniqueKey: `${EVALUATE_JOB}:${next}` });
      await evaluateAll(db, clock, freeze);
    },
    // Outside one long transaction: every action commits with its own effects.
    { transaction: false },
  );
}

/** The recurring health evaluation, enqueued once per database. */
export async function scheduleTrustJobs(db: Db, clock: Clock): Promise<void> {
  await enqueue(db, clock, EVALUATE_JOB, {}, { runAt: new Date(clock.now().getTime() + EVALUATE_EVERY_MS), uniqueKey: 'recurring:trust_evaluate' });
}

