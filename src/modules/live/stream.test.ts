import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../app.js';
import { SettableClock } from '../../platform/clock.js';
import { loadConfig } from '../../platform/config.js';
import { openDatabase, type Database } from '../../platform/db.js';
import { useListeningApp, type TestApp } from '../../test/app.js';
import { testDbKind } from '../../test/db.js';
import { TEMPLATE_DB, withDatabase } from '../../test/global-setup.js';
import { createSession, signUp } from '../identity/index.js';
import { addToCart, checkoutReq } from '../orders/index.js';
import { creatorWithShop, NO_REFRESH, openStream, STREAM_URL, type SseEvent } from './testing.js';

describe('live room over SSE', () => {
  const server = useListeningApp(NO_REFRESH);
  const { t } = server;

  it('sends a snapshot, then viewers, purchases, stock, pins and the end', async () => {
    const f = await creatorWithShop(t, { name: 'Stream', stock: [30] });
    const second = await creatorWithShop(t, { name: 'Second', stock: [4] });
    const sku = f.skuIds[0]!;
    const inject = (method: 'POST' | 'PUT', url: string, payload?: unknown) => t.app.inject({ method, url, headers: f.creator.auth, ...(payload ? { payload: payload as object } : {}) });
    const live = (await inject('POST', '/v1/live', { title: 'Stream', stream_url: STREAM_URL, product_ids: [f.productId] })).json();
    await inject('POST', `/v1/live/${live.id}/start`, { attestation: true });
    await inject('PUT', `/v1/live/${live.id}/allotments`, [{ sku_id: sku, quantity: 10 }]);

    const missing = await t.app.inject({ method: 'GET', url: '/v1/live/liv_00000000000000000000000000/stream' });
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'not_found']);

    const a = await openStream(`${server.base}/v1/live/${live.id}/stream`);
    expect(a.status).toBe(200);
    expect(a.contentType).toMatch(/^text\/event-stream/);
    const snapshot = await a.next((e) => e.event === 'snapshot');
    expect(snapshot.data).toMatchObject({
      live: { id: live.id, status: 'live', pinned_product_id: f.productId },
      viewers: 1,
      pinned: { id: f.productId, skus: [{ sku_id: sku, available: 10, allotment: { quantity: 10, remaining: 10 } }] },
      purchases: [],
    });
    const b = await openStream(`${server.base}/v1/live/${live.id}/stream`);
    expect((await b.next((e) => e.event === 'snapshot')).data.viewers).toBe(2);
    await a.next((e) => e.event === 'viewers' && e.data.viewers === 2);
    // The creator watching their own room is not counted.
    const host = await openStream(`${server.base}/v1/live/${live.id}/stream`, f.creator.auth);
    expect((await host.next((e) => e.event === 'snapshot')).data.viewers).toBe(2);

    const buyer = await t.account({ name: 'zoë buyer' });
    await addToCart(t, buyer.auth, sku, 2, { live_id: live.id });
    expect((await checkoutReq(t, buyer.auth)).statusCode).toBe(201);
    const stock = await a.next((e) => e.event === 'stock');
    expect(stock.data.skus).toEqual([expect.objectContaining({ sku_id: sku, available: 8, allotment: { quantity: 10, remaining: 8 } })]);
    const purchase = await a.next((e) => e.event === 'purchase');
    expect(purchase.data.purchase).toMatchObject({ buyer: 'Z***', title: 'Stream product', quantity: 2, product_id: f.productId });
    expect(JSON.stringify(purchase.data)).not.toContain(buyer.id);

    host.close();
    b.close();
    await a.next((e) => e.event === 'viewers' && e.data.viewers === 1);

    await inject('POST', `/v1/live/${live.id}/pin`, { product_id: second.productId });
    const pinned = await a.next((e) => e.event === 'pinned');
    expect(pinned.data.pinned).toMatchObject({ id: second.productId, skus: [{ available: 4, allotment: null }] });
    expect(pinned.data.products.map((p: { id: string }) => p.id)).toEqual([f.productId, second.productId]);

    await inject('POST', `/v1/live/${live.id}/end`);
    const ended = await a.next((e) => e.event === 'ended');
    expect(ended.data.live).toMatchObject({ status: 'ended', allotments: [{ remaining: 0, status: 'closed' }] });
    await a.ended;
    // An ended room answers its snapshot and `ended`, then closes.
    const late = await openStream(`${server.base}/v1/live/${live.id}/stream`);
    expect((await late.next((e) => e.event === 'snapshot')).data.live.status).toBe('ended');
    await late.next((e) => e.event === 'ended');
    await late.ended;
  });
});

/**
 * Two server processes over one PostgreSQL database: a purchase made through this process
 * reaches an SSE client of the other process through LISTEN/NOTIFY (the child re-reads rooms
 * only when notified), and each process counts the other's viewers.
 */
describe.skipIf(testDbKind() !== 'postgres')('live room across server processes (PostgreSQL only: PGlite is one process)', () => {
  const NOW = '2026-03-02T09:00:00.000Z';
  let dbName: string;
  let database: Database;
  let app: Awaited<ReturnType<typeof createApp>>;
  let base: string;
  let child: ChildProcess;
  let childUrl: string;
  let clock: SettableClock;

  beforeAll(async () => {
    const adminUrl = inject('pgAdminUrl');
    dbName = `t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${dbName} template ${TEMPLATE_DB}`);
    await admin.end();
    const url = withDatabase(adminUrl, dbName);
    database = await openDatabase({ url, poolSize: 4 });
    clock = new SettableClock(NOW);
    app = await createApp({ database, clock, config: loadConfig({}, { seedDemo: false, webDist: '/nonexistent', ...NO_REFRESH }) });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testing-server.ts');
    child = spawn(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, DATABASE_URL: url, LOOPSHOP_TEST_NOW: NOW }, stdio: ['ignore', 'pipe', 'inherit'] });
    childUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`second process did not start: ${out}`)), 60_000);
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) {
          clearTimeout(timer);
          resolve((JSON.parse(line) as { url: string }).url);
        }
      });
      child.on('exit', (code) => reject(new Error(`second process exited with ${code}: ${out}`)));
    });
  }, 90_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await app?.close();
    await database?.close();
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
    await admin.end();
  });

  it('delivers the stock update of a purchase to the other process, and counts viewers across both', async () => {
    const account = async (name: string, roles: Array<'buyer' | 'creator'>) => {
      const u = await signUp(database.db, clock, { email: `${randomBytes(5).toString('hex')}@test.loopshop.dev`, password: 'correct horse battery', name, roles });
      return { id: u.id, auth: { authorization: `Bearer ${(await createSession(database.db, clock, u.id, 1)).token}` } };
    };
    // creatorWithShop needs a TestApp-like view of this app.
    const view = { app, db: database.db, clock, account: (o: { roles?: Array<'buyer' | 'creator'>; name?: string } = {}) => account(o.name ?? 'Node buyer', o.roles ?? ['buyer']) };
    const f = await creatorWithShop(view as unknown as TestApp, { name: 'Nodes', stock: [12] });
    const sku = f.skuIds[0]!;
    const call = (method: 'POST' | 'PUT', url: string, payload?: unknown) => app.inject({ method, url, headers: f.creator.auth, ...(payload ? { payload: payload as object } : {}) });
    const live = (await call('POST', '/v1/live', { title: 'Two nodes', stream_url: STREAM_URL, product_ids: [f.productId] })).json();
    expect((await call('POST', `/v1/live/${live.id}/start`, { attestation: true })).statusCode).toBe(200);
    expect((await call('PUT', `/v1/live/${live.id}/allotments`, [{ sku_id: sku, quantity: 5 }])).statusCode).toBe(200);

    const there = await openStream(`${childUrl}/v1/live/${live.id}/stream`);
    const first = await there.next((e) => e.event === 'snapshot');
    expect(first.data).toMatchObject({ viewers: 1, pinned: { skus: [{ sku_id: sku, available: 5 }] } });
    const here = await openStream(`${base}/v1/live/${live.id}/stream`);
    expect((await here.next((e) => e.event === 'snapshot')).data.viewers).toBe(2);
    await there.next((e: SseEvent) => e.event === 'viewers' && e.data.viewers === 2);

    const buyer = await account('Bea', ['buyer']);
    const cart = await app.inject({ method: 'POST', url: '/v1/cart/items', headers: buyer.auth, payload: { sku_id: sku, quantity: 1, source: { live_id: live.id } } });
    expect(cart.statusCode).toBe(201);
    expect((await checkoutReq({ app } as unknown as TestApp, buyer.auth)).statusCode).toBe(201);
    const stock = await there.next((e) => e.event === 'stock');
    expect(stock.data.skus).toEqual([expect.objectContaining({ sku_id: sku, available: 4, allotment: { quantity: 5, remaining: 4 } })]);
    expect((await there.next((e) => e.event === 'purchase')).data.purchase).toMatchObject({ buyer: 'B***', quantity: 1 });

    here.close();
    await there.next((e) => e.event === 'viewers' && e.data.viewers === 1);
    there.close();
  });
});
