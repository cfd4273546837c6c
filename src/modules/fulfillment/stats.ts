import { and, eq, gte, max, ne } from 'drizzle-orm';
import type { Db } from '../../platform/db.js';
import { fulfillmentFlags, shipments, slaBreaches } from './schema.js';

/** What seller health (trust, decision 012) reads of fulfillment, per shop over a window. */
export interface ShopFulfillmentStats {
  /** `late_dispatch` breaches recorded in the window (shipped late, or cancelled unshipped). */
  lateDispatch: number;
  /** Fake-tracking flags raised in the window that an operator has not cleared. */
  fakeTrackingFlags: number;
}

export async function shopFulfillmentStats(db: Db, shopId: string, since: Date): Promise<ShopFulfillmentStats> {
  return {
    lateDispatch: await db.$count(slaBreaches, and(eq(slaBreaches.shopId, shopId), eq(slaBreaches.kind, 'late_dispatch'), gte(slaBreaches.recordedAt, since))),
    fakeTrackingFlags: await db.$count(fulfillmentFlags, and(eq(fulfillmentFlags.shopId, shopId), ne(fulfillmentFlags.status, 'cleared'), gte(fulfillmentFlags.createdAt, since))),
  };
}

/** When the shop last marked a parcel shipped (null: never). Replacement parcels count too. */
export async function lastShipmentAt(db: Db, shopId: string): Promise<Date | null> {
  const [row] = await db.select({ at: max(shipments.createdAt) }).from(shipments).where(eq(shipments.shopId, shopId));
  return row?.at ? new Date(row.at) : null;
}
