import type { Static } from '@sinclair/typebox';
import { and, asc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import { rows, type Db } from '../../platform/db.js';
import { pageById } from '../../platform/pagination.js';
import { badRequest, conflict, notFound } from '../../platform/errors.js';
import { plainName } from '../../platform/text.js';
import { newId } from '../../platform/ids.js';
import { enqueue, type JobRunner } from '../../platform/jobs.js';
import { jobs } from '../../platform/schema.js';
import type { Address } from '../../platform/address.js';
import { reservations, stock, stockHolds, warehouses, type HoldStatus, type ReservationStatus } from './schema.js';
import type { StockLevelOut, WarehouseOut } from './views.js';

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
 *
 * Hot SKU (decision 006): a reservation locks the stock row for ONE autocommitted statement
 * (the conditional update, the reservation row and its expiry job together); a payment marks
 * the reservation committed without touching the stock row (`fold_pending`), and the fold job
 * subtracts committed quantities from `on_hand` and `reserved` in one update per stock row.
 * Until then both columns are too high by the same amount, so `available` is always exact;
 * reads of on_hand/reserved (`getStockLevels`) report the folded figures.
 */

export const EXPIRE_JOB = 'inventory.expire_reservations';
export const FOLD_JOB = 'inventory.fold_committed';
const MAX_QUANTITY = 1_000_000;
const MAX_ON_HAND = 1_000_000_000;

export type Warehouse = Static<typeof WarehouseOut>;

export type StockLevel = Static<typeof StockLevelOut>;

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

/**
 * The shop's default warehouse (`shopId` null: the platform's, for managed shops), created on
 * first use (safe when two requests race).
 */
export async function ensureDefaultWarehouse(db: Db, clock: Clock, shopId: string | null): Promise<Warehouse> {
  const owner = shopId === null ? isNull(warehouses.shopId) : eq(warehouses.shopId, shopId);
  const find = () => db.select().from(warehouses).where(and(owner, eq(warehouses.isDefault, true)));
  const [found] = await find();
  if (found) return toWarehouse(found);
  const name = shopId === null ? 'Platform warehouse' : 'Default warehouse';
  await db
    .insert(warehouses)
    .values({ id: newId('wh'), shopId, name, address: null, isDefault: true, createdAt: clock.now() })
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
  const name = plainName(input.name, 'name', 100);
  const [row] = await db
    .insert(warehouses)
    .values({ id: newId('wh'), shopId, name, address: input.address ?? null, isDefault: false, createdAt: clock.now() })
    .returning();
  return toWarehouse(row!);
}

/** Creates these warehouses of a shop one by one in the caller's transaction (a seller application's, on approval). */
export async function createWarehouses(db: Db, clock: Clock, shopId: string, list: Array<{ name: string; address?: Address | null }>): Promise<void> {
  for (const w of list) await createWarehouse(db, clock, shopId, w);
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
  const owner = shopId === null ? isNull(warehouses.shopId) : eq(warehouses.shopId, shopId);
  const { rows: found, next_cursor } = await pageById(db, warehouses, { ...opts, prefix: 'wh', order: 'oldest', where: [owner] });
  return { data: found.map(toWarehouse), next_cursor };
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
  // The counted quantity excludes units already sold: fold those out of the row first.
  await foldStockRow(db, clock, skuId, warehouseId);
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

/**
 * Goods arrived (an inbound shipment received, a return put back on the shelf): on_hand grows by
 * each quantity, creating the stock row when needed. Rows are touched in (sku, warehouse) order.
 */
export async function receiveStock(db: Db, clock: Clock, items: Array<{ skuId: string; warehouseId: string; quantity: number }>): Promise<void> {
  const sorted = [...items].sort((a, b) => (a.skuId + a.warehouseId < b.skuId + b.warehouseId ? -1 : 1));
  const now = clock.now();
  for (const i of sorted) {
    checkOnHand(i.quantity);
    await db
      .insert(stock)
      .values({ skuId: i.skuId, warehouseId: i.warehouseId, onHand: i.quantity, reserved: 0, updatedAt: now })
      .onConflictDoUpdate({ target: [stock.skuId, stock.warehouseId], set: { onHand: sql`${stock.onHand} + ${i.quantity}`, updatedAt: now } });
  }
}

/** Per-warehouse stock rows of a SKU, in warehouse order, with committed quantities not yet folded taken out. */
export async function getStockLevels(db: Db, skuId: string): Promise<StockLevel[]> {
  const [list, pending] = await Promise.all([
    db.select().from(stock).where(eq(stock.skuId, skuId)).orderBy(asc(stock.warehouseId)),
    pendingFolds(db, skuId),
  ]);
  return list.map((s) => {
    const q = pending.get(s.warehouseId) ?? 0;
    return toStockLevel({ ...s, onHand: s.onHand - q, reserved: s.reserved - q });
  });
}

/** Committed quantities of a SKU still counted in its stock rows, per warehouse. */
async function pendingFolds(db: Db, skuId: string): Promise<Map<string, number>> {
  const list = await rows<{ warehouse_id: string; quantity: number }>(
    db,
    sql`select warehouse_id, sum(quantity)::int as quantity from reservations
        where fold_pending and sku_id = ${skuId} group by warehouse_id`,
  );
  return new Map(list.map((r) => [r.warehouse_id, r.quantity]));
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
  /**
   * A stock hold's holder (e.g. a live session id). While that holder has an open hold on the
   * SKU, the item is taken from the hold and only from it; otherwise from general stock.
   */
  pool?: string;
}

function checkHolder(holder: string): void {
  if (typeof holder !== 'string' || holder.length === 0 || holder.length > 200) {
    throw badRequest('invalid_holder', 'A reservation holder is an id of 1–200 characters');
  }
}

/**
 * Holds stock for `holder` (a checkout or payment id) for `ttlMs`, all or nothing. Items of the
 * same SKU are merged; SKUs are taken in sorted order (no deadlocks between checkouts). Each
 * item is taken from one warehouse, the one with the most available, by ONE statement that
 * updates the stock row, inserts the reservation and schedules its expiry job: outside a
 * transaction it commits on its own, so a hot stock row is locked only while it runs.
 * If any item cannot be satisfied: 409 `out_of_stock` with `{ sku_id, requested, available }`,
 * where `available` is the most one reservation can take now, and what this call had already
 * taken is released again (compensation; if the process dies first, the expiry job does it).
 */
export async function reserveStock(db: Db, clock: Clock, holder: string, items: ReserveItem[], ttlMs: number): Promise<void> {
  checkHolder(holder);
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) throw badRequest('invalid_ttl', 'ttlMs is a positive whole number of milliseconds');
  const wanted = new Map<string, { skuId: string; pool: string | null; quantity: number }>();
  for (const item of items) {
    if (typeof item.sku_id !== 'string' || !Number.isSafeInteger(item.quantity) || item.quantity <= 0 || item.quantity > MAX_QUANTITY) {
      throw badRequest('invalid_quantity', `Quantities are whole numbers from 1 to ${MAX_QUANTITY}`, { sku_id: item.sku_id });
    }
    const pool = item.pool ?? null;
    const key = `${item.sku_id}\u0000${pool ?? ''}`;
    const cur = wanted.get(key) ?? { skuId: item.sku_id, pool, quantity: 0 };
    cur.quantity += item.quantity;
    wanted.set(key, cur);
  }
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + ttlMs);
  const sorted = [...wanted].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, w]) => w);
  let taken = 0;
  try {
    for (const { skuId, pool, quantity } of sorted) {
      const take = { holder, skuId, quantity, now, expiresAt };
      if (!pool || !(await takeFromHold(db, take, pool))) await takeFromBestWarehouse(db, take);
      taken++;
    }
  } catch (e) {
    if (taken > 0) await releaseReservations(db, clock, holder);
    throw e;
  }
}

interface Take {
  holder: string;
  skuId: string;
  quantity: number;
  now: Date;
  expiresAt: Date;
}

/**
 * One conditional update on the warehouse with the most available, together with the
 * reservation row and the holder's expiry job (one statement: atomic without a transaction).
 * Retried if a racer won the chosen row.
 */
async function takeFromBestWarehouse(db: Db, t: Take): Promise<void> {
  const { skuId, quantity, now } = t;
  for (let attempt = 0; attempt < 10; attempt++) {
    const held = await reserveTaken(
      db,
      t,
      null,
      sql`update stock set reserved = reserved + ${quantity}, updated_at = ${now}
          where sku_id = ${skuId} and on_hand - reserved >= ${quantity}
            and warehouse_id = (select warehouse_id from stock where sku_id = ${skuId} and on_hand - reserved >= ${quantity}
                                order by on_hand - reserved desc, warehouse_id limit 1)
          returning warehouse_id`,
    );
    if (held) return;
    // Nothing taken: no warehouse has enough, or a concurrent reservation got the chosen row
    // first (then a fresh look may find another, or the same one still with enough).
    const [best] = await rows<{ best: number }>(
      db,
      sql`select coalesce(max(on_hand - reserved), 0)::int as best from stock where sku_id = ${skuId}`,
    );
    if ((best?.best ?? 0) < quantity) throw outOfStock(skuId, quantity, best?.best ?? 0);
  }
  throw outOfStock(skuId, quantity, 0);
}

/**
 * Draws from `pool`'s open hold on the SKU: ONE statement lowers the hold's `remaining` (never
 * below zero) and inserts the reservation naming the pool, with the holder's expiry job. The
 * stock row is not touched: the units move from the hold to the reservation, both counted in
 * `reserved`. Returns false when the pool has no open hold on the SKU (take general stock);
 * 409 `out_of_stock` when it has one without enough left.
 */
async function takeFromHold(db: Db, t: Take, pool: string): Promise<boolean> {
  const { skuId, quantity, now } = t;
  const held = await reserveTaken(
    db,
    t,
    pool,
    sql`update stock_holds set remaining = remaining - ${quantity}, updated_at = ${now}
        where holder = ${pool} and sku_id = ${skuId} and status = 'open' and remaining >= ${quantity}
        returning warehouse_id`,
  );
  if (held) return true;
  const [hold] = await db
    .select({ status: stockHolds.status, remaining: stockHolds.remaining })
    .from(stockHolds)
    .where(and(eq(stockHolds.holder, pool), eq(stockHolds.skuId, skuId)));
  if (hold?.status !== 'open') return false;
  throw outOfStock(skuId, quantity, hold.remaining);
}

/**
 * Runs `take` (an update returning the warehouse_id it took from, or nothing) and, in the same
 * statement, for what it took: the reservation row (drawing from `pool`, if any) and the
 * holder's expiry job. Returns the reservation's warehouse, or undefined when nothing was taken.
 */
async function reserveTaken(db: Db, t: Take, pool: string | null, take: SQL): Promise<{ warehouse_id: string } | undefined> {
  const { holder, skuId, quantity, now, expiresAt } = t;
  const [held] = await rows<{ warehouse_id: string }>(
    db,
    sql`with taken as (${take}), held as (
          insert into reservations (id, holder, sku_id, warehouse_id, quantity, status, expires_at, created_at, pool)
          select ${newId('res')}, ${holder}, ${skuId}, warehouse_id, ${quantity}, 'active', ${expiresAt}, ${now}, ${pool} from taken
          returning warehouse_id
        ), expiry as (
          insert into ${jobs} (id, type, payload, run_at, max_attempts, unique_key, created_at)
          select ${newId('job')}, ${EXPIRE_JOB}, ${JSON.stringify({ holder })}::jsonb, ${expiresAt}, 5, ${`${EXPIRE_JOB}:${holder}`}, ${now} from taken
          on conflict do nothing
        )
        select warehouse_id from held`,
  );
  return held;
}

const outOfStock = (skuId: string, requested: number, available: number) =>
  conflict('out_of_stock', 'Not enough stock for this item', { sku_id: skuId, requested, available: Math.max(0, available) });

type StockChange = (q: number, foldPending: boolean) => { onHand: number; reserved: number };

/**
 * Moves the holder's reservations in status `from` to `to` (locking them in id order, so a
 * concurrent settle of the same holder waits and then finds nothing), gives released or expired
 * units drawn from an open hold back to it, then applies the stock change per (sku, warehouse)
 * in sorted order (lock order: reservations → holds → stock). Returns how many moved.
 * A moved reservation is no longer fold-pending: its stock change here accounts for that.
 */
async function settle(
  db: Db,
  clock: Clock,
  holder: string,
  from: ReservationStatus,
  to: ReservationStatus,
  stockChange: StockChange,
  dueBy?: Date,
): Promise<number> {
  checkHolder(holder);
  const now = clock.now();
  return db.transaction(async (tx) => {
    // `old` reads the row as it was before this update (fold_pending as found under the lock).
    const moved = await rows<{ sku_id: string; warehouse_id: string; quantity: number; fold_pending: boolean; pool: string | null }>(
      tx,
      sql`update reservations r set status = ${to}, settled_at = ${now}, fold_pending = false
          from (select id, fold_pending from reservations
                where holder = ${holder} and status = ${from} ${dueBy ? sql`and expires_at <= ${dueBy}` : sql``}
                order by id for update) old
          where r.id = old.id
          returning r.sku_id, r.warehouse_id, r.quantity, old.fold_pending, r.pool`,
    );
    // Released or expired units drawn from a hold go back to it while it is open (the stock
    // row keeps counting them as reserved); to general stock once it is closed.
    const givenBack = new Set<number>();
    if (to === 'released' || to === 'expired') {
      const pooled = moved.map((r, i) => ({ ...r, i })).filter((r) => r.pool !== null);
      pooled.sort((a, b) => (a.pool! + a.sku_id < b.pool! + b.sku_id ? -1 : 1));
      for (const r of pooled) {
        const back = await rows<{ sku_id: string }>(
          tx,
          sql`update stock_holds set remaining = remaining + ${r.quantity}, updated_at = ${now}
              where holder = ${r.pool} and sku_id = ${r.sku_id} and warehouse_id = ${r.warehouse_id} and status = 'open'
              returning sku_id`,
        );
        if (back.length > 0) givenBack.add(r.i);
      }
    }
    const byRow = new Map<string, { sku: string; wh: string; onHand: number; reserved: number }>();
    moved.forEach((r, i) => {
      if (givenBack.has(i)) return;
      const key = `${r.sku_id}\u0000${r.warehouse_id}`;
      const cur = byRow.get(key) ?? { sku: r.sku_id, wh: r.warehouse_id, onHand: 0, reserved: 0 };
      const d = stockChange(r.quantity, r.fold_pending);
      cur.onHand += d.onHand;
      cur.reserved += d.reserved;
      byRow.set(key, cur);
    });
    for (const key of [...byRow.keys()].sort()) {
      const { sku, wh, onHand, reserved } = byRow.get(key)!;
      if (onHand === 0 && reserved === 0) continue;
      await tx.execute(
        sql`update stock set on_hand = on_hand + ${onHand}, reserved = reserved + ${reserved}, updated_at = ${now}
            where sku_id = ${sku} and warehouse_id = ${wh}`,
      );
    }
    return moved.length;
  });
}

/**
 * Payment captured: the holders' active reservations become `committed`. The stock row is NOT
 * touched (it stays out of the payment's transaction): the quantity is marked fold-pending and
 * `foldCommittedStock` later subtracts it from on_hand and reserved. Returns the holders that
 * had something committed; a holder missing from it had nothing active any more (expired or
 * released), which the caller must treat as "stock no longer held".
 */
export async function commitReservationsOf(tx: Db, clock: Clock, holders: string[]): Promise<Set<string>> {
  holders.forEach(checkHolder);
  if (holders.length === 0) return new Set();
  const committed = await rows<{ holder: string }>(
    tx,
    sql`update reservations set status = 'committed', settled_at = ${clock.now()}, fold_pending = true
        where holder in (${sql.join(holders.map((h) => sql`${h}`), sql`, `)}) and status = 'active'
        returning holder`,
  );
  return new Set(committed.map((r) => r.holder));
}

/** `commitReservationsOf` for one holder; returns how many reservations were committed. */
export async function commitReservations(tx: Db, clock: Clock, holder: string): Promise<number> {
  checkHolder(holder);
  const committed = await rows<{ id: string }>(
    tx,
    sql`update reservations set status = 'committed', settled_at = ${clock.now()}, fold_pending = true
        where holder = ${holder} and status = 'active' returning id`,
  );
  return committed.length;
}

/** Declined, abandoned or cancelled before payment: the held stock is available again. Idempotent. */
export function releaseReservations(tx: Db, clock: Clock, holder: string, status: 'released' | 'expired' = 'released'): Promise<number> {
  return settle(tx, clock, holder, 'active', status, (q) => ({ onHand: 0, reserved: -q }));
}

/**
 * Cancelled after payment but before shipping: committed quantities go back on the shelf.
 * Folded: on_hand grows back. Not folded yet: on_hand still counts it, only reserved drops.
 * Idempotent.
 */
export function restockCommitted(tx: Db, clock: Clock, holder: string): Promise<number> {
  return settle(tx, clock, holder, 'committed', 'restocked', (q, pending) => (pending ? { onHand: 0, reserved: -q } : { onHand: q, reserved: 0 }));
}

/**
 * Subtracts the fold-pending committed quantities of one stock row from its on_hand and
 * reserved, in ONE statement (reservation rows first, then the stock row: the module's lock
 * order). Rows locked by a concurrent restock are skipped (it settles them itself).
 * Returns the quantity folded.
 */
export async function foldStockRow(db: Db, clock: Clock, skuId: string, warehouseId: string): Promise<number> {
  const [r] = await rows<{ folded: number }>(
    db,
    sql`with f as (
          update reservations set fold_pending = false
          where id in (select id from reservations where fold_pending and sku_id = ${skuId} and warehouse_id = ${warehouseId}
                       order by id for update skip locked)
          returning quantity
        ), total as (select coalesce(sum(quantity), 0)::int as q from f),
        upd as (
          update stock set on_hand = on_hand - total.q, reserved = reserved - total.q, updated_at = ${clock.now()}
          from total where total.q > 0 and sku_id = ${skuId} and warehouse_id = ${warehouseId}
        )
        select q as folded from total`,
  );
  return r?.folded ?? 0;
}

/** The fold job's work: every stock row with fold-pending reservations, one statement each. Returns the quantity folded. */
export async function foldCommittedStock(db: Db, clock: Clock): Promise<number> {
  const pairs = await rows<{ sku_id: string; warehouse_id: string }>(
    db,
    sql`select distinct sku_id, warehouse_id from reservations where fold_pending order by sku_id, warehouse_id`,
  );
  let total = 0;
  for (const p of pairs) total += await foldStockRow(db, clock, p.sku_id, p.warehouse_id);
  return total;
}

const FOLD_EVERY_MS = 1000;
let lastFoldBucket = -1;

/**
 * Makes sure a fold job runs soon (at the end of the current second): one durable job per
 * second, whichever process enqueues it (unique key); this process enqueues each at most once.
 * Call it after the transaction that committed reservations: inside it, every concurrent
 * checkout would wait on the first one's uncommitted unique key. If the process dies before,
 * the next fold job folds these too (it folds everything pending) and `available` is exact anyway.
 */
export async function scheduleFold(db: Db, clock: Clock): Promise<void> {
  const bucket = Math.floor(clock.now().getTime() / FOLD_EVERY_MS);
  if (bucket === lastFoldBucket) return;
  lastFoldBucket = bucket;
  await enqueue(db, clock, FOLD_JOB, {}, { runAt: new Date((bucket + 1) * FOLD_EVERY_MS), uniqueKey: `${FOLD_JOB}:${bucket}` });
}

// ---------------------------------------------------------------------------------------------
// Stock holds (stock set aside for a holder; reservations draw from them by naming it as pool)
// ---------------------------------------------------------------------------------------------

export interface StockHold {
  holder: string;
  sku_id: string;
  warehouse_id: string;
  /** Set aside in total. */
  quantity: number;
  /** Not drawn by any reservation now (drawn = quantity − remaining: held by checkouts or sold). */
  remaining: number;
  status: HoldStatus;
}

const toHold = (h: typeof stockHolds.$inferSelect): StockHold => ({
  holder: h.holder,
  sku_id: h.skuId,
  warehouse_id: h.warehouseId,
  quantity: h.quantity,
  remaining: h.remaining,
  status: h.status,
});

/**
 * Sets how many units of a SKU are set aside for `holder` in total. A new hold takes them from
 * the warehouse with the most available; a raise takes more from the same warehouse (409
 * `out_of_stock` with the available quantity if there is not enough); a cut gives units back to
 * general stock, but never units already drawn (409 `allotment_in_use` with `drawn`). A closed
 * hold cannot change (409 `hold_closed`). Lock order: hold → stock row. Run it inside a
 * transaction that serialises writers of the same holder (the caller's lock): two first
 * holds of one (holder, SKU) racing would meet on the primary key.
 */
export async function setHold(tx: Db, clock: Clock, holder: string, skuId: string, quantity: number): Promise<StockHold> {
  checkHolder(holder);
  if (!Number.isSafeInteger(quantity) || quantity < 0 || quantity > MAX_QUANTITY) {
    throw badRequest('invalid_quantity', `Quantities are whole numbers from 0 to ${MAX_QUANTITY}`, { sku_id: skuId });
  }
  const now = clock.now();
  const [hold] = await tx
    .select()
    .from(stockHolds)
    .where(and(eq(stockHolds.holder, holder), eq(stockHolds.skuId, skuId)))
    .for('update');
  if (hold?.status === 'closed') throw conflict('hold_closed', 'This stock hold is closed', { sku_id: skuId });
  const delta = quantity - (hold?.quantity ?? 0);
  if (delta === 0) {
    return hold ? toHold(hold) : { holder, sku_id: skuId, warehouse_id: '', quantity: 0, remaining: 0, status: 'open' };
  }
  if (delta < 0 && hold!.remaining < -delta) {
    throw conflict('allotment_in_use', 'Units already taken by buyers cannot be taken back', {
      sku_id: skuId,
      drawn: hold!.quantity - hold!.remaining,
      requested: quantity,
    });
  }
  const [taken] = await rows<{ warehouse_id: string }>(
    tx,
    sql`update stock set reserved = reserved + ${delta}, updated_at = ${now}
        where sku_id = ${skuId} and on_hand - reserved >= ${Math.max(0, delta)}
          and warehouse_id = ${
            hold
              ? sql`${hold.warehouseId}`
              : sql`(select warehouse_id from stock where sku_id = ${skuId} and on_hand - reserved >= ${delta}
                     order by on_hand - reserved desc, warehouse_id limit 1)`
          }
        returning warehouse_id`,
  );
  if (!taken) {
    const [best] = await rows<{ best: number }>(
      tx,
      sql`select coalesce(max(on_hand - reserved), 0)::int as best from stock
          where sku_id = ${skuId} ${hold ? sql`and warehouse_id = ${hold.warehouseId}` : sql``}`,
    );
    throw outOfStock(skuId, delta, best?.best ?? 0);
  }
  const [row] = hold
    ? await tx
        .update(stockHolds)
        .set({ quantity: sql`${stockHolds.quantity} + ${delta}`, remaining: sql`${stockHolds.remaining} + ${delta}`, updatedAt: now })
        .where(and(eq(stockHolds.holder, holder), eq(stockHolds.skuId, skuId)))
        .returning()
    : await tx
        .insert(stockHolds)
        .values({ holder, skuId, warehouseId: taken.warehouse_id, quantity, remaining: quantity, status: 'open', createdAt: now, updatedAt: now })
        .returning();
  return toHold(row!);
}

/**
 * Closes every open hold of `holder`: what remains goes back to general stock (reserved drops).
 * Units drawn by open checkouts stay theirs; released later, they go to general stock too.
 * Idempotent. Returns the holds as closed (remaining 0) with what each gave back.
 */
export async function closeHolds(db: Db, clock: Clock, holder: string): Promise<Array<StockHold & { returned: number }>> {
  checkHolder(holder);
  const now = clock.now();
  return db.transaction(async (tx) => {
    const closed = await rows<{ sku_id: string; warehouse_id: string; quantity: number; returned: number }>(
      tx,
      sql`update stock_holds h set status = 'closed', remaining = 0, closed_at = ${now}, updated_at = ${now}
          from (select holder, sku_id, remaining from stock_holds where holder = ${holder} and status = 'open'
                order by sku_id for update) old
          where h.holder = old.holder and h.sku_id = old.sku_id
          returning h.sku_id, h.warehouse_id, h.quantity, old.remaining as returned`,
    );
    closed.sort((a, b) => (a.sku_id + a.warehouse_id < b.sku_id + b.warehouse_id ? -1 : 1));
    for (const c of closed) {
      if (c.returned === 0) continue;
      await tx.execute(
        sql`update stock set reserved = reserved - ${c.returned}, updated_at = ${now}
            where sku_id = ${c.sku_id} and warehouse_id = ${c.warehouse_id}`,
      );
    }
    return closed.map((c) => ({ holder, sku_id: c.sku_id, warehouse_id: c.warehouse_id, quantity: c.quantity, remaining: 0, status: 'closed' as const, returned: c.returned }));
  });
}

/** The holds of a holder (open and closed), by SKU. */
export async function getHolds(db: Db, holder: string): Promise<StockHold[]> {
  const list = await db.select().from(stockHolds).where(eq(stockHolds.holder, holder)).orderBy(asc(stockHolds.skuId));
  return list.map(toHold);
}

/**
 * What a reservation naming `pool` could take now, for the (pool, SKU) pairs that have an open
 * hold (keyed `pool + '\u0000' + sku`); pairs without one take general stock (`getAvailability`).
 */
export async function getPoolAvailability(db: Db, pairs: Array<{ pool: string; sku_id: string }>): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (pairs.length === 0) return out;
  const list = await db
    .select({ holder: stockHolds.holder, skuId: stockHolds.skuId, remaining: stockHolds.remaining })
    .from(stockHolds)
    .where(
      and(
        eq(stockHolds.status, 'open'),
        inArray(stockHolds.holder, [...new Set(pairs.map((p) => p.pool))]),
        inArray(stockHolds.skuId, [...new Set(pairs.map((p) => p.sku_id))]),
      ),
    );
  for (const h of list) out.set(poolKey(h.holder, h.skuId), h.remaining);
  return out;
}

export const poolKey = (pool: string, skuId: string) => `${pool}\u0000${skuId}`;

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

/**
 * The expiry job (`reserveStock` schedules one per holder at its deadline; each run sweeps all
 * due) and the fold job (`scheduleFold`; each run folds everything pending). The fold runs
 * outside a job transaction: each of its statements is atomic on its own and commits at once.
 */
export function registerInventoryJobs(runner: JobRunner, clock: Clock): void {
  runner.register(EXPIRE_JOB, async (tx) => {
    await expireDueReservations(tx, clock);
  });
  runner.register(
    FOLD_JOB,
    async (db) => {
      await foldCommittedStock(db, clock);
    },
    { transaction: false },
  );
}
