import { eq } from 'drizzle-orm';
import { describe } from 'vitest';
import { newId } from '../../platform/ids.js';
import { itWalksEveryPair } from '../../test/lifecycle-walk.js';
import { signUp } from '../identity/index.js';
import { createShop } from '../sellers/index.js';
import { importLifecycle, transitionImport } from './lifecycle.js';
import { imports } from './schema.js';

describe('import lifecycle', () => {
  itWalksEveryPair(importLifecycle, async ({ db, clock }) => {
    const owner = await signUp(db, clock, { email: 'imports-walk@test.loopshop.dev', password: 'correct horse battery', name: 'Owner', roles: ['buyer'] });
    const shopId = (await createShop(db, clock, { name: 'Walk', market: 'US', currency: 'USD', timezone: 'America/New_York', ownerId: owner.id })).id;
    return {
      async make(status) {
        const id = newId('imp');
        await db.insert(imports).values({ id, shopId, fileName: 'walk.csv', rowsTotal: 3, status, createdAt: clock.now() });
        return id;
      },
      apply: (id, event) => transitionImport(db, id, event),
      read: async (id) => (await db.select().from(imports).where(eq(imports.id, id)))[0]!,
    };
  });
});
