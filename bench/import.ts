/**
 * Shopify import throughput: a generated 10,000-row export (2,500 products × 4 variants, HTML
 * bodies over two lines, one image each) imported as draft products through the same code the
 * import job runs, on an in-memory PGlite and on a PostgreSQL server; rows per second.
 *
 *   npx tsx bench/import.ts            # table, exit code 1 when a figure misses its budget
 *   npx tsx bench/import.ts --json
 *
 * PostgreSQL as in bench/ledger.ts: DATABASE_URL's server (a throwaway database), else a
 * throwaway cluster. `run()` returns the figures for bench/run.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SystemClock } from '../src/platform/clock.js';
import { openDatabase, type Database } from '../src/platform/db.js';
import { loadMarkets } from '../src/platform/markets.js';
import { signUp } from '../src/modules/identity/service.js';
import { createShop } from '../src/modules/sellers/service.js';
import { createImport, processImport } from '../src/modules/imports/service.js';
import { bigExport } from '../src/modules/imports/testing.js';
import { postgresDatabase } from './ledger.js';
import { invokedDirectly } from './cli.js';

type Engine = 'pglite' | 'postgres';
/** Minimum rows per second: a 10,000-row export within a minute on either engine. */
export const IMPORT_BUDGET_ROWS_PER_SEC = 10_000 / 60;
const PRODUCTS = 2500;

export interface ImportBenchRow {
  engine: Engine;
  rows: number;
  products: number;
  variants: number;
  seconds: number;
  rowsPerSec: number;
  /** Every product imported and the import done. */
  complete: boolean;
  /** Complete and within the budget. */
  pass: boolean;
}

async function benchEngine(engine: Engine, database: Database, log: (line: string) => void): Promise<ImportBenchRow> {
  const clock = new SystemClock();
  await loadMarkets(database.db);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'loopshop-bench-import-'));
  try {
    const owner = await signUp(database.db, clock, { email: `bench-${Date.now()}@bench.loopshop.dev`, password: 'correct horse battery', name: 'Bench', roles: ['buyer'] });
    const shop = await createShop(database.db, clock, { name: 'Bench', market: 'US', currency: 'USD', timezone: 'UTC', ownerId: owner.id });
    const queued = await createImport(database.db, clock, dataDir, { shopId: shop.id, userId: owner.id, data: bigExport(PRODUCTS) }, { enqueue: false });
    const start = performance.now();
    const done = await processImport(database.db, clock, dataDir, queued.id);
    const seconds = (performance.now() - start) / 1000;
    const rowsPerSec = done.rows_total / seconds;
    const complete = done.status === 'done' && done.products_created === PRODUCTS && done.variants_created === 4 * PRODUCTS;
    log(`  ${engine}: ${done.rows_total} rows in ${seconds.toFixed(1)} s`);
    return {
      engine,
      rows: done.rows_total,
      products: done.products_created,
      variants: done.variants_created,
      seconds: Math.round(seconds * 10) / 10,
      rowsPerSec: Math.round(rowsPerSec),
      complete,
      pass: complete && rowsPerSec >= IMPORT_BUDGET_ROWS_PER_SEC,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run(opts: { engines?: Engine[]; log?: (line: string) => void } = {}): Promise<{ rows: ImportBenchRow[]; pass: boolean }> {
  const log = opts.log ?? (() => undefined);
  const rows: ImportBenchRow[] = [];
  for (const engine of opts.engines ?? ['pglite', 'postgres']) {
    log(`import bench on ${engine}…`);
    let database: Database;
    let dispose: () => Promise<void>;
    if (engine === 'pglite') {
      database = await openDatabase({});
      await database.migrate();
      dispose = () => database.close();
    } else {
      ({ database, dispose } = await postgresDatabase(log));
    }
    try {
      rows.push(await benchEngine(engine, database, log));
    } finally {
      await dispose();
    }
  }
  return { rows, pass: rows.every((r) => r.pass) };
}

export function formatTable(rows: ImportBenchRow[]): string {
  const header = ['engine', 'rows', 'products', 'variants', 'seconds', 'rows/s', 'budget', 'result'];
  const body = rows.map((r) => [r.engine, String(r.rows), String(r.products), String(r.variants), r.seconds.toFixed(1), String(r.rowsPerSec), `≥ ${Math.ceil(IMPORT_BUDGET_ROWS_PER_SEC)}`, r.pass ? 'PASS' : 'FAIL']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

if (invokedDirectly(import.meta.url)) {
  const json = process.argv.includes('--json');
  const result = await run({ log: json ? undefined : (l) => console.error(l) });
  console.log(json ? JSON.stringify(result, null, 2) : formatTable(result.rows));
  if (!result.pass) process.exitCode = 1;
}
