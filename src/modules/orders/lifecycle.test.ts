import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { SettableClock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { useFreshDatabase } from '../../test/db.js';
import { payments } from '../payments/index.js';
import { applyOrderTransition, ORDER_EVENTS, orderLifecycle, orderMayTake, type OrderEvent } from './lifecycle.js';
import { ORDER_STATUSES, orders, type OrderStatus } from './schema.js';

const clock = new SettableClock('2026-03-01T10:00:00Z');
const EARLIER = new Date('2026-02-01T00:00:00Z');

/** The timestamp column an allowed event writes, by event. */
const STAMP: Partial<Record<OrderEvent, 'paidAt' | 'deliveredAt' | 'completedAt' | 'cancelledAt'>> = {
  pay: 'paidAt',
  deliver: 'deliveredAt',
  confirm_receipt: 'deliveredAt',
  complete: 'completedAt',
  decline: 'cancelledAt',
  expire: 'cancelledAt',
  cancel: 'cancelledAt',
};

/** An order put directly in `status` (with its payment), every timestamp empty. */
async function orderIn(db: Db, status: OrderStatus): Promise<string> {
  const paymentId = newId('pay');
  const id = newId('ord');
  await db.insert(payments).values({ id: paymentId, buyerId: 'usr_walk', provider: 'sandbox', amount: 1000, currency: 'USD', status: 'succeeded', expiresAt: EARLIER, createdAt: EARLIER, updatedAt: EARLIER });
  await db.insert(orders).values({
    id,
    buyerId: 'usr_walk',
    shopId: 'shp_walk',
    market: 'US',
    paymentId,
    status,
    currency: 'USD',
    subtotal: 1000,
    shippingFee: 0,
    tax: 0,
    total: 1000,
    shippingAddress: { name: 'A', line1: '1 St', city: 'C', postal_code: '10001', country: 'US' },
    createdAt: EARLIER,
    updatedAt: EARLIER,
  });
  return id;
}

const row = async (db: Db, id: string) => (await db.select().from(orders).where(eq(orders.id, id)))[0]!;

describe('order lifecycle: the walk over every (state, event) pair', () => {
  const database = useFreshDatabase();

  it('the table has no partially_refunded state and every state is reachable from pending_payment', () => {
    expect(ORDER_STATUSES).not.toContain('partially_refunded');
    const seen = new Set<string>(orderLifecycle.initial);
    for (let size = 0; size !== seen.size; ) {
      size = seen.size;
      for (const r of orderLifecycle.rules) if (seen.has(r.from)) seen.add(r.to);
    }
    expect([...seen].sort()).toEqual([...ORDER_STATUSES].sort());
  });


  for (const state of ORDER_STATUSES) {
    for (const event of ORDER_EVENTS) {
      const to = orderLifecycle.next(state, event);
      it(`${state} × ${event} → ${to ?? '409 invalid_transition'} (applyOrderTransition)`, async () => {
        const { db } = database;
        const id = await orderIn(db, state);
        const before = await row(db, id);
        if (to) {
          expect(await applyOrderTransition(db, id, event, { now: clock.now() })).toMatchObject({ from: state, to });
          const after = await row(db, id);
          expect(after.status).toBe(to);
          expect(after.updatedAt).toEqual(clock.now());
          const stamp = STAMP[event];
          if (stamp) expect(after[stamp]).toEqual(clock.now());
          // Nothing else moved.
          const untouched = { ...before, status: to, updatedAt: clock.now(), ...(stamp ? { [stamp]: clock.now() } : {}) };
          expect(after).toEqual(untouched);
        } else {
          const e = await applyOrderTransition(db, id, event, { now: clock.now() }).then(
            () => null,
            (err: unknown) => err,
          );
          expect(e).toBeInstanceOf(AppError);
          expect([(e as AppError).status, (e as AppError).code]).toEqual([409, 'invalid_transition']);
          expect((e as AppError).details).toEqual({ entity: 'order', from: state, event, status: state });
          expect(await row(db, id)).toEqual(before);
        }
      });

      it(`${state} × ${event}: the set-based WHERE from the table (orderMayTake) agrees`, async () => {
        const { db } = database;
        const id = await orderIn(db, state);
        const before = await row(db, id);
        const take = orderMayTake(event, eq(orders.id, id), clock.now());
        const moved = await db.update(orders).set(take.set).where(take.where).returning({ id: orders.id });
        expect(moved.length).toBe(to ? 1 : 0);
        const after = await row(db, id);
        if (to) expect(after.status).toBe(to);
        else expect(after).toEqual(before);
      });
    }
  }

  it('a writer that read a stale state changes nothing (the from-state is in the WHERE)', async () => {
    const { db } = database;
    const id = await orderIn(db, 'paid');
    await applyOrderTransition(db, id, 'ship', { now: clock.now() });
    // Another process still believes the order is paid and cancels it: refused, still shipped.
    const e = await applyOrderTransition(db, id, 'cancel', { now: clock.now(), from: 'paid' }).catch((err: unknown) => err);
    expect([(e as AppError).status, (e as AppError).code]).toEqual([409, 'invalid_transition']);
    expect((await row(db, id)).status).toBe('shipped');
    const missing = await applyOrderTransition(db, newId('ord'), 'ship', { now: clock.now() }).catch((err: unknown) => err);
    expect([(missing as AppError).status, (missing as AppError).code]).toEqual([404, 'not_found']);
  });
});
