import { eq } from 'drizzle-orm';
import { describe } from 'vitest';
import { newId } from '../../platform/ids.js';
import { itWalksEveryPair } from '../../test/lifecycle-walk.js';
import { payoutLifecycle, transitionPayout } from './lifecycle.js';
import { payouts } from './schema.js';

describe('payout lifecycle', () => {
  itWalksEveryPair(payoutLifecycle, ({ db, now }) => ({
    async make(status) {
      const id = newId('pyo');
      const outcome = status === 'paid' ? { paidAt: now } : status === 'failed' ? { failedAt: now, failureReason: 'account_closed' } : {};
      await db.insert(payouts).values({ id, payeeType: 'shop', payeeId: 'shp_walk', amount: 1200, currency: 'USD', status, createdAt: now, ...outcome });
      return id;
    },
    apply: (id, event) => transitionPayout(db, id, event, { set: event === 'pay' ? { paidAt: now } : { failedAt: now, failureReason: 'account_closed' } }),
    read: async (id) => (await db.select().from(payouts).where(eq(payouts.id, id)))[0]!,
  }));
});
