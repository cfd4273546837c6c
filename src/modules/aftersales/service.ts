import type { Static } from '@sinclair/typebox';
import path from 'node:path';
import { and, count, desc, eq, inArray, isNull, notInArray, sql, type SQL } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../platform/errors.js';
import { emit } from '../../platform/events.js';
import { newId } from '../../platform/ids.js';
import { enqueue, type JobRunner } from '../../platform/jobs.js';
import { market } from '../../platform/markets.js';
import { fileTooLarge, readPrivateFile, sniffType, writePrivateFile } from '../../platform/uploads.js';
import type { Money } from '../../platform/money.js';
import { plainText } from '../catalog/index.js';
import { grantReplacement, listShipmentsOfOrder, type Carriers } from '../fulfillment/index.js';
import { getUser } from '../identity/index.js';
import { recordAudit } from '../audit/index.js';
import { assertLinkFree } from '../links/index.js';
import { isManagedShop, restockReturn } from '../managed/index.js';
import { refundableAmount, refundOrder } from '../orders/index.js';
import { addOrderEvents, getOrderForViewer, getOrderItems, lockOrder, type OrderRow } from '../orders/index.js';
import type { Providers } from '../payments/index.js';
import { listShopsForUser, requireShopMember } from '../sellers/index.js';
import { liftHold, placeHold } from '../settlement/index.js';
import { invalidTransition } from '../../platform/lifecycle.js';
import { caseLifecycle, transitionCase, type CaseEvent } from './lifecycle.js';
import {
  afterSalesCases,
  afterSalesEvents,
  afterSalesEvidence,
  TERMINAL_STATUSES,
  type ActorRole,
  type CaseStatus,
  type CaseType,
  type DecisionOutcome,
  type ReasonCode,
} from './schema.js';
import type { CaseOut } from './views.js';

/**
 * After-sales cases (issue 4 item 4): a buyer asks for a refund, a return or a replacement on a
 * shipped or delivered order; the seller answers within a window (silence accepts); returns are
 * shipped and received within windows; either side escalates and an operator decides. Every
 * refund goes through `refundOrder` (provider + ledger, never more than the escrow holds). An open
 * case holds the order's escrow; every terminal state lifts the hold. All deadlines are durable
 * jobs on the injected clock.
 */
export type CaseRow = typeof afterSalesCases.$inferSelect;

export const AFTERSALES_JOBS = {
  sellerTimeout: 'aftersales.seller_timeout',
  returnTimeout: 'aftersales.return_timeout',
  receiptTimeout: 'aftersales.receipt_timeout',
  escalationTimeout: 'aftersales.escalation_timeout',
  sellerReminder: 'aftersales.seller_reminder',
} as const;

/** The seller is reminded of an unanswered case this long before its answer deadline (a quarter of a shorter window). */
const REMIND_BEFORE_MS = 12 * 60 * 60 * 1000;

export const MAX_EVIDENCE_BYTES = 5 * 1024 * 1024;
export const MAX_EVIDENCE_PER_CASE = 10;
const TERMINAL: readonly CaseStatus[] = TERMINAL_STATUSES;
const RETURN_TYPES: readonly CaseType[] = ['return_and_refund', 'replacement'];
const after = (d: Date, ms: number) => new Date(d.getTime() + ms);
const iso = (d: Date | null) => (d ? d.toISOString() : null);

interface Actor {
  role: ActorRole;
  userId: string | null;
}
const SYSTEM: Actor = { role: 'system', userId: null };

// ---------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------

export type CaseView = Static<typeof CaseOut>;

export const evidenceUrl = (id: string) => `/v1/after-sales/evidence/${id}`;

async function caseViews(db: Db, list: CaseRow[]): Promise<CaseView[]> {
  if (list.length === 0) return [];
  const ids = list.map((c) => c.id);
  const [events, evidence] = await Promise.all([
    db.select().from(afterSalesEvents).where(inArray(afterSalesEvents.caseId, ids)).orderBy(afterSalesEvents.id),
    db.select({ id: afterSalesEvidence.id, caseId: afterSalesEvidence.caseId }).from(afterSalesEvidence).where(inArray(afterSalesEvidence.caseId, ids)).orderBy(afterSalesEvidence.id),
  ]);
  return list.map((c) => {
    const m = (amount: number): Money => ({ amount, currency: c.currency });
    return {
      id: c.id,
      order_id: c.orderId,
      shop_id: c.shopId,
      buyer_id: c.buyerId,
      type: c.type,
      status: c.status,
      reason: c.reason,
      reason_code: c.reasonCode,
      order_item_id: c.orderItemId,
      quantity: c.quantity,
      amount: m(c.amount),
      refunded: m(c.refundedAmount),
      evidence: evidence.filter((e) => e.caseId === c.id).map((e) => ({ id: e.id, url: evidenceUrl(e.id) })),
      return:
        c.returnCarrier && c.returnTrackingNumber && c.returnShippedAt
          ? { carrier: c.returnCarrier, tracking_number: c.returnTrackingNumber, shipped_at: c.returnShippedAt.toISOString() }
          : null,
      seller_due_at: iso(c.sellerDueAt),
      return_due_at: iso(c.returnDueAt),
      receipt_due_at: iso(c.receiptDueAt),
      escalation_due_at: iso(c.escalationDueAt),
      decision: c.decision ? { ...c.decision, amount: m(c.decision.amount) } : null,
      timeline: events.filter((e) => e.caseId === c.id).map((e) => ({ type: e.type, at: e.at.toISOString(), by_role: e.byRole, note: e.note })),
      created_at: c.createdAt.toISOString(),
      updated_at: c.updatedAt.toISOString(),
    };
  });
}

export async function caseView(db: Db, c: CaseRow): Promise<CaseView> {
  return (await caseViews(db, [c]))[0]!;
}

// ---------------------------------------------------------------------------------------------
// Access
// ---------------------------------------------------------------------------------------------

async function isOperator(db: Db, userId: string): Promise<boolean> {
  const user = await getUser(db, userId).catch(() => null);
  return user?.roles.includes('operator') ?? false;
}

async function findCase(db: Db, caseId: string): Promise<CaseRow> {
  const [c] = await db.select().from(afterSalesCases).where(eq(afterSalesCases.id, caseId));
  if (!c) throw notFound('After-sales case', caseId);
  return c;
}

/** The sides the user is on for this case: its buyer, a member of its shop, an operator. */
async function sidesOf(db: Db, userId: string, c: CaseRow): Promise<ActorRole[]> {
  const sides: ActorRole[] = [];
  if (c.buyerId === userId) sides.push('buyer');
  const member = await requireShopMember(db, userId, c.shopId).then(
    () => true,
    (e: unknown) => {
      if (e instanceof AppError && e.code === 'not_found') return false;
      throw e;
    },
  );
  if (member) sides.push('seller');
  if (await isOperator(db, userId)) sides.push('operator');
  return sides;
}

/**
 * The case and the side the user acts on, one of `allowed`. Someone who may see the case but not
 * act this way gets 403; anyone else 404, exactly as for a case that does not exist. A managed
 * shop's cases are answered by the platform: operators take the shop's actions, its members only
 * watch (403 `managed_after_sales`).
 */
async function caseForActor(db: Db, userId: string, caseId: string, allowed: ActorRole[]): Promise<{ c: CaseRow; actor: Actor }> {
  if (allowed.length === 1 && allowed[0] === 'operator' && !(await isOperator(db, userId))) {
    throw forbidden('Only operators decide after-sales cases.', 'role_required');
  }
  const c = await findCase(db, caseId);
  const sides = await sidesOf(db, userId, c);
  const managed = allowed.includes('seller') && (await isManagedShop(db, c.shopId));
  const acting = managed ? allowed.map((r): ActorRole => (r === 'seller' ? 'operator' : r)) : allowed;
  const role = acting.find((r) => sides.includes(r));
  if (role) return { c, actor: { role, userId } };
  if (sides.length === 0) throw notFound('After-sales case', caseId);
  if (managed && sides.includes('seller')) throw forbidden('The platform answers the after-sales cases of a managed shop.', 'managed_after_sales');
  throw forbidden(`Only the ${allowed.join(' or ')} of this case can do this.`);
}

/** The case for its buyer, a member of its shop or an operator; anyone else 404. */
export async function getCase(db: Db, userId: string, caseId: string): Promise<CaseView> {
  const c = await findCase(db, caseId);
  if ((await sidesOf(db, userId, c)).length === 0) throw notFound('After-sales case', caseId);
  const shipments = (await listShipmentsOfOrder(db, c.orderId)).map((s) => ({
    id: s.id,
    carrier: s.carrier,
    tracking_number: s.trackingNumber,
    status: s.status,
    delivered_at: s.deliveredAt?.toISOString() ?? null,
  }));
  return { ...(await caseView(db, c)), shipments };
}

/** True while the order has a case that is not in a terminal state. */
export async function hasOpenCase(db: Db, orderId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: afterSalesCases.id })
    .from(afterSalesCases)
    .where(and(eq(afterSalesCases.orderId, orderId), notInArray(afterSalesCases.status, [...TERMINAL])))
    .limit(1);
  return row !== undefined;
}

export interface ListCasesQuery {
  role?: 'buyer' | 'seller' | 'operator';
  status?: CaseStatus;
  shop_id?: string;
  limit?: number;
  cursor?: string;
}

const CURSOR_RE = /^([01])\.(cas_[0-9a-z]{26})$/;

/**
 * Cases, paginated: `buyer` (default) the user's own; `seller` the cases of the user's shops
 * (`shop_id` narrows to one the user is a member of, else 404); `operator` every case, escalated
 * first (operators only, else 403). Newest first within that.
 */
export async function listCases(db: Db, userId: string, q: ListCasesQuery): Promise<{ data: CaseView[]; next_cursor: string | null }> {
  const limit = q.limit ?? 20;
  const role = q.role ?? 'buyer';
  const where: Array<SQL | undefined> = [];
  if (role === 'buyer') where.push(eq(afterSalesCases.buyerId, userId));
  if (role === 'seller' && !q.shop_id) {
    const shopIds = (await listShopsForUser(db, userId)).map((s) => s.id);
    if (shopIds.length === 0) return { data: [], next_cursor: null };
    where.push(inArray(afterSalesCases.shopId, shopIds));
  }
  if (role === 'seller' && q.shop_id) await requireShopMember(db, userId, q.shop_id);
  if (role === 'operator' && !(await isOperator(db, userId))) throw forbidden('This needs the operator role.', 'role_required');
  if (q.shop_id) where.push(eq(afterSalesCases.shopId, q.shop_id));
  if (q.status) where.push(eq(afterSalesCases.status, q.status));
  // Operators see escalated cases first; everyone else one rank (0).
  const rank = role === 'operator' ? sql<number>`(case when ${afterSalesCases.status} = 'escalated' then 0 else 1 end)` : sql<number>`${0}::int`;
  if (q.cursor !== undefined) {
    const m = CURSOR_RE.exec(q.cursor);
    if (!m) throw badRequest('invalid_cursor', 'cursor is not one this list returned');
    where.push(sql`(${rank} > ${Number(m[1])} or (${rank} = ${Number(m[1])} and ${afterSalesCases.id} < ${m[2]}))`);
  }
  const found = await db
    .select({ c: afterSalesCases, rank })
    .from(afterSalesCases)
    .where(and(...where))
    .orderBy(...(role === 'operator' ? [rank, desc(afterSalesCases.id)] : [desc(afterSalesCases.id)]))
    .limit(limit + 1);
  const pageRows = found.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  return {
    data: await caseViews(db, pageRows.map((r) => r.c)),
    next_cursor: found.length > limit && last ? `${Number(last.rank)}.${last.c.id}` : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Steps (inside a transaction, the case row locked)
// ---------------------------------------------------------------------------------------------

async function lockCase(tx: Db, caseId: string): Promise<CaseRow> {
  const [c] = await tx.select().from(afterSalesCases).where(eq(afterSalesCases.id, caseId)).for('update');
  if (!c) throw notFound('After-sales case', caseId);
  return c;
}

/** 409 `invalid_transition` unless the lifecycle table lets the case take `move` now. */
function requireStatus(c: CaseRow, move: CaseEvent): void {
  if (caseLifecycle.next(c.status, move) === null) throw invalidTransition(caseLifecycle.name, c.status, move);
}

/** 409 `invalid_state` once the case is terminal (no move left in the table). */
function requireOpen(c: CaseRow, action: string): void {
  if (TERMINAL.includes(c.status)) throw conflict('invalid_state', `A ${c.status} case cannot be ${action}`, { status: c.status });
}

/** One entry on the case timeline and the order's. */
async function record(tx: Db, clock: Clock, c: CaseRow, type: string, by: Actor, note: string | null, data: Record<string, unknown> = {}): Promise<void> {
  await tx.insert(afterSalesEvents).values({ id: newId('cev'), caseId: c.id, type, byRole: by.role, byUserId: by.userId, note, at: clock.now() });
  await addOrderEvents(tx, clock, [{ orderId: c.orderId, type: `after_sales_${type}`, data: { case_id: c.id, by_role: by.role, ...(note ? { note } : {}), ...data } }]);
}

/**
 * Applies `move` (caseLifecycle) to the case `c` (locked, in the state it was read in) with a
 * timeline entry; a terminal state lifts the case's escrow hold. A move the table refuses: 409
 * `invalid_transition`, nothing written.
 */
async function step(
  tx: Db,
  clock: Clock,
  c: CaseRow,
  move: CaseEvent,
  event: { type: string; by: Actor; note?: string | null; data?: Record<string, unknown> },
  patch: Partial<typeof afterSalesCases.$inferInsert> = {},
): Promise<CaseRow> {
  const { to, row } = await transitionCase(tx, c.id, move, { from: c.status, set: { ...patch, updatedAt: clock.now() } });
  await record(tx, clock, c, event.type, event.by, event.note ?? null, { status: to, ...event.data });
  if (TERMINAL.includes(to)) await liftHold(tx, clock, 'case', c.id);
  await emit(tx, clock, { name: 'case.moved', payload: { case_id: c.id, order_id: c.orderId, shop_id: c.shopId, buyer_id: c.buyerId, status: to } });
  return row;
}

/** Pays `amount` back from the order's escrow (idempotent per case at the provider) and applies `move` to the case. */
async function refundAndClose(
  tx: Db,
  clock: Clock,
  providers: Providers,
  c: CaseRow,
  amount: number,
  move: 'refund' | 'decide_for_buyer' | 'resolve_frozen',
  event: { type: string; by: Actor; note?: string | null },
  patch: Partial<typeof afterSalesCases.$inferInsert> = {},
): Promise<CaseRow> {
  const { refund } = await refundOrder(tx, clock, providers, { orderId: c.orderId, amount, reason: `after_sales_${c.type}`, key: `after_sales:${c.id}` });
  return step(tx, clock, c, move, { ...event, data: { amount, currency: c.currency, refund_id: refund?.id ?? null } }, { ...patch, refundedAmount: c.refundedAmount + amount });
}

async function orderMarket(tx: Db, orderId: string) {
  return market((await lockOrder(tx, orderId))!.market);
}

/** The seller (or the clock, for a silent seller) accepted: refund at once, or wait for the return. */
async function accept(tx: Db, clock: Clock, providers: Providers, c: CaseRow, by: Actor, note: string | null): Promise<CaseRow> {
  const m = await orderMarket(tx, c.orderId);
  if (RETURN_TYPES.includes(c.type)) {
    const returnDueAt = after(clock.now(), m.returnShipWithinMs);
    await enqueue(tx, clock, AFTERSALES_JOBS.returnTimeout, { case_id: c.id }, { runAt: returnDueAt, uniqueKey: `${AFTERSALES_JOBS.returnTimeout}:${c.id}` });
    return step(tx, clock, c, 'accept', { type: 'accepted', by, note }, { returnDueAt });
  }
  const accepted = await step(tx, clock, c, 'accept', { type: 'accepted', by, note });
  return refundAndClose(tx, clock, providers, accepted, c.amount, 'refund', { type: 'refunded', by });
}

/** The return arrived (seller or the clock): refund it, or resolve a replacement for the buyer (the seller re-ships). */
async function receive(tx: Db, clock: Clock, providers: Providers, c: CaseRow, by: Actor): Promise<CaseRow> {
  const received = await step(tx, clock, c, 'receive_return', { type: 'return_received', by });
  if (c.type === 'replacement') {
    // The shop now owes the items once more: it ships them with `replacement_case_id`.
    const items = c.orderItemId
      ? [{ order_item_id: c.orderItemId, quantity: c.quantity ?? 1 }]
      : (await getOrderItems(tx, c.orderId)).map((i) => ({ order_item_id: i.id, quantity: i.quantity }));
    await grantReplacement(tx, clock, { caseId: c.id, orderId: c.orderId, items });
    return step(tx, clock, received, 'replace', { type: 'resolved', by, note: 'The seller sends a replacement' });
  }
  // A managed order's returned goods go back on the platform warehouse's shelf.
  if (await isManagedShop(tx, c.shopId)) await restockReturn(tx, clock, { caseId: c.id, orderId: c.orderId, orderItemId: c.orderItemId, quantity: c.quantity });
  return refundAndClose(tx, clock, providers, received, c.amount, 'refund', { type: 'refunded', by });
}

/**
 * "Item not received": the order is shipped, no parcel was delivered, and every parcel's delivery
 * deadline (pickup + delivery window, or label + pickup window + delivery window) has passed.
 */
async function deliverySlaPassed(tx: Db, clock: Clock, o: OrderRow): Promise<boolean> {
  if (o.status !== 'shipped') return false;
  const m = market(o.market);
  const list = await listShipmentsOfOrder(tx, o.id);
  if (list.length === 0 || list.some((s) => s.deliveredAt !== null)) return false;
  const now = clock.now().getTime();
  return list.every((s) => (s.pickedUpAt ? s.pickedUpAt.getTime() + m.deliveryWithinMs : s.createdAt.getTime() + m.pickupWithinMs + m.deliveryWithinMs) <= now);
}

/** Attaches the uploader's own unattached evidence to the case; any other id is 404. */
async function attachEvidence(tx: Db, userId: string, c: CaseRow, evidenceIds: string[]): Promise<number> {
  const ids = [...new Set(evidenceIds)];
  if (ids.length === 0) return 0;
  const [{ n } = { n: 0 }] = await tx.select({ n: count() }).from(afterSalesEvidence).where(eq(afterSalesEvidence.caseId, c.id));
  if (n + ids.length > MAX_EVIDENCE_PER_CASE) {
    throw conflict('too_much_evidence', `A case holds at most ${MAX_EVIDENCE_PER_CASE} photos`, { limit: MAX_EVIDENCE_PER_CASE });
  }
  const done = await tx
    .update(afterSalesEvidence)
    .set({ caseId: c.id })
    .where(and(inArray(afterSalesEvidence.id, ids), eq(afterSalesEvidence.uploaderId, userId), isNull(afterSalesEvidence.caseId)))
    .returning({ id: afterSalesEvidence.id });
  const missing = ids.find((id) => !done.some((d) => d.id === id));
  if (missing) throw notFound('Evidence', missing);
  return ids.length;
}

// ---------------------------------------------------------------------------------------------
// Actions (the routes and the simulation call these)
// ---------------------------------------------------------------------------------------------

export interface OpenCaseInput {
  type: CaseType;
  reason: string;
  reason_code?: ReasonCode;
  order_item_id?: string;
  quantity?: number;
  amount?: number;
  evidence_ids?: string[];
}

/**
 * The buyer opens a case on their own order (anyone else: 404) when it is `shipped` or
 * `delivered` within the after-sales window (`paid`: 409 `use_cancel`; completed or past the
 * window: 409 `after_sales_window_closed`), one open case per order (409 `case_already_open`).
 * `amount` defaults to the item's line total for `quantity`, else to what the order can still
 * refund, and never exceeds that (409 `amount_exceeds_refundable`). The case holds the escrow and
 * the seller has `caseAnswerWithinMs` to answer. Item not received after the delivery SLA
 * (`refund_only`, `not_received`) is refunded at once.
 */
export async function openCase(db: Db, clock: Clock, providers: Providers, userId: string, orderId: string, input: OpenCaseInput): Promise<CaseView> {
  const { as } = await getOrderForViewer(db, userId, orderId);
  if (as !== 'buyer') throw notFound('Order', orderId);
  const reason = plainText(input.reason, { multiline: true });
  if (reason.length === 0 || reason.length > 1000) throw badRequest('invalid_reason', 'Say what went wrong in 1–1000 characters of plain text');
  if (input.reason_code === 'not_received' && input.type !== 'refund_only') {
    throw badRequest('invalid_reason_code', 'An item that was not received can only be refunded (type refund_only)');
  }
  if (input.quantity !== undefined && input.order_item_id === undefined) throw badRequest('invalid_quantity', 'quantity needs an order_item_id');
  const row = await db.transaction(async (tx) => {
    const o = (await lockOrder(tx, orderId))!;
    const m = market(o.market);
    assertLinkFree(o.market, { reason: input.reason });
    const now = clock.now();
    if (o.status === 'paid') throw conflict('use_cancel', 'This order has not shipped yet: cancel it instead (POST /v1/orders/{id}/cancel)');
    if (o.status === 'completed' || (o.status === 'delivered' && o.deliveredAt && now >= after(o.deliveredAt, m.afterSalesWindowMs))) {
      throw conflict('after_sales_window_closed', 'The after-sales window of this order has closed');
    }
    if (o.status !== 'shipped' && o.status !== 'delivered') throw conflict('invalid_state', `A ${o.status} order has no after-sales`, { status: o.status });
    const [open] = await tx
      .select({ id: afterSalesCases.id })
      .from(afterSalesCases)
      .where(and(eq(afterSalesCases.orderId, orderId), notInArray(afterSalesCases.status, [...TERMINAL])));
    if (open) throw conflict('case_already_open', 'This order already has an open after-sales case', { case_id: open.id });

    const refundable = await refundableAmount(tx, o);
    if (refundable <= 0) throw conflict('nothing_to_refund', 'Everything paid for this order has been refunded');
    let claim = refundable;
    let quantity: number | null = null;
    if (input.order_item_id !== undefined) {
      const item = (await getOrderItems(tx, orderId)).find((i) => i.id === input.order_item_id);
      if (!item) throw badRequest('unknown_item', `Item ${input.order_item_id} is not in this order`);
      quantity = input.quantity ?? item.quantity;
      if (quantity > item.quantity) throw badRequest('invalid_quantity', `The order has ${item.quantity} of this item`, { ordered: item.quantity });
      claim = Math.min(item.unitPrice * quantity, refundable);
    }
    if (input.amount !== undefined) {
      if (input.amount > refundable) {
        throw conflict('amount_exceeds_refundable', `At most ${refundable} can be refunded on this order`, { refundable: { amount: refundable, currency: o.currency } });
      }
      claim = input.amount;
    }
    if (claim <= 0) throw conflict('nothing_to_refund', 'There is nothing to refund for this item');
    const sellerDueAt = after(now, m.caseAnswerWithinMs);
    const [created] = await tx
      .insert(afterSalesCases)
      .values({
        id: newId('cas'),
        orderId,
        shopId: o.shopId,
        buyerId: o.buyerId,
        type: input.type,
        status: 'requested',
        reason,
        reasonCode: input.reason_code ?? null,
        orderItemId: input.order_item_id ?? null,
        quantity,
        amount: claim,
        currency: o.currency,
        sellerDueAt,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    const c = created!;
    const buyer: Actor = { role: 'buyer', userId };
    await attachEvidence(tx, userId, c, input.evidence_ids ?? []);
    await record(tx, clock, c, 'opened', buyer, reason, { type: c.type, amount: claim, currency: c.currency });
    await placeHold(tx, clock, orderId, 'case', c.id);
    await emit(tx, clock, { name: 'case.opened', payload: { case_id: c.id, order_id: orderId, type: c.type, shop_id: c.shopId, buyer_id: c.buyerId } });
    if (input.reason_code === 'not_received' && (await deliverySlaPassed(tx, clock, o))) {
      return accept(tx, clock, providers, c, SYSTEM, 'Not received after the delivery deadline: refunded from escrow');
    }
    await enqueue(tx, clock, AFTERSALES_JOBS.sellerTimeout, { case_id: c.id }, { runAt: sellerDueAt, uniqueKey: `${AFTERSALES_JOBS.sellerTimeout}:${c.id}` });
    const remindAt = new Date(sellerDueAt.getTime() - Math.min(REMIND_BEFORE_MS, m.caseAnswerWithinMs / 4));
    await enqueue(tx, clock, AFTERSALES_JOBS.sellerReminder, { case_id: c.id }, { runAt: remindAt, uniqueKey: `${AFTERSALES_JOBS.sellerReminder}:${c.id}` });
    return c;
  });
  return caseView(db, row);
}

type Act<I> = (db: Db, clock: Clock, providers: Providers, userId: string, caseId: string, input: I) => Promise<CaseView>;

/** One action: check who may do it, then lock the case and apply it in one transaction. */
function action<I>(allowed: ActorRole[], apply: (tx: Db, clock: Clock, providers: Providers, c: CaseRow, actor: Actor, input: I) => Promise<CaseRow>): Act<I> {
  return async (db, clock, providers, userId, caseId, input) => {
    const { actor } = await caseForActor(db, userId, caseId, allowed);
    const row = await db.transaction(async (tx) => {
      const c = await lockCase(tx, caseId);
      const note = (input as { note?: unknown } | undefined)?.note;
      if (typeof note === 'string') assertLinkFree((await orderMarket(tx, c.orderId)).code, { note });
      return apply(tx, clock, providers, c, actor, input);
    });
    return caseView(db, row);
  };
}

/** The shop accepts a `requested` case: `refund_only` is refunded at once; a return waits for the buyer to ship it. */
export const acceptCase: Act<{ note?: string }> = action(['seller'], async (tx, clock, providers, c, actor, input) => {
  requireStatus(c, 'accept');
  return accept(tx, clock, providers, c, actor, input.note ?? null);
});

/** The shop rejects a `requested` case with a note; the buyer may escalate within `caseEscalateWithinMs`, else it closes. */
export const rejectCase: Act<{ note: string }> = action(['seller'], async (tx, clock, _providers, c, actor, input) => {
  requireStatus(c, 'reject');
  const m = await orderMarket(tx, c.orderId);
  const escalationDueAt = after(clock.now(), m.caseEscalateWithinMs);
  await enqueue(tx, clock, AFTERSALES_JOBS.escalationTimeout, { case_id: c.id }, { runAt: escalationDueAt, uniqueKey: `${AFTERSALES_JOBS.escalationTimeout}:${c.id}` });
  return step(tx, clock, c, 'reject', { type: 'rejected', by: actor, note: input.note }, { escalationDueAt });
});

/**
 * Either side hands a case that is not terminal to an operator; the buyer not while the seller's
 * answer window runs (409 `seller_answer_pending`): the seller answers first, and silence accepts.
 */
export const escalateCase: Act<{ note?: string }> = action(['buyer', 'seller'], async (tx, clock, _providers, c, actor, input) => {
  requireStatus(c, 'escalate');
  if (actor.role === 'buyer' && c.status === 'requested' && c.sellerDueAt && clock.now() < c.sellerDueAt) {
    throw conflict('seller_answer_pending', 'The seller has until the answer deadline to reply; you can escalate after their answer', {
      seller_due_at: c.sellerDueAt.toISOString(),
    });
  }
  return step(tx, clock, c, 'escalate', { type: 'escalated', by: actor, note: input.note ?? null });
});

export interface DecideInput {
  outcome: DecisionOutcome;
  /** Minor units; required for `partial_refund` (at most the case's amount), refused otherwise. */
  amount?: number;
  note: string;
}

/**
 * An operator decides an escalated case: `full_refund` (the case's amount) or `partial_refund`
 * (`amount`) → `resolved_buyer` with the refund; `reject` → `resolved_seller`. Non-operators 403.
 */
export const decideCase: Act<DecideInput> = action(['operator'], async (tx, clock, providers, c, actor, input) => {
  requireStatus(c, input.outcome === 'reject' ? 'decide_for_seller' : 'decide_for_buyer');
  if (input.outcome !== 'partial_refund' && input.amount !== undefined) throw badRequest('invalid_amount', `${input.outcome} takes no amount`);
  const decision = (amount: number) => ({ outcome: input.outcome, amount, note: input.note, by: actor.userId!, at: clock.now().toISOString() });
  const event = { type: 'decided', by: actor, note: input.note };
  // The operator's decision goes to the audit log too, in this transaction (who, what, why).
  const audit = (amount: number) =>
    recordAudit(tx, clock, [
      { actorId: actor.userId, action: 'case.decide', targetType: 'after_sales_case', targetId: c.id, data: { outcome: input.outcome, amount: { amount, currency: c.currency }, reason: input.note, order_id: c.orderId } },
    ]);
  if (input.outcome === 'reject') {
    await audit(0);
    return step(tx, clock, c, 'decide_for_seller', event, { decision: decision(0) });
  }
  let amount = c.amount;
  if (input.outcome === 'partial_refund') {
    if (input.amount === undefined) throw badRequest('amount_required', 'A partial refund needs an amount');
    if (input.amount > c.amount) {
      throw conflict('amount_exceeds_refundable', `At most ${c.amount} (the case's amount) can be refunded`, { refundable: { amount: c.amount, currency: c.currency } });
    }
    amount = input.amount;
  }
  await audit(amount);
  return refundAndClose(tx, clock, providers, c, amount, 'decide_for_buyer', event, { decision: decision(amount) });
});

/**
 * The buyer shipped an accepted return within the window, with one of the configured `carriers`
 * (the composition root's); the seller has `returnReceiptWithinMs` to confirm.
 */
export const shipReturn = (carriers: Carriers): Act<{ carrier: string; tracking_number: string }> => action(['buyer'], async (tx, clock, _providers, c, actor, input) => {
  requireStatus(c, 'ship_return');
  if (!RETURN_TYPES.includes(c.type)) throw conflict('invalid_state', 'This case needs no return');
  if (!carriers.has(input.carrier)) throw badRequest('unknown_carrier', `Unknown carrier ${input.carrier}`);
  const now = clock.now();
  if (c.returnDueAt && now > c.returnDueAt) throw conflict('return_window_closed', 'The return had to be shipped by ' + c.returnDueAt.toISOString());
  const m = await orderMarket(tx, c.orderId);
  const receiptDueAt = after(now, m.returnReceiptWithinMs);
  await enqueue(tx, clock, AFTERSALES_JOBS.receiptTimeout, { case_id: c.id }, { runAt: receiptDueAt, uniqueKey: `${AFTERSALES_JOBS.receiptTimeout}:${c.id}` });
  const tracking = input.tracking_number.trim();
  return step(
    tx,
    clock,
    c,
    'ship_return',
    { type: 'return_shipped', by: actor, data: { carrier: input.carrier, tracking_number: tracking } },
    { returnCarrier: input.carrier, returnTrackingNumber: tracking, returnShippedAt: now, receiptDueAt },
  );
});

/** The shop confirms the return arrived: `return_and_refund` is refunded, `replacement` resolved for the buyer. */
export const confirmReceipt: Act<Record<string, never> | undefined> = action(['seller'], async (tx, clock, providers, c, actor) => {
  requireStatus(c, 'receive_return');
  return receive(tx, clock, providers, c, actor);
});

/** The buyer withdraws a case that is not terminal. */
export const withdrawCase: Act<{ note?: string }> = action(['buyer'], async (tx, clock, _providers, c, actor, input) => {
  requireStatus(c, 'withdraw');
  return step(tx, clock, c, 'withdraw', { type: 'withdrawn', by: actor, note: input.note ?? null });
});

/** The buyer adds uploaded photos to a case that is not terminal. */
export const addEvidence: Act<{ evidence_ids: string[] }> = action(['buyer'], async (tx, clock, _providers, c, actor, input) => {
  requireOpen(c, 'given evidence');
  const n = await attachEvidence(tx, actor.userId!, c, input.evidence_ids);
  await record(tx, clock, c, 'evidence_added', actor, null, { count: n });
  const [row] = await tx.update(afterSalesCases).set({ updatedAt: clock.now() }).where(eq(afterSalesCases.id, c.id)).returning();
  return row!;
});

/**
 * Trust & safety froze the shop (the seller vanished, decision 012): every case of the shop that
 * is not terminal is decided for the buyer — what it claims, up to what the order's escrow still
 * holds, refunded through `refundOrder` — and recorded as decided by `operatorId` (null: the
 * system). Returns the ids of the cases it resolved.
 */
export async function resolveOpenCasesForBuyer(tx: Db, clock: Clock, providers: Providers, shopId: string, operatorId: string | null, note: string): Promise<string[]> {
  const open = await tx
    .select({ id: afterSalesCases.id })
    .from(afterSalesCases)
    .where(and(eq(afterSalesCases.shopId, shopId), notInArray(afterSalesCases.status, [...TERMINAL])))
    .orderBy(afterSalesCases.id);
  const by: Actor = operatorId ? { role: 'operator', userId: operatorId } : SYSTEM;
  const resolved: string[] = [];
  for (const { id } of open) {
    const c = await lockCase(tx, id);
    if (caseLifecycle.next(c.status, 'resolve_frozen') === null) continue; // terminal meanwhile
    const refundable = await refundableAmount(tx, (await lockOrder(tx, c.orderId))!);
    const amount = Math.min(c.amount - c.refundedAmount, refundable);
    const decision = { outcome: 'full_refund' as const, amount: Math.max(amount, 0), note, by: operatorId ?? 'system', at: clock.now().toISOString() };
    const event = { type: 'decided', by, note };
    if (amount > 0) await refundAndClose(tx, clock, providers, c, amount, 'resolve_frozen', event, { decision });
    else await step(tx, clock, c, 'resolve_frozen', event, { decision });
    resolved.push(c.id);
  }
  return resolved;
}

// ---------------------------------------------------------------------------------------------
// Evidence files
// ---------------------------------------------------------------------------------------------

const evidenceDir = (mediaDir: string) => path.join(mediaDir, 'evidence');

const EVIDENCE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;

/** Stores an evidence photo for the uploader (415 `unsupported_media` unless JPEG/PNG/WebP, 413 `file_too_large` over 5 MB). */
export async function saveEvidence(db: Db, clock: Clock, mediaDir: string, userId: string, data: Buffer): Promise<{ id: string; url: string }> {
  if (data.length > MAX_EVIDENCE_BYTES) throw fileTooLarge(MAX_EVIDENCE_BYTES);
  const contentType = sniffType(data, EVIDENCE_TYPES);
  if (!contentType) throw new AppError('unsupported_media', 415, 'Evidence photos are JPEG, PNG or WebP images');
  const id = newId('evd');
  await writePrivateFile(evidenceDir(mediaDir), id, data);
  await db.insert(afterSalesEvidence).values({ id, uploaderId: userId, contentType, bytes: data.length, createdAt: clock.now() });
  return { id, url: evidenceUrl(id) };
}

/** The photo for its uploader, the shop of the case it belongs to, or an operator; anyone else 404. */
export async function getEvidence(db: Db, mediaDir: string, userId: string, evidenceId: string): Promise<{ contentType: string; data: Buffer }> {
  const [e] = await db.select().from(afterSalesEvidence).where(eq(afterSalesEvidence.id, evidenceId));
  if (!e) throw notFound('Evidence', evidenceId);
  const allowed =
    e.uploaderId === userId || (e.caseId !== null ? (await sidesOf(db, userId, await findCase(db, e.caseId))).length > 0 : await isOperator(db, userId));
  if (!allowed) throw notFound('Evidence', evidenceId);
  return { contentType: e.contentType, data: await readPrivateFile(evidenceDir(mediaDir), e.id) };
}

// ---------------------------------------------------------------------------------------------
// Deadlines
// ---------------------------------------------------------------------------------------------

/** A deadline job: applies `fire` when the case is still in `status` and its deadline has passed. */
function deadline(clock: Clock, status: CaseStatus, due: (c: CaseRow) => Date | null, fire: (tx: Db, c: CaseRow) => Promise<unknown>) {
  return async (tx: Db, payload: unknown) => {
    const c = await lockCase(tx, (payload as { case_id: string }).case_id);
    const at = due(c);
    if (c.status === status && at && at <= clock.now()) await fire(tx, c);
  };
}

/** Job handlers: the silent seller accepts, the unshipped return closes, the unconfirmed receipt confirms, the unescalated rejection closes. */
export function registerAftersalesJobs(jobs: JobRunner, clock: Clock, providers: Providers): void {
  jobs.register(
    AFTERSALES_JOBS.sellerTimeout,
    deadline(clock, 'requested', (c) => c.sellerDueAt, (tx, c) => accept(tx, clock, providers, c, SYSTEM, 'The seller did not answer in time')),
  );
  jobs.register(
    AFTERSALES_JOBS.returnTimeout,
    deadline(clock, 'seller_accepted', (c) => c.returnDueAt, (tx, c) => step(tx, clock, c, 'expire', { type: 'closed', by: SYSTEM, note: 'The return was not shipped in time' })),
  );
  // A case still unanswered near its deadline: the seller is told (sla.breach_near).
  jobs.register(AFTERSALES_JOBS.sellerReminder, async (tx, payload) => {
    const c = await lockCase(tx, (payload as { case_id: string }).case_id);
    if (c.status !== 'requested' || !c.sellerDueAt || c.sellerDueAt <= clock.now()) return;
    await emit(tx, clock, { name: 'sla.breach_near', payload: { shop_id: c.shopId, kind: 'case_answer', case_id: c.id, order_id: c.orderId, due_at: c.sellerDueAt.toISOString() } });
  });
  jobs.register(AFTERSALES_JOBS.receiptTimeout, deadline(clock, 'return_shipped', (c) => c.receiptDueAt, (tx, c) => receive(tx, clock, providers, c, SYSTEM)));
  jobs.register(
    AFTERSALES_JOBS.escalationTimeout,
    deadline(clock, 'seller_rejected', (c) => c.escalationDueAt, (tx, c) => step(tx, clock, c, 'expire', { type: 'closed', by: SYSTEM, note: 'The rejection was not escalated in time' })),
  );
}

/** Cases not finished yet, and of those the escalated ones waiting for an operator: the operator overview. */
export async function openCaseCounts(db: Db): Promise<{ open: number; escalated: number }> {
  const found = await db
    .select({ status: afterSalesCases.status, n: count() })
    .from(afterSalesCases)
    .where(notInArray(afterSalesCases.status, [...TERMINAL_STATUSES]))
    .groupBy(afterSalesCases.status);
  return { open: found.reduce((sum, r) => sum + r.n, 0), escalated: found.find((r) => r.status === 'escalated')?.n ?? 0 };
}
