import { mkdirSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { openDatabase, rows, type Database } from '../platform/db.js';
import type { WebhookEvent } from '../modules/payments/index.js';
import { Random } from '../simulate/random.js';
import { CARDS, Clients, roundSeed, shuffle, TRUST_REFUSALS } from './actors.js';
import { Api, isAnswer } from './http.js';
import { checkInvariants, idempotencyProblems, type InvariantReport } from './invariants.js';
import { nodePair, probeNodes, seen } from './nodes.js';
import { freePort } from '../test/ports.js';
import { ServerProcess, type ServerSecrets } from './server.js';
import { bootstrapHost, bootstrapOperator, buildWorld, createProduct, onboardSeller, stockShop, type Buyer, type Seller, type Sku } from './world.js';

/**
 * The seeded workload: buyers, sellers, creators, an operator, the carrier and the payment
 * provider acting on the real server process through its public HTTP API, on the simulated
 * clock, in rounds. Each round draws its decisions from its own PRNG seeded by (seed, round), so
 * a replay with the same seed makes the same decisions round by round even where wall-clock
 * interleaving made an earlier round turn out differently. After the active phase a drain moves
 * time on until every parcel, case and escrow has run its course; then the invariants.
 */
export interface Target {
  engine: 'postgres' | 'pglite';
  /** PostgreSQL: the database the server and the checks use. */
  databaseUrl?: string;
  /** A scratch directory (PGlite data, media; one media directory shared by every node, as a shared volume). */
  dataDir: string;
  /** Server processes on the one database (default 1; PGlite allows one process per data directory). */
  servers?: number;
}

export interface WorkloadOptions extends Target {
  seed: number;
  /** Wall-clock budget of the active phase (the drain comes after it). */
  budgetMs: number;
  /** Exactly this many rounds (a replay); overrides the budget. */
  rounds?: number;
  /** At least this many rounds, whatever the budget (tests on a slow machine). */
  minRounds?: number;
  /** Simulated days of the drain. */
  drainDays?: number;
  buyers?: number;
  sellers?: number;
  log?: (line: string) => void;
}

export interface RunResult {
  ok: boolean;
  seed: number;
  rounds: number;
  problems: string[];
  counts: Record<string, number>;
  stats: Record<string, number>;
  startupMs: number[];
  /** Server processes. */
  servers: number;
  elapsedMs: number;
  replay: string;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const AFTER_SALES_WINDOW = 7 * DAY;

export function secretsFor(seed: number): ServerSecrets {
  return { payments: `whsec_chaos_payments_${seed}`, carrier: `whsec_chaos_carrier_${seed}` };
}

export async function openTarget(t: Target, poolSize = 3): Promise<Database> {
  return t.engine === 'postgres' ? openDatabase({ url: t.databaseUrl!, poolSize }) : openDatabase({ dataDir: `${t.dataDir}/pglite` });
}

export function serverFor(t: Target, port: number, secrets: ServerSecrets, log: (l: string) => void): ServerProcess {
  return new ServerProcess({
    ...(t.engine === 'postgres' ? { databaseUrl: t.databaseUrl! } : {}),
    dataDir: t.engine === 'postgres' ? t.dataDir : `${t.dataDir}/pglite`,
    port,
    secrets,
    log,
  });
}

/** `n` server processes on the target, each on its own port (not started). PGlite: one only. */
export async function serversFor(t: Target, secrets: ServerSecrets, log: (l: string) => void): Promise<ServerProcess[]> {
  const n = t.servers ?? 1;
  if (!Number.isInteger(n) || n < 1) throw new Error('servers must be a positive integer');
  if (n > 1 && t.engine !== 'postgres') throw new Error('several servers need PostgreSQL: an embedded PGlite database is opened by one process only');
  const list: ServerProcess[] = [];
  const ports = new Set<number>();
  while (list.length < n) {
    const port = await freePort();
    if (ports.has(port)) continue;
    ports.add(port);
    const i = list.length;
    list.push(serverFor(t, port, secrets, n > 1 ? (l) => log(`node ${i}: ${l}`) : log));
  }
  return list;
}

/** Every server's log lines at level error or above, tagged with the node. */
export function serverErrorLines(servers: ServerProcess[]): string[] {
  return servers.flatMap((s, i) => s.errorLines().map((l) => (servers.length > 1 ? `node ${i}: ${l}` : l)));
}

/** Waits until no job is running or due (PostgreSQL: the harness can look). */
export async function waitJobsIdle(db: Database, now: Date, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const [r] = await rows<{ n: number }>(db.db, sql`select count(*)::int as n from jobs where status = 'running' or (status = 'queued' and run_at <= ${now.toISOString()}::timestamptz)`);
    if (!r || r.n === 0 || Date.now() - t0 > timeoutMs) return;
    await new Promise((res) => setTimeout(res, 200));
  }
}

/** The sandbox's payment events as it sent them (the webhook jobs' payloads), for exact replays. */
export async function capturedPaymentEvent(db: Database, paymentId: string, pick: number): Promise<WebhookEvent | undefined> {
  const list = await rows<{ payload: { event: WebhookEvent } }>(
    db.db,
    sql`select payload from jobs where type = 'payments.sandbox_webhook' and payload->'event'->'data'->>'payment_id' = ${paymentId} order by id`,
  );
  return list.length > 0 ? list[pick % list.length]!.payload.event : undefined;
}

export async function runWorkload(o: WorkloadOptions): Promise<RunResult> {
  const started = Date.now();
  const log = o.log ?? (() => undefined);
  const secrets = secretsFor(o.seed);
  mkdirSync(o.dataDir, { recursive: true });
  const servers = await serversFor(o, secrets, log);
  const boot = await openTarget(o);
  const operator = await bootstrapOperator(boot, new Date());
  const host = await bootstrapHost(boot, new Date());
  let live: Database | null = boot;
  if (o.engine === 'pglite') {
    await boot.close(); // one process per PGlite data directory: the server's
    live = null;
  }
  const problems: string[] = [];
  let round = 0;
  const replay = `npm run chaos -- --seed ${o.seed} --engine ${o.engine}${servers.length > 1 ? ` --servers ${servers.length}` : ''}`;
  let c: Clients | null = null;
  const api = new Api(servers.map((s) => s.baseUrl));
  try {
    await Promise.all(servers.map((s) => s.start()));
    const setupRnd = new Random(o.seed);
    const now0 = await api.must<{ now: string }>('GET', '/v1/admin/clock', { token: operator.token });
    const world = await buildWorld(api, setupRnd, operator, host, new Date(now0.now), { sellers: o.sellers ?? 4, buyers: o.buyers ?? 40, creators: 4, productsPerSeller: 3 }, log);
    const clients = new Clients(api, world, secrets, `s${o.seed}`);
    c = clients;
    await clients.syncClock();
    // Across nodes: a live room on every node, one Idempotency-Key on two nodes, the sign-in limit.
    const probeStart = Date.now();
    await probeNodes(clients, new Random(roundSeed(o.seed, 2_000_000)));
    log(`cross-node probes: ${clients.nodeProblems.length} problem(s) in ${Date.now() - probeStart} ms`);

    const deadline = started + o.budgetMs;
    for (round = 0; o.rounds !== undefined ? round < o.rounds : round < (o.minRounds ?? 0) || Date.now() < deadline; round++) {
      const rnd = new Random(roundSeed(o.seed, round));
      await playRound(clients, rnd, round, live);
      if (round % 5 === 4) {
        await refreshSellers(clients, rnd);
        problems.push(...(await clients.reconcileOk()));
        if (live) {
          const mid = await checkInvariants(live.db, { final: false, acks: clients.acks, skus: [...world.skus.values()], now: new Date(clients.now) });
          problems.push(...mid.problems.map((p) => `round ${round}: ${p}`));
        }
        if (problems.length > 0 || clients.unexpected.length > 0) {
          round++;
          break;
        }
      }
      if (round % 10 === 9) log(`round ${round + 1}: ${clients.orders.size} paid orders, clock ${new Date(clients.now).toISOString()}, ${api.requests} requests`);
    }
    log(`active phase: ${round} rounds in ${Math.round((Date.now() - started) / 1000)} s; draining`);
    if (problems.length === 0) await drain(clients, new Random(roundSeed(o.seed, 1_000_000 + round)), o.drainDays ?? 25, live);
    problems.push(...(await clients.reconcileOk()));
    let report: InvariantReport;
    if (live) {
      await waitJobsIdle(live, new Date(clients.now));
      report = await checkInvariants(live.db, { final: problems.length === 0, acks: clients.acks, skus: [...world.skus.values()], now: new Date(clients.now) });
      await Promise.all(servers.map((s) => s.stop()));
    } else {
      await Promise.all(servers.map((s) => s.stop())); // graceful: the running jobs finish, then the data dir is free
      live = await openTarget(o);
      report = await checkInvariants(live.db, { final: problems.length === 0, acks: clients.acks, skus: [...world.skus.values()], now: new Date(clients.now) });
    }
    problems.push(...report.problems, ...clients.unexpected.map((u) => `unexpected answer: ${u}`), ...clients.nodeProblems);
    problems.push(...api.serverErrors.map((e) => `server error: ${e.method} ${e.path} → ${e.status} ${e.body}`));
    problems.push(...serverErrorLines(servers).slice(0, 20).map((l) => `server log: ${l.slice(0, 800)}`));
    return {
      ok: problems.length === 0,
      seed: o.seed,
      rounds: round,
      problems,
      counts: report.counts,
      stats: { ...clients.stats, ...nodeStats(api) },
      startupMs: servers.flatMap((s) => s.startups),
      servers: servers.length,
      elapsedMs: Date.now() - started,
      replay: `${replay} --rounds ${round}`,
    };
  } catch (e) {
    problems.push(`harness: ${(e as Error).stack ?? String(e)}`);
    if (c) problems.push(...c.unexpected.map((u) => `unexpected answer: ${u}`));
    if (c) problems.push(...c.nodeProblems);
    servers.forEach((s, i) => problems.push(`server ${i} output (tail):\n${s.output().slice(-3000)}`));
    return { ok: false, seed: o.seed, rounds: round, problems, counts: {}, stats: c?.stats ?? {}, startupMs: servers.flatMap((s) => s.startups), servers: servers.length, elapsedMs: Date.now() - started, replay: `${replay} --rounds ${round}` };
  } finally {
    await Promise.all(servers.map((s) => s.kill9()));
    await live?.close().catch(() => undefined);
  }
}

/** Requests in all, per node, and those a dead node refused that went to another. */
export function nodeStats(api: Api): Record<string, number> {
  return { requests: api.requests, ...(api.size > 1 ? { rerouted: api.rerouted, ...Object.fromEntries(api.perNode.map((n, i) => [`requests_node${i}`, n])) } : {}) };
}

const pickDistinct = <T>(rnd: Random, list: readonly T[], n: number): T[] => shuffle(rnd, [...list]).slice(0, Math.min(n, list.length));

/** One buyer fills the cart with `lines` and checks out with `card` (sometimes twice at once with the same key). */
async function shop(c: Clients, pairAt: number, buyer: Buyer, lines: Array<{ sku: Sku; quantity: number; creator?: string }>, card: string, twice: boolean, challenge: 'pass' | 'fail' | 'abandon', race: 'none' | 'webhook' | 'cancel') {
  await c.emptyCart(buyer);
  let added = 0;
  for (const l of lines) if (await c.addToCart(buyer, l.sku.id, l.quantity, l.creator)) added++;
  if (added === 0) return;
  const key = c.key('checkout');
  // Twice: the same key on two different nodes at the same moment (a client retrying through the load balancer).
  const nodes = twice ? nodePair(c, pairAt) : [undefined];
  const results = await Promise.all(nodes.map((n) => c.checkout(buyer, card, key, n)));
  if (twice && results[0]!.paymentId && results[1]!.paymentId && results[0]!.paymentId !== results[1]!.paymentId) {
    c.unexpected.push(`one Idempotency-Key made two payments: ${results[0]!.paymentId}, ${results[1]!.paymentId}`);
  }
  if (twice) c.nodeProblems.push(...idempotencyProblems(key, results.map((r, i) => seen(nodes[i]!, r.outcome!))));
  const r = results.find((x) => x.kind === 'challenge');
  if (!r?.paymentId || challenge === 'abandon') return;
  const confirm = c.confirmChallenge(buyer, r.paymentId, challenge === 'pass');
  if (race === 'webhook' && challenge === 'pass') {
    // The provider's webhook and the buyer's confirmation arrive together: the capture is recorded once.
    await Promise.all([confirm, c.paymentSucceededWebhook(r.paymentId, r.amount!)]);
  } else if (race === 'cancel') {
    // The buyer cancels while confirming: either the payment is abandoned, or it is paid and then refunded.
    const pending = await c.api.request<{ data: Array<{ id: string; payment_id: string; status: string }> }>('GET', '/v1/orders?limit=20', { token: buyer.token });
    const orderId = isAnswer(pending, 200) ? pending.body.data.find((o) => o.payment_id === r.paymentId)?.id : undefined;
    await Promise.all([
      confirm,
      orderId
        ? (async () => {
            const out = await c.api.request<{ status: string }>('POST', `/v1/orders/${orderId}/cancel`, { token: buyer.token, body: {}, idempotencyKey: c.key('cancel') });
            if (c.expect('cancel while confirming', out, [200], ['invalid_transition', 'invalid_state'])?.status === 200) c.acks.push({ kind: 'order_cancelled', id: orderId });
          })()
        : Promise.resolve(),
    ]);
    if (orderId) await c.refreshPaid(orderId);
  } else await confirm;
}

interface FlashPlan {
  seller: Seller;
  stock: number;
  price: number;
  plan: Array<{ b: Buyer; q: number; card: string }>;
}

/**
 * Trust & safety suspends shops that earn flags (this workload fakes tracking now and then) and
 * freezes shops that leave orders unhandled: the clients look at their shops' status, and when
 * fewer than three can sell, the operator's invitation brings a new seller in.
 */
async function refreshSellers(c: Clients, rnd: Random): Promise<void> {
  for (const s of c.world.sellers.filter((x) => x.active)) {
    const me = await c.api.request<{ user: { shops: Array<{ id: string; status: string }> } }>('GET', '/v1/me', { token: s.token });
    if (isAnswer(me, 200)) s.active = me.body.user.shops.find((x) => x.id === s.shopId)?.status === 'active';
  }
  while (c.world.sellers.filter((x) => x.active).length < 3) {
    const s = await onboardSeller(c.api, c.world.operator, c.world.invitationCode, c.world.sellers.length);
    await stockShop(c.api, rnd, s, 3);
    c.world.sellers.push(s);
    for (const k of s.skus) c.world.skus.set(k.id, k);
    c.count('sellers_onboarded');
  }
}

function planFlashSale(c: Clients, rnd: Random): FlashPlan {
  const seller = rnd.pick(c.world.sellers.filter((x) => x.active));
  const stock = rnd.int(5, 25);
  const price = rnd.int(10, 60) * 100 - 1;
  const buyers = pickDistinct(rnd, c.world.buyers, rnd.int(Math.min(15, c.world.buyers.length - 2), Math.min(40, c.world.buyers.length - 2)));
  return { seller, stock, price, plan: buyers.map((b) => ({ b, q: rnd.chance(0.2) ? 2 : 1, card: rnd.chance(0.08) ? CARDS.declined : CARDS.ok })) };
}

/** Many buyers at once on one new SKU with little stock: sold ≤ stock, whatever the interleaving. */
async function flashSale(c: Clients, f: FlashPlan): Promise<void> {
  const { seller, stock, plan } = f;
  let sku: Sku | undefined;
  try {
    [sku] = await createProduct(c.api, seller, { title: `Flash deal ${c.key('sale')}`, category: 'outdoor', price: f.price, stock, variants: 1, hot: true, affiliateBps: 0 });
  } catch (e) {
    // Trust & safety may have closed or capped the shop: no sale this time.
    if (TRUST_REFUSALS.some((code) => (e as Error).message.includes(`"${code}"`))) {
      seller.active = false;
      return c.count('flash_sale_refused');
    }
    throw e;
  }
  c.world.skus.set(sku!.id, sku!);
  await Promise.all(plan.map(async (p) => { await c.emptyCart(p.b); await c.addToCart(p.b, sku!.id, p.q); }));
  const outcomes = await Promise.all(plan.map((p) => c.checkout(p.b, p.card, c.key('flash'))));
  const sold = outcomes.reduce((n, x, i) => n + (x.kind === 'paid' ? plan[i]!.q : 0), 0);
  c.count('flash_sales');
  c.count('flash_paid', outcomes.filter((x) => x.kind === 'paid').length);
  c.count('flash_sold_out', outcomes.filter((x) => x.kind === 'sold_out').length);
  if (sold > stock) c.unexpected.push(`flash sale of ${sku!.id}: ${sold} units acknowledged paid, stock was ${stock}`);
}

async function playRound(c: Clients, rnd: Random, round: number, live: Database | null): Promise<void> {
  const w = c.world;
  const open = new Set(w.sellers.filter((x) => x.active).map((x) => x.shopId));
  const ordinary = [...w.skus.values()].filter((s) => !s.hot && open.has(s.shopId));
  // A flash sale now and then (its buyers do nothing else this round: one cart each), and buyers shop, concurrently.
  const sale = (round === 0 || rnd.chance(0.12)) && w.sellers.some((x) => x.active) ? planFlashSale(c, rnd) : null;
  const busy = new Set(sale?.plan.map((p) => p.b) ?? []);
  const shoppers = pickDistinct(rnd, w.buyers.filter((b) => !busy.has(b)), ordinary.length > 0 ? rnd.int(2, 8) : 0).map((b) => ({
    b,
    lines: Array.from({ length: rnd.weighted({ one: 60, two: 30, three: 10 }) === 'one' ? 1 : rnd.int(2, 3) }, () => ({
      sku: rnd.pick(ordinary),
      quantity: rnd.int(1, 3),
      ...(rnd.chance(0.3) ? { creator: rnd.pick(w.creators).id } : {}),
    })),
    card: CARDS[rnd.weighted({ ok: 88, declined: 7, challenge: 5 })],
    twice: rnd.chance(0.1),
    pairAt: rnd.int(0, 1_000_000),
    challenge: rnd.weighted({ pass: 60, fail: 20, abandon: 20 } as const),
    race: rnd.weighted({ none: 60, webhook: 25, cancel: 15 } as const),
  }));
  await Promise.all([...shoppers.map((s) => shop(c, s.pairAt, s.b, s.lines, s.card, s.twice, s.challenge, s.race)), ...(sale ? [flashSale(c, sale)] : [])]);

  // Sellers ship (some in parts, a few with a tracking number from another order); some orders are cancelled.
  const paid = [...c.orders.values()].filter((x) => x.status === 'paid');
  await Promise.all(
    paid.map(async (order) => {
      const act = rnd.weighted({ ship: 45, wait: 46, seller_cancel: 3, buyer_cancel: 3, race: 3 });
      const part = rnd.chance(0.15);
      const fake = rnd.chance(0.04) ? [...c.orders.values()].find((x) => x.seller === order.seller && x.tracking.length > 0)?.tracking[0] : undefined;
      if (act === 'ship') await c.ship(order, rnd, { part, ...(fake ? { reuseTracking: fake } : {}) });
      else if (act === 'seller_cancel' || act === 'buyer_cancel') await c.cancel(order, act === 'seller_cancel' ? 'seller' : 'buyer');
      else if (act === 'race') {
        // Cancel and ship at the same moment: exactly one wins.
        const before = order.shipments.length;
        await Promise.all([c.cancel(order, 'buyer'), c.ship(order, rnd)]);
        if (order.status === 'cancelled' && order.shipments.length > before) c.unexpected.push(`order ${order.id} was both cancelled and shipped`);
      }
    }),
  );
  // Partly shipped orders: the rest follows.
  for (const order of [...c.orders.values()].filter((x) => x.partial && x.status === 'shipped')) {
    if (rnd.chance(0.3)) await c.ship(order, rnd);
  }

  await c.carrierRound(rnd);

  // The payment provider re-sends events: exact duplicates (PostgreSQL: read back what the sandbox sent) and fresh copies.
  const known = [...c.orders.values()];
  for (let i = rnd.int(0, 3); i > 0 && known.length > 0; i--) {
    const order = rnd.pick(known);
    const exact = live && rnd.chance(0.5) ? await capturedPaymentEvent(live, order.paymentId, rnd.int(0, 3)) : undefined;
    await c.replayPaymentWebhook(order, rnd, exact);
  }

  await afterSales(c, rnd);
  if (rnd.chance(0.25)) await refundRacesSettlement(c, rnd);

  // A seller restocks an ordinary SKU (never a flash-sale one: those must balance exactly).
  if (rnd.chance(0.1) && ordinary.length > 0) {
    const sku = rnd.pick(ordinary);
    const seller = w.sellers.find((s) => s.shopId === sku.shopId)!;
    const add = rnd.int(5, 50);
    const cur = await c.api.request<{ data: Array<{ warehouse_id: string; on_hand: number }> }>('GET', `/v1/skus/${sku.id}/stock`, { token: seller.token });
    const row = isAnswer(cur, 200) ? cur.body.data.find((d) => d.warehouse_id === seller.warehouseId) : undefined;
    if (row) {
      const out = await c.api.request('PUT', `/v1/skus/${sku.id}/stock`, { token: seller.token, body: { warehouse_id: seller.warehouseId, on_hand: row.on_hand + add }, idempotencyKey: c.key('stock') });
      if (c.expect('restock', out, [200], ['stock_below_reserved', ...TRUST_REFUSALS])?.status === 200) {
        sku.sets.push(row.on_hand + add);
        c.acks.push({ kind: 'stock_set', id: sku.id });
      }
    }
  }
  if (rnd.chance(0.3)) await c.operatorRound(rnd);
  if (rnd.chance(0.05)) c.expect('run payouts', await c.api.request('POST', '/v1/admin/payouts/run', { token: w.operator.token, idempotencyKey: c.key('payouts') }), [200]);

  const step = rnd.weighted({ minutes: 40, hours: 35, day: 20, days: 5 });
  await c.advance(step === 'minutes' ? rnd.int(1, 30) * MIN : step === 'hours' ? rnd.int(1, 8) * HOUR : step === 'day' ? rnd.int(12, 36) * HOUR : rnd.int(3, 5) * DAY);
}

/** Buyers open cases, sellers answer, buyers escalate or send returns, sellers confirm receipt. */
async function afterSales(c: Clients, rnd: Random): Promise<void> {
  const orders = [...c.orders.values()];
  await Promise.all(
    orders.map(async (order) => {
      if (order.caseId === null) {
        const lost = order.status === 'shipped' && order.deliveredAt === null && order.shippedAt !== null && c.now - order.shippedAt > 6 * DAY;
        const delivered = order.deliveredAt !== null && c.now - order.deliveredAt < AFTER_SALES_WINDOW;
        if ((lost && rnd.chance(0.5)) || (delivered && rnd.chance(0.04))) await c.openCase(order, rnd, { notReceived: lost });
        return;
      }
      const status = await c.caseStatus(order);
      const act = rnd.int(0, 99);
      if (status === 'requested') {
        if (act < 45) await c.caseAction(order, 'accept', 'seller');
        else if (act < 70) await c.caseAction(order, 'reject', 'seller', { note: 'It left us in perfect shape' });
        else if (act < 73) await c.caseAction(order, 'withdraw', 'buyer');
      } else if (status === 'seller_rejected') {
        if (act < 50) await c.caseAction(order, 'escalate', 'buyer', { note: 'Please look again' });
      } else if (status === 'seller_accepted') {
        if (act < 70) await c.caseAction(order, 'return', 'buyer', { carrier: 'sandbox', tracking_number: `RET${rnd.int(1e8, 9e8)}` });
      } else if (status === 'return_shipped') {
        if (act < 50) await c.caseAction(order, 'confirm-receipt', 'seller');
      } else if (status !== null && ['refunded', 'resolved_buyer', 'resolved_seller', 'closed'].includes(status) && order.deliveredAt !== null && rnd.chance(0.1)) {
        order.caseId = null; // a second case on the same order is allowed once the first is over
      }
    }),
  );
}

/**
 * A refund request at the moment escrow is released: the clock is moved to just before the
 * order completes, then a case (partial refund) and the clock advance past completion are sent
 * together. Either the case holds the escrow (and the seller's acceptance refunds from it) or
 * the order completed first (409 after_sales_window_closed) and is settled: never both.
 */
async function refundRacesSettlement(c: Clients, rnd: Random): Promise<void> {
  const candidates = [...c.orders.values()].filter((o) => o.deliveredAt !== null && o.caseId === null && o.status !== 'cancelled' && o.deliveredAt + AFTER_SALES_WINDOW - c.now > 0 && o.deliveredAt + AFTER_SALES_WINDOW - c.now < 3 * DAY);
  if (candidates.length === 0) return;
  const order = rnd.pick(candidates);
  const gap = order.deliveredAt! + AFTER_SALES_WINDOW - c.now - rnd.int(0, 3000);
  if (gap > 0) await c.advance(gap);
  const [opened] = await Promise.all([c.openCase(order, rnd), c.advance(rnd.int(1, 6) * 1000)]);
  c.count('refund_races');
  if (isAnswer(opened, 201)) {
    c.count('refund_races_case_first');
    // The seller accepts while the settlement sweep may run: the hold keeps escrow in place.
    await Promise.all([c.caseAction(order, 'accept', 'seller'), c.advance(rnd.int(1, 3) * HOUR)]);
  }
}

/** Moves time on in days, letting every actor finish: everything ships, arrives, is answered, completes and settles. */
async function drain(c: Clients, rnd: Random, days: number, live: Database | null): Promise<void> {
  for (let d = 0; d < days; d++) {
    for (const s of c.world.sellers) await c.sellerInbox(s);
    for (const order of [...c.orders.values()].filter((x) => x.status === 'paid')) await c.ship(order, rnd);
    for (const order of [...c.orders.values()].filter((x) => x.partial && x.status === 'shipped')) {
      if (rnd.chance(0.5)) await c.ship(order, rnd); // the rest of a partial shipment
    }
    await c.carrierRound(rnd);
    for (const order of c.orders.values()) {
      if (order.caseId === null) {
        if (order.status === 'shipped' && order.deliveredAt === null && order.shippedAt !== null && c.now - order.shippedAt > 6 * DAY) await c.openCase(order, rnd, { notReceived: true });
        continue;
      }
      const status = await c.caseStatus(order);
      if (status === 'requested') await c.caseAction(order, 'accept', 'seller');
      else if (status === 'seller_rejected') await c.caseAction(order, 'escalate', 'buyer', {});
      else if (status === 'seller_accepted') await c.caseAction(order, 'return', 'buyer', { carrier: 'sandbox', tracking_number: `RET${rnd.int(1e8, 9e8)}` });
      else if (status === 'return_shipped') await c.caseAction(order, 'confirm-receipt', 'seller');
    }
    await c.operatorRound(rnd, { clearAll: true });
    await c.advance(DAY);
    if (live) await waitJobsIdle(live, new Date(c.now), 10_000);
  }
  await c.carrierRound(rnd, { all: true });
  await c.operatorRound(rnd, { clearAll: true });
  for (let i = 0; i < 3; i++) {
    await c.advance(2 * HOUR);
    await new Promise((r) => setTimeout(r, 300));
  }
}

