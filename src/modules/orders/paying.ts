import { and, eq, inArray, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import { rows, type Db } from '../../platform/db.js';
import { newId } from '../../platform/ids.js';
import { market, MARKETS } from '../../platform/markets.js';
import { jobs } from '../../platform/schema.js';
import { releaseReservations } from '../inventory/index.js';
import { paymentInsertCte, updatePayment, type NewPayment, type PaymentRow } from '../payments/index.js';
import { orderMayTake } from './lifecycle.js';
import { orderEvents, orderItems, orders } from './schema.js';
import { addOrderEvents, type OrderRow } from './service.js';

/**
 * The orders side of paying for a checkout (the steps are in `src/flows/checkout.ts`): writing a
 * checkout's payment and orders, marking them paid, ending an open payment without money moving.
 */
export const EXPIRE_PENDING_JOB = 'orders.expire_pending';

export interface CheckoutOutcome {
  payment: PaymentRow;
  orders: OrderRow[];
}

/**
 * Writes the payment `pending` (carrying the Idempotency-Key), its orders `pending_payment`
 * with items and a `created` event each, and the payment's expiry job, in ONE statement: atomic
 * without a transaction, one round trip. If the key already made a payment, nothing is written
 * (every insert is guarded by the payment's) and the answer is null.
 */
export async function insertCheckout(
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

/** `ship_by` of an order paid `now`, by the order's market (one SQL expression for all markets). */
function shipBySql(now: Date): SQL {
  const cases = Object.keys(MARKETS).map((mk) => sql`when ${mk} then ${new Date(now.getTime() + market(mk).shipWithinMs).toISOString()}::timestamptz`);
  return sql`case ${orders.market} ${sql.join(cases, sql` `)} end`;
}

/**
 * The payment's orders take `pay` with their ship-by deadline, set-based: the WHERE allows
 * exactly the states the table lets take `pay`. Sorted by shop.
 */
export async function markOrdersPaid(tx: Db, clock: Clock, paymentId: string): Promise<OrderRow[]> {
  const now = clock.now();
  const paying = orderMayTake('pay', eq(orders.paymentId, paymentId), now);
  const list = await tx
    .update(orders)
    .set({ ...paying.set, shipBy: shipBySql(now) })
    .where(paying.where)
    .returning();
  list.sort((a, b) => (a.shopId < b.shopId ? -1 : a.shopId > b.shopId ? 1 : 0));
  return list;
}

/**
 * The payments of the buyer's unpaid (`pending_payment`) orders that hold any of these SKUs:
 * checkout looks for a payment already waiting for the buyer on the same goods.
 */
export async function unpaidPaymentsWithSkus(db: Db, buyerId: string, skuIds: string[]): Promise<string[]> {
  if (skuIds.length === 0) return [];
  const found = await db
    .selectDistinct({ paymentId: orders.paymentId })
    .from(orders)
    .innerJoin(orderItems, eq(orderItems.orderId, orders.id))
    .where(and(eq(orders.buyerId, buyerId), eq(orders.status, 'pending_payment'), inArray(orderItems.skuId, skuIds)));
  return found.map((r) => r.paymentId).sort();
}

/** The items of these orders, as a subquery others run inside their own statement. */
export function itemsOfOrders(tx: Db, orderIds: string[]): SQLWrapper {
  return tx.select().from(orderItems).where(inArray(orderItems.orderId, orderIds));
}

/** The distinct SKUs of these orders, as a subquery. */
export function skusOfOrders(tx: Db, orderIds: string[]): SQLWrapper {
  return tx.selectDistinct({ skuId: orderItems.skuId }).from(orderItems).where(inArray(orderItems.orderId, orderIds));
}

/**
 * An open payment ends without money moving: the payment takes `status`, its pending orders are
 * cancelled with `reason` and their reservations released. Caller holds the payment lock.
 */
export async function closeOpenPayment(
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
