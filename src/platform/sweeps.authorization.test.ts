import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from './db.js';
import { testApp, type TestApp } from '../test/app.js';
import { changedTables, fingerprint } from '../test/fingerprint.js';
import { fetchOpenApi, operations, type Operation, type OpenApiDoc } from '../test/openapi.js';
import { injectOptions, notSweepable, SWEEP_SEED, sweepDirs, syntheticId, validRequest, valueContext } from '../test/sweeps.js';
import { buildTenantWorld, type TenantWorld } from '../test/tenants.js';
import { createShop } from '../modules/sellers/index.js';

/**
 * Authorization sweep, generated from the OpenAPI document: every operation is called by tenant
 * B (a buyer, seller and creator with a shop of its own, not an operator) with tenant A's real
 * ids in its path, query and body, and a body that is otherwise valid so the request reaches the
 * object check.
 *
 * - A route with an id in its path must answer 404 (or 403 for a role B lacks) and change
 *   nothing in the database — unless it is a public read: then B's answer must be exactly the
 *   anonymous answer (B sees nothing a stranger cannot).
 * - A route without one (lists, B's own cart, sign-up, …) must not fail (no 5xx) and must not
 *   show B any of A's private ids.
 */

/** Ids that public pages show anyone (products, their SKUs and shops, creators, anchors, videos once ready). */
const PUBLIC_PREFIXES = new Set(['prd', 'sku', 'shp', 'usr', 'anc', 'vid']);

/** Operations no session token can be swept with, and why. */
function skipReason(op: Operation): string | null {
  const general = notSweepable(op);
  if (general) return general;
  if (op.path.startsWith('/v1/webhooks/')) return 'signed webhook: authenticated by the provider signature, not a session (signature tests in payments and fulfillment)';
  if (op.path.startsWith('/out/')) return 'public click-out redirect: anyone may follow an anchor, and each follow is recorded by design';
  return null;
}

describe('authorization sweep: tenant B against tenant A, every route of the OpenAPI document', () => {
  let t: TestApp;
  let world: TenantWorld;
  let doc: OpenApiDoc;
  let b: { id: string; auth: { authorization: string } };
  let privateIds: string[];

  beforeAll(async () => {
    t = await testApp(sweepDirs());
    world = await buildTenantWorld(t);
    const account = await t.account({ roles: ['buyer', 'seller', 'creator'], name: 'Tenant B' });
    await createShop(t.db, t.clock, { name: 'B Shop', market: 'US', currency: 'USD', timezone: 'UTC', ownerId: account.id });
    b = { id: account.id, auth: account.auth };
    doc = await fetchOpenApi(t.app);
    // Platform warehouses (managed mode) belong to no tenant: every seller may list them.
    const platformOwned = new Set((await rows<{ id: string }>(t.db, sql`select id from warehouses where shop_id is null`)).map((r) => r.id));
    privateIds = [...world.ids].filter(([p]) => !PUBLIC_PREFIXES.has(p)).flatMap(([, ids]) => ids.filter((id) => !platformOwned.has(id)));
  }, 120_000);
  afterAll(() => t?.close());

  it('refuses every id of another tenant (404/403, nothing changed) and leaks no private id', async () => {
    console.log(`[authorization sweep] seed ${SWEEP_SEED} (LOOPSHOP_SWEEP_SEED=${SWEEP_SEED} replays it)`);
    const ops = operations(doc);
    const preferred: Record<string, string> = { shp: world.shopId, usr: world.owner.id };
    const synthetic = new Set<string>();
    const pool = (prefix: string) => {
      const id = preferred[prefix] ?? world.ids.get(prefix)?.[0];
      if (id) return id;
      synthetic.add(prefix);
      return syntheticId(prefix);
    };
    const ctx = valueContext(t, doc, pool, SWEEP_SEED);
    const failures: string[] = [];
    const skipped: string[] = [];
    const counts = { refused: 0, public: 0, unscoped: 0 };

    // Routes without an id run last, each with a fresh session of B (sign-out ends only that one).
    const withId = ops.filter((op) => op.params.some((p) => p.in === 'path'));
    const withoutId = ops.filter((op) => !withId.includes(op));
    let before = await fingerprint(t.db);
    for (const op of [...withId, ...withoutId]) {
      const reason = skipReason(op);
      if (reason) {
        skipped.push(`${op.name}: ${reason}`);
        continue;
      }
      const parts = validRequest(op, ctx);
      const hasId = withId.includes(op);
      const auth = hasId ? b.auth : (await t.account({ roles: ['buyer', 'seller', 'creator'], name: 'Tenant B session' })).auth;
      if (!hasId) before = await fingerprint(t.db);
      const res = await t.app.inject(injectOptions(op, parts, auth, ctx));
      const after = await fingerprint(t.db);
      const changed = changedTables(before, after);
      before = after;
      const where = `${op.name} → ${res.statusCode}`;
      if (res.statusCode >= 500) {
        failures.push(`${where}: server error ${res.body.slice(0, 300)}`);
        continue;
      }
      if (hasId) {
        if (res.statusCode === 404 || res.statusCode === 403) {
          counts.refused++;
          if (changed.length > 0) failures.push(`${where}: refused but the database changed: ${changed.join(', ')}`);
          continue;
        }
        if (op.method === 'GET' && res.statusCode < 300) {
          const anon = await t.app.inject(injectOptions(op, parts, {}, ctx));
          if (anon.statusCode === res.statusCode && anon.body === res.body) {
            counts.public++;
            continue;
          }
          failures.push(`${where}: tenant B reads what an anonymous caller cannot (anonymous: ${anon.statusCode}) ${res.body.slice(0, 200)}`);
          continue;
        }
        failures.push(`${where}: tenant B was not refused (${changed.length ? `changed ${changed.join(', ')}` : 'nothing changed'}) ${res.body.slice(0, 200)}`);
        continue;
      }
      counts.unscoped++;
      const leaked = privateIds.filter((id) => res.body.includes(id));
      if (leaked.length > 0) failures.push(`${where}: answer shows tenant A's private ids ${leaked.slice(0, 5).join(', ')}`);
    }

    const covered = counts.refused + counts.public + counts.unscoped;
    console.log(
      `[authorization sweep] ${ops.length} operations in the OpenAPI document: ${covered} swept ` +
        `(${counts.refused} with an id refused 404/403, ${counts.public} public reads identical to anonymous, ${counts.unscoped} without an id: no leak), ` +
        `${skipped.length} skipped`,
    );
    for (const s of skipped) console.log(`  skipped ${s}`);
    if (synthetic.size > 0) console.log(`  no tenant A object with prefix ${[...synthetic].join(', ')}: a well-formed id was used`);
    expect(failures, `seed ${SWEEP_SEED}\n${failures.join('\n')}`).toEqual([]);
    expect(covered + skipped.length).toBe(ops.length);
  }, 300_000);
});

