/**
 * Event ingest over HTTP: C clients post batches of 500 events (`POST /v1/events`, anonymous
 * devices) as fast as the server answers, for a bounded time and count, against a server process
 * on loopback, on PostgreSQL and on PGlite. Reports accepted events/s and batch latency, then how
 * fast the rollup job folds the ingested events in. Issue 7 budget: ≥ 50,000 events/s over HTTP.
 *
 * Run alone: `npx tsx bench/events.ts [--seconds S] [--concurrency C] [--max-batches N]`.
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { SystemClock } from '../src/platform/clock.js';
import { openDatabase, rows, type Database } from '../src/platform/db.js';
import { newId } from '../src/platform/ids.js';
import { rollupEvents } from '../src/modules/analytics/service.js';
import { startPgCluster } from '../src/test/pg-cluster.js';
import { freePort, startServerProcess } from './flash-sale.js';
import { argNumber, invokedDirectly, percentile } from './cli.js';

export const BUDGET_EVENTS_PER_SEC = 50_000;
export type Engine = 'pglite' | 'postgres';
const clock = new SystemClock();

/** A migrated database for a benchmark; `env` points a server process at it. PGlite: one process at a time. */
export interface BenchEngine {
  engine: Engine;
  env: Record<string, string>;
  open(): Promise<Database>;
  dispose(): Promise<void>;
}

export async function benchEngine(engine: Engine): Promise<BenchEngine> {
  if (engine === 'postgres') {
    const cluster = process.env.DATABASE_URL ? null : await startPgCluster();
    const url = process.env.DATABASE_URL ?? cluster!.url;
    const first = await openDatabase({ url });
    await first.migrate();
    await first.close();
    return { engine, env: { DATABASE_URL: url, LOOPSHOP_DATA_DIR: '' }, open: () => openDatabase({ url }), dispose: async () => cluster?.stop() };
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'loopshop-bench-'));
  const first = await openDatabase({ dataDir });
  await first.migrate();
  await first.close();
  return { engine, env: { DATABASE_URL: '', LOOPSHOP_DATA_DIR: dataDir }, open: () => openDatabase({ dataDir }), dispose: async () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** Stops a server process started by `startServerProcess`. */
export async function stopServer(proc: Awaited<ReturnType<typeof startServerProcess>>): Promise<void> {
  if (proc.exitCode !== null) return;
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
}

function post(agent: http.Agent, port: number, url: string, payload: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: url, agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (data += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** 500 app events of every type over a small catalog, as the apps would send them. */
function sampleEvents(n: number): object[] {
  const at = clock.now().toISOString();
  const shops = Array.from({ length: 5 }, () => newId('shp'));
  const videos = Array.from({ length: 50 }, () => newId('vid'));
  const products = Array.from({ length: 100 }, () => newId('prd'));
  const pick = <T>(list: T[], i: number) => list[i % list.length]!;
  return Array.from({ length: n }, (_, i) => {
    const refs = { shop_id: pick(shops, i), video_id: pick(videos, i * 7), product_id: pick(products, i * 13) };
    const r = i % 20;
    if (r < 9) return { event_id: `e${i}`, type: 'impression', at, ...refs };
    if (r < 15) return { event_id: `e${i}`, type: 'view', at, ...refs, watched_ms: (i * 997) % 15_000, duration_ms: 15_000, completed: i % 3 === 0 };
    if (r < 17) return { event_id: `e${i}`, type: 'product_click', at, ...refs };
    if (r < 18) return { event_id: `e${i}`, type: 'add_to_cart', at, ...refs };
    if (r < 19) return { event_id: `e${i}`, type: 'checkout_started', at, shop_id: refs.shop_id };
    return { event_id: `e${i}`, type: 'outbound_click', at, video_id: refs.video_id, url: 'https://example.com/x' };
  });
}


export interface EventsRow {
  engine: Engine;
  concurrency: number;
  batches: number;
  events: number;
  errors: number;
  seconds: number;
  eventsPerSec: number;
  p50ms: number;
  p99ms: number;
  stored: number;
  rollupSeconds: number;
  rollupEventsPerSec: number;
}

export interface EventsOptions {
  seconds: number;
  concurrency: number;
  maxBatches: number;
  log?: (l: string) => void;
}

export async function runEngine(engine: Engine, opts: EventsOptions): Promise<EventsRow> {
  const log = opts.log ?? (() => undefined);
  const env = await benchEngine(engine);
  const port = await freePort();
  const proc = await startServerProcess(env.env, port);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency });
  try {
    const events = JSON.stringify(sampleEvents(500));
    log(`${engine}: ${opts.concurrency} clients posting batches of 500 for ${opts.seconds} s (at most ${opts.maxBatches} batches)…`);
    const latencies: number[] = [];
    let accepted = 0;
    let errors = 0;
    let sent = 0;
    const t0 = performance.now();
    const deadline = t0 + opts.seconds * 1000;
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        // Every batch comes from a new device, so every event is new (ids are per sender).
        for (let n = sent++; n < opts.maxBatches && performance.now() < deadline; n = sent++) {
          const s = performance.now();
          const res = await post(agent, port, '/v1/events', `{"device_id":"bench-device-${n}","events":${events}}`);
          latencies.push(performance.now() - s);
          if (res.status === 200) accepted += (JSON.parse(res.body) as { accepted: number }).accepted;
          else errors++;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    agent.destroy();
    await stopServer(proc);
    const database = await env.open();
    try {
      const [stored] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from analytics_events`);
      log(`${engine}: folding ${stored!.n} events into the rollups…`);
      const r0 = performance.now();
      await database.db.transaction((tx) => rollupEvents(tx, clock));
      const rollupSeconds = (performance.now() - r0) / 1000;
      latencies.sort((a, b) => a - b);
      return {
        engine,
        concurrency: opts.concurrency,
        batches: latencies.length,
        events: accepted,
        errors,
        seconds,
        eventsPerSec: Math.round(accepted / seconds),
        p50ms: Math.round(percentile(latencies, 50)),
        p99ms: Math.round(percentile(latencies, 99)),
        stored: stored!.n,
        rollupSeconds,
        rollupEventsPerSec: Math.round(stored!.n / rollupSeconds),
      };
    } finally {
      await database.close();
    }
  } finally {
    agent.destroy();
    await stopServer(proc);
    await env.dispose();
  }
}

export function formatRows(list: EventsRow[]): string {
  const header = ['engine', 'clients', 'batches', 'events', 'errors', 'seconds', 'events/s', 'batch p50 ms', 'batch p99 ms', 'rollup events/s', 'budget'];
  const body = list.map((r) => [
    r.engine, String(r.concurrency), String(r.batches), String(r.events), String(r.errors), r.seconds.toFixed(2), String(r.eventsPerSec),
    String(r.p50ms), String(r.p99ms), String(r.rollupEventsPerSec), `≥ ${BUDGET_EVENTS_PER_SEC}: ${r.eventsPerSec >= BUDGET_EVENTS_PER_SEC ? 'PASS' : 'MISS'}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

export async function run(opts: Partial<EventsOptions> = {}) {
  const o: EventsOptions = { seconds: opts.seconds ?? 10, concurrency: opts.concurrency ?? 16, maxBatches: opts.maxBatches ?? 4000, log: opts.log };
  const result: EventsRow[] = [];
  for (const engine of ['postgres', 'pglite'] as const) result.push(await runEngine(engine, o));
  return {
    rows: result,
    // Invariant: every accepted event is stored, nothing failed.
    complete: result.every((r) => r.errors === 0 && r.stored === r.events),
    budgetMet: result.every((r) => r.eventsPerSec >= BUDGET_EVENTS_PER_SEC),
  };
}

if (invokedDirectly(import.meta.url)) {
  const r = await run({ seconds: argNumber('seconds'), concurrency: argNumber('concurrency'), maxBatches: argNumber('max-batches'), log: (l) => console.error(l) });
  console.log(formatRows(r.rows));
  console.log(r.complete ? 'every accepted event stored, no errors' : 'EVENTS LOST OR ERRORS');
  process.exitCode = r.complete ? 0 : 1;
}
