import { eq, sql } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { badRequest, conflict, notFound } from '../../platform/errors.js';
import { recordServerEvent } from '../analytics/service.js';
import { accounts, getBalance, transfer } from '../ledger/service.js';
import { getPayment, getProvider, recordRefund, type Providers, type RefundRow } from '../payments/service.js';
import { orders } from './schema.js';
import { addOrderEvents, lockOrder, type OrderRow } from './service.js';

export interface RefundOrderInput {
  orderId: string;
  /** Minor units of the order's currency, > 0. */
  amount: number;
  /** Why (recorded on the refund and the order event), e.g. `after_sales`, `item_not_received`. */
  reason: string;
  /** Provider idempotency key: the same key never refunds twice. */
  key: string;
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
 * The one way after-sales money goes back to a buyer, partial or full. Under the order's row lock:
 * refunds `amount` of the order's payment through its provider (idempotent by `key`), records it
 * once per provider refund id, adds it to `orders.refunded_amount`, moves it from `escrow:<order>`
 * to `buyer_funds` (kind `refund`) and adds an order event `refunded`. A partial refund keeps the
 * order's status; when everything captured is back the order becomes `refunded`.
 * Refuses 400 `invalid_amount` (≤ 0) and 409 `refund_exceeds_escrow` (more than the escrow still
 * holds). `refund` is null when this provider refund was already recorded (nothing changed).
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
  const { refund_id } = await provider.refund(p.providerRef!, amount, {
    idempotencyKey: key,
    metadata: { order_id: o.id, payment_id: p.id },
  });
  const refund = await recordRefund(tx, clock, { paymentId: p.id, orderId: o.id, amount, currency: o.currency, reason, providerRef: refund_id });
  if (!refund) return { order: o, refund: null };
  const now = clock.now();
  const [after] = await tx
    .update(orders)
    .set({
      refundedAmount: sql`${orders.refundedAmount} + ${amount}`,
      status: sql`case when ${orders.refundedAmount} + ${amount} >= ${orders.total} then 'refunded' else ${orders.status} end`,
      updatedAt: now,
    })
    .where(eq(orders.id, o.id))
    .returning();
  await transfer(tx, clock, { from: accounts.escrow(o.id), to: accounts.buyerFunds(), amount, currency: o.currency, kind: 'refund', reference: o.id });
  await recordServerEvent(tx, clock, { type: 'refund', refundId: refund.id, orderId: o.id, shopId: o.shopId, buyerId: o.buyerId, amount, currency: o.currency });
  await addOrderEvents(tx, clock, [
    { orderId: o.id, type: 'refunded', data: { amount, currency: o.currency, reason, refund_id: refund.id, full: after!.status === 'refunded' } },
  ]);
  return { order: after!, refund };
}
