import { eq } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import { HOUR } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { emit } from '../../platform/events.js';
import { enqueue, type JobRunner } from '../../platform/jobs.js';
import { market } from '../../platform/markets.js';
import { lockOrder, paidOrdersShipByBefore } from '../orders/index.js';
import { shipments } from './schema.js';

export const SHIP_BY_WARNING_JOB = 'fulfillment.ship_by_warning';

/** Default of LOOPSHOP_SHIP_BY_WARNING_HOURS: the seller is warned when this long is left to ship. */
export const SHIP_BY_WARNING_DEFAULT_MS = 12 * HOUR;

/**
 * How long before its ship-by time an order's seller is warned: `warnBeforeMs`, but at most a
 * quarter of the market's ship window (a short window is not warned about at payment), like the
 * after-sales answer reminder.
 */
const warningWindow = (marketCode: string, warnBeforeMs: number) => Math.min(warnBeforeMs, market(marketCode).shipWithinMs / 4);

/**
 * Paid orders with no shipment whose ship-by time is near get one warning job each (unique key per
 * order): a sweep that runs twice, or on two nodes at once, warns once. Returns the jobs queued.
 */
export async function sweepShipByWarnings(db: Db, clock: Clock, warnBeforeMs: number): Promise<number> {
  const now = clock.now();
  const due = await paidOrdersShipByBefore(db, new Date(now.getTime() + warnBeforeMs), 500, now);
  let queued = 0;
  for (const o of due) {
    if (o.shipBy!.getTime() - now.getTime() > warningWindow(o.market, warnBeforeMs)) continue;
    if (await enqueue(db, clock, SHIP_BY_WARNING_JOB, { order_id: o.id }, { uniqueKey: `${SHIP_BY_WARNING_JOB}:${o.id}` })) queued++;
  }
  return queued;
}

/** The warning job: an order still paid, unshipped and before its ship-by time emits `order.ship_by_near`. */
export function registerShipByWarnings(jobs: JobRunner, clock: Clock): void {
  jobs.register(SHIP_BY_WARNING_JOB, async (tx, payload) => {
    const o = await lockOrder(tx, (payload as { order_id: string }).order_id);
    if (!o || o.status !== 'paid' || !o.shipBy || o.shipBy <= clock.now()) return;
    const [shipped] = await tx.select({ id: shipments.id }).from(shipments).where(eq(shipments.orderId, o.id)).limit(1);
    if (shipped) return;
    await emit(tx, clock, { name: 'order.ship_by_near', payload: { order_id: o.id, shop_id: o.shopId, ship_by: o.shipBy.toISOString() } });
  });
}
