import { eq } from 'drizzle-orm';
import { describe } from 'vitest';
import { newId } from '../../platform/ids.js';
import { itWalksEveryPair } from '../../test/lifecycle-walk.js';
import { shipmentLifecycle, transitionShipment } from './lifecycle.js';
import { shipments } from './schema.js';

describe('shipment lifecycle', () => {
  itWalksEveryPair(
    shipmentLifecycle,
    ({ db, now }) => ({
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
    }),
    { event: 'scan' },
  );
});
