import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createApp } from '../app.js';
import type { StrategiesOption } from '../strategies.js';
import { SettableClock } from '../platform/clock.js';
import { loadConfig, type Config } from '../platform/config.js';
import { newId } from '../platform/ids.js';
import type { Database } from '../platform/db.js';
import type { SandboxSecrets } from '../platform/installation-secrets.js';
import type { Role } from '../modules/identity/index.js';
import { createSession, signUp, users } from '../modules/identity/index.js';
import { createShop } from '../modules/sellers/index.js';
import { freshDatabase } from './db.js';

export interface TestApp {
  app: FastifyInstance;
  database: Database;
  db: Database['db'];
  clock: SettableClock;
  config: Config;
  /** The sandbox webhook secrets this app signs and verifies with (generated for its database unless the config sets them). */
  secrets: SandboxSecrets;
  /** Creates an account directly through the service and returns a session token for it. */
  account(opts?: { roles?: Role[]; email?: string; name?: string }): Promise<{ id: string; email: string; token: string; auth: { authorization: string } }>;
  /** A seller account owning a new shop. */
  seller(opts?: { shopName?: string }): Promise<{ id: string; token: string; auth: { authorization: string }; shopId: string }>;
  close(): Promise<void>;
}

/** A full app (all modules) on a fresh database and a settable clock, for app.inject tests. */
export async function testApp(overrides: Partial<Config> = {}, opts: { poolSize?: number; strategies?: StrategiesOption } = {}): Promise<TestApp> {
  const database = await freshDatabase(opts);
  const clock = new SettableClock('2026-03-02T09:00:00Z');
  // Rate limits raised so tests are never throttled by accident; a test of a limit passes its own.
  const unthrottled = { max: 100_000, timeWindowMs: 60_000 };
  const config = loadConfig(
    {},
    {
      seedDemo: false,
      webDist: '/nonexistent',
      signInRateLimit: unthrottled,
      signInAddressRateLimit: unthrottled,
      signUpRateLimit: unthrottled,
      checkoutRateLimit: unthrottled,
      eventsRateLimit: unthrottled,
      ...overrides,
    },
  );
  const app = await createApp({ database, clock, config, strategies: opts.strategies });
  await app.ready();
  const db = database.db;
  const account: TestApp['account'] = async (o = {}) => {
    const email = o.email ?? `u-${randomBytes(5).toString('hex')}@test.loopshop.dev`;
    const user = await signUp(db, clock, { email, password: 'correct horse battery', name: o.name ?? 'Test User', roles: o.roles ?? ['buyer'] });
    const { token } = await createSession(db, clock, user.id, 30);
    return { id: user.id, email, token, auth: { authorization: `Bearer ${token}` } };
  };
  return {
    app,
    database,
    db,
    clock,
    config,
    secrets: app.ctx.secrets,
    account,
    async seller(o = {}) {
      const a = await account();
      const shop = await createShop(db, clock, { name: o.shopName ?? 'Test Shop', market: 'US', currency: 'USD', timezone: 'America/New_York', ownerId: a.id });
      return { id: a.id, token: a.token, auth: a.auth, shopId: shop.id };
    },
    async close() {
      await app.close();
      await database.close();
    },
  };
}

/**
 * In the calling `describe` (or file): a {@link testApp} made before its tests and closed after
 * them. The object returned is filled in before the first test runs.
 */
export function useTestApp(...args: Parameters<typeof testApp>): TestApp {
  const t = {} as TestApp;
  beforeAll(async () => {
    Object.assign(t, await testApp(...args));
  });
  afterAll(() => t.close?.());
  return t;
}

/**
 * In the calling `describe`: a {@link testApp} listening on a free local port, for clients that
 * need a real connection (SSE); `base` is its URL. Both are filled in before the first test runs.
 */
export function useListeningApp(...args: Parameters<typeof testApp>): { t: TestApp; base: string } {
  const server = { t: useTestApp(...args), base: '' };
  beforeAll(async () => {
    server.base = await server.t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  return server;
}

/**
 * In the calling `describe`: an account of `t` made anew before each test (sessions last 30 days,
 * so tests that move the clock by months need a fresh one). Filled in before each test runs.
 */
export function useFreshAccount(t: TestApp, opts: Parameters<TestApp['account']>[0]): Awaited<ReturnType<TestApp['account']>> {
  const a = {} as Awaited<ReturnType<TestApp['account']>>;
  beforeEach(async () => {
    Object.assign(a, await t.account(opts));
  });
  return a;
}

/**
 * `count` buyer accounts inserted directly with one shared password hash (a load test is not about
 * sign-ups), each signed in for a day; their authorization headers. `tag` makes the emails unique.
 */
export async function bulkBuyers(t: TestApp, count: number, tag: string): Promise<Array<{ authorization: string }>> {
  const rowsOf = Array.from({ length: count }, (_, i) => ({
    id: newId('usr'),
    email: `${tag}-${i}@test.loopshop.dev`,
    name: `Buyer ${i}`,
    passwordHash: 'scrypt$1$1$1$x$x',
    roles: ['buyer' as const],
    createdAt: t.clock.now(),
  }));
  await t.db.insert(users).values(rowsOf);
  return Promise.all(rowsOf.map(async (u) => ({ authorization: `Bearer ${(await createSession(t.db, t.clock, u.id, 1)).token}` })));
}

/** POSTs `form` as multipart/form-data to `url` of `app`. */
export async function injectForm(app: FastifyInstance, url: string, headers: Record<string, string> | undefined, form: FormData) {
  const body = new Response(form);
  return app.inject({
    method: 'POST',
    url,
    headers: { ...headers, 'content-type': body.headers.get('content-type')! },
    payload: Buffer.from(await body.arrayBuffer()),
  });
}
