import { and, count, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { notFound } from '../../platform/errors.js';
import { plainName } from '../../platform/text.js';
import { newId } from '../../platform/ids.js';
import { assertCurrency } from '../../platform/money.js';
import { grantRole } from '../identity/index.js';
import { shopMembers, shops, type ShopRole } from './schema.js';

export interface ShopSummary {
  id: string;
  name: string;
  market: string;
  currency: string;
  timezone: string;
  mode: 'self_fulfilled' | 'managed';
  status: 'active' | 'suspended' | 'frozen';
  role: ShopRole;
}

export interface CreateShopInput {
  name: string;
  market: string;
  currency: string;
  timezone: string;
  mode?: 'self_fulfilled' | 'managed';
  shippingFee?: number;
  ownerId: string;
}

/** Creates a shop with its owner (who gains the seller role), in one transaction. */
export async function createShop(db: Db, clock: Clock, input: CreateShopInput) {
  assertCurrency(input.currency);
  return db.transaction(async (tx) => {
    const now = clock.now();
    const [shop] = await tx
      .insert(shops)
      .values({
        id: newId('shp'),
        name: plainName(input.name, 'name'),
        market: input.market,
        currency: input.currency,
        timezone: input.timezone,
        mode: input.mode ?? 'self_fulfilled',
        shippingFee: input.shippingFee ?? 0,
        createdAt: now,
      })
      .returning();
    await tx.insert(shopMembers).values({ shopId: shop!.id, userId: input.ownerId, role: 'owner', createdAt: now });
    await grantRole(tx, input.ownerId, 'seller');
    return shop!;
  });
}

export async function addShopMember(db: Db, clock: Clock, shopId: string, userId: string, role: ShopRole): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.insert(shopMembers).values({ shopId, userId, role, createdAt: clock.now() }).onConflictDoUpdate({
      target: [shopMembers.shopId, shopMembers.userId],
      set: { role },
    });
    await grantRole(tx, userId, 'seller');
  });
}

export async function listShopsForUser(db: Db, userId: string): Promise<ShopSummary[]> {
  const rows = await db
    .select({ shop: shops, role: shopMembers.role })
    .from(shopMembers)
    .innerJoin(shops, eq(shops.id, shopMembers.shopId))
    .where(eq(shopMembers.userId, userId))
    .orderBy(shops.id);
  return rows.map(({ shop, role }) => ({
    id: shop.id,
    name: shop.name,
    market: shop.market,
    currency: shop.currency,
    timezone: shop.timezone,
    mode: shop.mode,
    status: shop.status,
    role,
  }));
}

/**
 * Per-object check: the user must be a member of the shop (with one of `roles`, if given).
 * Another tenant's shop answers 404, exactly like a shop that does not exist.
 */
export async function requireShopMember(db: Db, userId: string, shopId: string, roles?: ShopRole[]): Promise<ShopRole> {
  const [row] = await db
    .select({ role: shopMembers.role })
    .from(shopMembers)
    .where(and(eq(shopMembers.shopId, shopId), eq(shopMembers.userId, userId)));
  if (!row || (roles && !roles.includes(row.role))) throw notFound('Shop', shopId);
  return row.role;
}

/** The user ids of a shop's members (owner and staff): whose videos and showcases are the shop's. */
export async function listShopMemberIds(db: Db, shopId: string): Promise<string[]> {
  const rows = await db.select({ userId: shopMembers.userId }).from(shopMembers).where(eq(shopMembers.shopId, shopId)).orderBy(shopMembers.userId);
  return rows.map((r) => r.userId);
}

/** An SQL condition: `userId` is a member (any role) of shop `shopId`; both are SQL (columns of the caller's rows). */
export function isShopMemberSql(shopId: SQL, userId: SQL): SQL {
  return sql`exists (select 1 from ${shopMembers} m where m.shop_id = ${shopId} and m.user_id = ${userId})`;
}

export async function getShop(db: Db, shopId: string) {
  const [shop] = await db.select().from(shops).where(eq(shops.id, shopId));
  if (!shop) throw notFound('Shop', shopId);
  return shop;
}

export async function getShops(db: Db, shopIds: string[]) {
  if (shopIds.length === 0) return [];
  return db.select().from(shops).where(inArray(shops.id, shopIds));
}

/** Shops per market (every shop takes one of its market's slots). */
export async function shopCountsByMarket(db: Db): Promise<Map<string, number>> {
  const found = await db.select({ market: shops.market, n: count() }).from(shops).groupBy(shops.market);
  return new Map(found.map((r) => [r.market, r.n]));
}

/** Shops per status (active, suspended, frozen): the operator overview. */
export async function shopCountsByStatus(db: Db): Promise<Record<'active' | 'suspended' | 'frozen', number>> {
  const found = await db.select({ status: shops.status, n: count() }).from(shops).groupBy(shops.status);
  const out = { active: 0, suspended: 0, frozen: 0 };
  for (const r of found) out[r.status] = r.n;
  return out;
}
