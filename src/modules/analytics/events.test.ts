import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../../platform/clock.js';
import { rows } from '../../platform/db.js';
import { newId } from '../../platform/ids.js';
import { testApp, type TestApp } from '../../test/app.js';
import { testDbKind } from '../../test/db.js';
import { refused } from '../../test/expect.js';
import { METRICS } from './schema.js';
import { ingestEvents, recordServerEvent, rollupEvents, VIEW_3S_MS } from './service.js';

type Counters = Record<string, number>;

/** The rollups as stored (rows with any non-zero counter), keyed shop|dim|hour|key. */
async function storedRollups(t: TestApp): Promise<Map<string, Counters>> {
  const found = await rows<Record<string, unknown>>(t.db, sql`select * from analytics_rollups`);
  const out = new Map<string, Counters>();
  for (const r of found) {
    const c = Object.fromEntries(METRICS.map((m) => [m, Number(r[m])]));
    if (Object.values(c).some((v) => v !== 0)) out.set(`${r.shop_id}|${r.dim}|${new Date(r.bucket as string).toISOString()}|${r.key}`, c);
  }
  return out;
}

interface RawEvent {
  actor: string;
  event_id: string;
  type: string;
  at: string;
  shop_id: string | null;
  video_id: string | null;
  product_id: string | null;
  live_id: string | null;
  creator_id: string | null;
  watched_ms: number | null;
  completed: boolean | null;
  order_id: string | null;
  amount: number | null;
  data: { gmv?: number; commission?: number; items?: Array<Record<string, string | number | null>> } | null;
}

/** The rollups recomputed from scratch from the raw events, in plain TypeScript (the oracle). */
async function recomputed(t: TestApp): Promise<Map<string, Counters>> {
  const events = await rows<RawEvent>(t.db, sql`select * from analytics_events`);
  const paid = new Map(events.filter((e) => e.type === 'order_paid').map((e) => [e.order_id!, e]));
  const checkedOut = new Map(events.filter((e) => e.type === 'checkout').map((e) => [e.order_id!, e]));
  const out = new Map<string, Counters>();
  const add = (e: RawEvent, dim: string, key: string | null | undefined, delta: Counters) => {
    if (!key) return;
    const hour = new Date(Math.floor(new Date(e.at).getTime() / HOUR) * HOUR).toISOString();
    const k = `${e.shop_id ?? ''}|${dim}|${hour}|${key}`;
    const c = out.get(k) ?? Object.fromEntries(METRICS.map((m) => [m, 0]));
    for (const [m, v] of Object.entries(delta)) c[m]! += v;
    out.set(k, c);
  };
  for (const e of events) {
    const own: Counters = {
      impressions: +(e.type === 'impression'),
      views: +(e.type === 'view'),
      views_3s: +(e.type === 'view' && e.watched_ms! >= VIEW_3S_MS),
      completed_views: +(e.type === 'view' && e.completed === true),
      watched_ms: e.type === 'view' ? e.watched_ms! : 0,
      product_clicks: +(e.type === 'product_click'),
      add_to_carts: +(e.type === 'add_to_cart'),
      checkouts: +(e.type === 'checkout'),
      orders: +(e.type === 'order_paid'),
      gmv: e.type === 'order_paid' ? e.data!.gmv! : 0,
      commission: e.type === 'order_paid' ? e.data!.commission! : 0,
      refunds: +(e.type === 'refund'),
      refund_amount: e.type === 'refund' ? e.amount! : 0,
      outbound_clicks: +(e.type === 'outbound_click'),
      live_joins: +(e.type === 'live_join'),
    };
    add(e, 'shop', e.shop_id, own);
    add(e, 'video', e.video_id, own);
    add(e, 'product', e.product_id, own);
    add(e, 'live', e.live_id, own);
    add(e, 'creator', e.creator_id, own);
    const order = e.order_id ? (e.type === 'checkout' ? checkedOut : paid).get(e.order_id) : undefined;
    if (!order || (e.type !== 'checkout' && e.type !== 'order_paid' && e.type !== 'refund')) continue;
    for (const dim of ['video', 'product', 'live', 'creator']) {
      const byKey = new Map<string, { gmv: number; commission: number }>();
      for (const it of order.data!.items!) {
        const key = it[`${dim}_id`] as string | null;
        if (!key) continue;
        const s = byKey.get(key) ?? { gmv: 0, commission: 0 };
        s.gmv += Number(it.line_total);
        s.commission += Number(it.commission);
        byKey.set(key, s);
      }
      for (const [key, s] of byKey) {
        add(e, dim, key, e.type === 'checkout' ? { checkouts: 1 } : e.type === 'order_paid'
          ? { orders: 1, gmv: s.gmv, commission: s.commission }
          : { refunds: 1, refund_amount: order.data!.gmv! > 0 ? Math.floor((e.amount! * s.gmv) / order.data!.gmv!) : 0 });
      }
    }
  }
  for (const [k, c] of out) if (Object.values(c).every((v) => v === 0)) out.delete(k);
  return out;
}

const rollup = (t: TestApp) => t.db.transaction((tx) => rollupEvents(tx, t.clock));
const post = (t: TestApp, payload: object, headers: Record<string, string> = {}) => t.app.inject({ method: 'POST', url: '/v1/events', headers, payload });

describe('analytics events', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(() => t.close());

  const at = () => t.clock.now().toISOString();
  const vid = newId('vid');
  const prd = newId('prd');
  const shp = newId('shp');

  it('keeps the good events of a batch and reports the bad ones by index', async () => {
    const device = { 'x-device-id': 'device-aaaa-0001' };
    const res = await post(t, {
      events: [
        { event_id: 'e1', type: 'impression', at: at(), video_id: vid, shop_id: shp },
        { event_id: 'e2', type: 'view', at: at(), video_id: vid },
        { event_id: 'e3', type: 'view', at: at(), video_id: vid, watched_ms: 4000, duration_ms: 9000, completed: false },
        { event_id: 'e4', type: 'teleport', at: at() },
        { event_id: 'e5', type: 'product_click', at: new Date(t.clock.now().getTime() + 10 * MINUTE).toISOString(), product_id: prd },
        { event_id: 'e6', type: 'product_click', at: new Date(t.clock.now().getTime() - 8 * DAY).toISOString(), product_id: prd },
        { event_id: 'e7', type: 'product_click', at: 'yesterday', product_id: prd },
        'not an object',
        { event_id: 'e9', type: 'add_to_cart', at: at(), product_id: prd, shop_id: shp },
      ],
    }, device);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.accepted).toBe(3);
    expect(body.duplicates).toBe(0);
    expect(body.rejected.map((r: { index: number; code: string }) => [r.index, r.code])).toEqual([
      [1, 'invalid_event'],
      [3, 'invalid_event'],
      [4, 'event_in_future'],
      [5, 'event_too_old'],
      [6, 'invalid_event'],
      [7, 'invalid_event'],
    ]);
    expect(body.rejected[0].message).toContain('watched_ms');
    const stored = await rows<{ event_id: string; actor: string; user_id: string | null }>(t.db, sql`select event_id, actor, user_id from analytics_events where actor = 'd:device-aaaa-0001' order by event_id`);
    expect(stored).toEqual([
      { event_id: 'e1', actor: 'd:device-aaaa-0001', user_id: null },
      { event_id: 'e3', actor: 'd:device-aaaa-0001', user_id: null },
      { event_id: 'e9', actor: 'd:device-aaaa-0001', user_id: null },
    ]);
  });

  it('counts a repeated event id once, within a batch and across retries', async () => {
    const batch = { device_id: 'device-bbbb-0002', events: [1, 2, 2, 3].map((n) => ({ event_id: `x${n}`, type: 'impression', at: at(), video_id: vid })) };
    expect((await post(t, batch)).json()).toEqual({ accepted: 3, duplicates: 1, rejected: [] });
    expect((await post(t, batch)).json()).toEqual({ accepted: 0, duplicates: 4, rejected: [] });
    const [n] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from analytics_events where actor = 'd:device-bbbb-0002'`);
    expect(n!.n).toBe(3);
  });

  it('never takes server facts or a user id from a client; the session names the user', async () => {
    const me = await t.account();
    const other = await t.account();
    const res = await post(t, {
      events: [
        { event_id: 'p1', type: 'order_paid', at: at(), shop_id: shp },
        { event_id: 'p2', type: 'refund', at: at(), shop_id: shp },
        { event_id: 'p3', type: 'impression', at: at(), video_id: vid, user_id: other.id },
        { event_id: 'p4', type: 'impression', at: at(), video_id: vid },
      ],
    }, { ...me.auth, 'x-device-id': 'device-cccc-0003' });
    expect(res.json().rejected.map((r: { index: number; code: string }) => [r.index, r.code])).toEqual([
      [0, 'server_only_event'],
      [1, 'server_only_event'],
      [2, 'invalid_event'],
    ]);
    const stored = await rows<{ actor: string; user_id: string; device_id: string }>(t.db, sql`select actor, user_id, device_id from analytics_events where event_id like 'p%'`);
    expect(stored).toEqual([{ actor: `u:${me.id}`, user_id: me.id, device_id: 'device-cccc-0003' }]);
    // A body-level user id is refused outright.
    expect((await post(t, { user_id: other.id, events: [{ event_id: 'q', type: 'impression', at: at(), video_id: vid }] }, me.auth)).statusCode).toBe(400);
  });

  it('needs a device id or a session, and at most 500 events', async () => {
    const one = [{ event_id: 'z', type: 'impression', at: at(), video_id: vid }];
    const anon = await post(t, { events: one });
    expect(anon.statusCode).toBe(400);
    expect(anon.json().error.code).toBe('device_required');
    expect((await post(t, { device_id: 'device-dddd-0004', events: Array(501).fill(one[0]) })).statusCode).toBe(400);
    expect((await post(t, { device_id: 'bad id!', events: one })).statusCode).toBe(400);
    await refused(ingestEvents(t.db, t.clock, { userId: null, deviceId: null, events: one }), 'device_required');
  });

  it('property: after random batches (duplicates, late events, server facts) and job runs, rollups equal a recomputation from raw events', async () => {
    const pool = <T>(n: number, make: () => T) => Array.from({ length: n }, make);
    const videos = pool(3, () => newId('vid'));
    const products = pool(3, () => newId('prd'));
    const shops = pool(2, () => newId('shp'));
    const creators = pool(2, () => newId('usr'));
    const lives = pool(2, () => newId('vid').replace('vid_', 'liv_'));
    const devices = ['dev-prop-0001', 'dev-prop-0002', 'dev-prop-0003'];
    const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
    const event = fc.record({
      event_id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'),
      type: fc.constantFrom('impression', 'view', 'product_click', 'add_to_cart', 'checkout_started', 'live_join', 'live_leave', 'outbound_click', 'order_paid', 'checkout'),
      ageMs: fc.integer({ min: -10 * MINUTE, max: 8 * DAY }),
      video_id: opt(fc.constantFrom(...videos)),
      product_id: opt(fc.constantFrom(...products)),
      shop_id: opt(fc.constantFrom(...shops)),
      creator_id: opt(fc.constantFrom(...creators)),
      live_id: opt(fc.constantFrom(...lives)),
      watched_ms: fc.integer({ min: 0, max: 10_000 }),
      completed: fc.boolean(),
    });
    const batch = fc.record({ device: fc.constantFrom(...devices), events: fc.array(event, { maxLength: 12 }) });
    const order = fc.record({
      shop: fc.constantFrom(...shops),
      items: fc.array(
        fc.record({ product: fc.constantFrom(...products), video: opt(fc.constantFrom(...videos)), creator: opt(fc.constantFrom(...creators)), live: opt(fc.constantFrom(...lives)), line: fc.integer({ min: 0, max: 50_000 }) }),
        { minLength: 1, maxLength: 3 },
      ),
      refunds: fc.array(fc.integer({ min: 1, max: 60_000 }), { maxLength: 2 }),
      paid: fc.boolean(),
    });
    const step = fc.oneof(batch.map((b) => ({ kind: 'batch' as const, ...b })), order.map((o) => ({ kind: 'order' as const, ...o })), fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }).map((maxEvents) => ({ kind: 'rollup' as const, maxEvents })), fc.integer({ min: 1, max: 3 * HOUR }).map((ms) => ({ kind: 'tick' as const, ms })));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        run++;
        for (const s of steps) {
          if (s.kind === 'tick') t.clock.advance(s.ms);
          else if (s.kind === 'rollup') await t.db.transaction((tx) => rollupEvents(tx, t.clock, { maxEvents: s.maxEvents }));
          else if (s.kind === 'batch') {
            const now = t.clock.now().getTime();
            const events = s.events.map((e) => {
              const { ageMs, ...rest } = e;
              return { ...rest, event_id: `${run}-${e.event_id}`, at: new Date(now - ageMs).toISOString(), duration_ms: 10_000 };
            });
            await ingestEvents(t.db, t.clock, { userId: null, deviceId: s.device, events });
          } else {
            const orderId = newId('ord');
            const items = sql.join(
              s.items.map((i) => sql`(${orderId}, ${i.product}, ${newId('sku')}, 1, ${i.line}::bigint, 1000, ${JSON.stringify({ video_id: i.video, creator_id: i.creator, live_id: i.live })}::jsonb)`),
              sql`, `,
            );
            await t.db.transaction(async (tx) => {
              const total = s.items.reduce((a, i) => a + i.line, 0);
              await recordServerEvent(tx, t.clock, {
                type: s.paid ? 'order_paid' : 'checkout',
                orders: [{ id: orderId, shopId: s.shop, buyerId: 'usr_buyer', total, currency: 'USD' }],
                items: sql`select * from (values ${items}) as v(order_id, product_id, sku_id, quantity, line_total, affiliate_rate_bps, source)`,
              });
              for (const amount of s.paid ? s.refunds : []) {
                await recordServerEvent(tx, t.clock, { type: 'refund', refundId: newId('rfd'), orderId, shopId: s.shop, buyerId: 'usr_buyer', amount, currency: 'USD' });
              }
            });
          }
        }
        await rollup(t);
        const expected = await recomputed(t);
        expect(await storedRollups(t)).toEqual(expected);
        await rollup(t);
        expect(await storedRollups(t)).toEqual(expected);
        // The daily rollups are the hourly ones summed per UTC day.
        const perDay = (table: string) => sql`select shop_id, dim, date_trunc('day', bucket, 'UTC') as day, key, ${sql.raw(METRICS.map((m) => `sum(${m})::bigint as ${m}`).join(', '))}
          from ${sql.raw(table)} group by 1, 2, 3, 4 order by 1, 2, 3, 4`;
        expect(await rows(t.db, perDay('analytics_rollups_daily'))).toEqual(await rows(t.db, perDay('analytics_rollups')));
      }),
      { numRuns: 20 },
    );
  });

  it('folds in steps of whole transactions when asked to (the recurring job), and says when it is done', async () => {
    await rollup(t);
    const video = newId('vid');
    // Three transactions of 5, 1 and 5 events.
    for (const [k, n] of [[1, 5], [2, 1], [3, 5]] as const) {
      const events = Array.from({ length: n }, (_, i) => ({ event_id: `step-${k}-${i}`, type: 'impression' as const, at: at(), video_id: video, shop_id: shp }));
      await ingestEvents(t.db, t.clock, { userId: null, deviceId: 'dev-steps-0001', events });
    }
    const step = () => t.db.transaction((tx) => rollupEvents(tx, t.clock, { maxEvents: 4 }));
    const folded = async () => (await rows<{ n: number }>(t.db, sql`select coalesce(sum(impressions), 0)::int as n from analytics_rollups where dim = 'video' and key = ${video}`))[0]!.n;
    // A transaction bigger than the step is taken whole; the next step starts at a transaction boundary.
    expect(await step()).toBe(true);
    expect(await folded()).toBe(5);
    let steps = 1;
    while (await step()) steps++;
    expect(await folded()).toBe(11);
    expect(steps).toBeLessThanOrEqual(3);
    expect(await step()).toBe(false);
    expect(await folded()).toBe(11);
  });

  it.runIf(testDbKind() === 'postgres')('folds in an event whose transaction commits after a later one was rolled up, exactly once', async () => {
    // One transaction stays open on one pooled connection while others commit and roll up.
    const late = newId('vid');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const open = t.db.transaction(async (tx) => {
      await ingestEvents(tx, t.clock, { userId: null, deviceId: 'dev-late-0001', events: [{ event_id: 'late', type: 'impression', at: at(), video_id: late, shop_id: shp }] });
      await held;
    });
    await new Promise((r) => setTimeout(r, 50));
    await ingestEvents(t.db, t.clock, { userId: null, deviceId: 'dev-late-0002', events: [{ event_id: 'early', type: 'impression', at: at(), video_id: late, shop_id: shp }] });
    await rollup(t);
    const count = async () => (await rows<{ n: number }>(t.db, sql`select coalesce(sum(impressions), 0)::int as n from analytics_rollups where dim = 'video' and key = ${late}`))[0]!.n;
    expect(await count()).toBe(0); // the open transaction holds the horizon back
    release();
    await open;
    await rollup(t);
    expect(await count()).toBe(2);
    await rollup(t);
    expect(await count()).toBe(2);
  });
});
