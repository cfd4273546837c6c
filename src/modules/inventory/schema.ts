import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { skus } from '../catalog/schema.js';
import { shops } from '../sellers/schema.js';
import type { Address } from '../../platform/address.js';
import { requiredRef, timestamps, timestamptz } from '../../platform/columns.js';

/** Where stock sits. `shop_id` null = a platform warehouse (managed fulfilment). */
export const warehouses = pgTable(
  'warehouses',
  {
    id: text('id').primaryKey(),
    shopId: text('shop_id').references(() => shops.id),
    name: text('name').notNull(),
    address: jsonb('address').$type<Address>(),
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [
    index('warehouses_shop_idx').on(t.shopId, t.id),
    uniqueIndex('warehouses_one_default_idx').on(t.shopId).where(sql`${t.isDefault}`),
    // NULLs are distinct in the index above: one default platform warehouse needs its own.
    uniqueIndex('warehouses_one_platform_default_idx').on(t.isDefault).where(sql`${t.shopId} is null and ${t.isDefault}`),
  ],
);

/** Stock of one SKU in one warehouse. `available` = on_hand − reserved, never negative. */
export const stock = pgTable(
  'stock',
  {
    skuId: requiredRef('sku_id', () => skus.id),
    warehouseId: requiredRef('warehouse_id', () => warehouses.id),
    onHand: integer('on_hand').notNull().default(0),
    reserved: integer('reserved').notNull().default(0),
    updatedAt: timestamptz('updated_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.skuId, t.warehouseId] }),
    check('stock_quantities', sql`${t.reserved} >= 0 and ${t.onHand} >= ${t.reserved}`),
  ],
);

export const RESERVATION_STATUSES = ['active', 'committed', 'released', 'expired', 'restocked'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

/**
 * Stock held for a holder (a checkout or payment id) until it is committed (paid), released
 * (declined, cancelled) or expired. No foreign keys on purpose: a key-share lock on a hot SKU
 * row from every concurrent reservation would serialise a flash sale on multixacts.
 */
export const reservations = pgTable(
  'reservations',
  {
    id: text('id').primaryKey(),
    holder: text('holder').notNull(),
    skuId: text('sku_id').notNull(),
    warehouseId: text('warehouse_id').notNull(),
    quantity: integer('quantity').notNull(),
    status: text('status', { enum: RESERVATION_STATUSES }).notNull().default('active'),
    expiresAt: timestamptz('expires_at').notNull(),
    createdAt: timestamptz('created_at').notNull(),
    settledAt: timestamptz('settled_at'),
    /**
     * Committed, but its quantity is still counted in the stock row's `on_hand` and `reserved`
     * (both too high by it, so `available` is exact): the fold job subtracts it in a batch, so a
     * payment never locks the hot stock row a second time (decision 006).
     */
    foldPending: boolean('fold_pending').notNull().default(false),
    /**
     * The stock hold this reservation was drawn from (its holder, e.g. a live session), or null
     * for general stock. Released or expired, it goes back to that hold while the hold is open.
     */
    pool: text('pool'),
  },
  (t) => [
    index('reservations_holder_idx').on(t.holder),
    index('reservations_due_idx').on(t.status, t.expiresAt),
    index('reservations_fold_pending_idx').on(t.skuId, t.warehouseId).where(sql`${t.foldPending}`),
    check('reservations_quantity_positive', sql`${t.quantity} > 0`),
  ],
);

export const HOLD_STATUSES = ['open', 'closed'] as const;
export type HoldStatus = (typeof HOLD_STATUSES)[number];

/**
 * Stock set aside for a holder (a live session's flash-sale allotment), one row per (holder,
 * SKU), taken from one warehouse. `remaining` is counted in that stock row's `reserved`, so
 * ordinary reservations cannot take it; reservations naming the holder as their `pool` draw from
 * `remaining` (one conditional update: never below zero) and give back to it when released or
 * expired. `quantity` is what was set aside in total. Closing the hold returns `remaining` to
 * general stock. No foreign keys (hot rows, module edges: see `reservations`).
 */
export const stockHolds = pgTable(
  'stock_holds',
  {
    holder: text('holder').notNull(),
    skuId: text('sku_id').notNull(),
    warehouseId: text('warehouse_id').notNull(),
    quantity: integer('quantity').notNull(),
    remaining: integer('remaining').notNull(),
    status: text('status', { enum: HOLD_STATUSES }).notNull().default('open'),
    ...timestamps(),
    closedAt: timestamptz('closed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.holder, t.skuId] }),
    check('stock_holds_quantities', sql`${t.remaining} >= 0 and ${t.remaining} <= ${t.quantity}`),
  ],
);
