import { and, eq, isNull } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { newId } from '../../platform/ids.js';
import { enqueue } from '../../platform/jobs.js';
import { escrowHolds } from './schema.js';

/** The job that tries to release a completed order's escrow (settlement registers its handler). */
export const RELEASE_ORDER_JOB = 'settlement.release_order';
export type HoldKind = 'case' | 'flag';

/** Keeps the order's escrow in place until the hold is lifted. Placing the same hold twice is a no-op. */
export async function placeHold(tx: Db, clock: Clock, orderId: string, kind: HoldKind, ref: string): Promise<void> {
  await tx.insert(escrowHolds).values({ id: newId('hld'), orderId, kind, ref, createdAt: clock.now() }).onConflictDoNothing();
}

/**
 * Lifts a hold; when it was the order's last, a release attempt is queued (it settles the order
 * if it is completed by then, and does nothing otherwise).
 */
export async function liftHold(tx: Db, clock: Clock, kind: HoldKind, ref: string): Promise<void> {
  const [lifted] = await tx
    .update(escrowHolds)
    .set({ liftedAt: clock.now() })
    .where(and(eq(escrowHolds.kind, kind), eq(escrowHolds.ref, ref), isNull(escrowHolds.liftedAt)))
    .returning({ orderId: escrowHolds.orderId });
  if (lifted && !(await hasHolds(tx, lifted.orderId))) await requestRelease(tx, clock, lifted.orderId);
}

export async function hasHolds(db: Db, orderId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: escrowHolds.id })
    .from(escrowHolds)
    .where(and(eq(escrowHolds.orderId, orderId), isNull(escrowHolds.liftedAt)))
    .limit(1);
  return row !== undefined;
}

/** Queues a release attempt for the order now (idempotent while one is queued). */
export async function requestRelease(tx: Db, clock: Clock, orderId: string): Promise<void> {
  await enqueue(tx, clock, RELEASE_ORDER_JOB, { order_id: orderId }, { uniqueKey: `${RELEASE_ORDER_JOB}:${orderId}:${clock.now().getTime()}` });
}
