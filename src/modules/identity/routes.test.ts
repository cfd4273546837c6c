import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../test/app.js';
import { sessions, users } from './schema.js';

describe('identity routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp({ signInRateLimit: { max: 5, timeWindowMs: 60_000 } });
  });
  afterAll(() => t.close());

  const userCount = async () => (await t.db.select({ n: count() }).from(users))[0]!.n;

  it('signs up, signs in, reads /me and signs out', async () => {
    const up = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/sign-up',
      payload: { email: 'Ada@Example.com', password: 'correct horse', name: 'Ada' },
    });
    expect(up.statusCode).toBe(201);
    const { token, user } = up.json();
    expect(token).toMatch(/^lss_/);
    expect(user).toMatchObject({ email: 'ada@example.com', name: 'Ada', roles: ['buyer'], locale: null });
    expect(user.id).toMatch(/^usr_/);
    expect(up.headers['set-cookie']).toMatch(/loopshop_session=.*HttpOnly/i);

    const me = await t.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${token}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json().user).toMatchObject({ id: user.id, roles: ['buyer'], shops: [] });

    const inn = await t.app.inject({ method: 'POST', url: '/v1/auth/sign-in', payload: { email: 'ada@example.com', password: 'correct horse' } });
    expect(inn.statusCode).toBe(200);
    const cookie = inn.cookies.find((c) => c.name === 'loopshop_session')!;
    const viaCookie = await t.app.inject({ method: 'GET', url: '/v1/me', cookies: { loopshop_session: cookie.value } });
    expect(viaCookie.json().user.id).toBe(user.id);

    // A mutation signed in by the cookie needs CSRF proof (the web app sends X-Requested-With).
    const forged = await t.app.inject({ method: 'POST', url: '/v1/auth/sign-out', cookies: { loopshop_session: cookie.value } });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().error.code).toBe('csrf_failed');
    const out = await t.app.inject({ method: 'POST', url: '/v1/auth/sign-out', headers: { 'x-requested-with': 'loopshop' }, cookies: { loopshop_session: cookie.value } });
    expect(out.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'POST', url: '/v1/auth/sign-out' })).statusCode).toBe(204);
    const after = await t.app.inject({ method: 'GET', url: '/v1/me', cookies: { loopshop_session: cookie.value } });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('unauthorized');
    // The other session (the bearer token) is still valid.
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
  });

  it('stores only a hash of the session token', async () => {
    const a = await t.account();
    const rows = await t.db.select().from(sessions);
    expect(rows.some((r) => r.tokenHash === a.token)).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.tokenHash))).toBe(true);
  });

  it('answers 401 invalid_credentials for a wrong password or unknown email', async () => {
    const a = await t.account({ email: 'grace@example.com' });
    for (const payload of [
      { email: a.email, password: 'wrong password' },
      { email: 'nobody@example.com', password: 'whatever1' },
    ]) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/auth/sign-in', payload });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: { code: 'invalid_credentials', message: expect.any(String), details: null } });
    }
  });

  it('rate-limits sign-in attempts per address and email', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/auth/sign-in', payload: { email: 'target@example.com', password: `guess-${i}00` } });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) expect(res.json().error.code).toBe('rate_limited');
    }
    expect(statuses.slice(0, 5).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });

  it('refuses a duplicate email with 409 email_taken', async () => {
    const a = await t.account();
    const before = await userCount();
    const res = await t.app.inject({ method: 'POST', url: '/v1/auth/sign-up', payload: { email: a.email.toUpperCase(), password: 'another pass', name: 'X' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('email_taken');
    expect(await userCount()).toBe(before);
  });

  it('answers bad input in the error shape and writes nothing', async () => {
    const before = await userCount();
    const cases: Array<{ payload: string; headers?: Record<string, string>; status: number; code: string }> = [
      { payload: '{"email": "a@b.co", "password": ', status: 400, code: 'invalid_json' },
      { payload: JSON.stringify({ email: 'a@b.co', password: 12345678, name: 'A' }), status: 400, code: 'validation_failed' },
      { payload: JSON.stringify({ email: 'a@b.co', password: 'long enough', name: 'A', admin: true }), status: 400, code: 'validation_failed' },
      { payload: JSON.stringify({ email: 'not-an-email', password: 'long enough', name: 'A' }), status: 400, code: 'validation_failed' },
      { payload: JSON.stringify({ email: 'a@b.co', password: 'short', name: 'A' }), status: 400, code: 'validation_failed' },
      { payload: JSON.stringify({ email: 'a@b.co', password: 'long enough', name: '   ' }), status: 400, code: 'validation_failed' },
      { payload: JSON.stringify({ email: 'a@b.co', password: 'long enough', name: 'x'.repeat(2_000_000) }), status: 413, code: 'payload_too_large' },
      { payload: 'email=a@b.co', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, code: 'unsupported_media_type' },
    ];
    for (const c of cases) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/sign-up',
        payload: c.payload,
        headers: { 'content-type': 'application/json', ...c.headers },
      });
      expect({ status: res.statusCode, code: res.json().error?.code }).toEqual({ status: c.status, code: c.code });
      expect(res.json().error.message).toEqual(expect.any(String));
    }
    const wrongType = await t.app.inject({ method: 'POST', url: '/v1/auth/sign-up', payload: { email: 'a@b.co', password: 12345678, name: 'A' } });
    expect(wrongType.json().error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'body/password', rule: 'type' })]));
    const missing = await t.app.inject({ method: 'POST', url: '/v1/auth/sign-up', payload: { email: 'a@b.co', password: 'long enough' } });
    expect(missing.json().error.details).toEqual([expect.objectContaining({ field: 'body/name', rule: 'required' })]);
    expect(await userCount()).toBe(before);
  });

  it('remembers the preferred language on the account', async () => {
    const a = await t.account();
    const res = await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: a.auth, payload: { locale: 'zh-CN' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().user.locale).toBe('zh-CN');
    const bad = await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: a.auth, payload: { locale: 'fr' } });
    expect(bad.statusCode).toBe(400);
    const me = await t.app.inject({ method: 'GET', url: '/v1/me', headers: a.auth });
    expect(me.json().user.locale).toBe('zh-CN');
  });

  it('lists the shops of a seller with their role', async () => {
    const s = await t.seller({ shopName: 'Shenzhen Lights' });
    const me = await t.app.inject({ method: 'GET', url: '/v1/me', headers: s.auth });
    expect(me.json().user.roles).toContain('seller');
    expect(me.json().user.shops).toEqual([expect.objectContaining({ id: s.shopId, name: 'Shenzhen Lights', role: 'owner', currency: 'USD' })]);
  });

  it('expires sessions on the clock', async () => {
    const a = await t.account();
    t.clock.advance(31 * 24 * 3600 * 1000);
    const res = await t.app.inject({ method: 'GET', url: '/v1/me', headers: a.auth });
    expect(res.statusCode).toBe(401);
  });
});
