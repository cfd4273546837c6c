import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { timestamps } from '../../platform/columns.js';

/**
 * A buyer's rating (1–5) and optional text for one delivered order item; one per item. `order_id`,
 * `product_id`, `shop_id`, `buyer_id` carry no foreign key into other modules' tables.
 */
export const reviews = pgTable(
  'reviews',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull(),
    orderItemId: text('order_item_id').notNull(),
    productId: text('product_id').notNull(),
    shopId: text('shop_id').notNull(),
    buyerId: text('buyer_id').notNull(),
    rating: integer('rating').notNull(),
    text: text('text').notNull().default(''),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('reviews_order_item_idx').on(t.orderItemId),
    index('reviews_product_idx').on(t.productId, t.id),
    index('reviews_shop_idx').on(t.shopId, t.createdAt),
    check('reviews_rating', sql`${t.rating} between 1 and 5`),
  ],
);
