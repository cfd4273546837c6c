import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { SettableClock } from '../../platform/clock.js';
import type { Database } from '../../platform/db.js';
import { newId } from '../../platform/ids.js';
import { freshDatabase } from '../../test/db.js';
import { walkLifecycle } from '../../test/lifecycle-walk.js';
import { signUp } from '../identity/index.js';
import { createShop } from '../sellers/index.js';
import { importLifecycle, transitionImport } from './lifecycle.js';
import { imports } from './schema.js';

describe('import lifecycle', () => {
  let database: Database;
  let shopId: string;
  const clock = new SettableClock('2026-03-02T09:00:00Z');

  beforeAll(async () => {
    database = await freshDatabase();
    const owner = await signUp(database.db, clock, { email: 'imports-walk@test.loopshop.dev', password: 'correct horse battery', name: 'Owner', roles: ['buyer'] });
    shopId = (await createShop(database.db, clock, { name: 'Walk', market: 'US', currency: 'USD', timezone: 'America/New_York', ownerId: owner.id })).id;
  });
  afterAll(async () => database?.close());

  it('walks every (state, event) pair: the table moves it, anything else is refused and changes nothing', async () => {
    const { db } = database;
    await walkLifecycle(importLifecycle, {
      async make(status) {
        const id = newId('imp');
        await db.insert(imports).values({ id, shopId, fileName: 'walk.csv', rowsTotal: 3, status, createdAt: clock.now() });
        return id;
      },
      apply: (id, event) => transitionImport(db, id, event),
      read: async (id) => (await db.select().from(imports).where(eq(imports.id, id)))[0]!,
    });
  });
});
