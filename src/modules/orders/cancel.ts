import { eq } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { forbidden, notFound } from '../../platform/errors.js';
import { emit } from '../../platform/events.js';
import { invalidTransition } from '../../platform/lifecycle.js';
import { restockCommitted } from '../inventory/index.js';
import { lockPayment, OPEN_PAYMENT_STATUSES, type Providers } from '../payments/index.js';
import { getShop } from '../sellers/index.js';
import { applyOrderTransition } from './lifecycle.js';
import { closeOpenPayment } from './paying.js';
import { refundableAmount, refundOrder } from './refunds.js';
import { orders } from './schema.js';
import { addOrderEvents, getOrderForViewer, lockOrder, ordersOfPayment, type OrderRow } from './service.js';

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

/** `cancelPaid` in the caller's transaction; `providerRefundId`: a refund the provider reported. */
export async function cancelPaidLocked(tx: Db, clock: Clock, providers: Providers, orderId: string, reason: string, providerRefundId?: string): Promise<OrderRow> {
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
  await emit(tx, clock, { name: 'order.cancelled', payload: { order_id: o.id, shop_id: o.shopId, buyer_id: o.buyerId, reason } });
  const [after] = await tx.select().from(orders).where(eq(orders.id, orderId));
  return after!;
}
