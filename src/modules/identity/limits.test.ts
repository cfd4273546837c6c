import { count, eq } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newId } from '../../platform/ids.js';
import { useTestApp, type TestApp } from '../../test/app.js';
import { weakPasswordReason } from './password-policy.js';
import { hashPassword } from './passwords.js';
import { users } from './schema.js';
import { normalizeEmail } from './service.js';

const signIn = (t: TestApp, email: string, password: string, opts: { remoteAddress?: string; headers?: Record<string, string> } = {}) =>
  t.app.inject({ method: 'POST', url: '/v1/auth/sign-in', payload: { email, password }, ...opts });
const signUp = (t: TestApp, payload: { email: string; password: string; name?: string }, opts: { remoteAddress?: string } = {}) =>
  t.app.inject({ method: 'POST', url: '/v1/auth/sign-up', payload: { name: 'Limit Tester', ...payload }, ...opts });

describe('normalizeEmail', () => {
  it('maps padding (spaces, tabs, newlines, NBSP), upper case and NFD to one key, and is idempotent', () => {
    const variants = [' zoë@example.com', '\tZOË@Example.COM\n', 'zoe\u0308@example.com', '\u00a0 Zoe\u0308@EXAMPLE.com \r\n'];
    for (const v of variants) expect(normalizeEmail(v)).toBe('zoë@example.com');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => normalizeEmail(normalizeEmail(s)) === normalizeEmail(s)),
      { numRuns: 2000 },
    );
    const ascii = fc.stringMatching(/^[a-z0-9._%+-]{1,20}@[a-z0-9-]{1,12}\.[a-z]{2,6}$/);
    const pad = fc.array(fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0', '\u2003', '\u3000', '\ufeff'), { maxLength: 4 }).map((a) => a.join(''));
    fc.assert(
      fc.property(ascii, pad, pad, fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }), (email, before, after, upper) => {
        const cased = [...email].map((ch, i) => (upper[i % upper.length] ? ch.toUpperCase() : ch)).join('');
        return normalizeEmail(`${before}${cased}${after}`) === email;
      }),
      { numRuns: 500 },
    );
  });
});

describe('sign-in and sign-up limits', () => {
  const t = useTestApp({
    signInRateLimit: { max: 3, timeWindowMs: 60_000 },
    signInAddressRateLimit: { max: 5, timeWindowMs: 60_000 },
    signUpRateLimit: { max: 2, timeWindowMs: 3_600_000 },
  });

  it('keeps a locked account locked for padded, upper-case and NFD spellings, even with the right password', async () => {
    const email = 'zoë@example.com';
    await t.account({ email });
    // Each attempt from its own address, so only the per-account limit is in play.
    for (let i = 0; i < 3; i++) expect((await signIn(t, email, `wrong guess ${i}`, { remoteAddress: `198.51.100.${i + 1}` })).statusCode).toBe(401);
    const spellings = [' zoë@example.com', '\tZOË@EXAMPLE.COM\n', 'zoe\u0308@example.com', 'ZOE\u0308@example.com  '];
    for (const [i, spelling] of spellings.entries()) {
      const guess = await signIn(t, spelling, `another guess ${i}`, { remoteAddress: `198.51.100.${i + 10}` });
      expect(guess.statusCode).toBe(429);
      expect(guess.json().error.code).toBe('rate_limited');
      expect(Number(guess.headers['retry-after'])).toBeGreaterThan(0);
    }
    // The right password, padded, from a fresh address: still refused while the lock lasts.
    const right = await signIn(t, `  ${email.toUpperCase()}\t`, 'correct horse battery', { remoteAddress: '198.51.100.50' });
    expect(right.statusCode).toBe(429);
    expect(right.json().token).toBeUndefined();
    // When the window ends, any spelling of the email signs in.
    t.clock.advance(61_000);
    const later = await signIn(t, ' zoe\u0308@EXAMPLE.com\n', 'correct horse battery', { remoteAddress: '198.51.100.51' });
    expect(later.statusCode).toBe(200);
    expect(later.json().user.email).toBe(email);
  });

  it('limits sign-in per client address across emails', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await signIn(t, `victim-${i}@example.com`, 'some guess 1', { remoteAddress: '203.0.113.20' })).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    // Another address has its own budget.
    expect((await signIn(t, 'victim-0@example.com', 'some guess 2', { remoteAddress: '203.0.113.21' })).statusCode).toBe(401);
  });

  it('limits sign-up per client address and writes nothing when refused', async () => {
    const before = (await t.db.select({ n: count() }).from(users))[0]!.n;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await signUp(t, { email: `burst-${i}@example.com`, password: 'correct horse battery' }, { remoteAddress: '203.0.113.30' })).statusCode);
    }
    expect(statuses).toEqual([201, 201, 429]);
    expect((await t.db.select({ n: count() }).from(users))[0]!.n).toBe(before + 2);
    expect((await signUp(t, { email: 'burst-x@example.com', password: 'correct horse battery' }, { remoteAddress: '203.0.113.31' })).statusCode).toBe(201);
  });

  it('ignores X-Forwarded-For by default: a client cannot pick its own address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      // From 127.0.0.1 (app.inject's peer): a loopback proxy is not trusted unless configured.
      const res = await signIn(t, `xff-${i}@example.com`, 'some guess 3', { headers: { 'x-forwarded-for': `192.0.2.${i + 1}` } });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });
});

describe('X-Forwarded-For from a configured proxy', () => {
  const t = useTestApp({ trustProxy: '10.0.0.0/8', signInAddressRateLimit: { max: 2, timeWindowMs: 60_000 } });

  it('counts the address the proxy saw, and only when the peer is that proxy', async () => {
    const viaProxy = (client: string, i: number) =>
      signIn(t, `proxied-${client}-${i}@example.com`, 'some guess 4', { remoteAddress: '10.1.2.3', headers: { 'x-forwarded-for': `198.18.0.9, ${client}` } });
    expect([(await viaProxy('192.0.2.1', 1)).statusCode, (await viaProxy('192.0.2.1', 2)).statusCode, (await viaProxy('192.0.2.1', 3)).statusCode]).toEqual([401, 401, 429]);
    // Another client behind the same proxy has its own budget; the left-most (client-written) entry counts for nothing.
    expect((await viaProxy('192.0.2.2', 1)).statusCode).toBe(401);
    // A peer that is not the proxy cannot choose its address by sending the header.
    const direct = (i: number) => signIn(t, `direct-${i}@example.com`, 'some guess 5', { remoteAddress: '203.0.113.50', headers: { 'x-forwarded-for': `192.0.2.${100 + i}` } });
    expect([(await direct(1)).statusCode, (await direct(2)).statusCode, (await direct(3)).statusCode]).toEqual([401, 401, 429]);
  });
});

describe('weak passwords', () => {
  const t = useTestApp();

  it('refuses common, breached-list and guessable passwords and ones containing the email with 422 weak_password, writing nothing', async () => {
    const before = (await t.db.select({ n: count() }).from(users))[0]!.n;
    const cases: Array<[string, string, string]> = [
      ['weak-1@example.com', 'password', 'common'],
      ['weak-2@example.com', '12345678', 'common'],
      ['weak-3@example.com', 'qwertyuiop', 'common'],
      ['weak-4@example.com', 'iloveyou123', 'common'],
      ['weak-5@example.com', 'Passw0rd!', 'common'],
      ['weak-6@example.com', 'aaaaaaaaaa', 'guessable'],
      ['mallory@example.com', 'mallory@example.com', 'contains_email'],
      ['mallory@example.com', 'MALLORY@EXAMPLE.COM', 'contains_email'],
      ['mallory@example.com', 'Mallory-rules-the-world', 'contains_email'],
    ];
    for (const [email, password, reason] of cases) {
      const res = await signUp(t, { email, password });
      expect(res.statusCode, password).toBe(422);
      expect(res.json().error).toMatchObject({ code: 'weak_password', message: expect.any(String), details: { field: '/password', reason } });
    }
    expect((await t.db.select({ n: count() }).from(users))[0]!.n).toBe(before);
    expect((await signUp(t, { email: 'mallory@example.com', password: 'granite lantern orbit' })).statusCode).toBe(201);
  });

  it('accepts the passwords the demo, tests and harnesses use', () => {
    for (const [password, email] of [
      ['loopshop-demo', 'buyer@demo.loopshop.dev'],
      ['loopshop-demo', 'shopper12@demo.loopshop.dev'],
      ['correct horse battery', 'u-0a1b2c3d4e@test.loopshop.dev'],
      ['chaos-harness-password', 'buyer-1a2b3c4d@chaos.loopshop.dev'],
      ['simulation-only', 'buyer-7@sim.loopshop.dev'],
    ]) {
      expect(weakPasswordReason(password!, email!), password).toBeNull();
    }
  });

  it('never checks strength at sign-in: an existing account with a weak password still signs in', async () => {
    const id = newId('usr');
    await t.db.insert(users).values({ id, email: 'old-timer@example.com', name: 'Old Timer', passwordHash: await hashPassword('password'), createdAt: t.clock.now() });
    const res = await signIn(t, 'old-timer@example.com', 'password');
    expect(res.statusCode).toBe(200);
    expect(res.json().user.id).toBe(id);
    expect((await t.db.select().from(users).where(eq(users.id, id)))[0]!.passwordHash).toMatch(/^scrypt\$/);
  });
});
