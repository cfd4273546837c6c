/**
 * The load client of bench/buyer-flow.ts, in its own process so that it never shares an event
 * loop with the server it measures. It reads its job (JSON) on stdin, drives the buyer flow with
 * `fetch` — per flow: add one unit of the SKU to the cart, then check out with the sandbox card —
 * with `concurrency` flows in flight (a closed loop), first for `warmupSeconds` (not recorded),
 * then for `seconds`. It writes JSON lines on stdout: `{"event":"start"}` when the measured window
 * opens, `{"event":"end"}` when it closes (so the parent can read CPU counters at those moments),
 * then `{"event":"result",...}` once every flow in flight has been answered.
 *
 * Each in-flight slot owns its own buyers (tokens i ≡ slot mod concurrency), so no two flows of
 * one buyer's cart are ever in flight together.
 */
import { performance } from 'node:perf_hooks';
import { invokedDirectly, percentile } from './cli.js';

export interface ClientJob {
  base: string;
  skuId: string;
  tokens: string[];
  concurrency: number;
  seconds: number;
  warmupSeconds: number;
  /** Prefix of the Idempotency-Keys of this run's checkouts (unique per run). */
  keyPrefix: string;
}

export interface StepFigures {
  n: number;
  p50ms: number;
  p99ms: number;
}

export interface ClientResult {
  /** Flows whose checkout was answered 201 (paid) inside the measured window. */
  flows: number;
  seconds: number;
  flowsPerSec: number;
  add: StepFigures;
  checkout: StepFigures;
  /** Every answer of the run, warm-up included (the invariants are checked over all of them). */
  totals: { added: number; paid: number; outOfStock: number; errors: number; errorSamples: string[] };
  /** The client's own CPU time over the window, as a share of one core, and its event-loop utilization. */
  clientCpu: number;
  clientElu: number;
  /** Body sizes of the last answers, in bytes. */
  bytes: { add: number; checkout: number };
}

export const CHECKOUT_BODY = {
  shipping_address: { name: 'Buyer', line1: '1 Main St', city: 'Springfield', postal_code: '12345', country: 'US' },
  payment_method: { type: 'card', number: '4242424242424242', exp_month: 12, exp_year: 2035, cvc: '123' },
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const emit = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

async function main() {
  const job = JSON.parse(await readStdin()) as ClientJob;
  const addBody = JSON.stringify({ sku_id: job.skuId, quantity: 1 });
  const checkoutBody = JSON.stringify(CHECKOUT_BODY);
  const addLat: number[] = [];
  const checkoutLat: number[] = [];
  const totals: ClientResult['totals'] = { added: 0, paid: 0, outOfStock: 0, errors: 0, errorSamples: [] };
  const bytes = { add: 0, checkout: 0 };
  let flows = 0;
  const error = (step: string, status: number, body: string) => {
    totals.errors++;
    if (totals.errorSamples.length < 5) totals.errorSamples.push(`${step} ${status}: ${body.slice(0, 200)}`);
  };
  const isOutOfStock = (status: number, body: string) => status === 409 && body.includes('"out_of_stock"');

  const t0 = performance.now();
  const windowStart = t0 + job.warmupSeconds * 1000;
  const windowEnd = windowStart + job.seconds * 1000;
  let cpuAtStart = process.cpuUsage();
  let eluAtStart = performance.eventLoopUtilization();
  const started = new Promise<void>((resolve) =>
    setTimeout(() => {
      cpuAtStart = process.cpuUsage();
      eluAtStart = performance.eventLoopUtilization();
      emit({ event: 'start' });
      resolve();
    }, windowStart - performance.now()),
  );
  let cpu = { user: 0, system: 0 };
  let elu = 0;
  const ended = new Promise<void>((resolve) =>
    setTimeout(() => {
      cpu = process.cpuUsage(cpuAtStart);
      elu = performance.eventLoopUtilization(eluAtStart).utilization;
      emit({ event: 'end' });
      resolve();
    }, windowEnd - performance.now()),
  );

  const post = async (url: string, token: string, body: string, extra: Record<string, string> = {}) => {
    const res = await fetch(`${job.base}${url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...extra },
      body,
    });
    return { status: res.status, body: await res.text() };
  };

  await Promise.all(
    Array.from({ length: job.concurrency }, async (_, slot) => {
      const mine = job.tokens.filter((_t, i) => i % job.concurrency === slot);
      if (mine.length === 0) throw new Error(`no buyer for slot ${slot}: give at least ${job.concurrency} tokens`);
      for (let n = 0; performance.now() < windowEnd; n++) {
        const token = mine[n % mine.length]!;
        const s1 = performance.now();
        const add = await post('/v1/cart/items', token, addBody);
        const e1 = performance.now();
        if (s1 >= windowStart && s1 < windowEnd) addLat.push(e1 - s1);
        bytes.add = Buffer.byteLength(add.body);
        if (add.status === 201) totals.added++;
        else if (isOutOfStock(add.status, add.body)) {
          totals.outOfStock++;
          continue;
        } else {
          error('add to cart', add.status, add.body);
          continue;
        }
        const s2 = performance.now();
        const co = await post('/v1/checkout', token, checkoutBody, { 'idempotency-key': `${job.keyPrefix}-${slot}-${n}` });
        const e2 = performance.now();
        if (s2 >= windowStart && s2 < windowEnd) checkoutLat.push(e2 - s2);
        bytes.checkout = Buffer.byteLength(co.body);
        if (co.status === 201) {
          totals.paid++;
          if (e2 >= windowStart && e2 <= windowEnd) flows++;
        } else if (isOutOfStock(co.status, co.body)) totals.outOfStock++;
        else error('checkout', co.status, co.body);
      }
    }),
  );
  await started;
  await ended;
  addLat.sort((a, b) => a - b);
  checkoutLat.sort((a, b) => a - b);
  const fig = (l: number[]): StepFigures => ({ n: l.length, p50ms: percentile(l, 50), p99ms: percentile(l, 99) });
  const result: ClientResult = {
    flows,
    seconds: job.seconds,
    flowsPerSec: flows / job.seconds,
    add: fig(addLat),
    checkout: fig(checkoutLat),
    totals,
    clientCpu: (cpu.user + cpu.system) / 1000 / (job.seconds * 1000),
    clientElu: elu,
    bytes,
  };
  emit({ event: 'result', ...result });
}

if (invokedDirectly(import.meta.url)) await main();
