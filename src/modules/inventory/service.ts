import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import { rows, type Db } from '../../platform/db.js';
import { badRequest, conflict, notFound } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { enqueue, type JobRunner } from '../../platform/jobs.js';
import { reservations, stock, warehouses, type Address, type ReservationStatus } from './schema.js';

/**
 * Inventory: warehouses, stock per SKU per warehouse, and reservations.
 *
 * No overselling, on either engine, under any concurrency: every change to `stock.reserved` is
 * ONE conditional row update (`… where on_hand - reserved >= q`), so the row lock PostgreSQL
 * takes for the update is the only arbiter; nothing is read first and written later. The table
 * CHECK (`reserved >= 0 and on_hand >= reserved`) backs it up.
 *
 * Deadlock freedom: a transaction touches reservation rows (locked in id order) before stock
 * rows, and stock rows in (sku_id, warehouse_id) order.
 */

export const EXPIRE_JOB = 'inventory.expire_reservations';
const MAX_QUANTITY = 1_000_000;
const MAX_ON_HAND = 1_000_000_000;

export interface Warehouse {
  id: string;
  shop_id: string | null;
  name: string;
  address: Address | null;
  is_default: boolean;
  created_at: string;
}

export interface StockLevel {
  sku_id: string;
  warehouse_id: string;
  on_hand: number;
  reserved: number;
  available: number;
  updated_at: string;
}

type WarehouseRow = typeof warehouses.$inferSelect;
type StockRow = typeof stock.$inferSelect;

const toWarehouse = (w: WarehouseRow): Warehouse => ({
  id: w.id,
  shop_id: w.shopId,
  name: w.name,
  address: w.address ?? null,
  is_default: w.isDefault,
  created_at: w.createdAt.toISOString(),
});

const toStockLevel = (s: StockRow): StockLevel => ({
  sku_id: s.skuId,
  warehouse_id: s.warehouseId,
  on_hand: s.onHand,
  reserved: s.reserved,
  available: s.onHand - s.reserved,
  updated_at: s.updatedAt.toISOString(),
});

// ---------------------------------------------------------------------------------------------
// Warehouses
// ---------------------------------------------------------------------------------------------

/** The shop's default warehouse, created on first use (safe when two requests race). */
export async function ensureDefaultWarehouse(db: Db, clock: Clock, shopId: string): Promise<Warehouse> {
  const find = () => db.select().from(warehouses).where(and(eq(warehouses.shopId, shopId), eq(warehouses.isDefault, true)));
  const [found] = await find();
  if (found) return toWarehouse(found);
  await db
    .insert(warehouses)
    .values({ id: newId('wh'), shopId, name: 'Default warehouse', address: null, isDefault: true, createdAt: clock.now() })
    .onConflictDoNothing();
  const [row] = await find();
  return toWarehouse(row!);
}

export async function createWarehouse(
  db: Db,
  clock: Clock,
  shopId: string | null,
  input: { name: string; address?: Address | null },
): Promise<Warehouse> {
  const name = input.name.replace(/\s+/g, ' ').trim();
  if (!name || name.length > 100) {
    throw badRequest('validation_failed', 'Warehouse name is 1–100 characters', [{ field: '/name', rule: 'length' }]);
  }
  const [row] = await db
    .insert(warehouses)
    .values({ id: newId('wh'), shopId, name, address: input.address ?? null, isDefault: false, createdAt: clock.now() })
    .returning();
  return toWarehouse(row!);
}

export async function getWarehouse(db: Db, id: string): Promise<Warehouse> {
  const [row] = await db.select().from(warehouses).where(eq(warehouses.id, id));
  if (!row) throw notFound('Warehouse', id);
  return toWarehouse(row);
}

/** A shop's warehouses (`shopId` null: the platform's), oldest first, paginated by id. */
export async function listWarehouses(
  db: Db,
  shopId: string | null,
  opts: { limit?: number; cursor?: string } = {},
): Promise<{ data: Warehouse[]; next_cursor: string | null }> {
  const limit = opts.limit ?? 20;
  const list = await db
    .select()
    .from(warehouses)
    .where(and(shopId === null ? isNull(warehouses.shopId) : eq(warehouses.shopId, shopId), opts.cursor ? gt(warehouses.id, opts.cursor) : undefined))
    .orderBy(asc(warehouses.id))
    .limit(limit + 1);
  const more = list.length > limit;
  const data = list.slice(0, limit).map(toWarehouse);
  return { data, next_cursor: more ? data[data.length - 1]!.id : null };
}

// ---------------------------------------------------------------------------------------------
// Stock
// ---------------------------------------------------------------------------------------------

function checkOnHand(onHand: number): void {
  if (!Number.isSafeInteger(onHand) || onHand < 0 || onHand > MAX_ON_HAND) {
    throw badRequest('validation_failed', `on_hand is a whole number from 0 to ${MAX_ON_HAND}`, [{ field: '/on_hand', rule: 'range' }]);
  }
}

/**
 * Sets the counted quantity of a SKU in a warehouse (creating the row). Refuses to go below
 * what is reserved (409 `stock_below_reserved`). The caller checks that SKU and warehouse
 * belong to the same shop.
 */
export async function setStock(db: Db, clock: Clock, skuId: string, warehouseId: string, onHand: number): Promise<StockLevel> {
  checkOnHand(onHand);
  const now = clock.now();
  const [row] = await db
    .insert(stock)
    .values({ skuId, warehouseId, onHand, reserved: 0, updatedAt: now })
    .onConflictDoUpdate({
      target: [stock.skuId, stock.warehouseId],
      set: { onHand, updatedAt: now },
      setWhere: sql`${stock.reserved} <= ${onHand}`,
    })
    .returning();
  if (row) return toStockLevel(row);
  const [current] = await db.select().from(stock).where(and(eq(stock.skuId, skuId), eq(stock.warehouseId, warehouseId)));
  throw conflict('stock_below_reserved', 'on_hand cannot be set below the quantity reserved for open checkouts', {
    sku_id: skuId,
    warehouse_id: warehouseId,
    reserved: current?.reserved ?? 0,
    requested: onHand,
  });
}

/** Stock rows for SKUs that have none yet in those warehouses (a new product's), in one insert. */
export async function addStock(db: Db, clock: Clock, items: Array<{ skuId: string; warehouseId: string; onHand: number }>): Promise<void> {
  if (items.length === 0) return;
  for (const i of items) checkOnHand(i.onHand);
  const now = clock.now();
  await db.insert(stock).values(items.map((i) => ({ skuId: i.skuId, warehouseId: i.warehouseId, onHand: i.onHand, reserved: 0, updatedAt: now })));
}

/** Per-warehouse stock rows of a SKU, in warehouse order. */
export async function getStockLevels(db: Db, skuId: string): Promise<StockLevel[]> {
  const list = await db.select().from(stock).where(eq(stock.skuId, skuId)).orderBy(asc(stock.warehouseId));
  return list.map(toStockLevel);
}

/** Sellable quantity per SKU: the sum over warehouses of on_hand − reserved (0 when unknown). */
export async function getAvailability(db: Db, skuIds: string[]): Promise<Map<string, number>> {
  const result = new Map<string, number>(skuIds.map((id) => [id, 0]));
  if (skuIds.length === 0) return result;
  const sums = await db
    .select({ skuId: stock.skuId, available: sql<number>`sum(${stock.onHand} - ${stock.reserved})::int` })
    .from(stock)
    .where(inArray(stock.skuId, [...new Set(skuIds)]))
    .groupBy(stock.skuId);
  for (const s of sums) result.set(s.skuId, Number(s.available));
  return result;
}

// ---------------------------------------------------------------------------------------------
// Reservations
// ---------------------------------------------------------------------------------------------

export interface ReserveItem {
  sku_id: string;
  quantity: number;
}

function checkHolder(holder: string): void {
  if (typeof holder !== 'string' || holder.length === 0 || holder.length > 200) {
    throw badRequest('invalid_holder', 'A reservation holder is an id of 1–200 characters');
  }
}

/**
 * Holds stock for `holder` (a checkout or payment id) for `ttlMs`, all or nothing. Items of the
 * same SKU are merged; SKUs are taken in sorted order (no deadlocks between checkouts). Each
 * item is taken from one warehouse, the one with the most available, by one conditional update.
 * If any item cannot be satisfied: 409 `out_of_stock` with `{ sku_id, requested, available }`,
 * where `available` is the most one reservation can take now; nothing stays reserved (this runs
 * in a transaction, a savepoint inside the caller's). Schedules the expiry job at the deadline.
 */
export async function reserveStock(tx: Db, clock: Clock, holder: string, items: ReserveItem[], ttlMs: number): Promise<void> {
  checkHolder(holder);
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw badRequest('invalid_ttl', 'ttlMs is a positive whole number of milliseconds');
  const wanted = new Map<string, number>();
  for (const item of items) {
    if (typeof item.sku_id !== 'string' || !Number.isSafeInteger(item.quantity) || item.quantity <= 0 || item.quantity > MAX_QUANTITY) {
      throw badRequest('invalid_quantity', `Quantities are whole numbers from 1 to ${MAX_QUANTITY}`, { sku_id: item.sku_id });
    }
    wanted.set(item.sku_id, (wanted.get(item.sku_id) ?? 0) + item.quantity);
  }
  if (wanted.size === 0) return;
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + ttlMs);
  const sorted = [...wanted].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  await tx.transaction(async (t) => {
    const held: Array<typeof reservations.$inferInsert> = [];
    for (const [skuId, quantity] of sorted) {
      const warehouseId = await takeFromBestWarehouse(t, skuId, quantity, now);
      held.push({ id: newId('res'), holder, skuId, warehouseId, quantity, status: 'active', expiresAt, createdAt: now });
    }
    await t.insert(reservations).values(held);
    await enqueue(t, clock, EXPIRE_JOB, { holder }, { runAt: expiresAt, uniqueKey: `${EXPIRE_JOB}:${holder}` });
  });
}

/** One conditional update on the warehouse with the most available; retried if a racer won it. */
async function takeFromBestWarehouse(tx: Db, skuId: string, quantity: number, now: Date): Promise<string> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const [taken] = await rows<{ warehouse_id: string }>(
      tx,
      sql`update stock set reserved = reserved + ${quantity}, updated_at = ${now}
          where sku_id = ${skuId} and on_hand - reserved >= ${quantity}
            and warehouse_id = (select warehouse_id from stock where sku_id = ${skuId} and on_hand - reserved >= ${quantity}
                                order by on_hand - reserved desc, warehouse_id limit 1)
          returning warehouse_id`,
    );
    if (taken) return taken.warehouse_id;
    // Nothing taken: no warehouse has enough, or a concurrent reservation got the chosen row
    // first (then a fresh look may find another, or the same one still with enough).
    const [best] = await rows<{ best: number }>(
      tx,
      sql`select coalesce(max(on_hand - reserved), 0)::int as best from stock where sku_id = ${skuId}`,
    );
    if ((best?.best ?? 0) < quantity) throw outOfStock(skuId, quantity, best?.best ?? 0);
  }
  throw outOfStock(skuId, quantity, 0);
}

const outOfStock = (skuId: string, requested: number, available: number) =>
  conflict('out_of_stock', 'Not enough stock for this item', { sku_id: skuId, requested, available: Math.max(0, available) });

/**
 * Moves the holder's reservations in status `from` to `to` (locking them in id order, so a
 * concurrent settle of the same holder waits and then finds nothing), then applies the stock
 * change per (sku, warehouse) in sorted order. Returns how many reservations moved.
 */
async function settle(
  db: Db,
  clock: Clock,
  holder: string,
  from: ReservationStatus,
  to: ReservationStatus,
  stockChange: (q: number) => { onHand: number; reserved: number },
  dueBy?: Date,
): Promise<number> {
  checkHolder(holder);
  const now = clock.now();
  return db.transaction(async (tx) => {
    const moved = await rows<{ sku_id: string; warehouse_id: string; quantity: number }>(
      tx,
      sql`update reservations set status = ${to}, settled_at = ${now}
          where id in (select id from reservations
                       where holder = ${holder} and status = ${from} ${dueBy ? sql`and expires_at <= ${dueBy}` : sql``}
                       order by id for update)
          returning sku_id, warehouse_id, quantity`,
    );
    const byRow = new Map<string, { sku: string; wh: string; q: number }>();
    for (const r of moved) {
      const key = `${r.sku_id}\u0000${r.warehouse_id}`;
      const cur = byRow.get(key) ?? { sku: r.sku_id, wh: r.warehouse_id, q: 0 };
      cur.q += r.quantity;
      byRow.set(key, cur);
    }
    for (const key of [...byRow.keys()].sort()) {
      const { sku, wh, q } = byRow.get(key)!;
      const d = stockChange(q);
      await tx.execute(
        sql`update stock set on_hand = on_hand + ${d.onHand}, reserved = reserved + ${d.reserved}, updated_at = ${now}
            where sku_id = ${sku} and warehouse_id = ${wh}`,
      );
    }
    return moved.length;
  });
}

/**
 * Payment captured: the holder's active reservations leave the warehouse (on_hand and reserved
 * both drop). Returns how many were committed: 0 means none was active any more (expired or
 * released), which the caller must treat as "stock no longer held".
 */
export function commitReservations(tx: Db, clock: Clock, holder: string): Promise<number> {
  return settle(tx, clock, holder, 'active', 'committed', (q) => ({ onHand: -q, reserved: -q }));
}

/** Declined, abandoned or cancelled before payment: the held stock is available again. Idempotent. */
export function releaseReservations(tx: Db, clock: Clock, holder: string, status: 'released' | 'expired' = 'released'): Promise<number> {
  return settle(tx, clock, holder, 'active', status, (q) => ({ onHand: 0, reserved: -q }));
}

/** Cancelled after payment but before shipping: committed quantities go back on the shelf. Idempotent. */
export function restockCommitted(tx: Db, clock: Clock, holder: string): Promise<number> {
  return settle(tx, clock, holder, 'committed', 'restocked', (q) => ({ onHand: q, reserved: 0 }));
}

export interface Reservation {
  id: string;
  holder: string;
  sku_id: string;
  warehouse_id: string;
  quantity: number;
  status: ReservationStatus;
  expires_at: string;
  created_at: string;
  settled_at: string | null;
}

/** The reservations of a holder, oldest first. */
export async function getReservations(db: Db, holder: string): Promise<Reservation[]> {
  const list = await db.select().from(reservations).where(eq(reservations.holder, holder)).orderBy(asc(reservations.id));
  return list.map((r) => ({
    id: r.id,
    holder: r.holder,
    sku_id: r.skuId,
    warehouse_id: r.warehouseId,
    quantity: r.quantity,
    status: r.status,
    expires_at: r.expiresAt.toISOString(),
    created_at: r.createdAt.toISOString(),
    settled_at: r.settledAt?.toISOString() ?? null,
  }));
}

/** Expires every active reservation whose deadline has passed on the clock; returns how many. */
export async function expireDueReservations(db: Db, clock: Clock, batch = 500): Promise<number> {
  const now = clock.now();
  let total = 0;
  for (;;) {
    const holders = await rows<{ holder: string }>(
      db,
      sql`select distinct holder from reservations where status = 'active' and expires_at <= ${now} order by holder limit ${batch}`,
    );
    for (const { holder } of holders) {
      total += await settle(db, clock, holder, 'active', 'expired', (q) => ({ onHand: 0, reserved: -q }), now);
    }
    if (holders.length < batch) return total;
  }
}

/** The expiry job: `reserveStock` schedules one per holder at its deadline; each run sweeps all due. */
export function registerInventoryJobs(jobs: JobRunner, clock: Clock): void {
  jobs.register(EXPIRE_JOB, async (tx) => {
    await expireDueReservations(tx, clock);
  });
}
