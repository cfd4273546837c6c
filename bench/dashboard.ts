/**
 * Dashboard latency: N raw events (default 10,000,000; 70 % for the measured shop with 100 videos
 * and 100 products, spread over 90 days) are loaded and rolled up by the rollup job's function,
 * then every dashboard route (the seller's, and the creator's own: the bench seller is also the
 * videos' creator) is requested over HTTP from a server process on loopback (default 30-day
 * range) and its p50/p95 reported, on PostgreSQL and on PGlite.
 * Issue 7 budget: every dashboard route p95 < 300 ms with 10 million raw events loaded.
 *
 * Run alone: `npx tsx bench/dashboard.ts [--events N] [--requests R] [--engine postgres|pglite]`.
 */
import { sql } from 'drizzle-orm';
import { SystemClock } from '../src/platform/clock.js';
import { rows } from '../src/platform/db.js';
import { loadMarkets } from '../src/platform/markets.js';
import { createSession, signUp } from '../src/modules/identity/service.js';
import { createShop } from '../src/modules/sellers/service.js';
import { createProduct } from '../src/modules/catalog/service.js';
import { stockKeeper } from '../src/modules/inventory/index.js';
import { insertVideo } from '../src/modules/content/service.js';
import { rollupEvents } from '../src/modules/analytics/service.js';
import { benchEngine, stopServer, type Engine } from './events.js';
import { freePort, startServerProcess } from './flash-sale.js';
import { argNumber, argValue, invokedDirectly, percentile } from './cli.js';

export const BUDGET_P95_MS = 300;
const clock = new SystemClock();
const CHUNK = 250_000;
const VIDEOS = 100;
const PRODUCTS = 100;

/** Every dashboard route: the shop's (under /v1/shops/{id}/analytics/) and the creator's own. */
export const ROUTES = [
  'funnel?by=video',
  'funnel?by=product',
  'funnel?by=live',
  'completion-heatmap',
  'price-bands',
  'timeseries?interval=day',
  'top?by=video',
  'top?by=creator',
  'cutover',
  '/v1/creators/me/analytics',
] as const;

export interface DashboardRow {
  engine: Engine;
  events: number;
  rollupRows: number;
  loadSeconds: number;
  rollupEventsPerSec: number;
  routes: Array<{ route: string; p50ms: number; p95ms: number; errors: number }>;
}

/** Inserts raw events g ∈ [from, to) in one statement: every client type and paid orders with attribution. */
function insertEvents(shopId: string, creatorId: string, videos: string[], products: string[], from: number, to: number) {
  const list = (ids: string[]) => sql`string_to_array(${ids.join(',')}::text, ',')`;
  return sql`
    insert into analytics_events (actor, event_id, type, at, received_at, shop_id, video_id, product_id, live_id, creator_id, watched_ms, duration_ms, completed,
                                  order_id, amount, currency, data)
    select case when type = 'order_paid' then 'server' else 'd:bench-' || (g % 100000) end,
           case when type = 'order_paid' then 'order_paid:ord' || g else 'e' || g end,
           type, at, at, shop,
           case when type = 'order_paid' then null else video end, case when type = 'order_paid' then null else product end,
           case when type = 'live_join' then 'liv_bench' || (g % 10) end, ${creatorId}::text,
           case when type = 'view' then watched end, case when type = 'view' then 15000 end, case when type = 'view' then watched >= 14000 end,
           case when type = 'order_paid' then 'ord' || g end, case when type = 'order_paid' then 1999 end, case when type = 'order_paid' then 'USD' end,
           case when type = 'order_paid' then jsonb_build_object('gmv', 1999, 'commission', 199, 'items', jsonb_build_array(jsonb_build_object(
             'product_id', product, 'video_id', video, 'creator_id', ${creatorId}::text, 'quantity', 1, 'line_total', 1999, 'commission', 199))) end
    from (
      select g,
             case when r < 0.45 then 'impression' when r < 0.80 then 'view' when r < 0.90 then 'product_click' when r < 0.95 then 'add_to_cart'
                  when r < 0.97 then 'checkout_started' when r < 0.985 then 'outbound_click' when r < 0.995 then 'live_join' else 'order_paid' end as type,
             ${clock.now()}::timestamptz - random() * interval '90 days' as at,
             case when random() < 0.7 then ${shopId}::text else 'shp_other' || (g % 50) end as shop,
             (${list(videos)})[1 + (g % ${videos.length})] as video,
             (${list(products)})[1 + ((g * 7) % ${products.length})] as product,
             (random() * 15000)::int as watched
      from (select g, random() as r from generate_series(${from}::int, ${to - 1}::int) g) s) e`;
}


export async function runEngine(engine: Engine, opts: { events: number; requests: number; log?: (l: string) => void }): Promise<DashboardRow> {
  const log = opts.log ?? (() => undefined);
  const env = await benchEngine(engine);
  try {
    const database = await env.open();
    const db = database.db;
    await loadMarkets(db);
    const seller = await signUp(db, clock, { email: `seller-${Date.now()}@bench.dev`, password: 'bench-password', name: 'Bench Seller' });
    const shop = await createShop(db, clock, { name: 'Dashboard Shop', market: 'US', currency: 'USD', timezone: 'America/New_York', ownerId: seller.id });
    const products: string[] = [];
    for (let i = 0; i < PRODUCTS; i++) {
      const p = await createProduct(db, clock, stockKeeper, shop.id, { title: `Product ${i}`, status: 'live', variants: [{ price: { amount: 500 + i * 397, currency: 'USD' } }] });
      products.push(p.id);
    }
    const videos: string[] = [];
    for (let i = 0; i < VIDEOS; i++) {
      const v = await insertVideo(db, clock, { creatorId: seller.id, caption: `Video ${i}`, productIds: [products[i % PRODUCTS]!] }, { type: 'bench.none', payload: {} });
      videos.push(v.id);
    }
    await db.execute(sql`update videos set status = 'ready', published_at = ${clock.now()}::timestamptz - random() * interval '90 days'`);
    const { token } = await createSession(db, clock, seller.id, 1);

    log(`${engine}: loading ${opts.events} raw events in chunks of ${CHUNK}, rolling up after each…`);
    const loadStarted = performance.now();
    let loadMs = 0;
    let rollupMs = 0;
    for (let from = 0; from < opts.events; from += CHUNK) {
      const t0 = performance.now();
      await db.execute(insertEvents(shop.id, seller.id, videos, products, from, Math.min(opts.events, from + CHUNK)));
      const t1 = performance.now();
      await db.transaction((tx) => rollupEvents(tx, clock));
      loadMs += t1 - t0;
      rollupMs += performance.now() - t1;
      if ((from / CHUNK) % 4 === 3) log(`${engine}: ${Math.min(opts.events, from + CHUNK)} events loaded and rolled up (${Math.round((performance.now() - loadStarted) / 1000)} s)`);
    }
    const [counted] = await rows<{ n: number }>(db, sql`select count(*)::int as n from analytics_rollups`);
    await database.close();

    const port = await freePort();
    const proc = await startServerProcess(env.env, port);
    try {
      const routes: DashboardRow['routes'] = [];
      for (const route of ROUTES) {
        const url = `http://127.0.0.1:${port}${route.startsWith('/') ? route : `/v1/shops/${shop.id}/analytics/${route}`}`;
        const times: number[] = [];
        let errors = 0;
        for (let i = 0; i < opts.requests + 3; i++) {
          const s = performance.now();
          const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
          await res.arrayBuffer();
          if (i >= 3) times.push(performance.now() - s); // the first three warm caches up
          if (!res.ok) errors++;
        }
        times.sort((a, b) => a - b);
        routes.push({ route, p50ms: Math.round(percentile(times, 50)), p95ms: Math.round(percentile(times, 95)), errors });
        log(`${engine}: ${route} p95 ${routes.at(-1)!.p95ms} ms`);
      }
      return { engine, events: opts.events, rollupRows: counted!.n, loadSeconds: loadMs / 1000, rollupEventsPerSec: Math.round(opts.events / (rollupMs / 1000)), routes };
    } finally {
      await stopServer(proc);
    }
  } finally {
    await env.dispose();
  }
}

export function formatRows(list: DashboardRow[]): string {
  const header = ['engine', 'raw events', 'rollup rows', 'rollup events/s', 'route (30 days)', 'p50 ms', 'p95 ms', 'errors', 'budget'];
  const body = list.flatMap((r) =>
    r.routes.map((x, i) => [
      i === 0 ? r.engine : '', i === 0 ? String(r.events) : '', i === 0 ? String(r.rollupRows) : '', i === 0 ? String(r.rollupEventsPerSec) : '',
      x.route, String(x.p50ms), String(x.p95ms), String(x.errors), `p95 < ${BUDGET_P95_MS}: ${x.p95ms < BUDGET_P95_MS ? 'PASS' : 'MISS'}`,
    ]),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** Raw events loaded per engine by default: the budget's 10 M on both (loading takes ~12 min on PostgreSQL, ~25 min on PGlite on 2 cores). */
export const DEFAULT_EVENTS: Record<Engine, number> = { postgres: 10_000_000, pglite: 10_000_000 };

export async function run(opts: { events?: number; requests?: number; engines?: Engine[]; log?: (l: string) => void } = {}) {
  const result: DashboardRow[] = [];
  for (const engine of opts.engines ?? (['postgres', 'pglite'] as const)) {
    result.push(await runEngine(engine, { events: opts.events ?? DEFAULT_EVENTS[engine], requests: opts.requests ?? 40, log: opts.log }));
  }
  return {
    rows: result,
    complete: result.every((r) => r.routes.every((x) => x.errors === 0)),
    budgetMet: result.every((r) => r.routes.every((x) => x.p95ms < BUDGET_P95_MS)),
  };
}


if (invokedDirectly(import.meta.url)) {
  const engine = argValue('engine') as Engine | undefined;
  const r = await run({
    events: argNumber('events'),
    requests: argNumber('requests'),
    engines: engine ? [engine] : undefined,
    log: (l) => console.error(l),
  });
  console.log(formatRows(r.rows));
  console.log(r.budgetMet ? 'every route within budget' : 'a route missed its budget');
  process.exitCode = r.complete ? 0 : 1;
}
