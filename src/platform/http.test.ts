import { describe, expect, it } from 'vitest';
import { useTestApp } from '../test/app.js';
import { buildHttpApp } from './http.js';

describe('http platform', () => {
  const t = useTestApp();

  it('answers health, readiness and metrics', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ ok: true });
    const ready = await t.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().database).toBe(t.database.kind);
    const metrics = await t.app.inject('/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('loopshop_http_requests_total');
    expect(metrics.body).toContain('loopshop_process_cpu_user_seconds_total');
  });

  it('answers unknown routes in the error shape', async () => {
    const res = await t.app.inject('/v1/nope');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'route_not_found', message: 'No route GET /v1/nope', details: null } });
  });

  it('echoes or assigns a request id', async () => {
    const res = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect((await t.app.inject('/healthz')).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves an OpenAPI 3.1 document generated from the route schemas', async () => {
    const doc = (await t.app.inject('/docs/json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/auth/sign-up', '/v1/auth/sign-in', '/v1/me', '/v1/admin/ledger/reconcile']));
    expect(doc.paths['/v1/auth/sign-up'].post.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['email', 'password', 'name']),
    );
    const upload = doc.paths['/v1/videos'].post.requestBody.content['multipart/form-data'].schema;
    expect(upload.required).toEqual(['file', 'product_ids[]']);
    expect((await t.app.inject('/docs')).statusCode).toBeLessThan(400);
  });

  it('requires the operator role for the ledger reconciliation', async () => {
    const buyer = await t.account();
    const op = await t.account({ roles: ['operator'] });
    expect((await t.app.inject({ url: '/v1/admin/ledger/reconcile' })).statusCode).toBe(401);
    const denied = await t.app.inject({ url: '/v1/admin/ledger/reconcile', headers: buyer.auth });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('role_required');
    const ok = await t.app.inject({ url: '/v1/admin/ledger/reconcile', headers: op.auth });
    expect(ok.json()).toMatchObject({ balanced: true, problems: [] });
  });

  it('refuses at startup a /v1 route that declares no access, and an admin route that declares another', async () => {
    const build = (route: (v1: Parameters<Parameters<typeof buildHttpApp>[0]['routes'][number]>[0]) => void) =>
      buildHttpApp({ ctx: t.app.ctx, resolveSession: async () => null, routes: [async (v1) => route(v1)] });
    await expect(build((v1) => v1.get('/open', async () => ({})))).rejects.toThrow('GET /v1/open declares no config.auth');
    await expect(build((v1) => v1.get('/admin/open', { config: { auth: 'public' } }, async () => ({})))).rejects.toThrow(
      'GET /v1/admin/open: routes under /v1/admin/ are for operators by their scope',
    );
    const app = await build((v1) => v1.post('/admin/thing', async () => ({ ok: true })));
    const anonymous = await app.inject({ method: 'POST', url: '/v1/admin/thing', headers: { 'content-type': 'application/json' }, payload: '{' });
    await app.close();
    expect([anonymous.statusCode, anonymous.json().error.code]).toEqual([401, 'unauthorized']);
  });

  it('moves the simulated clock for operators', async () => {
    const op = await t.account({ roles: ['operator'] });
    const res = await t.app.inject({ method: 'POST', url: '/v1/admin/clock/advance', headers: op.auth, payload: { ms: 3_600_000 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ now: '2026-03-02T10:00:00.000Z', simulated: true });
  });
});
