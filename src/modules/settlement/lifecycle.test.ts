import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { SettableClock } from '../../platform/clock.js';
import type { Database } from '../../platform/db.js';
import { newId } from '../../platform/ids.js';
import { freshDatabase } from '../../test/db.js';
import { walkLifecycle } from '../../test/lifecycle-walk.js';
import { payoutLifecycle, transitionPayout } from './lifecycle.js';
import { payouts } from './schema.js';

describe('payout lifecycle', () => {
  let database: Database;
  const clock = new SettableClock('2026-03-02T09:00:00Z');

  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => database?.close());

  it('walks every (state, event) pair: the table moves it, anything else is refused and changes nothing', async () => {
    const { db } = database;
    const now = clock.now();
    await walkLifecycle(payoutLifecycle, {
      async make(status) {
        const id = newId('pyo');
        const outcome = status === 'paid' ? { paidAt: now } : status === 'failed' ? { failedAt: now, failureReason: 'account_closed' } : {};
        await db.insert(payouts).values({ id, payeeType: 'shop', payeeId: 'shp_walk', amount: 1200, currency: 'USD', status, createdAt: now, ...outcome });
        return id;
      },
      apply: (id, event) => transitionPayout(db, id, event, { set: event === 'pay' ? { paidAt: now } : { failedAt: now, failureReason: 'account_closed' } }),
      read: async (id) => (await db.select().from(payouts).where(eq(payouts.id, id)))[0]!,
    });
  });
});
