import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { timestamps } from '../../platform/columns.js';

/**
 * Where a cart line came from, written by the server only (cart/attribution.ts): the video or
 * live the buyer came from when it held at the click, the payee known then (`creator_id`), and
 * the time of the click (`clicked_at`, ISO). Order items keep `video_id`/`live_id`/`creator_id`
 * as checkout proved them; `creator_id` there is who settlement pays.
 */
export interface CartSource {
  video_id?: string;
  live_id?: string;
  creator_id?: string;
  clicked_at?: string;
}

/**
 * One line per (buyer, SKU). Prices are never stored here: the cart and checkout price every
 * line from the catalog. No foreign keys into other modules' tables (see decision 005).
 */
export const cartItems = pgTable(
  'cart_items',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    skuId: text('sku_id').notNull(),
    quantity: integer('quantity').notNull(),
    source: jsonb('source').$type<CartSource>().notNull().default({}),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('cart_items_user_sku_idx').on(t.userId, t.skuId),
    index('cart_items_user_idx').on(t.userId, t.id),
    check('cart_items_quantity', sql`${t.quantity} between 1 and 99`),
  ],
);
