import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR } from './platform/clock.js';
import { rows } from './platform/db.js';
import { testApp, type TestApp } from './test/app.js';
import { SandboxCarrier } from './modules/fulfillment/index.js';
import { accounts, getBalance, reconcile } from './modules/ledger/index.js';
import { addToCart, ADDRESS, cardBody, checkoutReq, shopWithProduct } from './modules/orders/index.js';
import { SANDBOX_CARDS, SandboxProvider } from './modules/payments/index.js';

/**
 * Issue 15 item 3 (decision 022): providers, carriers, the payout rail and the media processor are
 * built once, by the composition root (src/strategies.ts), and a second provider or carrier is
 * configuration only.
 */
const SRC = path.join(import.meta.dirname);
const CONSTRUCTIONS = [
  /\bnew SandboxProvider\(/,
  /\bnew SandboxCarrier\(/,
  /\bnew SandboxPayoutRail\(/,
  /\bconfig\.ff(?:mpeg|probe)Path\b/,
];
/**
 * Where building one is the point: the composition root; tests and their fixtures; the chaos
 * harness, which plays the outside processor and carrier against server processes it does not
 * share memory with (it signs their webhooks with the secrets it gave them).
 */
const allowed = (file: string) => file === 'strategies.ts' || file.endsWith('.test.ts') || file.startsWith('test/') || file.startsWith('chaos/');

function sourceFiles(dir: string, rel = ''): string[] {
  return readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const file = path.posix.join(rel, e.name);
    if (e.isDirectory()) return sourceFiles(dir, file);
    return e.name.endsWith('.ts') ? [file] : [];
  });
}

const constructionsIn = (file: string) =>
  readFileSync(path.join(SRC, file), 'utf8')
    .split('\n')
    .flatMap((line, i) => (CONSTRUCTIONS.some((re) => re.test(line)) ? [`${file}:${i + 1}: ${line.trim()}`] : []));

describe('strategies are built only by the composition root', () => {
  it('no route, service, job or script constructs a provider, carrier, payout rail or media processor', () => {
    const files = sourceFiles(SRC);
    expect(files).toContain('modules/orders/routes.ts');
    expect(files.filter((f) => !allowed(f)).flatMap(constructionsIn)).toEqual([]);
  });

  it('the scan sees a construction where there is one (src/strategies.ts builds every kind)', () => {
    const found = constructionsIn('strategies.ts').join('\n');
    for (const what of ['new SandboxProvider(', 'new SandboxCarrier(', 'new SandboxPayoutRail(', 'config.ffmpegPath', 'config.ffprobePath']) expect(found).toContain(what);
    expect(constructionsIn('chaos/actors.ts').join('\n')).toContain('new SandboxProvider(');
  });
});

describe('a second payment provider and carrier: configuration only', () => {
  const ALTPAY_SECRET = 'whsec_altpay_strategies_test';
  const ALTPOST_SECRET = 'whsec_altpost_strategies_test';
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(
      {},
      {
        // The first provider takes new checkouts; the installation's sandboxes stay configured beside the second ones.
        strategies: ({ clock, secrets }) => ({
          payments: new Map([
            ['altpay', new SandboxProvider(clock, ALTPAY_SECRET, 'altpay')],
            ['sandbox', new SandboxProvider(clock, secrets.payments)],
          ]),
          carriers: new Map([
            ['sandbox', new SandboxCarrier(clock, secrets.carrier)],
            ['altpost', new SandboxCarrier(clock, ALTPOST_SECRET, 'altpost')],
          ]),
        }),
      },
    );
  });
  afterAll(() => t.close());

  type Auth = { authorization: string };
  const get = (url: string, auth: Auth) => t.app.inject({ method: 'GET', url, headers: auth });
  const post = (url: string, auth: Auth, payload: object) => t.app.inject({ method: 'POST', url, headers: auth, payload });
  const deliver = (url: string, signed: { rawBody: string; headers: Record<string, string> }) => t.app.inject({ method: 'POST', url, headers: signed.headers, payload: signed.rawBody });
  const escrow = (orderId: string) => getBalance(t.db, accounts.escrow(orderId), 'USD');
  const altpay = () => t.app.ctx.strategies.payments.get('altpay') as SandboxProvider;
  const installationPay = () => new SandboxProvider(t.clock, t.secrets.payments);
  const webhookJobs = async (type: string) =>
    rows<{ status: string; name: string | null }>(t.db, sql`select status, coalesce(payload->>'provider', payload->>'carrier') as name from jobs where type = ${type}`);

  async function order(card: string) {
    const s = await shopWithProduct(t, { variants: [{ price: 1500, onHand: 5 }] });
    const buyer = await t.account();
    await addToCart(t, buyer.auth, s.skuIds[0]!, 1);
    const res = await checkoutReq(t, buyer.auth, cardBody(card));
    expect(res.statusCode, res.body).toBe(card === SANDBOX_CARDS.requiresAction ? 200 : 201);
    return { s, buyer, payment: res.json().payment as { id: string; provider: string }, orderId: res.json().orders[0].id as string };
  }

  it('checkout charges with the first configured provider; its webhooks are accepted with its own secret only', async () => {
    const { buyer, payment, orderId } = await order(SANDBOX_CARDS.requiresAction);
    expect(payment.provider).toBe('altpay');
    const [p] = await rows<{ provider: string; provider_ref: string }>(t.db, sql`select provider, provider_ref from payments where id = ${payment.id}`);
    expect(p!.provider).toBe('altpay');
    const event = altpay().event('payment.succeeded', { intent_id: p!.provider_ref, payment_id: payment.id, amount: 1500, currency: 'USD' });

    // The installation's sandbox secret does not sign for altpay, nor altpay's secret for the sandbox.
    const wrongSecret = installationPay().sign(event);
    expect((await deliver('/v1/webhooks/payments/altpay', wrongSecret)).json().error.code).toBe('invalid_signature');
    expect((await deliver('/v1/webhooks/payments/sandbox', altpay().sign(event))).json().error.code).toBe('invalid_signature');
    expect((await get(`/v1/orders/${orderId}`, buyer.auth)).json().status).toBe('pending_payment');

    const ok = await deliver('/v1/webhooks/payments/altpay', altpay().sign(event));
    expect([ok.statusCode, ok.json()]).toEqual([200, { received: true, duplicate: false, event_id: event.id }]);
    expect((await get(`/v1/orders/${orderId}`, buyer.auth)).json().status).toBe('paid');
    expect(await escrow(orderId)).toBe(1500);
  });

  it('a cancelled order is refunded through the provider that took the payment', async () => {
    const { buyer, payment, orderId } = await order(SANDBOX_CARDS.succeeds);
    expect(payment.provider).toBe('altpay');
    const res = await post(`/v1/orders/${orderId}/cancel`, buyer.auth, {});
    expect(res.statusCode, res.body).toBe(200);
    expect((await get(`/v1/payments/${payment.id}`, buyer.auth)).json().payment).toMatchObject({ provider: 'altpay', status: 'refunded', refunded_amount: { amount: 1500 } });
    const [refund] = await rows<{ provider_ref: string }>(t.db, sql`select provider_ref from refunds where payment_id = ${payment.id}`);
    expect(refund!.provider_ref).toMatch(/^re_sbx_/);
    expect(await escrow(orderId)).toBe(0);
    expect((await reconcile(t.db)).problems).toEqual([]);

    // altpay's own deliveries (payment.succeeded, refund.succeeded) are signed and verified as altpay.
    await t.app.ctx.jobs.runDue();
    const jobs = await webhookJobs('payments.sandbox_webhook');
    expect(jobs.length).toBeGreaterThanOrEqual(2);
    expect(jobs).toEqual(jobs.map(() => ({ status: 'done', name: 'altpay' })));
    const claimed = await rows<{ type: string }>(t.db, sql`select type from webhook_events where provider = 'altpay' and payload->'data'->>'payment_id' = ${payment.id} order by type`);
    expect(claimed.map((e) => e.type)).toEqual(['payment.succeeded', 'refund.succeeded']);
  });

  it('a seller ships with the second carrier; its scans are accepted with its own secret only, its simulated scans deliver, a return may use it', async () => {
    const { s, buyer, orderId } = await order(SANDBOX_CARDS.succeeds);
    const shipped = await post(`/v1/orders/${orderId}/shipments`, s.owner.auth, { carrier: 'altpost' });
    expect(shipped.statusCode, shipped.body).toBe(201);
    const { id: shipmentId, tracking_number: tracking, carrier } = shipped.json() as { id: string; tracking_number: string; carrier: string };
    expect(carrier).toBe('altpost');
    const altpost = t.app.ctx.strategies.carriers.get('altpost') as SandboxCarrier;
    const scan = { id: `alt-${orderId}`, tracking_number: tracking, status: 'picked_up' as const, at: t.clock.now().toISOString(), postal_code: ADDRESS.postal_code, description: 'Picked up' };

    const installationCarrier = t.app.ctx.strategies.carriers.get('sandbox') as SandboxCarrier;
    expect((await deliver('/v1/webhooks/carriers/altpost', installationCarrier.sign([scan]))).json().error.code).toBe('invalid_signature');
    expect((await deliver('/v1/webhooks/carriers/sandbox', altpost.sign([scan]))).json().error.code).toBe('invalid_signature');
    expect((await deliver('/v1/webhooks/carriers/altpost', altpost.sign([scan]))).json()).toEqual({ received: 1, applied: 1, duplicates: 0 });
    expect((await get(`/v1/shipments/${shipmentId}`, buyer.auth)).json().status).toBe('picked_up');

    // The second sandbox's simulated scans come back through it (its name travels with each job).
    await altpost.simulate(t.db, tracking, 'on_time', { postalCode: ADDRESS.postal_code });
    t.clock.advance(45 * HOUR);
    await t.app.ctx.jobs.runDue();
    expect((await webhookJobs('fulfillment.sandbox_carrier_event')).filter((j) => j.name === 'altpost' && j.status === 'done')).toHaveLength(4);
    expect((await get(`/v1/shipments/${shipmentId}`, buyer.auth)).json().status).toBe('delivered');
    expect((await get(`/v1/orders/${orderId}`, buyer.auth)).json().status).toBe('delivered');

    // A return may go with any configured carrier, and only with one.
    const opened = await post(`/v1/orders/${orderId}/after-sales`, buyer.auth, { type: 'return_and_refund', reason: 'Wrong size' });
    expect(opened.statusCode, opened.body).toBe(201);
    const caseId = opened.json().id as string;
    expect((await post(`/v1/after-sales/${caseId}/accept`, s.owner.auth, {})).statusCode).toBe(200);
    expect((await post(`/v1/after-sales/${caseId}/return`, buyer.auth, { carrier: 'pigeon', tracking_number: 'RT1' })).json().error.code).toBe('unknown_carrier');
    const returned = await post(`/v1/after-sales/${caseId}/return`, buyer.auth, { carrier: 'altpost', tracking_number: 'RT1' });
    expect(returned.statusCode, returned.body).toBe(200);
    expect(returned.json()).toMatchObject({ status: 'return_shipped', return: { carrier: 'altpost', tracking_number: 'RT1' } });
  });
});
