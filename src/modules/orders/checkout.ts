import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import { rows, type Db } from '../../platform/db.js';
import { AppError, conflict, forbidden, notFound } from '../../platform/errors.js';
import { emit as emitDomainEvent } from '../../platform/events.js';
import { invalidTransition } from '../../platform/lifecycle.js';
import { newId } from '../../platform/ids.js';
import { enqueue, type JobRunner } from '../../platform/jobs.js';
import { market, MARKETS } from '../../platform/markets.js';
import { priceCart, removeCartSkus } from '../cart/index.js';
import { commitReservationsOf, releaseReservations, reserveStock, restockCommitted, scheduleFold } from '../inventory/index.js';
import { recordServerEvent } from '../analytics/index.js';
import { recordLivePurchases } from '../live/index.js';
import { postCaptures } from '../ledger/index.js';
import { checkCard } from '../payments/index.js';
import { getShop } from '../sellers/index.js';
import type { CardDetails, ConfirmResult, PaymentProvider, WebhookEvent } from '../payments/index.js';
import { SandboxProvider } from '../payments/index.js';
import type { PaymentStatus } from '../payments/index.js';
import {
  claimWebhookEvent,
  checkoutProvider,
  emitProviderEvent,
  findPayment,
  findPaymentByKey,
  findRefund,
  getPayment,
  getPaymentForBuyer,
  getProvider,
  lockPayment,
  markPaymentSucceeded,
  OPEN_PAYMENT_STATUSES,
  paymentInsertCte,
  recordRefund,
  SANDBOX_WEBHOOK_JOB,
  updatePayment,
  type NewPayment,
  type PaymentRow,
  type Providers,
} from '../payments/index.js';
import { jobs } from '../../platform/schema.js';
import { orderEvents, orderItems, orders, type ShippingAddress } from './schema.js';
import { applyOrderTransition, orderMayTake } from './lifecycle.js';
import { refundableAmount, refundOrder } from './refunds.js';
import { addOrderEvents, getOrderForViewer, lockOrder, ordersOfPayment, type OrderRow } from './service.js';
import { assertShopsCanSell } from './stats.js';

/**
 * Checkout and everything that moves an order's money: payment outcomes (synchronous answers,
 * 3-D-Secure confirmations and provider webhooks all go through the same idempotent functions),
 * expiry of unpaid orders, cancellation with refund. Decision 005 explains the flow.
 *
 * Lock order, everywhere: payment row → order rows → stock rows (inventory) → ledger accounts.
 * A flash sale shares one row between all checkouts, the SKU's stock row; it is locked by one
 * autocommitted statement per checkout (the reservation) and by the batched fold, never inside
 * a checkout transaction. `buyer_funds` has no cached balance, so it is not locked at all
 * (decisions 005, 006).
 */
export const EXPIRE_PENDING_JOB = 'orders.expire_pending';
export const LATE_CAPTURE_REFUND_JOB = 'payments.refund_late_capture';

const SETTLED: readonly PaymentStatus[] = ['succeeded', 'refunded', 'partially_refunded'];

export interface CheckoutInput {
  shipping_address: ShippingAddress;
  payment_method: { type: 'card' } & CardDetails;
}

export interface CheckoutOutcome {
  payment: PaymentRow;
  orders: OrderRow[];
}

/** Internal: the stock held for a payment ran out before its capture was recorded. */
class StockLapsed extends Error {}

const declined = (payment: { id: string; failureCode: string | null }) =>
  new AppError('card_declined', 402, 'The card was declined', { decline_code: payment.failureCode ?? 'card_declined', payment_id: payment.id });

export async function loadOutcome(db: Db, paymentId: string): Promise<CheckoutOutcome> {
  const [payment, list] = await Promise.all([getPayment(db, paymentId), ordersOfPayment(db, paymentId)]);
  return { payment, orders: list };
}

function cleanAddress(a: ShippingAddress): ShippingAddress {
  const out: ShippingAddress = { name: a.name.trim(), line1: a.line1.trim(), city: a.city.trim(), postal_code: a.postal_code.trim(), country: a.country };
  if (a.line2?.trim()) out.line2 = a.line2.trim();
  if (a.region?.trim()) out.region = a.region.trim();
  if (a.phone?.trim()) out.phone = a.phone.trim();
  return out;
}

/**
 * Buys the whole cart: one payment, one order per shop. Every amount comes from `priceCart`
 * (catalog prices, shop shipping fees, market tax); the client sends none.
 *
 * 1. Checks the card (400 `invalid_card`, 402 `card_expired`) and the cart (409 `cart_empty`,
 *    `sku_unavailable`, `out_of_stock`) before writing anything.
 * 2. The stock reservations (one holder per order, so an order can later be cancelled alone),
 *    each one statement committed on its own, then ONE statement writing the payment `pending`
 *    (carrying the Idempotency-Key), the orders `pending_payment` with items and the expiry job.
 *    If that fails or the key already made a payment, the reservations are released again.
 * 3. The provider confirms the card (outside any transaction), then one transaction records the
 *    outcome: paid (reservations committed, escrow credited) or declined (402 `card_declined`,
 *    everything released and cancelled), or `requires_action` (orders stay pending until
 *    confirmed or expired).
 * With a key already used by this buyer, the existing payment is resumed or reported instead.
 */
export async function checkout(
  db: Db,
  clock: Clock,
  providers: Providers,
  buyerId: string,
  input: CheckoutInput,
  idempotencyKey?: string,
): Promise<CheckoutOutcome> {
  const { type: _type, ...card } = input.payment_method;
  checkCard(card, clock.now());
  const provider = checkoutProvider(providers);
  if (idempotencyKey) {
    const existing = await findPaymentByKey(db, buyerId, idempotencyKey);
    if (existing) return resume(db, clock, providers, existing, card);
  }

  // Attribution proven again as of now, for every line in one statement (cart/attribution.ts).
  const cart = await priceCart(db, buyerId, { attributeAt: clock.now() });
  const lines = cart.shops.flatMap((g) => g.items);
  if (lines.length === 0) throw conflict('cart_empty', 'The cart is empty');
  // Trust & safety (decision 012): suspended or frozen shops, daily order caps; before anything is reserved.
  await assertShopsCanSell(db, clock, cart.shops.map((g) => g.shop.id));
  const unsellable = lines.filter((l) => !l.sellable);
  if (unsellable.length > 0) {
    throw conflict('sku_unavailable', 'Some items are no longer for sale; remove them to check out', { sku_ids: unsellable.map((l) => l.sku_id) });
  }
  // Fast refusal without taking any lock (the reservation below is the real arbiter).
  const short = lines.find((l) => l.quantity > l.available);
  if (short) throw conflict('out_of_stock', 'Not enough stock for this item', { sku_id: short.sku_id, requested: short.quantity, available: short.available });

  const now = clock.now();
  const ttlMs = Math.min(...cart.shops.map((g) => market(g.market).reservationTtlMs));
  const expiresAt = new Date(now.getTime() + ttlMs);
  const paymentId = newId('pay');
  const address = cleanAddress(input.shipping_address);
  const planned = cart.shops.map((g) => ({
    row: {
      id: newId('ord'),
      buyerId,
      shopId: g.shop.id,
      market: g.market,
      paymentId,
      status: 'pending_payment' as const,
      currency: cart.currency,
      subtotal: g.subtotal.amount,
      shippingFee: g.shipping_fee.amount,
      tax: g.tax.amount,
      total: g.total.amount,
      shippingAddress: address,
      createdAt: now,
      updatedAt: now,
    },
    lines: g.items,
  }));
  const items = planned.flatMap(({ row, lines: ls }) =>
    ls.map((l) => ({
      id: newId('oit'),
      orderId: row.id,
      skuId: l.sku_id,
      productId: l.product_id,
      title: l.title,
      optionValues: l.option_values,
      image: l.image,
      unitPrice: l.unit_price.amount,
      quantity: l.quantity,
      lineTotal: l.line_total.amount,
      // Only what the server proved: never the cart line's stored source as such.
      source: l.attribution ?? {},
      affiliateRateBps: l.affiliate_rate_bps,
      category: l.category,
    })),
  );

  // The reservation first, each statement committing on its own: the hot stock row is locked
  // only while one statement runs. Everything after it compensates by releasing (decision 006).
  try {
    await reserveForOrders(db, clock, planned, ttlMs);
  } catch (e) {
    // A concurrent request with this key may have taken the last units: answer its payment.
    const existing = idempotencyKey && e instanceof AppError && e.code === 'out_of_stock' ? await findPaymentByKey(db, buyerId, idempotencyKey) : undefined;
    if (existing) return resume(db, clock, providers, existing, card);
    throw e;
  }
  let created: PaymentRow | null;
  try {
    created = await insertCheckout(db, clock, {
      payment: { id: paymentId, buyerId, provider: provider.name, idempotencyKey: idempotencyKey ?? null, amount: cart.total.amount, currency: cart.currency, expiresAt },
      orders: planned.map((p) => p.row),
      items,
    });
  } catch (e) {
    await releaseForOrders(db, clock, planned);
    throw e;
  }
  if (!created) {
    await releaseForOrders(db, clock, planned);
    return resume(db, clock, providers, (await findPaymentByKey(db, buyerId, idempotencyKey!))!, card);
  }
  return pay(db, clock, provider, created, (intentId) => provider.confirm(intentId, { card }));
}

/**
 * Writes the payment `pending` (carrying the Idempotency-Key), its orders `pending_payment`
 * with items and a `created` event each, and the payment's expiry job, in ONE statement: atomic
 * without a transaction, one round trip. If the key already made a payment, nothing is written
 * (every insert is guarded by the payment's) and the answer is null.
 */
async function insertCheckout(
  db: Db,
  clock: Clock,
  c: { payment: NewPayment; orders: Array<typeof orders.$inferInsert & { id: string; createdAt: Date }>; items: Array<typeof orderItems.$inferInsert & { id: string }> },
): Promise<PaymentRow | null> {
  const { cte, row } = paymentInsertCte(clock, c.payment);
  const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;
  const json = (v: unknown) => sql`${JSON.stringify(v)}::jsonb`;
  /** One `select` per row, each writing only if the payment was written; glued with union all. */
  const guarded = (list: SQL[][]) =>
    sql.join(list.map((cols) => sql`select ${sql.join(cols, sql`, `)} where exists (select 1 from made)`), sql` union all `);
  const now = clock.now();
  const p = c.payment;
  const [written] = await rows<{ id: string }>(
    db,
    sql`with ${cte},
      ord as (insert into ${orders} (id, buyer_id, shop_id, market, payment_id, status, currency, subtotal, shipping_fee, tax, total, shipping_address, created_at, updated_at)
        ${guarded(c.orders.map((o) => [sql`${o.id}`, sql`${o.buyerId}`, sql`${o.shopId}`, sql`${o.market}`, sql`${p.id}`, sql`'pending_payment'`, sql`${o.currency}`,
          sql`${o.subtotal}::bigint`, sql`${o.shippingFee}::bigint`, sql`${o.tax}::bigint`, sql`${o.total}::bigint`, json(o.shippingAddress), at(o.createdAt), at(o.createdAt)]))}),
      itm as (insert into ${orderItems} (id, order_id, sku_id, product_id, title, option_values, image, unit_price, quantity, line_total, source, affiliate_rate_bps, category)
        ${guarded(c.items.map((i) => [sql`${i.id}`, sql`${i.orderId}`, sql`${i.skuId}`, sql`${i.productId}`, sql`${i.title}`, json(i.optionValues), sql`${i.image ?? null}::text`,
          sql`${i.unitPrice}::bigint`, sql`${i.quantity}::int`, sql`${i.lineTotal}::bigint`, json(i.source ?? {}), sql`${i.affiliateRateBps ?? 0}::int`, sql`${i.category ?? null}::text`]))}),
      evt as (insert into ${orderEvents} (id, order_id, type, data, at)
        ${guarded(c.orders.map((o) => [sql`${newId('oev')}`, sql`${o.id}`, sql`'created'`, json({ payment_id: p.id }), at(now)]))}),
      job as (insert into ${jobs} (id, type, payload, run_at, max_attempts, unique_key, created_at)
        select ${newId('job')}, ${EXPIRE_PENDING_JOB}, ${json({ payment_id: p.id })}, ${at(p.expiresAt)}, 5, ${`${EXPIRE_PENDING_JOB}:${p.id}`}, ${at(now)} from made
        on conflict do nothing)
      select id from made`,
  );
  return written ? row : null;
}

type PlannedOrder = { row: { id: string }; lines: Array<{ sku_id: string; quantity: number; source?: { live_id?: string } }> };

/**
 * Reserves each order's lines (one holder per order), all or nothing: on failure what was taken
 * is released. A line from a live session draws from the live's flash-sale allotment when it has
 * one on that SKU (the live id is the stock hold's holder: decision 011).
 */
async function reserveForOrders(db: Db, clock: Clock, planned: PlannedOrder[], ttlMs: number): Promise<void> {
  for (let i = 0; i < planned.length; i++) {
    const p = planned[i]!;
    try {
      await reserveStock(db, clock, p.row.id, p.lines.map((l) => ({ sku_id: l.sku_id, quantity: l.quantity, ...(l.source?.live_id ? { pool: l.source.live_id } : {}) })), ttlMs);
    } catch (e) {
      await releaseForOrders(db, clock, planned.slice(0, i));
      throw e;
    }
  }
}

async function releaseForOrders(db: Db, clock: Clock, planned: PlannedOrder[]): Promise<void> {
  for (const p of planned) await releaseReservations(db, clock, p.row.id);
}

/** A checkout retried with a key that already made a payment. */
async function resume(db: Db, clock: Clock, providers: Providers, payment: PaymentRow, card: CardDetails): Promise<CheckoutOutcome> {
  if (payment.status === 'pending') {
    // The first attempt stopped before the provider answered: ask again (the provider is
    // idempotent per intent, so this cannot charge twice).
    const provider = getProvider(providers, payment.provider);
    return pay(db, clock, provider, payment, (intentId) => provider.confirm(intentId, { card }));
  }
  if (payment.status === 'declined') throw declined(payment);
  return loadOutcome(db, payment.id);
}

/** Asks the provider (create/reuse the intent, `authorize`, capture) and records the answer. */
async function pay(
  db: Db,
  clock: Clock,
  provider: PaymentProvider,
  payment: PaymentRow,
  authorize: (intentId: string) => Promise<ConfirmResult>,
): Promise<CheckoutOutcome> {
  let intentId = payment.providerRef;
  let result: ConfirmResult;
  try {
    intentId ??= (
      await provider.createIntent({ amount: payment.amount, currency: payment.currency, metadata: { payment_id: payment.id }, idempotencyKey: payment.id })
    ).id;
    result = await authorize(intentId);
    if (result.status === 'succeeded') await provider.capture(intentId);
  } catch (e) {
    if (e instanceof AppError && e.status < 500) {
      // The provider refused the card outright: same as a decline, nothing stays held.
      await finalizeDecline(db, clock, provider, payment.id, { intentId, code: e.code }, true);
      throw e;
    }
    throw new AppError('payment_provider_unavailable', 502, 'The payment provider did not answer; retry with the same Idempotency-Key', {
      payment_id: payment.id,
    });
  }
  const last4 = result.last4 ?? payment.cardLast4;
  if (result.status === 'succeeded') {
    const r = await finalizeSuccess(db, clock, provider, payment.id, { intentId, last4 }, true);
    if (r === 'late') throw conflict('payment_expired', 'The checkout expired before the payment completed; the charge is being refunded', { payment_id: payment.id });
    if (r !== 'noop') return r; // what the transaction wrote: no need to read it back
  } else if (result.status === 'requires_action') {
    await db.transaction(async (tx) => {
      const p = await lockPayment(tx, payment.id);
      if (p?.status !== 'pending') return;
      await updatePayment(tx, clock, p.id, { status: 'requires_action', providerRef: intentId, cardLast4: last4 });
      const list = await ordersOfPayment(tx, p.id);
      await addOrderEvents(tx, clock, list.map((o) => ({ orderId: o.id, type: 'payment_requires_action', data: { payment_id: p.id } })));
    });
  } else {
    await finalizeDecline(db, clock, provider, payment.id, { intentId, last4, code: result.decline_code ?? 'card_declined' }, true);
    throw declined({ id: payment.id, failureCode: result.decline_code ?? 'card_declined' });
  }
  return loadOutcome(db, payment.id);
}

/** The buyer answered the 3-D-Secure-style challenge of a `requires_action` payment. */
export async function confirmPayment(
  db: Db,
  clock: Clock,
  providers: Providers,
  buyerId: string,
  paymentId: string,
  challenge: 'pass' | 'fail',
): Promise<CheckoutOutcome> {
  const payment = await getPaymentForBuyer(db, buyerId, paymentId);
  if (SETTLED.includes(payment.status)) return loadOutcome(db, payment.id);
  if (payment.status === 'declined') throw declined(payment);
  if (payment.status === 'expired' || (payment.status === 'requires_action' && payment.expiresAt <= clock.now())) {
    await expirePayment(db, clock, payment.id);
    throw conflict('payment_expired', 'The checkout expired before it was confirmed; the items were released', { payment_id: payment.id });
  }
  if (payment.status !== 'requires_action') {
    throw conflict('invalid_state', `A ${payment.status} payment has nothing to confirm`, { status: payment.status });
  }
  const provider = getProvider(providers, payment.provider);
  return pay(db, clock, provider, payment, (intentId) => provider.completeAction(intentId, { challenge }));
}

/**
 * Records a successful capture, once: payment `succeeded`, orders `paid` with their ship-by
 * deadline, cart lines bought removed, reservations committed, and per order one ledger entry
 * `buyer_funds → escrow:<order>` (kind `payment_capture`). Whichever of the synchronous answer
 * and the webhook comes first applies it; the other finds the payment settled (`noop`).
 * If the payment was no longer open (expired, cancelled, declined) or its stock reservation has
 * lapsed, the capture is `late`: the orders stay cancelled and a job refunds the charge.
 */
export async function finalizeSuccess(
  db: Db,
  clock: Clock,
  provider: PaymentProvider,
  paymentId: string,
  info: { intentId: string; last4?: string | null },
  emit: boolean,
): Promise<CheckoutOutcome | 'noop' | 'late'> {
  try {
    const outcome = await db.transaction((tx) => recordSuccess(tx, clock, provider, paymentId, info, emit));
    if (outcome !== 'noop') await scheduleFold(db, clock);
    return outcome;
  } catch (e) {
    if (!(e instanceof StockLapsed)) throw e;
  }
  await db.transaction(async (tx) => {
    const p = await lockPayment(tx, paymentId);
    if (!p) return;
    if (OPEN_PAYMENT_STATUSES.includes(p.status)) await closeOpenPayment(tx, clock, p, 'expired', 'payment_expired');
    if (!p.providerRef) await updatePayment(tx, clock, p.id, { providerRef: info.intentId });
    await enqueue(tx, clock, LATE_CAPTURE_REFUND_JOB, { payment_id: p.id, intent_id: info.intentId }, { uniqueKey: `${LATE_CAPTURE_REFUND_JOB}:${p.id}` });
  });
  return 'late';
}

/** `ship_by` of an order paid `now`, by the order's market (one SQL expression for all markets). */
function shipBySql(now: Date): SQL {
  const cases = Object.keys(MARKETS).map((mk) => sql`when ${mk} then ${new Date(now.getTime() + market(mk).shipWithinMs).toISOString()}::timestamptz`);
  return sql`case ${orders.market} ${sql.join(cases, sql` `)} end`;
}

/**
 * The transaction of `finalizeSuccess`. Every statement names rows of this payment only (its
 * payment, orders, reservations, escrow accounts, the buyer's cart): no row shared with other
 * checkouts is locked, so payments of one hot SKU do not queue on each other here.
 */
async function recordSuccess(
  tx: Db,
  clock: Clock,
  provider: PaymentProvider,
  paymentId: string,
  info: { intentId: string; last4?: string | null },
  emit: boolean,
): Promise<CheckoutOutcome | 'noop'> {
  const p = await markPaymentSucceeded(tx, clock, paymentId, { providerRef: info.intentId, cardLast4: info.last4 ?? null });
  if (!p) {
    // Not open any more, or expired: the update's row lock has ordered us after any other outcome.
    const found = await findPayment(tx, paymentId);
    if (!found || SETTLED.includes(found.status)) return 'noop';
    throw new StockLapsed();
  }
  const now = clock.now();
  // Set-based over the payment's orders: the WHERE allows exactly the states the table lets take `pay`.
  const paying = orderMayTake('pay', eq(orders.paymentId, p.id), now);
  const list = await tx
    .update(orders)
    .set({ ...paying.set, shipBy: shipBySql(now) })
    .where(paying.where)
    .returning();
  list.sort((a, b) => (a.shopId < b.shopId ? -1 : a.shopId > b.shopId ? 1 : 0));
  const ids = list.map((o) => o.id);
  const committed = await commitReservationsOf(tx, clock, ids);
  if (ids.length === 0 || ids.some((id) => !committed.has(id))) throw new StockLapsed();
  await addOrderEvents(tx, clock, list.map((o) => ({ orderId: o.id, type: 'paid', data: { payment_id: p.id, amount: o.total, currency: o.currency } })));
  await emitDomainEvent(tx, clock, { name: 'order.paid', payload: { order_ids: ids, payment_id: p.id } });
  await recordServerEvent(tx, clock, { type: 'order_paid', orders: list, items: tx.select().from(orderItems).where(inArray(orderItems.orderId, ids)) });
  await recordLivePurchases(tx, clock, p.buyerId, tx.select().from(orderItems).where(inArray(orderItems.orderId, ids)));
  await removeCartSkus(tx, p.buyerId, tx.selectDistinct({ skuId: orderItems.skuId }).from(orderItems).where(inArray(orderItems.orderId, ids)));
  if (emit) {
    await emitProviderEvent(tx, clock, provider, 'payment.succeeded', {
      intent_id: info.intentId,
      payment_id: p.id,
      amount: p.amount,
      currency: p.currency,
      ...(info.last4 ? { last4: info.last4 } : {}),
    });
  }
  await postCaptures(tx, clock, list.map((o) => ({ orderId: o.id, amount: o.total, currency: o.currency })));
  return { payment: p, orders: list };
}

/** Records a decline, once: payment `declined`, its orders cancelled, their stock released. */
export async function finalizeDecline(
  db: Db,
  clock: Clock,
  provider: PaymentProvider,
  paymentId: string,
  info: { intentId: string | null; last4?: string | null; code: string },
  emit: boolean,
): Promise<'applied' | 'noop'> {
  return db.transaction(async (tx) => {
    const p = await lockPayment(tx, paymentId);
    if (!p || !OPEN_PAYMENT_STATUSES.includes(p.status)) return 'noop';
    await updatePayment(tx, clock, p.id, { providerRef: info.intentId ?? p.providerRef, cardLast4: info.last4 ?? p.cardLast4, failureCode: info.code });
    if (emit && info.intentId) {
      await emitProviderEvent(tx, clock, provider, 'payment.failed', {
        intent_id: info.intentId,
        payment_id: p.id,
        amount: p.amount,
        currency: p.currency,
        decline_code: info.code,
      });
    }
    await closeOpenPayment(tx, clock, p, 'declined', 'payment_declined');
    return 'applied';
  });
}

/**
 * An open payment ends without money moving: the payment takes `status`, its pending orders are
 * cancelled with `reason` and their reservations released. Caller holds the payment lock.
 */
async function closeOpenPayment(
  tx: Db,
  clock: Clock,
  p: PaymentRow,
  status: 'declined' | 'cancelled' | 'expired',
  reason: string,
): Promise<void> {
  const now = clock.now();
  await updatePayment(tx, clock, p.id, { status });
  // Set-based over the payment's orders, the WHERE from the lifecycle table (decline, expire, cancel).
  const ending = orderMayTake(status === 'declined' ? 'decline' : status === 'expired' ? 'expire' : 'cancel', and(eq(orders.paymentId, p.id), eq(orders.status, 'pending_payment')), now);
  const cancelled = await tx
    .update(orders)
    .set({ ...ending.set, cancelReason: reason })
    .where(ending.where)
    .returning({ id: orders.id });
  cancelled.sort((a, b) => (a.id < b.id ? -1 : 1));
  await addOrderEvents(tx, clock, cancelled.map((o) => ({ orderId: o.id, type: 'cancelled', data: { reason } })));
  for (const o of cancelled) await releaseReservations(tx, clock, o.id, status === 'expired' ? 'expired' : 'released');
}

/** The expiry job: an unconfirmed payment whose stock hold ran out; its orders are cancelled. */
export async function expirePayment(db: Db, clock: Clock, paymentId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const p = await lockPayment(tx, paymentId);
    if (!p || !OPEN_PAYMENT_STATUSES.includes(p.status) || p.expiresAt > clock.now()) return false;
    await closeOpenPayment(tx, clock, p, 'expired', 'payment_expired');
    return true;
  });
}

/**
 * Cancels an order before shipping, by its buyer or its shop (anyone else: 404).
 * - `pending_payment`: the checkout is abandoned: the payment and all its pending orders are
 *   cancelled and their stock released (a payment cannot be partly confirmed).
 * - `paid`: `cancelPaid`: what the escrow holds is refunded through `refundOrder` (provider,
 *   idempotent per order; ledger refund; `refunded_amount`), the stock put back, the order cancelled.
 * Other states: 409 `invalid_transition`.
 */
export async function cancelOrder(db: Db, clock: Clock, providers: Providers, userId: string, orderId: string): Promise<OrderRow> {
  const { order, as } = await getOrderForViewer(db, userId, orderId);
  if (as === 'seller' && (await getShop(db, order.shopId)).mode === 'managed') {
    throw forbidden('The platform runs the orders of a managed shop', 'managed_fulfillment');
  }
  const reason = as === 'buyer' ? 'cancelled_by_buyer' : 'cancelled_by_seller';
  if (order.status === 'pending_payment') {
    const done = await db.transaction(async (tx) => {
      const p = await lockPayment(tx, order.paymentId);
      if (!p || !OPEN_PAYMENT_STATUSES.includes(p.status)) return false;
      await closeOpenPayment(tx, clock, p, 'cancelled', reason);
      return true;
    });
    // Not open any more: it was paid, declined or expired meanwhile; decide on the fresh state.
    if (!done) return cancelPaid(db, clock, providers, orderId, reason);
    return (await ordersOfPayment(db, order.paymentId)).find((o) => o.id === orderId)!;
  }
  return cancelPaid(db, clock, providers, orderId, reason);
}

/**
 * Cancels a paid order (buyer, shop, fulfillment's SLA auto-cancel, trust freeze): a cancellation
 * is `refundOrder` of what the escrow still holds + restock + the lifecycle's `cancel`, in one
 * transaction under the order's row lock. 409 `invalid_transition` (nothing changed) when the
 * order is not `paid` (an unpaid order is cancelled through its payment: `cancelOrder`).
 */
export async function cancelPaid(db: Db, clock: Clock, providers: Providers, orderId: string, reason: string): Promise<OrderRow> {
  return db.transaction((tx) => cancelPaidLocked(tx, clock, providers, orderId, reason));
}

async function cancelPaidLocked(tx: Db, clock: Clock, providers: Providers, orderId: string, reason: string, providerRefundId?: string): Promise<OrderRow> {
  const o = await lockOrder(tx, orderId);
  if (!o) throw notFound('Order', orderId);
  if (o.status !== 'paid') throw invalidTransition('order', o.status, 'cancel');
  // The order row stays locked across the provider call, so shipping cannot slip in between.
  const amount = await refundableAmount(tx, o);
  const { refund } =
    amount > 0
      ? await refundOrder(tx, clock, providers, { orderId, amount, reason: 'order_cancelled', key: `cancel:${o.id}`, cancelling: true, ...(providerRefundId ? { providerRefundId } : {}) })
      : { refund: null };
  await restockCommitted(tx, clock, o.id);
  await applyOrderTransition(tx, o.id, 'cancel', { from: o.status, now: clock.now(), set: { cancelReason: reason } });
  await addOrderEvents(tx, clock, [{ orderId: o.id, type: 'cancelled', data: { reason, ...(refund ? { refund: { id: refund.id, amount, currency: o.currency } } : {}) } }]);
  const [after] = await tx.select().from(orders).where(eq(orders.id, orderId));
  return after!;
}

/** Applies a verified provider event (the caller has claimed its id). Unknown objects are ignored. */
async function applyEvent(tx: Db, clock: Clock, providers: Providers, provider: PaymentProvider, event: WebhookEvent): Promise<void> {
  const d = event.data;
  const p = await findPayment(tx, d.payment_id);
  if (!p || p.provider !== provider.name || (p.providerRef !== null && p.providerRef !== d.intent_id)) return;
  if (event.type === 'payment.succeeded') {
    if (d.amount !== p.amount || d.currency !== p.currency) return;
    // Settled is final: the usual case (the synchronous answer recorded it first) costs no lock.
    if (SETTLED.includes(p.status)) return;
    await finalizeSuccess(tx, clock, provider, p.id, { intentId: d.intent_id, last4: d.last4 ?? null }, false);
  } else if (event.type === 'payment.failed') {
    await finalizeDecline(tx, clock, provider, p.id, { intentId: d.intent_id, last4: d.last4 ?? null, code: d.decline_code ?? 'card_declined' }, false);
  } else if (event.type === 'refund.succeeded' && d.order_id && d.refund_id) {
    // A refund this platform made (its own webhook) is recorded already; one the provider made on
    // its own of all that a paid order still holds is a cancellation, through the same path.
    if (await findRefund(tx, p.id, d.refund_id)) return;
    const o = await lockOrder(tx, d.order_id);
    if (!o || o.paymentId !== p.id || o.status !== 'paid' || d.currency !== o.currency || d.amount !== (await refundableAmount(tx, o))) return;
    await cancelPaidLocked(tx, clock, providers, o.id, 'refunded_by_provider', d.refund_id);
  }
}

/**
 * `POST /v1/webhooks/payments/{provider}`: verifies the signature (401 `invalid_signature`),
 * then in one transaction claims the event id (a replay is acknowledged and ignored) and applies
 * it with the same functions as the synchronous path.
 */
export async function receiveWebhook(
  db: Db,
  clock: Clock,
  providers: Providers,
  providerName: string,
  rawBody: Buffer | string,
  headers: Record<string, string | string[] | undefined>,
): Promise<{ duplicate: boolean; event_id: string }> {
  const provider = getProvider(providers, providerName);
  const event = provider.verifyWebhook(rawBody, headers);
  return db.transaction(async (tx) => {
    if (!(await claimWebhookEvent(tx, clock, provider.name, event))) return { duplicate: true, event_id: event.id };
    await applyEvent(tx, clock, providers, provider, event);
    return { duplicate: false, event_id: event.id };
  });
}

/** The refund job for a capture that arrived after its checkout had ended. */
async function refundLateCapture(tx: Db, clock: Clock, providers: Providers, paymentId: string, intentId: string): Promise<void> {
  const p = await lockPayment(tx, paymentId);
  if (!p || p.refundedAmount >= p.amount) return;
  const provider = getProvider(providers, p.provider);
  const amount = p.amount - p.refundedAmount;
  const { refund_id } = await provider.refund(intentId, amount, { idempotencyKey: `late:${p.id}`, metadata: { payment_id: p.id } });
  await recordRefund(tx, clock, { paymentId: p.id, orderId: null, amount, currency: p.currency, reason: 'late_capture', providerRef: refund_id });
}

/** Job handlers of checkout: order expiry, sandbox webhook delivery, refunds of late captures. */
export function registerCheckoutJobs(jobs: JobRunner, clock: Clock, providers: Providers): void {
  jobs.register(EXPIRE_PENDING_JOB, async (tx, payload) => {
    await expirePayment(tx, clock, (payload as { payment_id: string }).payment_id);
  });
  jobs.register(SANDBOX_WEBHOOK_JOB, async (tx, payload) => {
    // `provider`: the sandbox that sent the event (jobs enqueued before it was named: `sandbox`).
    const { provider = 'sandbox', event } = payload as { provider?: string; event: WebhookEvent };
    const sandbox = providers.get(provider);
    if (!(sandbox instanceof SandboxProvider)) return;
    const { rawBody, headers } = sandbox.sign(event);
    await receiveWebhook(tx, clock, providers, sandbox.name, rawBody, headers);
  });
  jobs.register(LATE_CAPTURE_REFUND_JOB, async (tx, payload) => {
    const { payment_id, intent_id } = payload as { payment_id: string; intent_id: string };
    await refundLateCapture(tx, clock, providers, payment_id, intent_id);
  });
}
