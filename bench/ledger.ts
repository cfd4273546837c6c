/**
 * Ledger throughput: journal entries (captures through the named `postCaptures`, 2 postings each,
 * buyer_funds → escrow:ord_<n>, so every entry locks one non-negative account; buyer_funds has no
 * cached balance and is never locked) per second, on an in-memory PGlite and
 * on a PostgreSQL server, one at a time and with 8 entries in flight.
 *
 *   npx tsx bench/ledger.ts            # table, exit code 1 when a figure misses its budget
 *   npx tsx bench/ledger.ts --json     # the same figures as JSON
 *
 * PostgreSQL: DATABASE_URL's server when set (a throwaway database is created on it and dropped
 * afterwards), else a throwaway cluster from the installed binaries (src/test/pg-cluster.ts).
 * `run()` returns the figures for bench/run.ts.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { SystemClock } from '../src/platform/clock.js';
import { openDatabase, type Database } from '../src/platform/db.js';
import { postCaptures, reconcile } from '../src/modules/ledger/service.js';
import { startPgCluster } from '../src/test/pg-cluster.js';
import { invokedDirectly } from './cli.js';

/**
 * Minimum entries per second, per engine (both modes). Embedded PGlite is a single connection
 * that runs one statement at a time in WebAssembly (~0.3 ms per statement), so its budget is
 * lower; 400/s is still far above what one embedded node needs (an order is ~3 entries).
 */
export const LEDGER_BUDGET_ENTRIES_PER_SEC: Record<'pglite' | 'postgres', number> = { pglite: 400, postgres: 500 };
const POSTINGS_PER_ENTRY = 2;
const CONCURRENCY = 8;
const ACCOUNTS = 50;

export interface LedgerBenchRow {
  engine: 'pglite' | 'postgres';
  mode: 'sequential' | `concurrent-${number}`;
  entries: number;
  seconds: number;
  entriesPerSec: number;
  postingsPerSec: number;
  budgetEntriesPerSec: number;
  pass: boolean;
}

export interface LedgerBenchResult {
  name: 'ledger';
  rows: LedgerBenchRow[];
  /** Reconciliation after each engine's run: time taken and whether it found the ledger balanced. */
  reconcile: Array<{ engine: 'pglite' | 'postgres'; entries: number; ms: number; balanced: boolean }>;
  pass: boolean;
}

export interface LedgerBenchOptions {
  /** Measuring time per engine and mode (default 4000 ms). */
  durationMs?: number;
  /** Which engines to measure (default both). */
  engines?: Array<'pglite' | 'postgres'>;
  log?: (line: string) => void;
}

const clock = new SystemClock();
const pick = (n: number) => Math.floor(Math.random() * n);

async function oneEntry(db: Database['db']): Promise<void> {
  const amount = 1 + pick(10_000);
  // A capture into one of ACCOUNTS escrows (cached, locked) from buyer_funds (derived, never locked).
  await postCaptures(db, clock, [{ orderId: `ord_${pick(ACCOUNTS)}`, amount, currency: 'USD' }]);
}

/** Runs `workers` loops of postCaptures until the deadline; returns entries done and seconds taken. */
async function measure(db: Database['db'], workers: number, durationMs: number): Promise<{ entries: number; seconds: number }> {
  let entries = 0;
  const start = performance.now();
  const deadline = start + durationMs;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < deadline) {
        await oneEntry(db);
        entries++;
      }
    }),
  );
  return { entries, seconds: (performance.now() - start) / 1000 };
}

async function benchEngine(
  engine: 'pglite' | 'postgres',
  database: Database,
  durationMs: number,
  log: (line: string) => void,
): Promise<{ rows: LedgerBenchRow[]; reconcile: LedgerBenchResult['reconcile'][number] }> {
  const db = database.db;
  // Warm-up: create every account row and let the engine settle.
  for (let i = 0; i < ACCOUNTS * 2; i++) await oneEntry(db);
  await measure(db, CONCURRENCY, Math.min(500, durationMs / 4));

  const out: LedgerBenchRow[] = [];
  for (const [mode, workers] of [['sequential', 1], [`concurrent-${CONCURRENCY}`, CONCURRENCY]] as const) {
    const { entries, seconds } = await measure(db, workers, durationMs);
    const entriesPerSec = entries / seconds;
    const row: LedgerBenchRow = {
      engine,
      mode,
      entries,
      seconds: Math.round(seconds * 100) / 100,
      entriesPerSec: Math.round(entriesPerSec),
      postingsPerSec: Math.round(entriesPerSec * POSTINGS_PER_ENTRY),
      budgetEntriesPerSec: LEDGER_BUDGET_ENTRIES_PER_SEC[engine],
      pass: entriesPerSec >= LEDGER_BUDGET_ENTRIES_PER_SEC[engine],
    };
    log(`  ${engine} ${mode}: ${row.entriesPerSec} entries/s`);
    out.push(row);
  }
  const t = performance.now();
  const report = await reconcile(db);
  return {
    rows: out,
    reconcile: { engine, entries: report.entries, ms: Math.round(performance.now() - t), balanced: report.balanced },
  };
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A migrated PostgreSQL database for the run, and how to get rid of it. */
export async function postgresDatabase(log: (line: string) => void): Promise<{ database: Database; dispose: () => Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const cluster = await startPgCluster();
    log(`  throwaway PostgreSQL cluster on 127.0.0.1:${cluster.port}`);
    try {
      const database = await openDatabase({ url: cluster.url, poolSize: CONCURRENCY + 2 });
      await database.migrate();
      return {
        database,
        dispose: async () => {
          await database.close().catch(() => undefined);
          cluster.stop();
        },
      };
    } catch (e) {
      cluster.stop();
      throw e;
    }
  }
  // Never write into the configured database: use a throwaway one on the same server.
  const name = `loopshop_bench_${randomBytes(5).toString('hex')}`;
  const admin = async (q: string) => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    try {
      await c.query(q);
    } finally {
      await c.end();
    }
  };
  await admin(`create database ${name}`);
  log(`  database ${name} on DATABASE_URL's server`);
  const database = await openDatabase({ url: withDatabase(serverUrl, name), poolSize: CONCURRENCY + 2 });
  const dispose = async () => {
    await database.close().catch(() => undefined);
    await admin(`drop database if exists ${name} with (force)`);
  };
  try {
    await database.migrate();
  } catch (e) {
    await dispose();
    throw e;
  }
  return { database, dispose };
}

export async function run(opts: LedgerBenchOptions = {}): Promise<LedgerBenchResult> {
  const durationMs = opts.durationMs ?? 4000;
  const engines = opts.engines ?? ['pglite', 'postgres'];
  const log = opts.log ?? (() => undefined);
  const result: LedgerBenchResult = { name: 'ledger', rows: [], reconcile: [], pass: true };

  for (const engine of engines) {
    log(`ledger bench on ${engine}…`);
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
      const r = await benchEngine(engine, database, durationMs, log);
      result.rows.push(...r.rows);
      result.reconcile.push(r.reconcile);
    } finally {
      await dispose();
    }
  }
  result.pass = result.rows.every((r) => r.pass) && result.reconcile.every((r) => r.balanced);
  return result;
}

export function formatTable(result: LedgerBenchResult): string {
  const header = ['engine', 'mode', 'entries', 'seconds', 'entries/s', 'postings/s', 'budget', 'result'];
  const body = result.rows.map((r) => [
    r.engine,
    r.mode,
    String(r.entries),
    r.seconds.toFixed(2),
    String(r.entriesPerSec),
    String(r.postingsPerSec),
    `≥ ${r.budgetEntriesPerSec}`,
    r.pass ? 'PASS' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const recon = result.reconcile.map(
    (r) => `reconcile ${r.engine}: ${r.entries} entries in ${r.ms} ms — ${r.balanced ? 'balanced (PASS)' : 'NOT BALANCED (FAIL)'}`,
  );
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line), '', ...recon].join('\n');
}

if (invokedDirectly(import.meta.url)) {
  const json = process.argv.includes('--json');
  const result = await run({ log: json ? undefined : (l) => console.error(l) });
  console.log(json ? JSON.stringify(result, null, 2) : formatTable(result));
  if (!result.pass) process.exitCode = 1;
}
