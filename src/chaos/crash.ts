import { mkdirSync } from 'node:fs';
import { Random } from '../simulate/random.js';
import { CARDS, Clients, roundSeed, shuffle, TRUST_REFUSALS, type CheckoutAnswer } from './actors.js';
import { Api, type Outcome } from './http.js';
import { checkInvariants } from './invariants.js';
import { probeNodes } from './nodes.js';
import { bootstrapHost, bootstrapOperator, buildWorld, createProduct, onboardSeller, type Buyer, type Seller, type Sku } from './world.js';
import { nodeStats, openTarget, secretsFor, serverErrorLines, serversFor, waitJobsIdle, type RunResult } from './workload.js';

/**
 * Crash test (PostgreSQL): `kill -9` of the server process at seeded random moments of a flash
 * sale (many concurrent checkouts on one SKU) and of settlement (a clock advance that completes
 * orders and releases their escrow, with refunds requested at the same time), a restart on the
 * same database after each, and the invariants after each restart and at the end.
 *
 * What a client does about a request that got no answer: it retries later with the same
 * Idempotency-Key. The key a dead process claimed stays `in_progress` for 24 h (decision 003),
 * so the retry comes after the clock has moved past that; checkout then resumes the payment the
 * key made, if any (decision 005), and the client learns how it ended.
 *
 * The simulated clock lives in the server process: a restart starts it at the wall clock again,
 * so after each restart the harness moves it back to where it was, plus the 5-minute job lease,
 * so the jobs the dead process had claimed are claimed again.
 *
 * Several servers (`servers`): each kill picks a node by the seed; the others keep serving. For
 * half a second requests still go to the dead node, are refused and go to another (as a load
 * balancer retries), then it is taken out of the rotation; once it is back its clock joins the
 * others' before it takes requests again.
 */
export interface CrashOptions {
  seed: number;
  kills: number;
  databaseUrl: string;
  dataDir: string;
  /** Server processes on the database (default 1). */
  servers?: number;
  /** Buyers in the cast (each flash sale takes 20–40 of them, at most all). */
  buyers?: number;
  /** Simulated days of the final drain. */
  drainDays?: number;
  log?: (line: string) => void;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const JOB_LEASE_MS = 5 * MIN;
const IDEMPOTENCY_TTL_MS = DAY;
/** How long a dead node keeps getting requests (refused, then sent to another node) before it is taken out. */
const HEALTH_CHECK_MS = 500;

interface Unanswered {
  buyer: Buyer;
  card: string;
  key: string;
}

export async function runCrashTest(o: CrashOptions): Promise<RunResult> {
  const started = Date.now();
  const log = o.log ?? (() => undefined);
  const target = { engine: 'postgres' as const, databaseUrl: o.databaseUrl, dataDir: o.dataDir, servers: o.servers ?? 1 };
  mkdirSync(o.dataDir, { recursive: true });
  const secrets = secretsFor(o.seed);
  const servers = await serversFor(target, secrets, log);
  const db = await openTarget(target);
  const operator = await bootstrapOperator(db, new Date());
  const host = await bootstrapHost(db, new Date());
  const problems: string[] = [];
  const api = new Api(servers.map((s) => s.baseUrl));
  let kills = 0;
  let c: Clients | null = null;
  const unanswered: Unanswered[] = [];
  const killTimes: string[] = [];
  const replay = `npm run chaos -- --crash --seed ${o.seed} --kills ${o.kills}${servers.length > 1 ? ` --servers ${servers.length}` : ''}`;
  try {
    await Promise.all(servers.map((s) => s.start()));
    const setup = new Random(o.seed);
    const now0 = await api.must<{ now: string }>('GET', '/v1/admin/clock', { token: operator.token });
    const world = await buildWorld(api, setup, operator, host, new Date(now0.now), { sellers: 2, buyers: o.buyers ?? 40, creators: 2, productsPerSeller: 1 }, log);
    const clients = new Clients(api, world, secrets, `c${o.seed}`);
    // Every parcel arrives where it should: every order can settle and no shop earns a trust action.
    clients.scenarios = { on_time: 90, delayed: 5, exception_then_delivered: 5 };
    clients.wrongPostalRate = 0;
    c = clients;
    await clients.syncClock();
    // Across nodes, with every node up: a live room on every node, one Idempotency-Key on two nodes, the sign-in limit.
    const probeStart = Date.now();
    await probeNodes(clients, new Random(roundSeed(o.seed, 2_000_000)));
    log(`cross-node probes: ${clients.nodeProblems.length} problem(s) in ${Date.now() - probeStart} ms`);
    let saleMs = 400;
    let settleMs = 400;

    /**
     * Kills node `victim` `delayMs` from now and restarts it; its clock (and every node's) goes to
     * at least `clockAt` + the job lease, then it takes requests again.
     */
    const killAfter = async (victim: number, delayMs: number, what: string, clockAt: () => number): Promise<void> => {
      await new Promise((r) => setTimeout(r, delayMs));
      const server = servers[victim]!;
      const pid = server.pid;
      await server.kill9();
      kills++;
      // Until the load balancer's health check notices, requests still reach the dead node: refused, they go to another.
      if (servers.length > 1) await new Promise((r) => setTimeout(r, HEALTH_CHECK_MS));
      api.markDown(victim);
      const node = servers.length > 1 ? ` node ${victim}` : '';
      killTimes.push(`${what} +${delayMs} ms${node}`);
      const startMs = await server.start();
      await clients.advanceTo(clockAt() + JOB_LEASE_MS + 1000, [victim]);
      api.markUp(victim);
      log(`kill ${kills}/${o.kills}${node} (pid ${pid}) ${what} +${delayMs} ms; restarted in ${startMs} ms`);
    };
    // Which node dies: drawn first in its round (nothing to draw with one node, so one-node replays keep their decisions).
    const pickVictim = (rnd: Random) => (servers.length > 1 ? rnd.int(0, servers.length - 1) : 0);

    for (let round = 0; kills < o.kills; round++) {
      const rnd = new Random(roundSeed(o.seed, round));
      const victim = pickVictim(rnd);
      if (round % 2 === 0) {
        // Flash sale: everyone checks out at once; the server dies somewhere in the middle.
        const stock = rnd.int(10, 30);
        const price = rnd.int(10, 60) * 100 - 1;
        const open = world.sellers.filter((x) => x.active);
        const sku = await saleSku(clients, rnd.pick(open.length > 0 ? open : world.sellers), { title: `Crash sale ${round}`, category: 'outdoor', price, stock, variants: 1, hot: true, affiliateBps: 0 });
        world.skus.set(sku.id, sku);
        const buyers = shuffle(rnd, [...world.buyers]).slice(0, rnd.int(20, 40));
        const plan = buyers.map((b) => ({ b, q: rnd.chance(0.2) ? 2 : 1, card: rnd.chance(0.1) ? CARDS.declined : CARDS.ok, key: clients.key('crash-sale') }));
        const fraction = rnd.int(0, 1000) / 1000;
        await Promise.all(plan.map(async (p) => { await clients.emptyCart(p.b); await clients.addToCart(p.b, sku.id, p.q); }));
        const t0 = Date.now();
        const burst = Promise.all(
          plan.map(async (p) => {
            const out = await api.request<CheckoutAnswer>('POST', '/v1/checkout', { token: p.b.token, body: clients.checkoutBody(p.b, p.card), idempotencyKey: p.key });
            if (out.kind === 'no_answer') unanswered.push({ buyer: p.b, card: p.card, key: p.key });
            else clients.recordCheckout(p.b, out);
          }),
        );
        const delay = Math.round(fraction * saleMs * 1.2);
        await killAfter(victim, delay, `flash sale (${plan.length} checkouts, stock ${stock})`, () => clients.now);
        await burst;
        saleMs = Math.max(saleMs, Math.min(5000, Date.now() - t0 - (servers[victim]!.startups.at(-1) ?? 0)));
      } else {
        // Settlement: everything paid ships and arrives; then the clock runs past completion while refunds are requested.
        for (const s of world.sellers) await clients.sellerInbox(s);
        for (const order of [...clients.orders.values()].filter((x) => x.status === 'paid')) await clients.ship(order, rnd);
        await clients.carrierRound(rnd, { all: true });
        await clients.advance(2 * DAY);
        await clients.carrierRound(rnd, { all: true });
        // Up to a few seconds before the newest deliveries complete (7 days after their delivery).
        const newest = Math.max(...[...clients.orders.values()].map((x) => x.deliveredAt ?? 0));
        const boundary = newest + 7 * DAY;
        if (boundary - 3000 > clients.now) await clients.advance(boundary - 3000 - clients.now);
        const racing = shuffle(rnd, [...clients.orders.values()].filter((x) => x.deliveredAt === newest && x.caseId === null && x.status !== 'cancelled')).slice(0, rnd.int(1, 4));
        const fraction = rnd.int(0, 1000) / 1000;
        const target = clients.now + 8000 + 2 * DAY;
        const t0 = Date.now();
        const headStart = rnd.int(0, 30);
        const work = (async () => {
          // The refund requests and the advance that completes the orders race; then settlement runs on.
          await Promise.all([
            (async () => {
              await new Promise((r) => setTimeout(r, headStart));
              await clients.advance(rnd.int(4, 8) * 1000);
            })(),
            ...racing.map(async (order) => {
              const opened = await clients.openCase(order, rnd, {});
              if (opened.kind === 'answer' && opened.status === 201) await clients.caseAction(order, 'accept', 'seller');
            }),
          ]);
          await clients.advance(2 * DAY);
        })();
        const delay = Math.round(fraction * settleMs * 1.2);
        await killAfter(victim, delay, `settlement (${clients.orders.size} orders, ${racing.length} refunds racing)`, () => target);
        await work;
        settleMs = Math.max(settleMs, Math.min(5000, Date.now() - t0 - (servers[victim]!.startups.at(-1) ?? 0)));
        // Past the idempotency TTL: the clients retry what got no answer.
        await clients.advance(IDEMPOTENCY_TTL_MS);
        await retryUnanswered(clients, unanswered);
      }
      await waitJobsIdle(db, new Date(clients.now), 30_000);
      const mid = await checkInvariants(db.db, { final: false, acks: clients.acks, skus: [...world.skus.values()], now: new Date(clients.now) });
      problems.push(...mid.problems.map((p) => `after kill ${kills}: ${p}`));
      if (problems.length > 0) break;
    }

    // Finish the run: retries, then everything ships, arrives, completes and settles.
    await clients.advance(IDEMPOTENCY_TTL_MS);
    await retryUnanswered(clients, unanswered);
    const rnd = new Random(roundSeed(o.seed, 1_000_000));
    for (let d = 0; d < (o.drainDays ?? 14); d++) {
      for (const s of world.sellers) await clients.sellerInbox(s);
      for (const order of [...clients.orders.values()].filter((x) => x.status === 'paid')) await clients.ship(order, rnd);
      await clients.carrierRound(rnd, { all: true });
      for (const order of clients.orders.values()) {
        const status = await clients.caseStatus(order);
        if (status === 'requested') await clients.caseAction(order, 'accept', 'seller');
        else if (status === 'seller_accepted') await clients.caseAction(order, 'return', 'buyer', { carrier: 'sandbox', tracking_number: `RET${rnd.int(1e8, 9e8)}` });
        else if (status === 'return_shipped') await clients.caseAction(order, 'confirm-receipt', 'seller');
      }
      await clients.operatorRound(rnd, { clearAll: true });
      await clients.advance(DAY);
    }
    await clients.advance(2 * HOUR);
    await waitJobsIdle(db, new Date(clients.now));
    problems.push(...(await clients.reconcileOk()));
    const report = await checkInvariants(db.db, { final: problems.length === 0, acks: clients.acks, skus: [...world.skus.values()], now: new Date(clients.now) });
    problems.push(...report.problems, ...clients.unexpected.map((u) => `unexpected answer: ${u}`), ...clients.nodeProblems);
    problems.push(...api.serverErrors.map((e) => `server error: ${e.method} ${e.path} → ${e.status} ${e.body}`));
    problems.push(...serverErrorLines(servers).slice(0, 20).map((l) => `server log: ${l.slice(0, 800)}`));
    log(`kills: ${killTimes.join('; ')}`);
    return {
      ok: problems.length === 0,
      seed: o.seed,
      rounds: kills,
      problems,
      counts: { ...report.counts, kills },
      stats: { ...clients.stats, ...nodeStats(api), unanswered_checkouts: unanswered.length },
      startupMs: servers.flatMap((s) => s.startups),
      servers: servers.length,
      elapsedMs: Date.now() - started,
      replay,
    };
  } catch (e) {
    problems.push(`harness: ${(e as Error).stack ?? String(e)}`);
    if (c) problems.push(...c.unexpected.map((u) => `unexpected answer: ${u}`));
    if (c) problems.push(...c.nodeProblems);
    servers.forEach((s, i) => problems.push(`server ${i} output (tail):\n${s.output().slice(-3000)}`));
    return { ok: false, seed: o.seed, rounds: kills, problems, counts: { kills }, stats: c?.stats ?? {}, startupMs: servers.flatMap((s) => s.startups), servers: servers.length, elapsedMs: Date.now() - started, replay };
  } finally {
    await Promise.all(servers.map((s) => s.kill9()));
    await db.close().catch(() => undefined);
  }
}

/**
 * The flash-sale SKU, listed by `seller`; if trust & safety has closed that shop (a random run can
 * earn it a freeze or suspension), by a newly onboarded seller instead.
 */
async function saleSku(c: Clients, seller: Seller, product: Parameters<typeof createProduct>[2]): Promise<Sku> {
  try {
    return (await createProduct(c.api, seller, product))[0]!;
  } catch (e) {
    if (!TRUST_REFUSALS.some((code) => (e as Error).message.includes(`"${code}"`))) throw e;
    seller.active = false;
    const fresh = await onboardSeller(c.api, c.world.operator, c.world.invitationCode, c.world.sellers.length);
    c.world.sellers.push(fresh);
    c.count('sellers_onboarded');
    return (await createProduct(c.api, fresh, product))[0]!;
  }
}

/** Checkouts that got no answer, retried with their key; the answer is what the client learns. */
async function retryUnanswered(c: Clients, list: Unanswered[]): Promise<void> {
  const todo = list.splice(0, list.length);
  await Promise.all(
    todo.map(async (u) => {
      const out: Outcome<CheckoutAnswer> = await c.api.request<CheckoutAnswer>('POST', '/v1/checkout', { token: u.buyer.token, body: c.checkoutBody(u.buyer, u.card), idempotencyKey: u.key });
      if (out.kind === 'no_answer' || (out.status === 409 && out.code === 'idempotency_in_progress')) list.push(u);
      else {
        c.count('retried_checkouts');
        c.recordCheckout(u.buyer, out);
      }
    }),
  );
}

