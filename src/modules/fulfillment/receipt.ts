import { asc, eq } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { conflict, notFound } from '../../platform/errors.js';
import { getOrderItems, lockOrder, transitionOrder, type OrderRow } from '../orders/index.js';
import { transitionShipment } from './lifecycle.js';
import { shipments } from './schema.js';
import { checkDeliveredInTime, orderDelivered } from './service.js';

/**
 * The buyer confirms receipt of a shipped order (`POST /v1/orders/{id}/confirm-receipt`): each of
 * its parcels still on the way is delivered now (`receipt_confirmed`, with `receipt_confirmed_at`),
 * exactly as its carrier's delivery scan would deliver it — the order becomes `delivered`
 * (`confirm_receipt`), the after-sales window starts and with it the completion that releases the
 * escrow, and its items may be reviewed. A later delivery scan only joins the timeline.
 *
 * Only its buyer: anyone else 404. Already delivered or completed: nothing changes (the same
 * order back). Some item not in a parcel yet: 409 `not_fully_shipped`; any other state: 409
 * `invalid_state`; nothing written either way.
 */
export async function confirmReceipt(db: Db, clock: Clock, userId: string, orderId: string): Promise<OrderRow> {
  return db.transaction(async (tx) => {
    // Parcels before the order, in the order a carrier scan locks them (no deadlock with one).
    const parcels = await tx.select().from(shipments).where(eq(shipments.orderId, orderId)).orderBy(asc(shipments.id)).for('update');
    const order = await lockOrder(tx, orderId);
    if (!order || order.buyerId !== userId) throw notFound('Order', orderId);
    if (order.status === 'delivered' || order.status === 'completed') return order;
    if (order.status !== 'shipped') throw conflict('invalid_state', `A ${order.status} order cannot be confirmed as received`, { status: order.status });
    const own = parcels.filter((s) => s.replacementCaseId === null);
    const shipped = new Map<string, number>();
    for (const s of own) for (const it of s.items) shipped.set(it.order_item_id, (shipped.get(it.order_item_id) ?? 0) + it.quantity);
    const items = await getOrderItems(tx, orderId);
    if (items.some((i) => (shipped.get(i.id) ?? 0) < i.quantity)) {
      throw conflict('not_fully_shipped', 'Some items of this order have not been shipped yet; confirm once everything has been sent', { status: order.status });
    }
    const now = clock.now();
    const confirmed: string[] = [];
    for (const s of own) {
      if (s.status === 'delivered') continue;
      await transitionShipment(tx, s.id, 'receipt_confirmed', { from: s.status, set: { deliveredAt: now, receiptConfirmedAt: now } });
      await checkDeliveredInTime(tx, clock, s, order.market, s.pickedUpAt, now);
      confirmed.push(s.id);
    }
    await transitionOrder(tx, clock, orderId, 'confirm_receipt', { type: 'receipt_confirmed', data: { shipment_ids: confirmed } });
    await orderDelivered(tx, clock, order);
    return (await lockOrder(tx, orderId))!;
  });
}
