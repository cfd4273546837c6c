import { eq, sql } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { badRequest, conflict, notFound } from '../../platform/errors.js';
import { emit } from '../../platform/events.js';
import { accounts, getBalance, postRefund } from '../ledger/index.js';
import { emitProviderEvent, getPayment, getProvider, recordRefund, type Providers, type RefundRow } from '../payments/index.js';
import { applyOrderTransition } from './lifecycle.js';
import { orders } from './schema.js';
import { addOrderEvents, lockOrder, type OrderRow } from './service.js';

export interface RefundOrderInput {
  orderId: string;
  /** Minor units of the order's currency, > 0. */
  amount: number;
  /** Why (recorded on the refund and the order event), e.g. `after_sales`, `order_cancelled`. */
  reason: string;
  /** Provider idempotency key: the same key never refunds twice. */
  key: string;
  /**
   * A refund the provider already made and reported (its `refund.succeeded` webhook): it is
   * recorded under this provider refund id and the provider is not asked again.
   */
  providerRefundId?: string;
  /**
   * Part of a cancellation (`cancelPaid`): the caller applies the order's `cancel` transition in
   * the same transaction, so a full refund does not take `refund` here.
   */
  cancelling?: boolean;
}

/**
 * What the order's escrow can still pay back: its escrow balance, never more than what was
 * captured minus what was refunded. The caller holds the order row lock when it matters.
 */
export async function refundableAmount(db: Db, o: OrderRow): Promise<number> {
  const escrow = await getBalance(db, accounts.escrow(o.id), o.currency);
  return Math.max(0, Math.min(escrow, o.total - o.refundedAmount));
}

/**
 * THE one way an order's money goes back to its buyer, partial or full: after-sales refunds,
 * operator decisions, and every cancellation of a paid order (buyer, shop, SLA auto-cancel,
 * trust freeze, a refund the provider reports) through `cancelPaid`. Under the order's row lock,
 * in the caller's transaction:
 * - refunds `amount` of the order's payment through its provider (idempotent by `key`), or takes
 *   the provider's own refund id (`providerRefundId`);
 * - records it once per provider refund id (a second time: nothing changes, `refund` is null);
 * - raises `orders.refunded_amount` by `amount`; a full refund (everything captured is back)
 *   outside a cancellation also takes the lifecycle's `refund` (status `refunded`) in the same
 *   conditional update; a partial one keeps the order's status (decision 017);
 * - posts the ledger refund `escrow:<order> → buyer_funds` (postRefund);
 * - adds an order event `refunded`, emits `refund.posted` (analytics records it in this
 *   transaction) and (sandbox) the provider's `refund.succeeded` webhook.
 * Refuses 400 `invalid_amount` (≤ 0) and 409 `refund_exceeds_escrow` (more than the escrow still
 * holds), writing nothing.
 */
export async function refundOrder(
  tx: Db,
  clock: Clock,
  providers: Providers,
  input: RefundOrderInput,
): Promise<{ order: OrderRow; refund: RefundRow | null }> {
  const { orderId, amount, reason, key } = input;
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    throw badRequest('invalid_amount', 'A refund is a positive whole number of minor units', { amount });
  }
  const o = await lockOrder(tx, orderId);
  if (!o) throw notFound('Order', orderId);
  const refundable = await refundableAmount(tx, o);
  if (amount > refundable) {
    throw conflict('refund_exceeds_escrow', `Only ${refundable} can still be refunded from this order's escrow`, {
      amount,
      refundable: { amount: refundable, currency: o.currency },
    });
  }
  const p = await getPayment(tx, o.paymentId);
  const provider = getProvider(providers, p.provider);
  // The order row stays locked across the provider call, so two refunds cannot both pass the check.
  const refundId =
    input.providerRefundId ??
    (
      await provider.refund(p.providerRef!, amount, {
        idempotencyKey: key,
        metadata: { order_id: o.id, payment_id: p.id },
      })
    ).refund_id;
  const refund = await recordRefund(tx, clock, { paymentId: p.id, orderId: o.id, amount, currency: o.currency, reason, providerRef: refundId });
  if (!refund) return { order: o, refund: null };
  const now = clock.now();
  const raised = { refundedAmount: sql`${orders.refundedAmount} + ${amount}` };
  const full = o.refundedAmount + amount >= o.total;
  if (full && !input.cancelling) {
    await applyOrderTransition(tx, o.id, 'refund', { from: o.status, now, set: raised });
  } else {
    await tx.update(orders).set({ ...raised, updatedAt: now }).where(eq(orders.id, o.id));
  }
  await postRefund(tx, clock, { orderId: o.id, amount, currency: o.currency });
  await emit(tx, clock, { name: 'refund.posted', payload: { refund_id: refund.id, order_id: o.id, shop_id: o.shopId, buyer_id: o.buyerId, amount, currency: o.currency } });
  if (!input.providerRefundId) {
    await emitProviderEvent(tx, clock, provider, 'refund.succeeded', {
      intent_id: p.providerRef!,
      payment_id: p.id,
      amount,
      currency: o.currency,
      refund_id: refundId,
      order_id: o.id,
    });
  }
  await addOrderEvents(tx, clock, [
    { orderId: o.id, type: 'refunded', data: { amount, currency: o.currency, reason, refund_id: refund.id, full } },
  ]);
  const [after] = await tx.select().from(orders).where(eq(orders.id, o.id));
  return { order: after!, refund };
}
