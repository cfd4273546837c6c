/**
 * Issue 17, first goal: the buyer flow against the bare-HTTP ceiling, measured in the same run.
 *
 * - The real server: the built one (`bin/loopshop.mjs serve`, what `npm start` runs), on a
 *   throwaway PostgreSQL cluster with PostgreSQL's durable defaults (fsync, synchronous_commit,
 *   full_page_writes on), one live SKU with ample stock and N buyers whose sessions are made
 *   before any timing.
 * - The bare ceiling: bench/buyer-flow-bare.ts, a Fastify app answering the same two routes
 *   (POST /v1/cart/items, POST /v1/checkout) with canned JSON of the bytes the real server
 *   answered for one flow, in its own process.
 * - One fetch-based load client (bench/buyer-flow-client.ts, its own process) drives each with the
 *   same script — add one unit to the cart, check out with the sandbox card — at 1, 10 and 50
 *   flows in flight, for a fixed time each (after a short warm-up).
 *
 * It prints flows/s and p50/p99 per step for both, the ratio real/bare, where the CPU went (the
 * client's share of a core and its event-loop utilization, the server process's, the rest of the
 * machine's — PostgreSQL), the invariants after the run (nothing oversold, every buyer answered
 * 201 or 409 out_of_stock, the paid orders in the database are the 201s the client saw, the stock
 * row matches, nothing left reserved, the ledger reconciles) and the issue 17 budgets (met / not
 * met; a benchmark, not a timed test).
 *
 *   npx tsx bench/buyer-flow.ts [--seconds 10] [--warmup 2] [--buyers 500] [--levels 1,10,50] [--log-level info]
 *   npm run bench -- --only=buyer-flow
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { SystemClock } from '../src/platform/clock.js';
import { openDatabase, rows, type Database } from '../src/platform/db.js';
import { loadMarkets } from '../src/platform/markets.js';
import { foldCommittedStock } from '../src/modules/inventory/service.js';
import { reconcile } from '../src/modules/ledger/service.js';
import { startPgCluster } from '../src/test/pg-cluster.js';
import { argNumber, argValue, invokedDirectly } from './cli.js';
import { CHECKOUT_BODY, type ClientJob, type ClientResult } from './buyer-flow-client.js';
import { freePort, setup, UNTHROTTLED } from './flash-sale.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const clock = new SystemClock();

/** Issue 17: the real flow at ≥ 50% of the bare ceiling at c50; checkout p99 < 100 ms, add-to-cart p99 < 20 ms at c50. */
export const BUDGET = { ratio: 0.5, checkoutP99Ms: 100, addP99Ms: 20, atConcurrency: 50 } as const;

export interface BuyerFlowOptions {
  seconds?: number;
  warmupSeconds?: number;
  buyers?: number;
  stock?: number;
  levels?: number[];
  /** LOG_LEVEL of the real server (default `info`, what `npm start` runs; its stdout goes to /dev/null). */
  logLevel?: string;
  log?: (line: string) => void;
}

export interface LevelRow extends ClientResult {
  target: 'real' | 'bare';
  concurrency: number;
  /**
   * CPU over the measured window, in shares of one core: the server process (the real one or the
   * bare app), the PostgreSQL cluster, and the rest of the machine's busy time (other processes:
   * on a shared machine, whatever else runs).
   */
  serverCpu: number;
  pgCpu: number;
  otherCpu: number;
}

export interface BuyerFlowResult {
  rows: LevelRow[];
  settings: { seconds: number; warmupSeconds: number; buyers: number; stock: number; logLevel: string; fsync: string; synchronousCommit: string; cartBytes: number; checkoutBytes: number; loadBefore: number[]; loadAfter: number[] };
  invariants: { label: string; ok: boolean }[];
  budgets: { label: string; met: boolean }[];
  pass: boolean;
  budgetMet: boolean;
}

/** USER_HZ: the unit of /proc CPU times, 100 on every Linux architecture Node runs on. */
const CLK_TCK = 100;

function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // gone
  }
}

/** utime + stime of a process, in seconds. */
function processCpuSeconds(pid: number): number {
  const f = statFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) / CLK_TCK : 0;
}

/** The postmaster of the cluster listening on `port` (its command line carries `-p <port>`). */
function findPostmaster(port: number): number {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (argv[0]?.endsWith('postgres') && argv.some((a, i) => a === '-p' && argv[i + 1] === String(port))) return Number(pid);
  }
  throw new Error(`no postmaster found for port ${port}`);
}

/** CPU seconds of a PostgreSQL cluster: the postmaster, its live children and its exited children (cutime + cstime). */
function postgresCpuSeconds(postmaster: number): number {
  const own = statFields(postmaster);
  let ticks = own ? Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]) : 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const f = statFields(pid);
    if (f && Number(f[1]) === postmaster) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / CLK_TCK;
}

/** Busy CPU time of the whole machine (every core, idle and iowait excluded), in seconds. */
function machineBusySeconds(): number {
  const [, ...t] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = t as number[];
  return (user! + nice! + system! + irq! + softirq! + steal!) / CLK_TCK;
}

async function waitHealthy(proc: ChildProcess, port: number, what: string) {
  const t0 = performance.now();
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${what} exited (${proc.exitCode})`);
    if ((await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.ok) return;
    if (performance.now() - t0 > 120_000) throw new Error(`${what}: no /healthz within 120 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stopProcess(proc: ChildProcess) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

/** One client process, one target, one concurrency level; the server's and machine's CPU read at the window's edges. */
async function drive(target: LevelRow['target'], serverPid: number, postmaster: number, job: ClientJob): Promise<LevelRow> {
  const client = spawn(process.execPath, ['--import', 'tsx', 'bench/buyer-flow-client.ts'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((r) => client.once('exit', (code) => r(code)));
  client.stdin!.end(JSON.stringify(job));
  let at: { server: number; pg: number; machine: number; t: number } | undefined;
  let serverCpu = 0;
  let pgCpu = 0;
  let machineCpu = 0;
  let result: ClientResult | undefined;
  for await (const line of readline.createInterface({ input: client.stdout! })) {
    const msg = JSON.parse(line) as { event: string } & ClientResult;
    if (msg.event === 'start') at = { server: processCpuSeconds(serverPid), pg: postgresCpuSeconds(postmaster), machine: machineBusySeconds(), t: performance.now() };
    else if (msg.event === 'end' && at) {
      const wall = (performance.now() - at.t) / 1000;
      serverCpu = (processCpuSeconds(serverPid) - at.server) / wall;
      pgCpu = (postgresCpuSeconds(postmaster) - at.pg) / wall;
      machineCpu = (machineBusySeconds() - at.machine) / wall;
    } else if (msg.event === 'result') result = msg;
  }
  const code = await exited;
  if (code !== 0 || !result) throw new Error(`load client exited with ${code} and no result`);
  const { event: _event, ...figures } = result as ClientResult & { event?: string };
  return { ...figures, target, concurrency: job.concurrency, serverCpu, pgCpu, otherCpu: Math.max(0, machineCpu - serverCpu - pgCpu - figures.clientCpu) };
}

export async function run(opts: BuyerFlowOptions = {}): Promise<BuyerFlowResult> {
  const log = opts.log ?? (() => undefined);
  const seconds = opts.seconds ?? 10;
  const warmupSeconds = opts.warmupSeconds ?? 2;
  const levels = opts.levels ?? [1, 10, 50];
  const buyers = Math.max(opts.buyers ?? 500, Math.max(...levels) + 1); // + the buyer of the canned flow
  const stock = opts.stock ?? 1_000_000;
  const logLevel = opts.logLevel ?? 'info';

  log('buyer-flow: building the server if stale…');
  const build = spawn(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: root, stdio: 'inherit' });
  if ((await new Promise((r) => build.once('exit', r))) !== 0) throw new Error('build failed');

  const cluster = await startPgCluster({ durable: true });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'loopshop-buyer-flow-'));
  let database: Database | undefined;
  let real: ChildProcess | undefined;
  let bare: ChildProcess | undefined;
  try {
    database = await openDatabase({ url: cluster.url });
    const [settings] = await rows<{ fsync: string; synchronous_commit: string }>(
      database.db,
      sql`select current_setting('fsync') as fsync, current_setting('synchronous_commit') as synchronous_commit`,
    );
    await database.migrate();
    await loadMarkets(database.db);
    log(`buyer-flow: PostgreSQL fsync=${settings!.fsync}, synchronous_commit=${settings!.synchronous_commit}; ${buyers} buyers with sessions, stock ${stock}…`);
    const { skuId, tokens } = await setup(database, buyers, stock);

    const realPort = await freePort();
    real = spawn(process.execPath, ['bin/loopshop.mjs', 'serve'], {
      cwd: root,
      env: {
        ...process.env, ...UNTHROTTLED, PORT: String(realPort), HOST: '127.0.0.1', DATABASE_URL: cluster.url, LOOPSHOP_DATA_DIR: '',
        LOOPSHOP_SKIP_BUILD: '1', LOOPSHOP_SEED_DEMO: 'false', LOG_LEVEL: logLevel,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitHealthy(real, realPort, 'the real server');

    // One real flow (its buyer then takes no further part): its answers are the bare app's canned bodies.
    const realBase = `http://127.0.0.1:${realPort}`;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${tokens[0]}` };
    const cartRes = await fetch(`${realBase}/v1/cart/items`, { method: 'POST', headers, body: JSON.stringify({ sku_id: skuId, quantity: 1 }) });
    const cart = await cartRes.text();
    const coRes = await fetch(`${realBase}/v1/checkout`, { method: 'POST', headers: { ...headers, 'idempotency-key': 'buyer-flow-canned' }, body: JSON.stringify(CHECKOUT_BODY) });
    const checkout = await coRes.text();
    if (cartRes.status !== 201 || coRes.status !== 201) throw new Error(`the canned flow was answered ${cartRes.status} / ${coRes.status}: ${checkout.slice(0, 300)}`);
    const cannedPath = path.join(tmp, 'canned.json');
    writeFileSync(cannedPath, JSON.stringify({ cart, checkout }));
    const flowTokens = tokens.slice(1);

    const barePort = await freePort();
    bare = spawn(process.execPath, ['--import', 'tsx', 'bench/buyer-flow-bare.ts', String(barePort), cannedPath], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    await waitHealthy(bare, barePort, 'the bare Fastify app');

    const postmaster = findPostmaster(cluster.port);
    const loadBefore = os.loadavg();
    const result: LevelRow[] = [];
    const job = (base: string, concurrency: number, target: string): ClientJob => ({
      base, skuId, tokens: flowTokens, concurrency, seconds, warmupSeconds, keyPrefix: `bf-${target}-${concurrency}-${Date.now()}`,
    });
    // The bare ceiling first, then the real server (whose background work after a level then
    // weighs only on its own next level).
    for (const c of levels) {
      log(`buyer-flow: bare Fastify, ${c} in flight, ${warmupSeconds} + ${seconds} s…`);
      result.push(await drive('bare', bare.pid!, postmaster, job(`http://127.0.0.1:${barePort}`, c, 'bare')));
    }
    await stopProcess(bare);
    for (const c of levels) {
      log(`buyer-flow: real server, ${c} in flight, ${warmupSeconds} + ${seconds} s…`);
      result.push(await drive('real', real.pid!, postmaster, job(realBase, c, 'real')));
    }
    await stopProcess(real);

    // Invariants, over every flow of the run (warm-ups and the canned one included).
    await foldCommittedStock(database.db, clock);
    const realRows = result.filter((r) => r.target === 'real');
    const clientPaid = 1 + realRows.reduce((s, r) => s + r.totals.paid, 0);
    const errors = realRows.reduce((s, r) => s + r.totals.errors, 0);
    const [sold] = await rows<{ orders: number; units: number }>(
      database.db,
      sql`select count(distinct o.id)::int as orders, coalesce(sum(i.quantity), 0)::int as units
        from order_items i join orders o on o.id = i.order_id where i.sku_id = ${skuId} and o.status = 'paid'`,
    );
    const [stockRow] = await rows<{ on_hand: number; reserved: number }>(
      database.db,
      sql`select coalesce(sum(on_hand),0)::int as on_hand, coalesce(sum(reserved),0)::int as reserved from stock where sku_id = ${skuId}`,
    );
    const ledger = await reconcile(database.db);
    const invariants = [
      { label: `oversold: ${Math.max(0, sold!.units - stock)} units (${sold!.units} sold of ${stock})`, ok: sold!.units <= stock },
      {
        label: `every buyer answered 201 or 409 out_of_stock: ${errors} other answers${realRows.flatMap((r) => r.totals.errorSamples).slice(0, 3).map((e) => `\n    ${e}`).join('')}`,
        ok: errors === 0,
      },
      { label: `paid orders in the database ${sold!.orders} = 201 checkouts the client saw ${clientPaid}`, ok: sold!.orders === clientPaid && sold!.units === clientPaid },
      { label: `stock row: on_hand ${stockRow!.on_hand} = ${stock} − ${sold!.units} sold, reserved ${stockRow!.reserved}`, ok: stockRow!.on_hand === stock - sold!.units && stockRow!.reserved === 0 },
      { label: `ledger reconciles: ${ledger.entries} entries, ${ledger.balanced ? 'balanced' : `${ledger.problems.length} problems`}`, ok: ledger.balanced },
    ];

    const at = (target: LevelRow['target']) => result.find((r) => r.target === target && r.concurrency === BUDGET.atConcurrency);
    const r50 = at('real');
    const b50 = at('bare');
    const budgets = r50 && b50
      ? [
          { label: `c${BUDGET.atConcurrency}: real/bare ≥ ${BUDGET.ratio * 100}% (${pct(r50.flowsPerSec / b50.flowsPerSec)})`, met: r50.flowsPerSec >= BUDGET.ratio * b50.flowsPerSec },
          { label: `c${BUDGET.atConcurrency}: checkout p99 < ${BUDGET.checkoutP99Ms} ms (${ms(r50.checkout.p99ms)} ms)`, met: r50.checkout.p99ms < BUDGET.checkoutP99Ms },
          { label: `c${BUDGET.atConcurrency}: add to cart p99 < ${BUDGET.addP99Ms} ms (${ms(r50.add.p99ms)} ms)`, met: r50.add.p99ms < BUDGET.addP99Ms },
        ]
      : [{ label: `the budgets are set at ${BUDGET.atConcurrency} in flight, which this run did not measure`, met: false }];
    return {
      rows: result,
      settings: {
        seconds, warmupSeconds, buyers, stock, logLevel, fsync: settings!.fsync, synchronousCommit: settings!.synchronous_commit,
        cartBytes: Buffer.byteLength(cart), checkoutBytes: Buffer.byteLength(checkout), loadBefore, loadAfter: os.loadavg(),
      },
      invariants,
      budgets,
      pass: invariants.every((i) => i.ok),
      budgetMet: budgets.every((b) => b.met),
    };
  } finally {
    if (bare) await stopProcess(bare);
    if (real) await stopProcess(real);
    await database?.close().catch(() => undefined);
    cluster.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

const ms = (v: number) => (v < 10 ? v.toFixed(1) : v.toFixed(0));
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
/** A share of one core as a percentage of one core. */
const core = (v: number) => `${Math.round(v * 100)}%`;

/**
 * The load client is the bottleneck at a level when its one event loop is this busy and it burns
 * more CPU than the server side (server process + PostgreSQL): the figure there is the client's
 * ceiling, and the server's own ceiling lies above it.
 */
const CLIENT_BOUND_ELU = 0.85;
/** Other processes' CPU (a share of one core) from which the run is flagged as shared. */
const SHARED_MACHINE_CPU = 0.25;

export function format(r: BuyerFlowResult): string {
  const s = r.settings;
  const header = ['target', 'in flight', 'flows/s', 'add p50', 'add p99', 'checkout p50', 'checkout p99', 'errors', 'client CPU', 'client loop', 'server CPU', 'PG CPU', 'other CPU'];
  const body = r.rows.map((x) => [
    x.target, String(x.concurrency), x.flowsPerSec.toFixed(1), ms(x.add.p50ms), ms(x.add.p99ms), ms(x.checkout.p50ms), ms(x.checkout.p99ms),
    String(x.totals.errors), core(x.clientCpu), pct(x.clientElu), core(x.serverCpu), core(x.pgCpu), core(x.otherCpu),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line), ''];
  out.push('real / bare, flows/s:');
  for (const c of [...new Set(r.rows.map((x) => x.concurrency))]) {
    const real = r.rows.find((x) => x.target === 'real' && x.concurrency === c);
    const bare = r.rows.find((x) => x.target === 'bare' && x.concurrency === c);
    if (real && bare) out.push(`  c${c}: ${real.flowsPerSec.toFixed(1)} / ${bare.flowsPerSec.toFixed(1)} = ${pct(real.flowsPerSec / bare.flowsPerSec)}`);
  }
  const name = (x: LevelRow) => `${x.target} c${x.concurrency}`;
  const bound = r.rows.filter((x) => x.clientElu >= CLIENT_BOUND_ELU && x.clientCpu > x.serverCpu + x.pgCpu);
  out.push('');
  out.push(
    bound.length === 0
      ? `load client: never the bottleneck (event loop below ${pct(CLIENT_BOUND_ELU)} busy, or less CPU than the server side)`
      : `load client is the bottleneck at: ${bound.map(name).join(', ')} (event loop ≥ ${pct(CLIENT_BOUND_ELU)} busy, more CPU than server + PostgreSQL) — ` +
          'there the figure is the client\'s ceiling; the server\'s lies above it',
  );
  const busiest = Math.max(...r.rows.map((x) => x.otherCpu));
  if (busiest >= SHARED_MACHINE_CPU) {
    out.push(`shared machine: other processes used up to ${core(busiest)} of a core during the measured windows (column "other CPU"); every figure above is lower than on an idle machine`);
  }
  out.push('');
  out.push('budgets (issue 17; a benchmark, not a timed test):');
  for (const b of r.budgets) out.push(`  ${b.met ? 'met    ' : 'NOT MET'}  ${b.label}`);
  out.push('');
  out.push('invariants after the run:');
  for (const i of r.invariants) out.push(`  ${i.ok ? 'PASS' : 'FAIL'}  ${i.label}`);
  out.push('');
  out.push(
    `setup: PostgreSQL fsync=${s.fsync}, synchronous_commit=${s.synchronousCommit}; the built server (bin/loopshop.mjs serve, LOG_LEVEL=${s.logLevel}, stdout to /dev/null); ` +
      `${s.buyers} buyers signed in before timing, one SKU with ${s.stock} units; per level ${s.warmupSeconds} s warm-up + ${s.seconds} s measured; ` +
      `one fetch client process; bare Fastify answers the same bytes (cart ${s.cartBytes} B, checkout ${s.checkoutBytes} B). ` +
      `CPU columns are shares of one core over the measured window (${os.cpus().length} cores in all): the load client, its event-loop utilization, ` +
      `the server process (real or bare), the PostgreSQL cluster, and the machine's other busy time (anything else running). ` +
      `Load average (1/5/15 min) before ${s.loadBefore.map((l) => l.toFixed(1)).join(' / ')}, after ${s.loadAfter.map((l) => l.toFixed(1)).join(' / ')}.`,
  );
  return out.join('\n');
}

if (invokedDirectly(import.meta.url)) {
  const levels = argValue('levels')?.split(',').map(Number);
  const r = await run({
    seconds: argNumber('seconds'), warmupSeconds: argNumber('warmup'), buyers: argNumber('buyers'), stock: argNumber('stock'),
    levels, logLevel: argValue('log-level'), log: (l) => console.error(l),
  });
  console.log(format(r));
  process.exitCode = r.pass ? 0 : 1;
}
