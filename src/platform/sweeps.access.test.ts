import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../test/app.js';
import { fillPath, fetchOpenApi, operations, type Operation } from '../test/openapi.js';
import { sweepDirs } from '../test/sweeps.js';

/**
 * Access sweep, generated from the OpenAPI document: access is checked before the input is read
 * (decision 023). Every operation that is not public (`security: []`) is called with a malformed
 * request — a path id of the wrong shape, a query value of the wrong type and a body that is not
 * JSON — and must answer 401 `unauthorized` to an anonymous caller and 403 `role_required` to a
 * buyer when it needs a role (`x-roles`) the buyer lacks. The same request from an account that
 * may call the route answers 400, so the sweep proves the order, not only the refusal.
 */

const ALL_ROLES = ['buyer', 'seller', 'creator', 'operator'] as const;

/**
 * The operations open to anyone, and why. Anyone can watch (issue 16 §2): the feed, videos, live
 * rooms, products with their reviews and creators' pages read signed out, and a signed-out device
 * reports its views; signing in and out, the markets, the signed webhooks and the click-out of an
 * external anchor are open by nature. Everything else — every write for a person (cart, checkout,
 * reviews, orders) — needs a session. A route that turns public by accident fails here.
 */
const PUBLIC_OPERATIONS = [
  // watching, signed out
  'GET /v1/feed',
  'GET /v1/videos/{id}',
  'GET /v1/creators/{id}/videos',
  'GET /v1/creators/{id}/showcase',
  'GET /v1/creators/{id}/shops',
  'GET /v1/products',
  'GET /v1/products/{id}',
  'GET /v1/products/{id}/reviews',
  'GET /v1/live',
  'GET /v1/live/attestation',
  'GET /v1/live/{id}',
  'GET /v1/live/{id}/stream',
  'POST /v1/events',
  'GET /out/{anchor}',
  // accounts, markets, signed webhooks
  'POST /v1/auth/sign-up',
  'POST /v1/auth/sign-in',
  'POST /v1/auth/sign-out',
  'GET /v1/markets',
  'POST /v1/webhooks/payments/{provider}',
  'POST /v1/webhooks/carriers/{carrier}',
];

function malformed(op: Operation, auth: Record<string, string>): InjectOptions {
  const path = Object.fromEntries(op.params.filter((p) => p.in === 'path').map((p) => [p.name, 'not-an-id']));
  const query = op.params.some((p) => p.in === 'query' && p.name === 'limit') ? '?limit=many' : '';
  const method = op.method as InjectOptions['method'];
  const url = fillPath(op.path, path) + query;
  if (op.method === 'GET' || op.method === 'DELETE') return { method, url, headers: auth };
  return { method, url, headers: { ...auth, 'content-type': 'application/json' }, payload: '{"not json' };
}

const errorOf = (res: { statusCode: number; body: string }) => {
  try {
    return `${res.statusCode} ${(JSON.parse(res.body) as { error?: { code?: string } }).error?.code}`;
  } catch {
    return `${res.statusCode} ${res.body.slice(0, 100)}`;
  }
};

describe('access sweep: who may call each route, checked before its input', () => {
  let t: TestApp;
  let ops: Operation[];
  let buyer: Record<string, string>;
  let everyone: Record<string, string>;

  beforeAll(async () => {
    t = await testApp(sweepDirs());
    ops = operations(await fetchOpenApi(t.app));
    buyer = (await t.account({ roles: ['buyer'] })).auth;
    everyone = (await t.account({ roles: [...ALL_ROLES] })).auth;
  }, 120_000);
  afterAll(() => t?.close());

  it('opens exactly the watching, account and webhook routes to anyone', () => {
    const open = ops.filter((op) => Array.isArray(op.security) && op.security.length === 0).map((op) => op.name);
    expect([...open].sort()).toEqual([...PUBLIC_OPERATIONS].sort());
  });

  it('refuses anonymous callers with 401 and callers without the role with 403 before any 400', async () => {
    const failures: string[] = [];
    const counts = { public: 0, user: 0, role: 0 };
    for (const op of ops) {
      if (Array.isArray(op.security) && op.security.length === 0) {
        counts.public++;
        continue;
      }
      if (!op.path.startsWith('/v1/')) {
        failures.push(`${op.name}: outside /v1 but not public`);
        continue;
      }
      const anonymous = errorOf(await t.app.inject(malformed(op, {})));
      if (anonymous !== '401 unauthorized') failures.push(`${op.name}: anonymous got ${anonymous}, expected 401 unauthorized`);
      if (op.roles) {
        counts.role++;
        const asBuyer = errorOf(await t.app.inject(malformed(op, buyer)));
        if (!op.roles.includes('buyer') && asBuyer !== '403 role_required') failures.push(`${op.name}: a buyer got ${asBuyer}, expected 403 role_required`);
      } else {
        counts.user++;
      }
      const allowed = await t.app.inject(malformed(op, everyone));
      const malformedInput = op.method !== 'GET' && op.method !== 'DELETE';
      if (malformedInput && allowed.statusCode !== 400) failures.push(`${op.name}: the same request of an allowed caller got ${errorOf(allowed)}, expected 400`);
    }
    console.log(`[access sweep] ${ops.length} operations: ${counts.public} public, ${counts.user} for any signed-in caller, ${counts.role} for a role`);
    expect(failures, failures.join('\n')).toEqual([]);
    expect(counts.user).toBeGreaterThan(50);
    expect(counts.role).toBeGreaterThan(40);
  }, 300_000);
});
