import type { EventSubscriptions } from '../../platform/events.js';
import { newId } from '../../platform/ids.js';
import { hasHolds, liftHold, placeHold, requestRelease } from './holds.js';
import { escrowHolds } from './schema.js';

/**
 * What settlement hears from fulfilment (decision 019): a fake-tracking flag holds the order's
 * escrow until an operator clears it, and a completed order's escrow is released.
 *
 * Deliveries of one order's events may run in any order (two processes, a retried delivery), so
 * a flag cleared before its hold was placed leaves a lifted hold behind: the late `flagged`
 * delivery then finds the hold's key taken and holds nothing.
 */
export function subscribeSettlement(events: EventSubscriptions): void {
  events.subscribe('fulfillment.flagged', 'settlement.hold', (tx, clock, e) => placeHold(tx, clock, e.order_id, 'flag', e.flag_id));
  events.subscribe('fulfillment.flag_cleared', 'settlement.hold', async (tx, clock, e) => {
    const placed = await tx
      .insert(escrowHolds)
      .values({ id: newId('hld'), orderId: e.order_id, kind: 'flag', ref: e.flag_id, createdAt: clock.now(), liftedAt: clock.now() })
      .onConflictDoNothing()
      .returning({ id: escrowHolds.id });
    if (placed.length === 0) return liftHold(tx, clock, 'flag', e.flag_id);
    if (!(await hasHolds(tx, e.order_id))) await requestRelease(tx, clock, e.order_id);
  });
  events.subscribe('order.completed', 'settlement.release', (tx, clock, e) => requestRelease(tx, clock, e.order_id));
}
