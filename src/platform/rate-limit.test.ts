import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { testApp, type TestApp } from '../test/app.js';
import { loadConfig } from './config.js';
import { hitLimits, purgeRateLimitCounters } from './rate-limit.js';
import { rateLimitCounters } from './schema.js';
import { clientAddress } from './security.js';

/**
 * Two app instances over one database stand for two server nodes behind a load balancer: a
 * budget of B spread across both refuses hit B+1, for route limits and the sign-in limits alike.
 */
describe('rate limits shared across nodes', () => {
  let t: TestApp;
  let second: FastifyInstance;
  beforeAll(async () => {
    t = await testApp({
      eventsRateLimit: { max: 4, timeWindowMs: 60_000 },
      signInRateLimit: { max: 3, timeWindowMs: 60_000 },
      signUpRateLimit: { max: 3, timeWindowMs: 3_600_000 },
    });
    second = await createApp({ database: t.database, clock: t.clock, config: t.config });
    await second.ready();
  });
  afterAll(async () => {
    await second.close();
    await t.close();
  });

  const nodes = () => [t.app, second];

  it('spends one budget for a route limit (events) across two nodes', async () => {
    const post = (app: FastifyInstance) =>
      app.inject({
        method: 'POST',
        url: '/v1/events',
        remoteAddress: '198.51.100.60',
        payload: { device_id: 'device-shared-1', events: [{ event_id: 'e1', type: 'impression', at: t.clock.now().toISOString() }] },
      });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post(nodes()[i % 2]!)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });

  it('spends one sign-in budget per account and one sign-up budget per address across two nodes', async () => {
    const signIns: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await nodes()[i % 2]!.inject({ method: 'POST', url: '/v1/auth/sign-in', remoteAddress: `198.51.100.${70 + i}`, payload: { email: 'shared@example.com', password: `guess number ${i}` } });
      signIns.push(res.statusCode);
    }
    expect(signIns).toEqual([401, 401, 401, 429, 429]);
    const signUps: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await nodes()[i % 2]!.inject({ method: 'POST', url: '/v1/auth/sign-up', remoteAddress: '198.51.100.80', payload: { email: `node-${i}@example.com`, password: 'correct horse battery', name: 'Node' } });
      signUps.push(res.statusCode);
    }
    expect(signUps).toEqual([201, 201, 201, 429]);
  });

  it('counts in fixed windows on the clock and purges ended windows', async () => {
    const hit = () => hitLimits(t.db, t.clock, [{ key: 'test:window', max: 2, windowMs: 60_000 }]).then(([h]) => h!);
    t.clock.advance(60_000 - (t.clock.now().getTime() % 60_000)); // the start of a window
    expect((await hit()).count).toBe(1);
    expect((await hit()).count).toBe(2);
    const third = await hit();
    expect(third).toMatchObject({ count: 3, exceeded: true, ttlMs: 60_000 });
    t.clock.advance(60_000);
    expect(await hit()).toMatchObject({ count: 1, exceeded: false });
    t.clock.advance(3_600_000 + 1);
    expect(await purgeRateLimitCounters(t.db, t.clock)).toBeGreaterThan(0);
    expect(await t.db.select().from(rateLimitCounters)).toEqual([]);
  });

  it('keeps no email or address in the table, only hashes', async () => {
    await hitLimits(t.db, t.clock, [{ key: 'signin:email:ada@example.com', max: 1, windowMs: 60_000 }]);
    const keys = (await t.db.select().from(rateLimitCounters)).map((r) => r.key);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => /^[\w-]{43}$/.test(k))).toBe(true);
  });
});

describe('client address and proxy trust', () => {
  it('counts an IPv6 client by its /64 and an IPv4-mapped one as IPv4', () => {
    expect(clientAddress('203.0.113.9')).toBe('203.0.113.9');
    expect(clientAddress('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(clientAddress('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:0db8:0001:0002:ffff::')).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientAddress('::1')).toBe('0:0:0:0::/64');
  });

  it('believes no proxy by default and refuses `true` or anything but addresses, CIDRs and the named ranges', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ LOOPSHOP_TRUST_PROXY: 'none' }).trustProxy).toBe(false);
    expect(loadConfig({ LOOPSHOP_TRUST_PROXY: ' 10.0.0.0/8, 192.168.1.7 ,fd00::/8, loopback' }).trustProxy).toBe('10.0.0.0/8,192.168.1.7,fd00::/8,loopback');
    for (const bad of ['true', '*', '10.0.0.0/33', 'proxy.internal', '10.0.0.1/8/1']) {
      expect(() => loadConfig({ LOOPSHOP_TRUST_PROXY: bad }), bad).toThrow(/LOOPSHOP_TRUST_PROXY/);
    }
  });
});
