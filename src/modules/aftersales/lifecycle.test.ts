import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { newId } from '../../platform/ids.js';
import { itWalksEveryPair } from '../../test/lifecycle-walk.js';
import { caseLifecycle, transitionCase } from './lifecycle.js';
import { afterSalesCases, CASE_STATUSES, TERMINAL_STATUSES } from './schema.js';

describe('after-sales case lifecycle', () => {
  itWalksEveryPair(caseLifecycle, ({ db, now }) => ({
    async make(status) {
      const id = newId('cas');
      // One open case per order: every case its own order.
      await db.insert(afterSalesCases).values({
        id,
        orderId: newId('ord'),
        shopId: 'shp_walk',
        buyerId: 'usr_walk',
        type: 'return_and_refund',
        status,
        reason: 'Walk',
        amount: 1500,
        currency: 'USD',
        createdAt: now,
        updatedAt: now,
      });
      return id;
    },
    apply: (id, event) => transitionCase(db, id, event, { set: { updatedAt: new Date(now.getTime() + 1000) } }),
    read: async (id) => (await db.select().from(afterSalesCases).where(eq(afterSalesCases.id, id)))[0]!,
  }));

  it('calls terminal exactly the states the table leads nowhere from', () => {
    const terminal = CASE_STATUSES.filter((s) => caseLifecycle.events.every((e) => caseLifecycle.next(s, e) === null));
    expect(terminal).toEqual([...TERMINAL_STATUSES]);
  });
});
