import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db.js';
import { AppError } from '../platform/errors.js';
import { emit as emitDomainEvent } from '../platform/events.js';
import { enqueue } from '../platform/jobs.js';
import { removeCartSkus } from '../modules/cart/index.js';
import { commitReservationsOf, scheduleFold } from '../modules/inventory/index.js';
import { postCaptures } from '../modules/ledger/index.js';
import { recordLivePurchases } from '../modules/live/index.js';
import { addOrderEvents, closeOpenPayment, itemsOfOrders, markOrdersPaid, skusOfOrders, type CheckoutOutcome } from '../modules/orders/index.js';
import {
  emitProviderEvent,
  findPayment,
  lockPayment,
  markPaymentSucceeded,
  OPEN_PAYMENT_STATUSES,
  updatePayment,
  type PaymentProvider,
  type PaymentStatus,
} from '../modules/payments/index.js';

/**
 * The end of a checkout, whichever answer comes first (the synchronous one, a 3-D-Secure
 * confirmation or a provider webhook all go through these idempotent functions): paid, declined
 * or expired. A capture that can no longer be honoured is undone by the durable
 * `LATE_CAPTURE_REFUND_JOB` (payment-webhook.ts), never inside the failed transaction.
 */
export const LATE_CAPTURE_REFUND_JOB = 'payments.refund_late_capture';

export const SETTLED: readonly PaymentStatus[] = ['succeeded', 'refunded', 'partially_refunded'];

/** Internal: the stock held for a payment ran out before its capture was recorded. */
class StockLapsed extends Error {}

export const declined = (payment: { id: string; failureCode: string | null }) =>
  new AppError('card_declined', 402, 'The card was declined', { decline_code: payment.failureCode ?? 'card_declined', payment_id: payment.id });

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
  const list = await markOrdersPaid(tx, clock, p.id);
  const ids = list.map((o) => o.id);
  const committed = await commitReservationsOf(tx, clock, ids);
  if (ids.length === 0 || ids.some((id) => !committed.has(id))) throw new StockLapsed();
  await addOrderEvents(tx, clock, list.map((o) => ({ orderId: o.id, type: 'paid', data: { payment_id: p.id, amount: o.total, currency: o.currency } })));
  await emitDomainEvent(tx, clock, { name: 'order.paid', payload: { order_ids: ids, payment_id: p.id } });
  await recordLivePurchases(tx, clock, p.buyerId, itemsOfOrders(tx, ids));
  await removeCartSkus(tx, p.buyerId, skusOfOrders(tx, ids));
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

/** The expiry job: an unconfirmed payment whose stock hold ran out; its orders are cancelled. */
export async function expirePayment(db: Db, clock: Clock, paymentId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const p = await lockPayment(tx, paymentId);
    if (!p || !OPEN_PAYMENT_STATUSES.includes(p.status) || p.expiresAt > clock.now()) return false;
    await closeOpenPayment(tx, clock, p, 'expired', 'payment_expired');
    return true;
  });
}
