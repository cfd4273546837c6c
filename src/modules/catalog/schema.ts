import { sql } from 'drizzle-orm';
import { check, customType, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { shops } from '../sellers/schema.js';
import { minorUnits, requiredRef, timestamps, timestamptz } from '../../platform/columns.js';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const PRODUCT_STATUSES = ['draft', 'live', 'suspended'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];
export const SKU_STATUSES = ['active', 'archived'] as const;
export type SkuStatus = (typeof SKU_STATUSES)[number];

/** A listing of a shop. Prices live on its SKUs, in the product's currency (the shop's). */
export const products = pgTable(
  'products',
  {
    id: text('id').primaryKey(),
    shopId: requiredRef('shop_id', () => shops.id),
    title: text('title').notNull(),
    /** Plain text (HTML stripped on the way in). */
    description: text('description').notNull().default(''),
    /** Category slug, e.g. `camping-gear`. */
    category: text('category'),
    status: text('status', { enum: PRODUCT_STATUSES }).notNull().default('draft'),
    images: jsonb('images').$type<string[]>().notNull().default([]),
    optionNames: jsonb('option_names').$type<string[]>().notNull().default([]),
    currency: text('currency').notNull(),
    /** The creator's affiliate commission on this product's sales, set by the seller (0–5000 bps). */
    affiliateRateBps: integer('affiliate_rate_bps').notNull().default(0),
    /** Full-text document (PostgreSQL `simple` configuration), kept in sync by the database. */
    search: tsvector('search')
      .notNull()
      .generatedAlwaysAs(sql`to_tsvector('simple'::regconfig, title || ' ' || description || ' ' || coalesce(category, ''))`),
    ...timestamps(),
  },
  (t) => [
    index('products_shop_idx').on(t.shopId, t.id),
    index('products_status_idx').on(t.status, t.id),
    index('products_search_idx').using('gin', t.search),
    check('products_affiliate_rate', sql`${t.affiliateRateBps} between 0 and 5000`),
  ],
);

/** A sellable variant: one combination of the product's option values, with its price. */
export const skus = pgTable(
  'skus',
  {
    id: text('id').primaryKey(),
    productId: requiredRef('product_id', () => products.id),
    shopId: requiredRef('shop_id', () => shops.id),
    optionValues: jsonb('option_values').$type<string[]>().notNull().default([]),
    /** Minor units of the product's currency. */
    price: minorUnits('price').notNull(),
    compareAtPrice: minorUnits('compare_at_price'),
    /** The seller's own SKU code, unique per shop when set. */
    code: text('code'),
    status: text('status', { enum: SKU_STATUSES }).notNull().default('active'),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [
    index('skus_product_idx').on(t.productId),
    uniqueIndex('skus_product_options_idx').on(t.productId, t.optionValues),
    uniqueIndex('skus_shop_code_idx').on(t.shopId, t.code).where(sql`${t.code} is not null`),
    check('skus_price_positive', sql`${t.price} > 0 and (${t.compareAtPrice} is null or ${t.compareAtPrice} > 0)`),
  ],
);
