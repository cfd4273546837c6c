import { and, asc, count, eq, gt, gte, isNotNull, lte, or, sql } from 'drizzle-orm';
import { DAY, type Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { conflict } from '../../platform/errors.js';
import { getShops } from '../sellers/index.js';
import { orders } from './schema.js';

/**
 * What trust & safety (decision 012) asks of orders: per-shop counts over a window for seller
 * health, the signs of a vanished seller, and the checks checkout makes before it sells from a
 * shop (status, daily order cap).
 */

/** The window an order cap counts over: a rolling day. */
export const ORDER_CAP_WINDOW_MS = DAY;

export interface ShopOrderStats {
  /** Orders of the shop paid in the window. */
  orders: number;
  /** Of those, cancelled after payment (by the buyer, the shop or the dispatch SLA). */
  cancelled: number;
  /**
   * Of those, refunded in part or in full through after-sales: a cancellation's refund also
   * raises `refunded_amount` (one refund path, decision 017) but counts as a cancellation only.
   */
  refunded: number;
}

export async function shopOrderStats(db: Db, shopId: string, since: Date): Promise<ShopOrderStats> {
  const [row] = await db
    .select({
      orders: count(),
      cancelled: sql<number>`count(*) filter (where ${orders.status} = 'cancelled')`.mapWith(Number),
      refunded: sql<number>`count(*) filter (where ${orders.refundedAmount} > 0 and ${orders.status} <> 'cancelled')`.mapWith(Number),
    })
    .from(orders)
    .where(and(eq(orders.shopId, shopId), isNotNull(orders.paidAt), gte(orders.paidAt, since)));
  return { orders: row?.orders ?? 0, cancelled: row?.cancelled ?? 0, refunded: row?.refunded ?? 0 };
}

/**
 * True when the shop left an order unhandled: paid after `after` (null = ever) and at or before
 * `before`, and never shipped — still `paid`, or cancelled by the dispatch SLA.
 */
export async function hasUnhandledOrder(db: Db, shopId: string, after: Date | null, before: Date): Promise<boolean> {
  const [row] = await db
    .select({ id: orders.id })
    .from(orders)
    .where(
      and(
        eq(orders.shopId, shopId),
        isNotNull(orders.paidAt),
        after ? gt(orders.paidAt, after) : undefined,
        lte(orders.paidAt, before),
        or(eq(orders.status, 'paid'), eq(orders.cancelReason, 'not_shipped_in_time')),
      ),
    )
    .limit(1);
  return row !== undefined;
}

/** The shop's paid orders that have not shipped, oldest first. */
export async function paidUnshippedOrders(db: Db, shopId: string): Promise<Array<{ id: string; buyerId: string }>> {
  return db
    .select({ id: orders.id, buyerId: orders.buyerId })
    .from(orders)
    .where(and(eq(orders.shopId, shopId), eq(orders.status, 'paid')))
    .orderBy(asc(orders.id));
}

/** Orders the shop took in the last rolling day (paid, or waiting for payment). */
export async function ordersTakenSince(db: Db, shopId: string, since: Date): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(orders)
    .where(and(eq(orders.shopId, shopId), gte(orders.createdAt, since), or(isNotNull(orders.paidAt), eq(orders.status, 'pending_payment'))));
  return row?.n ?? 0;
}

/**
 * Checkout asks before it reserves or charges anything: every shop of the cart is active (else
 * 409 `shop_suspended`) and below its daily order cap, if it has one (else 409
 * `shop_order_cap_reached`).
 */
export async function assertShopsCanSell(db: Db, clock: Clock, shopIds: string[]): Promise<void> {
  const found = await getShops(db, [...new Set(shopIds)]);
  const closed = found.filter((s) => s.status !== 'active');
  if (closed.length > 0) {
    throw conflict('shop_suspended', 'A shop in the cart cannot sell right now; remove its items to check out', {
      shop_ids: closed.map((s) => s.id),
    });
  }
  const since = new Date(clock.now().getTime() - ORDER_CAP_WINDOW_MS);
  for (const s of found) {
    if (s.maxOrdersPerDay === null) continue;
    const taken = await ordersTakenSince(db, s.id, since);
    if (taken >= s.maxOrdersPerDay) {
      throw conflict('shop_order_cap_reached', 'A shop in the cart has reached its orders for today; remove its items or try later', {
        shop_id: s.id,
        max_orders_per_day: s.maxOrdersPerDay,
      });
    }
  }
}
