import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { SettableClock } from '../../platform/clock.js';
import type { Database } from '../../platform/db.js';
import { newId } from '../../platform/ids.js';
import { freshDatabase } from '../../test/db.js';
import { walkLifecycle } from '../../test/lifecycle-walk.js';
import { shipmentLifecycle, transitionShipment } from './lifecycle.js';
import { shipments } from './schema.js';

describe('shipment lifecycle', () => {
  let database: Database;
  const clock = new SettableClock('2026-03-02T09:00:00Z');

  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => database?.close());

  it('walks every (state, scan) pair: the table moves it, anything else is refused and changes nothing', async () => {
    const { db } = database;
    const now = clock.now();
    await walkLifecycle(shipmentLifecycle, {
      async make(status) {
        const id = newId('spm');
        await db.insert(shipments).values({
          id,
          orderId: newId('ord'),
          shopId: 'shp_walk',
          carrier: 'sandbox',
          trackingNumber: id,
          status,
          items: [],
          destinationPostalCode: '10001',
          createdAt: now,
          ...(status === 'delivered' ? { pickedUpAt: now, deliveredAt: now, lastEventAt: now } : {}),
        });
        return id;
      },
      apply: (id, event) => transitionShipment(db, id, event, { set: { lastEventAt: new Date(now.getTime() + 60_000) } }),
      read: async (id) => (await db.select().from(shipments).where(eq(shipments.id, id)))[0]!,
    });
  });
});
