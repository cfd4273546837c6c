import { asc, eq, gt, ilike } from 'drizzle-orm';
import type { Db } from '../../platform/db.js';
import { notFound } from '../../platform/errors.js';
import type { Clock } from '../../platform/clock.js';
import { emit } from '../../platform/events.js';
import { pageById } from '../../platform/pagination.js';
import { shopMembers, shops } from './schema.js';

/**
 * What trust & safety (decision 012) sets on a shop, read by the modules that enforce it:
 * `status` (catalog lists and the feed show only active shops' products, checkout sells only
 * from active shops), the listing limit (catalog) and the order cap (checkout).
 */
export type ShopStatus = 'active' | 'suspended' | 'frozen';
export type ShopRow = typeof shops.$inferSelect;

export interface ShopRestrictions {
  status: ShopStatus;
  maxNewListingsPerDay: number | null;
  maxOrdersPerDay: number | null;
}

export async function setShopRestrictions(tx: Db, clock: Clock, shopId: string, r: ShopRestrictions): Promise<void> {
  const res = await tx
    .update(shops)
    .set({ status: r.status, maxNewListingsPerDay: r.maxNewListingsPerDay, maxOrdersPerDay: r.maxOrdersPerDay })
    .where(eq(shops.id, shopId))
    .returning({ id: shops.id });
  if (res.length === 0) throw notFound('Shop', shopId);
  await emit(tx, clock, { name: 'shop.restrictions_changed', payload: { shop_id: shopId, status: r.status } });
}

/** The shop row locked until the transaction ends (a listing limit counts under it). */
export async function lockShop(tx: Db, shopId: string): Promise<ShopRow> {
  const [row] = await tx.select().from(shops).where(eq(shops.id, shopId)).for('update');
  if (!row) throw notFound('Shop', shopId);
  return row;
}

/** Ids of the shops that may sell (status active), as a subquery for `inArray`. */
export function activeShopIds(db: Db) {
  return db.select({ id: shops.id }).from(shops).where(eq(shops.status, 'active'));
}

/** The user ids of a shop's members (whom shop notifications go to). */
export async function memberIdsOfShop(db: Db, shopId: string): Promise<string[]> {
  const found = await db.select({ userId: shopMembers.userId }).from(shopMembers).where(eq(shopMembers.shopId, shopId)).orderBy(asc(shopMembers.userId));
  return found.map((r) => r.userId);
}

/** Every shop id, oldest first, in pages (the health evaluation walks them all). */
export async function shopIdsPage(db: Db, afterId: string | null, limit: number): Promise<Array<{ id: string; market: string }>> {
  return db
    .select({ id: shops.id, market: shops.market })
    .from(shops)
    .where(afterId ? gt(shops.id, afterId) : undefined)
    .orderBy(asc(shops.id))
    .limit(limit);
}

/** Shops for the operator console: name contains `q` (case-insensitive), by status, oldest id first, paginated by id. */
export async function searchShops(db: Db, q: { q?: string; status?: ShopStatus; limit?: number; cursor?: string }): Promise<{ rows: ShopRow[]; next_cursor: string | null }> {
  const term = q.q?.trim();
  const where = [term ? ilike(shops.name, `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`) : undefined, q.status ? eq(shops.status, q.status) : undefined];
  return pageById(db, shops, { limit: q.limit, cursor: q.cursor, prefix: 'shp', order: 'oldest', where });
}
