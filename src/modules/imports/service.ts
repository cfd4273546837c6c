import type { Static } from '@sinclair/typebox';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import { type Db } from '../../platform/db.js';
import { pageById, rowById } from '../../platform/pagination.js';
import { AppError, conflict, forbidden, notFound } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { enqueue, type JobRunner } from '../../platform/jobs.js';
import { writePrivateFile } from '../../platform/uploads.js';
import { createProduct } from '../catalog/index.js';
import { getShop, requireShopMember } from '../sellers/index.js';
import { tryTransitionImport } from './lifecycle.js';
import { importedProducts, imports, type ReportLine } from './schema.js';
import { buildProduct, countRows, groupByHandle, readRows, type Row } from './shopify.js';
import { stockKeeper } from '../inventory/index.js';
import type { ImportOut, ImportSummaryOut } from './views.js';

/**
 * Shopify migration: a shop member uploads a product export; a job in its own lane imports it
 * in batches of whole products (one transaction per batch, each product in a savepoint), as
 * draft products with their variants, prices, stock in the default warehouse and image URLs.
 * Progress and a report of every skipped row or product are kept on the import.
 */

export const IMPORT_JOB = 'imports.run';
export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;
export const REPORT_LIMIT = 1000;
const IMPORT_ATTEMPTS = 3;
/** Rows per batch (a batch holds whole products, so it may be a little larger). */
const BATCH_ROWS = 250;

export type ImportSummary = Static<typeof ImportSummaryOut>;

export type ImportView = Static<typeof ImportOut>;

type ImportRow = typeof imports.$inferSelect;

const toSummary = (r: ImportRow): ImportSummary => ({
  id: r.id,
  shop_id: r.shopId,
  status: r.status,
  file_name: r.fileName,
  rows_total: r.rowsTotal,
  rows_done: r.rowsDone,
  products_created: r.productsCreated,
  products_skipped: r.productsSkipped,
  variants_created: r.variantsCreated,
  rows_skipped: r.rowsSkipped,
  error: r.error,
  created_at: r.createdAt.toISOString(),
  started_at: r.startedAt?.toISOString() ?? null,
  finished_at: r.finishedAt?.toISOString() ?? null,
});
const toView = (r: ImportRow): ImportView => ({ ...toSummary(r), report: r.report });

const importFile = (dataDir: string, id: string) => path.join(dataDir, 'imports', `${id}.csv`);

/** A file name to show: the base name, printable, at most 200 characters. */
function cleanFileName(name: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  const base = path.basename((name ?? '').replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  return base === '' ? 'products.csv' : base;
}

// ---------------------------------------------------------------------------------------------
// Starting

export interface CreateImportInput {
  shopId: string;
  /** The uploading member; null from the command line. */
  userId: string | null;
  fileName?: string;
  data: Buffer;
}

/**
 * Checks the file (UTF-8 CSV with Handle, Title and Variant Price columns and at least one row),
 * stores it under the data directory and records the import `queued`. With `enqueue` (the
 * default) the import job is queued with it; the command line runs `processImport` itself.
 */
export async function createImport(db: Db, clock: Clock, dataDir: string, input: CreateImportInput, opts: { enqueue?: boolean } = {}): Promise<ImportView> {
  const shop = await getShop(db, input.shopId);
  if (shop.mode === 'managed') throw forbidden('A managed shop lists through supply offers', 'managed_listing');
  const rowsTotal = await countRows(input.data);
  const id = newId('imp');
  await writePrivateFile(path.dirname(importFile(dataDir, id)), path.basename(importFile(dataDir, id)), input.data);
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(imports)
        .values({ id, shopId: shop.id, createdBy: input.userId, fileName: cleanFileName(input.fileName), rowsTotal, createdAt: clock.now() })
        .returning();
      if (opts.enqueue ?? true) await enqueue(tx, clock, IMPORT_JOB, { import_id: id }, { maxAttempts: IMPORT_ATTEMPTS });
      return toView(row!);
    });
  } catch (err) {
    await rm(importFile(dataDir, id), { force: true });
    throw err;
  }
}

/**
 * Asks for an import to run again: a failed one resumes after its last committed batch (its file
 * is kept); a queued or running one is left as it is; a finished one cannot (409 `import_finished`).
 */
export async function rerunImport(db: Db, clock: Clock, importId: string): Promise<ImportView> {
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(imports).where(eq(imports.id, importId)).for('update');
    if (!row) throw notFound('Import', importId);
    if (row.status === 'done') throw conflict('import_finished', 'This import has finished; upload the file again to import it again', { status: row.status });
    const again = await tryTransitionImport(tx, importId, 'rerun', { from: row.status, set: { error: null, finishedAt: null } });
    if (!again) return toView(row); // queued or running: left as it is
    await enqueue(tx, clock, IMPORT_JOB, { import_id: importId }, { maxAttempts: IMPORT_ATTEMPTS });
    return toView(again.row);
  });
}

// ---------------------------------------------------------------------------------------------
// Running

/** Another worker committed a batch of this import first (a job whose lease ran out): it carries on. */
class ImportTakenOver extends Error {}

interface Tally {
  rowsDone: number;
  productsCreated: number;
  productsSkipped: number;
  variantsCreated: number;
  rowsSkipped: number;
  report: ReportLine[];
}

/**
 * Imports one batch of products in one transaction (each product in its own savepoint, so one
 * the catalog refuses is reported and the others stay) and records the progress, only if
 * nobody else advanced it meanwhile. Returns the new progress.
 */
async function importBatch(db: Db, clock: Clock, row: ImportRow, currency: string, groups: Row[][], done: number): Promise<ImportRow> {
  return db.transaction(async (tx) => {
    const handles = groups.map((g) => g[0]!.handle).filter((h) => h !== '');
    const taken = new Set(
      handles.length === 0
        ? []
        : (await tx.select({ handle: importedProducts.handle }).from(importedProducts).where(and(eq(importedProducts.shopId, row.shopId), inArray(importedProducts.handle, handles)))).map((r) => r.handle),
    );
    const t: Tally = { rowsDone: done - row.rowsDone, productsCreated: 0, productsSkipped: 0, variantsCreated: 0, rowsSkipped: 0, report: [] };
    const skipProduct = (rows: Row[], reason: string, message: string, lines: ReportLine[] = []) => {
      t.productsSkipped += 1;
      t.rowsSkipped += rows.length;
      t.report.push(...lines, { row: rows[0]!.row, handle: rows[0]!.handle, reason, message });
    };
    for (const rows of groups) {
      const handle = rows[0]!.handle;
      if (handle !== '' && taken.has(handle)) {
        skipProduct(rows, 'handle_exists', `A product with handle "${handle}" was already imported into this shop`);
        continue;
      }
      const built = buildProduct(rows, currency);
      if (!built.product) {
        if (handle !== '') t.productsSkipped += 1;
        t.rowsSkipped += built.rowsSkipped;
        t.report.push(...built.report);
        continue;
      }
      try {
        const product = await createProduct(tx, clock, stockKeeper, row.shopId, built.product); // its own savepoint
        const mapped = await tx
          .insert(importedProducts)
          .values({ shopId: row.shopId, handle, productId: product.id, importId: row.id, createdAt: clock.now() })
          .onConflictDoNothing()
          .returning();
        // Another import of this shop took the handle meanwhile: undo the batch; the job's retry skips it.
        if (mapped.length === 0) throw new Error(`Handle "${handle}" was imported by another import meanwhile`);
        taken.add(handle);
        t.productsCreated += 1;
        t.variantsCreated += product.variants.length;
        t.rowsSkipped += built.rowsSkipped;
        t.report.push(...built.report);
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        const reason = err.code === 'validation_failed' ? 'invalid_product' : err.code;
        skipProduct(rows, reason, err.message, built.report.filter((l) => l.reason !== 'description_shortened'));
      }
    }
    const lines = t.report.slice(0, Math.max(0, REPORT_LIMIT - row.report.length));
    const [next] = await tx
      .update(imports)
      .set({
        rowsDone: done,
        productsCreated: sql`${imports.productsCreated} + ${t.productsCreated}`,
        productsSkipped: sql`${imports.productsSkipped} + ${t.productsSkipped}`,
        variantsCreated: sql`${imports.variantsCreated} + ${t.variantsCreated}`,
        rowsSkipped: sql`${imports.rowsSkipped} + ${t.rowsSkipped}`,
        report: lines.length === 0 ? undefined : sql`${imports.report} || ${JSON.stringify(lines)}::jsonb`,
      })
      .where(and(eq(imports.id, row.id), eq(imports.status, 'running'), eq(imports.rowsDone, row.rowsDone)))
      .returning();
    if (!next) throw new ImportTakenOver();
    return next;
  });
}

/**
 * Runs an import (the job, or the command line directly): claims it `running`, streams its file
 * in batches of whole products after the rows already done, then marks it `done` and deletes the
 * file. Safe to run again: committed batches are skipped. A finished import is left alone.
 */
export async function processImport(
  db: Db,
  clock: Clock,
  dataDir: string,
  importId: string,
  opts: { onProgress?: (view: ImportSummary) => void } = {},
): Promise<ImportView> {
  const claimed = (await tryTransitionImport(db, importId, 'start', { set: { startedAt: sql`coalesce(${imports.startedAt}, ${clock.now()})` } }))?.row;
  if (!claimed) {
    return toView(await getImportRow(db, importId));
  }
  let row = claimed;
  const file = importFile(dataDir, row.id);
  const { currency } = await getShop(db, row.shopId);
  try {
    let batch: Row[][] = [];
    let batchRows = 0;
    let done = row.rowsDone;
    const flush = async () => {
      row = await importBatch(db, clock, row, currency, batch, done);
      batch = [];
      batchRows = 0;
      opts.onProgress?.(toSummary(row));
    };
    for await (const group of groupByHandle(readRows(createReadStream(file)))) {
      const through = group[group.length - 1]!.row - 1; // data rows up to the end of this product
      if (through <= row.rowsDone) continue; // committed by an earlier run
      batch.push(group);
      batchRows += group.length;
      done = through;
      if (batchRows >= BATCH_ROWS) await flush();
    }
    if (batch.length > 0) await flush();
  } catch (err) {
    if (err instanceof ImportTakenOver) return getImportRow(db, importId).then(toView);
    throw err;
  }
  const finished = (await tryTransitionImport(db, row.id, 'finish', { from: 'running', set: { rowsDone: row.rowsTotal, finishedAt: clock.now() } }))?.row;
  await rm(file, { force: true });
  return toView(finished ?? row);
}

async function failImport(db: Db, clock: Clock, importId: string, error: string): Promise<void> {
  await tryTransitionImport(db, importId, 'fail', { set: { error: error.slice(0, 500), finishedAt: clock.now() } });
}

export function registerImportJobs(jobs: JobRunner, ctx: { clock: Clock; config: { dataDir: string } }): void {
  jobs.register(
    IMPORT_JOB,
    async (db, payload, job) => {
      const { import_id } = payload as { import_id: string };
      try {
        await processImport(db, ctx.clock, ctx.config.dataDir, import_id);
      } catch (err) {
        if (job.attempts < IMPORT_ATTEMPTS) throw err;
        await failImport(db, ctx.clock, import_id, err instanceof Error ? err.message : String(err));
      }
    },
    { transaction: false, lane: 'imports' }, // minutes of work in batches: own transactions, own polling loop
  );
}

// ---------------------------------------------------------------------------------------------
// Reading

const getImportRow = (db: Db, importId: string): Promise<ImportRow> => rowById(db, imports, importId, 'Import');

/** An import with its report, for a member of its shop (others: 404). */
export async function getImport(db: Db, userId: string, importId: string): Promise<ImportView> {
  const row = await getImportRow(db, importId);
  await requireShopMember(db, userId, row.shopId).catch(() => {
    throw notFound('Import', importId);
  });
  return toView(row);
}

/** A shop's imports, newest first (the caller checks membership). */
export async function listImports(db: Db, shopId: string, opts: { limit?: number; cursor?: string } = {}): Promise<{ data: ImportSummary[]; next_cursor: string | null }> {
  const { rows, next_cursor } = await pageById(db, imports, { ...opts, prefix: 'imp', order: 'newest', where: [eq(imports.shopId, shopId)] });
  return { data: rows.map(toSummary), next_cursor };
}
