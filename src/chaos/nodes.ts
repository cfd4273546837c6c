import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Random } from '../simulate/random.js';
import { CARDS, shuffle, type Clients } from './actors.js';
import { isAnswer, type Outcome } from './http.js';
import { idempotencyProblems, liveStockProblems, rateLimitProblems, type SeenAnswer } from './invariants.js';
import { SIGNIN_BUDGET } from './server.js';
import { readSse } from '../test/sse.js';
import { createProduct, PASSWORD } from './world.js';

/**
 * Cross-node probes: what must hold whichever server process a client reaches. Each gathers what
 * the clients saw on the different nodes and hands it to a pure check (invariants.ts), whose
 * problems go to `clients.nodeProblems`, prefixed with the check's name (`idempotency:`,
 * `live_rooms:`, `rate_limit:`). With one node they run too: every node is then the same one.
 */

export const seen = (node: number, out: Outcome<unknown>): SeenAnswer =>
  out.kind === 'answer' ? { node, status: out.status, body: out.body, code: out.code, replayed: out.replayed } : { node, status: null };

/** Two different live nodes (the same node twice when there is one), picked by `at`. */
export function nodePair(c: Clients, at: number): [number, number] {
  const live = c.api.liveNodes();
  if (live.length === 0) return [0, 0];
  return [live[at % live.length]!, live[(at + 1) % live.length]!];
}

/**
 * One buyer's checkout sent with the same Idempotency-Key to two different nodes at the same
 * moment: one payment, one set of orders, the same answer from both.
 */
export async function probeIdempotency(c: Clients, rnd: Random): Promise<void> {
  const skus = [...c.world.skus.values()].filter((k) => !k.hot && c.world.sellers.some((s) => s.active && s.shopId === k.shopId));
  const buyers = shuffle(rnd, [...c.world.buyers]).slice(0, 3);
  for (const buyer of buyers) {
    await c.emptyCart(buyer);
    if (!(await c.addToCart(buyer, rnd.pick(skus).id, 1))) continue;
    const key = c.key('idem-probe');
    const [a, b] = nodePair(c, rnd.int(0, 1_000_000));
    const results = await Promise.all([a, b].map((n) => c.checkout(buyer, CARDS.ok, key, n)));
    c.nodeProblems.push(...idempotencyProblems(key, results.map((r, i) => seen([a, b][i]!, r.outcome!))));
    c.count('idempotency_probes');
  }
}

/**
 * Wrong-password sign-ins for one fresh account, one after the other, round-robin over every
 * node, `budget + nodes` of them within the limit's window: after the budget, every node refuses.
 */
export async function probeRateLimit(c: Clients, budget = SIGNIN_BUDGET): Promise<void> {
  const email = `ratelimit-${randomBytes(4).toString('hex')}@chaos.loopshop.dev`;
  await c.api.must('POST', '/v1/auth/sign-up', { body: { email, password: PASSWORD, name: 'Chaos Rate Probe' } }, [201]);
  const nodes = c.api.liveNodes();
  const attempts: SeenAnswer[] = [];
  for (let i = 0; i < budget + nodes.length; i++) {
    const node = nodes[i % nodes.length]!;
    const out = await c.api.request('POST', '/v1/auth/sign-in', { body: { email, password: `${PASSWORD}-wrong` }, node });
    attempts.push(seen(node, out));
  }
  c.count('rate_limit_attempts', attempts.length);
  c.count('rate_limit_refused', attempts.filter((a) => a.status === 429).length);
  c.nodeProblems.push(...rateLimitProblems(budget, attempts));
}

interface RoomWatch {
  node: number;
  /** Units left per allotted SKU, as the node last told its viewers. */
  remaining: Record<string, number> | null;
  events: number;
  close(): void;
}

type AllotmentFact = { sku_id: string; remaining: number };
const byS = (list: AllotmentFact[]): Record<string, number> => Object.fromEntries(list.map((a) => [a.sku_id, a.remaining]));

/** A viewer on one node: reads the room's SSE stream and keeps the latest allotment figures. */
function watchRoom(baseUrl: string, node: number, liveId: string): Promise<RoomWatch> {
  return new Promise((resolve, reject) => {
    const w: RoomWatch = { node, remaining: null, events: 0, close: () => req.destroy() };
    const req = http.get(`${baseUrl}/v1/live/${liveId}/stream`, { headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`live stream on node ${node}: ${res.statusCode}`));
        return;
      }
      readSse(res, (blocks) => {
        for (const { event, data: lines } of blocks) {
          const data = lines.join('\n');
          if (!event || !data) continue;
          w.events++;
          const body = JSON.parse(data) as { live?: { allotments: AllotmentFact[] }; allotments?: AllotmentFact[] };
          if (event === 'snapshot' && body.live) w.remaining = byS(body.live.allotments);
          if (event === 'stock' && body.allotments) w.remaining = byS(body.allotments);
        }
      });
      resolve(w);
    });
    req.on('error', (e) => {
      if (w.remaining === null) reject(e);
    });
  });
}

/**
 * A live flash sale watched from every node: the host (a seller who is also a creator) goes live
 * with a new product, pins it and sets allotments; a viewer opens the room's stream on each node;
 * buyers add from the room and check out, their requests spread over the nodes. Once every
 * checkout is answered, each node's room must show the database's allotment figures (within
 * `settleMs`: LISTEN/NOTIFY carries the change to every node, a periodic re-read backs it up).
 */
export async function probeLiveRoom(c: Clients, rnd: Random, settleMs = 20_000): Promise<void> {
  const host = c.world.host;
  const api = c.api;
  const skus = await createProduct(api, host, { title: `Live flash ${c.key('live')}`, category: 'outdoor', price: rnd.int(10, 40) * 100 - 1, stock: 40, variants: 2, hot: false, affiliateBps: 500 });
  for (const k of skus) c.world.skus.set(k.id, k);
  const productId = skus[0]!.productId;
  const live = await api.must<{ id: string }>('POST', '/v1/live', { token: host.token, body: { title: 'Chaos live flash sale', stream_url: 'https://video.example.com/chaos/live.m3u8', product_ids: [productId] } }, [201]);
  await api.must('POST', `/v1/live/${live.id}/start`, { token: host.token, body: { attestation: true } }, [200]);
  await api.must('POST', `/v1/live/${live.id}/pin`, { token: host.token, body: { product_id: productId } }, [200]);
  await api.must('PUT', `/v1/live/${live.id}/allotments`, { token: host.token, body: skus.map((k) => ({ sku_id: k.id, quantity: rnd.int(8, 20) })) }, [200]);
  const watches = await Promise.all(api.liveNodes().map((n) => watchRoom(api.baseUrls[n]!, n, live.id)));
  try {
    const buyers = shuffle(rnd, [...c.world.buyers]).slice(0, Math.min(c.world.buyers.length, rnd.int(10, 18)));
    const plan = buyers.map((b) => ({ b, sku: rnd.pick(skus), q: rnd.int(1, 2), card: rnd.chance(0.1) ? CARDS.declined : CARDS.ok }));
    await Promise.all(plan.map(async (p) => { await c.emptyCart(p.b); await c.addToCart(p.b, p.sku.id, p.q, undefined, live.id); }));
    const outcomes = await Promise.all(plan.map((p) => c.checkout(p.b, p.card, c.key('live-buy'))));
    c.count('live_paid', outcomes.filter((o) => o.kind === 'paid').length);
    await api.request('POST', `/v1/live/${live.id}/heartbeat`, { token: host.token });
    // Quiesced: every checkout answered. Wait for the rooms to catch up, then compare.
    const t0 = Date.now();
    let database: Record<string, number> = {};
    let problems: string[] = [];
    for (;;) {
      const now = await api.request<{ allotments: AllotmentFact[] }>('GET', `/v1/live/${live.id}`, {});
      if (isAnswer(now, 200)) database = byS(now.body.allotments);
      problems = liveStockProblems(live.id, watches.map((w) => ({ node: w.node, remaining: w.remaining })), database);
      if (problems.length === 0 || Date.now() - t0 > settleMs) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    c.count('live_rooms_watched', watches.length);
    c.count('live_settle_ms', Date.now() - t0);
    c.nodeProblems.push(...problems);
    const ended = await api.request('POST', `/v1/live/${live.id}/end`, { token: host.token });
    c.expect('end live', ended, [200]);
  } finally {
    for (const w of watches) w.close();
  }
}

/** Every cross-node probe, at a quiet moment with every node up. */
export async function probeNodes(c: Clients, rnd: Random): Promise<void> {
  await probeLiveRoom(c, rnd);
  await probeIdempotency(c, rnd);
  await probeRateLimit(c);
}
