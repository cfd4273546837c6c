import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { testApp, useTestApp, type TestApp } from '../test/app.js';
import { sweepDirs } from '../test/sweeps.js';
import { PNG } from '../test/tenants.js';
import { multipartBody } from '../test/openapi.js';
import { users } from '../modules/identity/index.js';
import { addToCart, cardBody, shopWithProduct } from '../modules/orders/index.js';
import { assertProductionSecrets, loadConfig } from './config.js';
import { buildHttpApp } from './http.js';
import { idempotencyKeys } from './schema.js';

const signUp = (t: TestApp, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/auth/sign-up',
    headers,
    payload: { email: `s-${Math.random().toString(16).slice(2)}@test.loopshop.dev`, password: 'correct horse battery', name: 'Cookie User' },
  });
const cookieOf = (res: { cookies: Array<{ name: string; value: string }> }) => `loopshop_session=${res.cookies.find((c) => c.name === 'loopshop_session')!.value}`;

describe('security basics', () => {
  const t = useTestApp();

  it('sends helmet headers with a CSP that allows the web app and its media, and no CORS by default', async () => {
    const res = await t.app.inject({ url: '/healthz', headers: { origin: 'https://evil.example' } });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['strict-transport-security']).toContain('max-age=');
    expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("media-src 'self' blob: https:");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await t.app.inject({ method: 'OPTIONS', url: '/v1/me', headers: { origin: 'https://evil.example', 'access-control-request-method': 'PATCH' } });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sets the session cookie HttpOnly, SameSite=Lax, Path=/, and Secure over https', async () => {
    const plain = await signUp(t);
    const c = plain.cookies.find((x) => x.name === 'loopshop_session')!;
    expect(c).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(c.secure).toBeUndefined();
    // X-Forwarded-Proto counts only from a proxy the operator listed (LOOPSHOP_TRUST_PROXY, default none).
    const untrusted = await signUp(t, { 'x-forwarded-proto': 'https' });
    expect(untrusted.cookies.find((x) => x.name === 'loopshop_session')!.secure).toBeUndefined();
    const proxied = await testApp({ trustProxy: '127.0.0.1' });
    try {
      const https = await signUp(proxied, { 'x-forwarded-proto': 'https' });
      expect(https.cookies.find((x) => x.name === 'loopshop_session')!.secure).toBe(true);
      const spoofed = await proxied.app.inject({
        method: 'POST',
        url: '/v1/auth/sign-up',
        remoteAddress: '203.0.113.7',
        headers: { 'x-forwarded-proto': 'https' },
        payload: { email: 'spoof@test.loopshop.dev', password: 'correct horse battery', name: 'Spoof' },
      });
      expect(spoofed.cookies.find((x) => x.name === 'loopshop_session')!.secure).toBeUndefined();
    } finally {
      await proxied.close();
    }
  });

  it('refuses cookie-signed mutations without CSRF proof; Bearer calls, reads and signed-out calls need none', async () => {
    const res = await signUp(t);
    const cookie = cookieOf(res);
    const userId = res.json().user.id as string;
    const patch = (headers: Record<string, string>) => t.app.inject({ method: 'PATCH', url: '/v1/me', headers, payload: { name: 'Changed' } });
    const name = async () => (await t.db.select().from(users).where(eq(users.id, userId)))[0]!.name;

    const attempts: Array<Record<string, string>> = [{ cookie }, { cookie, 'sec-fetch-site': 'cross-site' }, { cookie, 'sec-fetch-site': 'same-site' }];
    for (const headers of attempts) {
      const refused = await patch(headers);
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe('csrf_failed');
    }
    expect(await name()).toBe('Cookie User');
    expect((await t.app.inject({ url: '/v1/me', headers: { cookie } })).statusCode).toBe(200);
    expect((await patch({ cookie, 'x-requested-with': 'loopshop' })).statusCode).toBe(200);
    expect((await patch({ cookie, 'sec-fetch-site': 'same-origin' })).statusCode).toBe(200);
    expect(await name()).toBe('Changed');
    const bearer = await t.account();
    expect((await patch({ ...bearer.auth, cookie })).statusCode).toBe(200);
    // A webhook carries no session: it is judged by its signature, never by CSRF.
    const hook = await t.app.inject({ method: 'POST', url: '/v1/webhooks/payments/sandbox', payload: { type: 'x' } });
    expect(hook.statusCode).toBeLessThan(500);
    expect(hook.json().error.code).not.toBe('csrf_failed');
    // An expired or unknown cookie signs nobody in: nothing to forge.
    expect((await t.app.inject({ method: 'POST', url: '/v1/auth/sign-out', headers: { cookie: 'loopshop_session=lss_unknown' } })).statusCode).toBe(204);
  });

  it('answers 413 in the error shape for a JSON body over the limit and an upload over its limit', async () => {
    const buyer = await t.account();
    const big = await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: { ...buyer.auth, 'content-type': 'application/json' }, payload: `{"name":"${'x'.repeat(t.config.bodyLimitBytes)}"}` });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('payload_too_large');
    const { payload, contentType } = multipartBody([], [['file', Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]), 'big.png']]);
    const upload = await t.app.inject({ method: 'POST', url: '/v1/after-sales/evidence', headers: { ...buyer.auth, 'content-type': contentType }, payload });
    expect(upload.statusCode).toBe(413);
    expect(upload.json().error).toMatchObject({ code: 'file_too_large', details: { limit: 5 * 1024 * 1024 } });
  });

  it('refuses NUL, unpaired surrogates and over-long path parameters in the error shape', async () => {
    const buyer = await t.account();
    const nul = await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: buyer.auth, payload: { name: 'a\u0000b' } });
    expect(nul.statusCode).toBe(400);
    expect(nul.json().error).toMatchObject({ code: 'validation_failed', details: [{ field: 'body/name', rule: 'well_formed_text' }] });
    const surrogate = await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: buyer.auth, payload: { name: 'x\udfffy' } });
    expect(surrogate.json().error).toMatchObject({ code: 'validation_failed', details: [{ field: 'body/name', rule: 'well_formed_text' }] });
    // Paired surrogates (emoji) are ordinary text.
    expect((await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: buyer.auth, payload: { name: 'Ada 👩‍👩‍👧' } })).statusCode).toBe(200);
    const long = await t.app.inject({ url: `/v1/products/${'x'.repeat(5000)}` });
    expect(long.statusCode).toBe(414);
    expect(long.json().error.code).toBe('uri_too_long');
    expect(long.body.length).toBeLessThan(200);
  });

  it('answers a failure with a generic 500: no message, no stack; the stack goes to the log', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const app = await buildHttpApp({
      ctx: t.app.ctx,
      resolveSession: async () => null,
      logger: { level: 'error', stream },
      routes: [
        async (v1) => {
          v1.get('/boom', { config: { auth: 'public' } }, async () => {
            throw new Error('connection to db-internal.example:5432 failed for user loopshop');
          });
        },
      ],
    });
    const res = await app.inject('/v1/boom');
    await app.close();
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'internal_error', message: 'Something went wrong on our side. Try again.', details: null } });
    expect(res.body).not.toContain('db-internal');
    expect(res.body).not.toContain('at ');
    expect(lines.join('')).toContain('db-internal.example');
    expect(lines.join('')).toContain('"stack"');
  });
});

describe('rate limits on checkout and events', () => {
  const t = useTestApp({ ...sweepDirs(), checkoutRateLimit: { max: 2, timeWindowMs: 60_000 }, eventsRateLimit: { max: 3, timeWindowMs: 60_000 } });

  it('limits checkouts per user with 429 rate_limited and Retry-After, and never stores the 429 for an Idempotency-Key', async () => {
    const shop = await shopWithProduct(t, { variants: [{ price: 1000, onHand: 100 }] });
    const buyer = await t.account();
    const other = await t.account();
    const checkout = (auth: { authorization: string }, key: string) =>
      t.app.inject({ method: 'POST', url: '/v1/checkout', headers: { ...auth, 'idempotency-key': key }, payload: cardBody() });
    await addToCart(t, buyer.auth, shop.skuIds[0]!);
    expect((await checkout(buyer.auth, 'k1')).statusCode).toBe(201);
    await addToCart(t, buyer.auth, shop.skuIds[0]!);
    expect((await checkout(buyer.auth, 'k2')).statusCode).toBe(201);
    const limited = await checkout(buyer.auth, 'k3');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(await t.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, 'k3'))).toEqual([]);
    // Per user: another buyer is not held back by the first one.
    expect((await checkout(other.auth, 'k4')).statusCode).not.toBe(429);
  });

  it('limits event batches per caller', async () => {
    const post = (headers: Record<string, string>) =>
      t.app.inject({ method: 'POST', url: '/v1/events', headers, payload: { device_id: 'device-rate-1', events: [{ event_id: 'e1', type: 'impression', at: t.clock.now().toISOString() }] } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post({})).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    // A signed-in user has a budget of its own, whatever the device id says.
    const user = await t.account();
    expect((await post(user.auth)).statusCode).toBe(200);
  });
});

describe('configuration', () => {
  it('takes CORS origins from LOOPSHOP_CORS_ORIGINS and refuses anything but bare origins', () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(loadConfig({ LOOPSHOP_CORS_ORIGINS: 'https://shop.example.com, http://localhost:5173' }).corsOrigins).toEqual(['https://shop.example.com', 'http://localhost:5173']);
    expect(() => loadConfig({ LOOPSHOP_CORS_ORIGINS: 'https://shop.example.com/path' })).toThrow(/LOOPSHOP_CORS_ORIGINS/);
    expect(() => loadConfig({ LOOPSHOP_CORS_ORIGINS: '*' })).toThrow(/LOOPSHOP_CORS_ORIGINS/);
  });

  it('refuses to start in production without its own webhook secrets', () => {
    expect(() => assertProductionSecrets({ NODE_ENV: 'production' })).toThrow(/LOOPSHOP_SANDBOX_WEBHOOK_SECRET and LOOPSHOP_SANDBOX_CARRIER_SECRET/);
    expect(() => assertProductionSecrets({ NODE_ENV: 'production', LOOPSHOP_SANDBOX_WEBHOOK_SECRET: 'short', LOOPSHOP_SANDBOX_CARRIER_SECRET: 'x'.repeat(32) })).toThrow(
      /LOOPSHOP_SANDBOX_WEBHOOK_SECRET/,
    );
    expect(() => assertProductionSecrets({ NODE_ENV: 'production', LOOPSHOP_SANDBOX_WEBHOOK_SECRET: 'y'.repeat(32), LOOPSHOP_SANDBOX_CARRIER_SECRET: 'x'.repeat(32) })).not.toThrow();
    expect(() => assertProductionSecrets({})).not.toThrow();
  });

  it('lets allowed origins call the API with credentials when CORS is configured', async () => {
    const t = await testApp({ corsOrigins: ['https://shop.example.com'] });
    try {
      const ok = await t.app.inject({
        method: 'OPTIONS',
        url: '/v1/me',
        headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'content-type,x-requested-with' },
      });
      expect(ok.statusCode).toBe(204);
      expect(ok.headers['access-control-allow-origin']).toBe('https://shop.example.com');
      expect(ok.headers['access-control-allow-credentials']).toBe('true');
      expect(String(ok.headers['access-control-allow-headers'])).toContain('x-requested-with');
      const other = await t.app.inject({ method: 'OPTIONS', url: '/v1/me', headers: { origin: 'https://evil.example', 'access-control-request-method': 'PATCH' } });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      expect((await t.app.inject('/healthz')).headers['cross-origin-resource-policy']).toBe('cross-origin');
    } finally {
      await t.close();
    }
  });
});
