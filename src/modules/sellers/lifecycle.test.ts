import { eq } from 'drizzle-orm';
import { describe } from 'vitest';
import { newId } from '../../platform/ids.js';
import { itWalksEveryPair } from '../../test/lifecycle-walk.js';
import { signUp } from '../identity/index.js';
import { applicationLifecycle, transitionApplication } from './lifecycle.js';
import { invitations, sellerApplications } from './schema.js';

describe('seller application lifecycle', () => {
  itWalksEveryPair(applicationLifecycle, async ({ db, clock, now }) => {
    const signUpAs = (email: string) => signUp(db, clock, { email, password: 'correct horse battery', name: 'Walk', roles: ['buyer'] });
    const operator = await signUpAs('walk-operator@test.loopshop.dev');
    const applicantId = (await signUpAs('walk-applicant@test.loopshop.dev')).id;
    const invitationId = newId('inv');
    await db.insert(invitations).values({
      id: invitationId,
      codeHash: 'walk',
      codeHint: 'WALK',
      market: 'US',
      category: 'walk',
      maxUses: 1000,
      expiresAt: new Date('2026-12-31T00:00:00Z'),
      createdBy: operator.id,
      createdAt: now,
    });
    return {
      async make(status) {
        const id = newId('app');
        await db.insert(sellerApplications).values({
          id,
          applicantId,
          invitationId,
          market: 'US',
          category: 'walk',
          mode: 'self_fulfilled',
          companyName: 'Walk Ltd',
          registrationNumber: 'R1',
          taxId: 'T1',
          registrationKey: 'R1',
          taxKey: 'T1',
          contact: { name: 'Walk', email: 'walk@test.loopshop.dev', phone: '+1 555 0100' },
          yearlySales: 1,
          salesCurrency: 'USD',
          salesMarketplace: 'walk',
          warehouses: [],
          status,
          checks: [],
          autoRejected: status === 'rejected',
          createdAt: now,
          updatedAt: now,
        });
        return id;
      },
      apply: (id, event) => transitionApplication(db, id, event, { set: { updatedAt: new Date(now.getTime() + 1000) } }),
      read: async (id) => (await db.select().from(sellerApplications).where(eq(sellerApplications.id, id)))[0]!,
    };
  });
});
