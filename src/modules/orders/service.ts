import type { Static } from '@sinclair/typebox';
import { and, asc, eq, gt, inArray, isNotNull, isNull, lt, ne, not, or, sql, type SQL } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import { type Db } from '../../platform/db.js';
import { pageById } from '../../platform/pagination.js';
import { AppError, badRequest, notFound } from '../../platform/errors.js';
import { isId, newId } from '../../platform/ids.js';
import type { Money } from '../../platform/money.js';
import { getUser } from '../identity/index.js';
import { getPayment, getPayments } from '../payments/index.js';
import { getShops, isShopMemberSql, listShopsForUser, requireShopMember } from '../sellers/index.js';
import { tryOrderTransition, type OrderEvent } from './lifecycle.js';
import { orderEvents, orderItems, orders, type OrderStatus } from './schema.js';
import type { OrderDetail, OrderItemOut, OrderSummaryOut } from './views.js';

/** Reading orders: per-object access, views, the timeline, lists for buyers and sellers. */
export type OrderRow = typeof orders.$inferSelect;
export type OrderItemRow = typeof orderItems.$inferSelect;

const money = (amount: number, currency: string): Money => ({ amount, currency });
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export async function addOrderEvents(
  tx: Db,
  clock: Clock,
  events: Array<{ orderId: string; type: string; data?: Record<string, unknown>; /** when it happened, if not now (a carrier's scan) */ at?: Date }>,
): Promise<void> {
  if (events.length === 0) return;
  const now = clock.now();
  await tx.insert(orderEvents).values(events.map((e) => ({ id: newId('oev'), orderId: e.orderId, type: e.type, data: e.data ?? {}, at: e.at ?? now })));
}

export async function ordersOfPayment(db: Db, paymentId: string): Promise<OrderRow[]> {
  return db.select().from(orders).where(eq(orders.paymentId, paymentId)).orderBy(asc(orders.shopId));
}

/**
 * Who sees an order (docs/api.md, Orders). A checkout writes its orders before the card is answered, so
 * some order rows exist only as the record of an attempt:
 * - the buyer never sees an order whose card was declined (`cancel_reason` `payment_declined`,
 *   also a failed 3-D-Secure challenge): nothing was bought, the cart is kept;
 * - the shop sees an order only once it was paid (`paid_at` set): an order awaiting payment or
 *   verification, cancelled or expired unpaid is not one to ship, in any list, count or page.
 * Every buyer and seller read of orders goes through these two rules; operators read any order.
 */
export const DECLINED_REASON = 'payment_declined';

/** SQL: the order is one its buyer sees. */
export const visibleToBuyerSql = (): SQL => or(isNull(orders.cancelReason), ne(orders.cancelReason, DECLINED_REASON))!;
/** SQL: the order is one its shop sees. */
export const visibleToShopSql = (): SQL => isNotNull(orders.paidAt);

export const visibleToBuyer = (o: OrderRow): boolean => o.cancelReason !== DECLINED_REASON;
export const visibleToShop = (o: OrderRow): boolean => o.paidAt !== null;

/**
 * The order if the user is its buyer or a member of its shop and that side sees it (the rules
 * above); anyone else gets 404 exactly as for an order that does not exist. Also tells which
 * side the user is on.
 */
export async function getOrderForViewer(db: Db, userId: string, orderId: string): Promise<{ order: OrderRow; as: 'buyer' | 'seller' }> {
  const [order] = await db.select().from(orders).where(eq(orders.id, orderId));
  if (!order) throw notFound('Order', orderId);
  if (order.buyerId === userId) {
    if (!visibleToBuyer(order)) throw notFound('Order', orderId);
    return { order, as: 'buyer' };
  }
  try {
    await requireShopMember(db, userId, order.shopId);
  } catch (e) {
    if (e instanceof AppError && e.code === 'not_found') throw notFound('Order', orderId);
    throw e;
  }
  if (!visibleToShop(order)) throw notFound('Order', orderId);
  return { order, as: 'seller' };
}

export type OrderItemView = Static<typeof OrderItemOut>;

export type OrderSummary = Static<typeof OrderSummaryOut>;

const toItemView = (i: OrderItemRow, currency: string): OrderItemView => ({
  id: i.id,
  sku_id: i.skuId,
  product_id: i.productId,
  title: i.title,
  option_values: i.optionValues,
  image: i.image,
  unit_price: money(i.unitPrice, currency),
  quantity: i.quantity,
  line_total: money(i.lineTotal, currency),
  source: i.source ?? {},
});

/** Summaries for a list of orders: items, shop and buyer names in a few set queries. */
async function summarize(db: Db, list: OrderRow[]): Promise<OrderSummary[]> {
  if (list.length === 0) return [];
  const ids = list.map((o) => o.id);
  const unpaid = [...new Set(list.filter((o) => o.status === 'pending_payment').map((o) => o.paymentId))];
  const [items, shops, buyers, open] = await Promise.all([
    db.select().from(orderItems).where(inArray(orderItems.orderId, ids)).orderBy(asc(orderItems.id)),
    getShops(db, [...new Set(list.map((o) => o.shopId))]),
    Promise.all([...new Set(list.map((o) => o.buyerId))].map((id) => getUser(db, id).catch(() => null))),
    getPayments(db, unpaid),
  ]);
  // An unpaid order whose card asked for 3-D Secure waits for the buyer's verification.
  const verifying = new Map(open.filter((p) => p.status === 'requires_action').map((p) => [p.id, { payment_id: p.id, expires_at: p.expiresAt.toISOString() }]));
  const shopName = new Map(shops.map((s) => [s.id, s.name]));
  const buyerName = new Map(buyers.filter((u) => u !== null).map((u) => [u.id, u.name]));
  const itemsOf = new Map<string, OrderItemRow[]>();
  for (const i of items) itemsOf.set(i.orderId, [...(itemsOf.get(i.orderId) ?? []), i]);
  return list.map((o) => {
    const its = itemsOf.get(o.id) ?? [];
    return {
      id: o.id,
      shop_id: o.shopId,
      shop: { id: o.shopId, name: shopName.get(o.shopId) ?? '' },
      buyer: { id: o.buyerId, name: buyerName.get(o.buyerId) ?? '' },
      status: o.status,
      awaiting_verification: o.status === 'pending_payment' ? (verifying.get(o.paymentId) ?? null) : null,
      items: its.map((i) => toItemView(i, o.currency)),
      item_count: its.reduce((n, i) => n + i.quantity, 0),
      subtotal: money(o.subtotal, o.currency),
      shipping_fee: money(o.shippingFee, o.currency),
      tax: money(o.tax, o.currency),
      total: money(o.total, o.currency),
      payment_id: o.paymentId,
      ship_by: iso(o.shipBy),
      paid_at: iso(o.paidAt),
      cancelled_at: iso(o.cancelledAt),
      cancel_reason: o.cancelReason,
      delivered_at: iso(o.deliveredAt),
      completed_at: iso(o.completedAt),
      refunded: money(o.refundedAmount, o.currency),
      created_at: o.createdAt.toISOString(),
    };
  });
}

/**
 * The order with items, address, payment and timeline, for its buyer or its shop, or any order
 * for an operator (`opts.operator`: disputes, trust and safety; reading only); anyone else 404.
 */
export async function getOrderDetail(db: Db, userId: string, orderId: string, opts: { operator?: boolean } = {}): Promise<OrderDetail> {
  if (opts.operator) {
    const [order] = await db.select().from(orders).where(eq(orders.id, orderId));
    if (!order) throw notFound('Order', orderId);
    return orderDetail(db, order);
  }
  const { order } = await getOrderForViewer(db, userId, orderId);
  return orderDetail(db, order);
}

export async function orderDetail(db: Db, order: OrderRow): Promise<OrderDetail> {
  const [[summary], payment, timeline] = await Promise.all([
    summarize(db, [order]),
    getPayment(db, order.paymentId),
    // In the order things happened: a carrier's scan is dated by the carrier, and may reach us later.
    db.select().from(orderEvents).where(eq(orderEvents.orderId, order.id)).orderBy(asc(orderEvents.at), asc(orderEvents.id)),
  ]);
  return {
    ...summary!,
    shipping_address: order.shippingAddress,
    payment: { id: payment.id, status: payment.status, card_last4: payment.cardLast4 },
    shipments: [],
    timeline: timeline.map((e) => ({ type: e.type, at: e.at.toISOString(), data: e.data ?? {} })),
  };
}

export interface ListOrdersQuery {
  role?: 'buyer' | 'seller';
  shop_id?: string;
  status?: OrderStatus;
  limit?: number;
  cursor?: string;
}

/**
 * Newest first, paginated by id. `buyer` (default): the user's own orders, never a declined one.
 * `seller`: the paid orders of the shops the user is a member of (`shop_id` narrows to one; a
 * shop the user is not a member of answers 404).
 */
export async function listOrders(db: Db, userId: string, q: ListOrdersQuery): Promise<{ data: OrderSummary[]; next_cursor: string | null }> {
  if (q.cursor !== undefined && !isId(q.cursor, 'ord')) throw badRequest('invalid_cursor', 'cursor is not one this list returned');
  const where: Array<SQL | undefined> = [];
  if (q.role === 'seller') {
    if (q.shop_id) {
      await requireShopMember(db, userId, q.shop_id);
      where.push(eq(orders.shopId, q.shop_id));
    } else {
      const shopIds = (await listShopsForUser(db, userId)).map((s) => s.id);
      if (shopIds.length === 0) return { data: [], next_cursor: null };
      where.push(inArray(orders.shopId, shopIds));
    }
    where.push(visibleToShopSql());
  } else {
    where.push(eq(orders.buyerId, userId), visibleToBuyerSql());
    if (q.shop_id) where.push(eq(orders.shopId, q.shop_id));
  }
  if (q.status) where.push(eq(orders.status, q.status));
  const { rows, next_cursor } = await pageById(db, orders, { limit: q.limit, cursor: q.cursor, prefix: 'ord', order: 'newest', where });
  return { data: await summarize(db, rows), next_cursor };
}

/** The order row locked for update (fulfillment ships and completes under this lock). */
export async function lockOrder(tx: Db, orderId: string): Promise<OrderRow | undefined> {
  const [o] = await tx.select().from(orders).where(eq(orders.id, orderId)).for('update');
  return o;
}

export async function getOrderItems(db: Db, orderId: string): Promise<OrderItemRow[]> {
  return db.select().from(orderItems).where(eq(orderItems.orderId, orderId)).orderBy(asc(orderItems.id));
}

/**
 * Applies a lifecycle event to an order (fulfillment's `ship`, `deliver`, `complete`) with a
 * timeline event, through the order lifecycle's conditional update. False (nothing written) when
 * the table does not allow the event in the order's state, e.g. a second parcel of a shipped order.
 */
export async function transitionOrder(
  tx: Db,
  clock: Clock,
  orderId: string,
  event: OrderEvent,
  timeline: { type: string; data?: Record<string, unknown> },
  /** When it happened, if not now (the carrier's delivery scan): the event's timestamp and its timeline entry. */
  happenedAt?: Date,
): Promise<boolean> {
  const moved = await tryOrderTransition(tx, orderId, event, { now: clock.now(), ...(happenedAt ? { happenedAt } : {}) });
  if (!moved) return false;
  await addOrderEvents(tx, clock, [{ orderId, ...timeline, ...(happenedAt ? { at: happenedAt } : {}) }]);
  return true;
}

/** Paid orders whose ship-by time is before `before`, and after `from` when given (fulfillment's auto-cancel and ship-by warning sweeps). */
export async function paidOrdersShipByBefore(db: Db, before: Date, limit = 500, from?: Date): Promise<OrderRow[]> {
  return db
    .select()
    .from(orders)
    .where(and(eq(orders.status, 'paid'), lt(orders.shipBy, before), from ? gt(orders.shipBy, from) : undefined))
    .orderBy(asc(orders.shipBy))
    .limit(limit);
}

/** The escrow accounts (`escrow:<order>`) of every order of a shop, as a subquery of one column. */
export function escrowAccountsOfShop(db: Db, shopId: string): SQL {
  return sql`select 'escrow:' || ${orders.id} from ${orders} where ${orders.shopId} = ${shopId}`;
}

/**
 * Orders in one of `statuses`, oldest id first, paginated by id (`afterId`); narrowed to a shop
 * or to orders completed after a time when given (settlement's sweep and the shop finance view).
 */
export async function listOrdersByStatus(
  db: Db,
  filter: { statuses: OrderStatus[]; shopId?: string; completedAfter?: Date; afterId?: string; limit?: number },
): Promise<OrderRow[]> {
  return db
    .select()
    .from(orders)
    .where(
      and(
        inArray(orders.status, filter.statuses),
        filter.shopId ? eq(orders.shopId, filter.shopId) : undefined,
        filter.completedAfter ? gt(orders.completedAt, filter.completedAfter) : undefined,
        filter.afterId ? gt(orders.id, filter.afterId) : undefined,
      ),
    )
    .orderBy(asc(orders.id))
    .limit(filter.limit ?? 500);
}

/**
 * Items attributed to a creator (`source.creator_id`) on orders in one of `statuses`, with their
 * order; never the creator's own purchases nor items of a shop the creator belongs to (settlement
 * pays neither).
 */
export async function itemsAttributedTo(db: Db, creatorId: string, statuses: OrderStatus[]): Promise<Array<{ item: OrderItemRow; order: OrderRow }>> {
  return db
    .select({ item: orderItems, order: orders })
    .from(orderItems)
    .innerJoin(orders, eq(orders.id, orderItems.orderId))
    .where(
      and(
        sql`${orderItems.source}->>'creator_id' = ${creatorId}`,
        inArray(orders.status, statuses),
        ne(orders.buyerId, creatorId),
        not(isShopMemberSql(sql`${orders.shopId}`, sql`${creatorId}`)),
      ),
    )
    .orderBy(asc(orderItems.id));
}

export interface OrderDayFigures {
  /** YYYY-MM-DD (UTC). */
  day: string;
  currency: string;
  /** Orders placed that day (any outcome). */
  placed: number;
  /** Orders paid that day, and their value (GMV: totals as paid, before any refund). */
  paid: number;
  paid_total: number;
}

/** Orders placed and paid per UTC day and currency in [from, to): the operator overview. */
export async function orderFiguresByDay(db: Db, from: Date, to: Date): Promise<OrderDayFigures[]> {
  const f = from.toISOString();
  const t = to.toISOString();
  const res = (await db.execute(sql`
    select day, currency, sum(placed)::int as placed, sum(paid)::int as paid, sum(paid_total)::bigint as paid_total from (
      select to_char(${orders.createdAt} at time zone 'UTC', 'YYYY-MM-DD') as day, ${orders.currency} as currency, 1 as placed, 0 as paid, 0::bigint as paid_total
        from ${orders} where ${orders.createdAt} >= ${f}::timestamptz and ${orders.createdAt} < ${t}::timestamptz
      union all
      select to_char(${orders.paidAt} at time zone 'UTC', 'YYYY-MM-DD'), ${orders.currency}, 0, 1, ${orders.total}
        from ${orders} where ${orders.paidAt} >= ${f}::timestamptz and ${orders.paidAt} < ${t}::timestamptz
    ) x group by day, currency order by day, currency`)) as unknown as { rows: OrderDayFigures[] };
  return res.rows;
}
