import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { SandboxCarrier } from '../modules/fulfillment/index.js';
import { addToCart, cardBody, checkoutReq, shopWithProduct } from '../modules/orders/index.js';
import { SANDBOX_CARDS, SandboxProvider } from '../modules/payments/index.js';
import { testApp, type TestApp } from '../test/app.js';
import { loadConfig } from './config.js';
import { rows } from './db.js';
import { installationSecret, resolveSandboxSecrets } from './installation-secrets.js';

/** The development secrets that were published in the source before issue 14. */
const OLD_PUBLISHED = { payments: 'whsec_loopshop_sandbox_dev', carrier: 'whsec_loopshop_carrier_sandbox_dev' };

describe('sandbox webhook secrets (issue 14, hole 4)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // No LOOPSHOP_SANDBOX_* in the config: the installation generates its own secrets.
    t = await testApp({ sandboxWebhookSecret: undefined, sandboxCarrierSecret: undefined });
  });
  afterAll(() => t.close());

  it('without configured secrets, generates random ones per installation (none is a published constant)', () => {
    expect(t.secrets.payments).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(t.secrets.carrier).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(t.secrets.payments).not.toBe(t.secrets.carrier);
    expect([t.secrets.payments, t.secrets.carrier]).not.toContain(OLD_PUBLISHED.payments);
    expect([t.secrets.payments, t.secrets.carrier]).not.toContain(OLD_PUBLISHED.carrier);
  });

  it('a payment webhook signed with the old published constant answers 401 and a 3-D Secure payment stays open', async () => {
    const s = await shopWithProduct(t, { variants: [{ price: 700, onHand: 2 }] });
    const buyer = await t.account();
    await addToCart(t, buyer.auth, s.skuIds[0]!, 1);
    const { payment, orders } = (await checkoutReq(t, buyer.auth, cardBody(SANDBOX_CARDS.requiresAction))).json();
    expect(payment.status).toBe('requires_action');
    const [p] = await rows<{ provider_ref: string }>(t.db, sql`select provider_ref from payments where id = ${payment.id}`);
    const forger = new SandboxProvider(t.clock, OLD_PUBLISHED.payments);
    const forged = forger.sign(forger.event('payment.succeeded', { intent_id: p!.provider_ref, payment_id: payment.id, amount: 700, currency: 'USD', last4: '3220' }));
    const res = await t.app.inject({ method: 'POST', url: '/v1/webhooks/payments/sandbox', headers: forged.headers, payload: forged.rawBody });
    expect([res.statusCode, res.json().error.code]).toEqual([401, 'invalid_signature']);
    const [after] = await rows<{ status: string }>(t.db, sql`select status from payments where id = ${payment.id}`);
    expect(after!.status).toBe('requires_action');
    expect((await t.app.inject({ method: 'GET', url: `/v1/orders/${orders[0].id}`, headers: buyer.auth })).json().status).toBe('pending_payment');
    const [seen] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from webhook_events`);
    expect(seen!.n).toBe(0);

    // The installation's own secret is accepted (so the 401 above is the secret, not the event).
    const real = new SandboxProvider(t.clock, t.secrets.payments);
    const signed = real.sign(real.event('payment.succeeded', { intent_id: p!.provider_ref, payment_id: payment.id, amount: 700, currency: 'USD', last4: '3220' }));
    const ok = await t.app.inject({ method: 'POST', url: '/v1/webhooks/payments/sandbox', headers: signed.headers, payload: signed.rawBody });
    expect(ok.statusCode).toBe(200);
  });

  it('a carrier webhook signed with the old published constant answers 401 and records nothing', async () => {
    const forged = new SandboxCarrier(t.clock, OLD_PUBLISHED.carrier).sign([
      { id: 'forged-1', tracking_number: 'SBX000000000001', status: 'delivered', at: t.clock.now().toISOString(), postal_code: null, description: 'x' },
    ]);
    const res = await t.app.inject({ method: 'POST', url: '/v1/webhooks/carriers/sandbox', headers: forged.headers, payload: forged.rawBody });
    expect([res.statusCode, res.json().error.code]).toEqual([401, 'invalid_signature']);
    const [n] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from tracking_events`);
    expect(n!.n).toBe(0);
  });

  it('two app instances on one database get the same generated secrets, also when they start at once', async () => {
    const config = { ...t.config, sandboxWebhookSecret: undefined, sandboxCarrierSecret: undefined };
    const [a, b] = await Promise.all([createApp({ database: t.database, clock: t.clock, config }), createApp({ database: t.database, clock: t.clock, config })]);
    try {
      expect(a.ctx.secrets).toEqual(t.secrets);
      expect(b.ctx.secrets).toEqual(t.secrets);
    } finally {
      await a.close();
      await b.close();
    }
    // A fresh name asked for by many callers at once: one value, one row.
    const values = await Promise.all(Array.from({ length: 6 }, () => installationSecret(t.db, t.clock, 'concurrent_test_secret')));
    expect(new Set(values).size).toBe(1);
    const [n] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from installation_secrets where name = 'concurrent_test_secret'`);
    expect(n!.n).toBe(1);
  });

  it('configured secrets win over the generated ones', async () => {
    const configured = { sandboxWebhookSecret: 'p'.repeat(32), sandboxCarrierSecret: 'c'.repeat(32) };
    expect(await resolveSandboxSecrets(t.db, t.clock, configured)).toEqual({ payments: 'p'.repeat(32), carrier: 'c'.repeat(32) });
    const cfg = loadConfig({ LOOPSHOP_SANDBOX_WEBHOOK_SECRET: 'q'.repeat(20), LOOPSHOP_SANDBOX_CARRIER_SECRET: 'r'.repeat(20) });
    expect([cfg.sandboxWebhookSecret, cfg.sandboxCarrierSecret]).toEqual(['q'.repeat(20), 'r'.repeat(20)]);
  });

  it('production without configured secrets refuses to start', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/LOOPSHOP_SANDBOX_WEBHOOK_SECRET and LOOPSHOP_SANDBOX_CARRIER_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', LOOPSHOP_SANDBOX_WEBHOOK_SECRET: 'y'.repeat(32), LOOPSHOP_SANDBOX_CARRIER_SECRET: 'x'.repeat(32) })).not.toThrow();
  });
});
