import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { shops } from '../sellers/schema.js';
import { requiredRef, timestamptz } from '../../platform/columns.js';

export const IMPORT_STATUSES = ['queued', 'running', 'done', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** One line of an import's report: a row or product that was skipped, and why. */
export interface ReportLine {
  row: number;
  handle: string;
  reason: string;
  message: string;
}

/**
 * A Shopify product export being imported into a shop as draft products. The file waits under
 * the data directory until the import is done. `rows_done` counts data rows whose products are
 * committed, so a job that stops resumes after them. `report` keeps the first 1000 lines.
 */
export const imports = pgTable(
  'imports',
  {
    id: text('id').primaryKey(),
    shopId: requiredRef('shop_id', () => shops.id),
    /** The member who uploaded it; null from the command line. */
    createdBy: text('created_by'),
    status: text('status', { enum: IMPORT_STATUSES }).notNull().default('queued'),
    fileName: text('file_name').notNull(),
    rowsTotal: integer('rows_total').notNull(),
    rowsDone: integer('rows_done').notNull().default(0),
    productsCreated: integer('products_created').notNull().default(0),
    productsSkipped: integer('products_skipped').notNull().default(0),
    variantsCreated: integer('variants_created').notNull().default(0),
    rowsSkipped: integer('rows_skipped').notNull().default(0),
    report: jsonb('report').$type<ReportLine[]>().notNull().default([]),
    error: text('error'),
    createdAt: timestamptz('created_at').notNull(),
    startedAt: timestamptz('started_at'),
    finishedAt: timestamptz('finished_at'),
  },
  (t) => [index('imports_shop_idx').on(t.shopId, t.id), check('imports_rows_done', sql`${t.rowsDone} between 0 and ${t.rowsTotal}`)],
);

/** Which product a source handle became in a shop (one product per handle and shop). */
export const importedProducts = pgTable(
  'imported_products',
  {
    shopId: requiredRef('shop_id', () => shops.id),
    handle: text('handle').notNull(),
    productId: text('product_id').notNull(),
    importId: requiredRef('import_id', () => imports.id),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.shopId, t.handle] })],
);
