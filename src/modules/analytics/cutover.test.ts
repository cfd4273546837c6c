import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../../platform/clock.js';
import { rows } from '../../platform/db.js';
import { testApp, type TestApp } from '../../test/app.js';
import { insertVideo, setVideoExternalAnchors } from '../content/index.js';
import { createSession } from '../identity/index.js';
import { addToCart, checkoutReq, shopWithProduct, type ShopFixture } from '../orders/index.js';
import { rollupEvents } from './service.js';

type Auth = { authorization: string };
interface Period {
  from: string;
  to: string;
  click_outs: number;
  click_out_cost: { amount: number; currency: string };
  orders: number;
  paid_gmv: { amount: number; currency: string };
  conversion_rate: number;
}
interface Comparison {
  market: string;
  cutover_at: string | null;
  window_days: number;
  before: Period | null;
  after: Period | null;
}

const PRICE = 2500;

describe('analytics: conversion before and after the cut-over', () => {
  let t: TestApp;
  let shop: ShopFixture;
  let other: ShopFixture;
  let operator: { id: string };
  let buyer: { id: string };
  let anchorId: string;
  let videoId: string;
  const start = new Date('2026-03-02T09:00:00Z').getTime();

  const get = (url: string, auth?: Auth) => t.app.inject({ method: 'GET', url, headers: auth });
  /** A session opened now on the test clock (the clock moves on by months here). */
  const auth = async (userId: string): Promise<Auth> => ({ authorization: `Bearer ${(await createSession(t.db, t.clock, userId, 30)).token}` });
  const comparison = async (query = '', as?: Auth) => {
    const who = as ?? (await auth(shop.owner.id));
    const res = await get(`/v1/shops/${shop.shopId}/analytics/cutover${query}`, who);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Comparison;
  };

  /** At `at`: `views` views (half completed), `clicks` click-outs, `orders` paid orders of one unit. */
  async function activity(at: number, o: { views: number; clicks: number; orders: number }) {
    t.clock.set(new Date(at));
    const now = t.clock.now().toISOString();
    const events = Array.from({ length: o.views }, (_, i) => ({
      event_id: `v-${at}-${i}`,
      type: 'view',
      at: now,
      video_id: videoId,
      shop_id: shop.shopId,
      watched_ms: 9000,
      duration_ms: 10_000,
      completed: i % 2 === 0,
    }));
    if (events.length > 0) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/events', headers: { 'x-device-id': 'cutover-test-device' }, payload: { events } });
      expect(res.json()).toMatchObject({ accepted: o.views });
    }
    for (let i = 0; i < o.clicks; i++) {
      const res = await get(`/out/${anchorId}`);
      expect(res.statusCode).toBe(302);
    }
    const buyerAuth = await auth(buyer.id);
    for (let i = 0; i < o.orders; i++) {
      await addToCart(t, buyerAuth, shop.skuIds[0]!, 1, { video_id: videoId });
      expect((await checkoutReq(t, buyerAuth)).statusCode).toBe(201);
    }
  }

  /** The same figures straight from the raw events and click-out records. */
  async function recompute(p: Period): Promise<Omit<Period, 'from' | 'to'>> {
    const [e] = await rows<{ views: number; orders: number; gmv: number }>(
      t.db,
      sql`select count(*) filter (where type = 'view')::int as views, count(*) filter (where type = 'order_paid')::int as orders,
                 coalesce(sum((data->>'gmv')::bigint) filter (where type = 'order_paid'), 0)::int as gmv
          from analytics_events where shop_id = ${shop.shopId} and at >= ${p.from}::timestamptz and at < ${p.to}::timestamptz`,
    );
    const [c] = await rows<{ n: number; cost: number }>(
      t.db,
      sql`select count(*)::int as n, coalesce(sum(cost_amount), 0)::int as cost from link_clicks
          where owner_id in (select user_id from shop_members where shop_id = ${shop.shopId}) and at >= ${p.from}::timestamptz and at < ${p.to}::timestamptz`,
    );
    return {
      click_outs: c!.n,
      click_out_cost: { amount: c!.cost, currency: 'USD' },
      orders: e!.orders,
      paid_gmv: { amount: e!.gmv, currency: 'USD' },
      conversion_rate: e!.views > 0 ? Math.round((e!.orders / e!.views) * 10_000) / 10_000 : 0,
    };
  }

  beforeAll(async () => {
    t = await testApp();
    operator = await t.account({ roles: ['operator'] });
    buyer = await t.account({ name: 'Bea Buyer' });
    shop = await shopWithProduct(t, { name: 'Trail Co', variants: [{ price: PRICE, onHand: 1000 }] });
    other = await shopWithProduct(t, { name: 'Other Co', variants: [{ price: 900, onHand: 10 }] });
    // The seller's own video: the shop's product and, while the market is semi-closed, a link to their old store.
    const video = await insertVideo(t.db, t.clock, { creatorId: shop.owner.id, caption: 'Tent pitch', productIds: [shop.productId] }, { type: 'test.none', payload: {} });
    videoId = video.id;
    await t.db.execute(sql`update videos set status = 'ready', published_at = ${t.clock.now()} where id = ${videoId}`);
    const view = await setVideoExternalAnchors(t.db, t.clock, videoId, shop.owner.id, [{ url: 'https://trail-co.example.com/tent', title: 'Tent on our store' }]);
    anchorId = view.anchors.find((a) => a.type === 'external')!.id;
  });
  afterAll(() => t?.close());

  it('is null while the market has not switched', async () => {
    await activity(start, { views: 4, clicks: 2, orders: 1 });
    expect(await comparison()).toEqual({ market: 'US', cutover_at: null, window_days: 30, before: null, after: null });
  });

  it('compares the windows around the cut-over with figures equal to the raw data, for the seller and operators', async () => {
    await activity(start + 20 * DAY, { views: 10, clicks: 5, orders: 1 }); // inside the 30 days before
    await activity(start + 39 * DAY + 5 * HOUR, { views: 6, clicks: 3, orders: 2 });
    // The operator closes the market at 09:40; the cut-over hour (from 09:00) counts as after.
    t.clock.set(new Date(start + 40 * DAY + 40 * MINUTE));
    const put = await t.app.inject({ method: 'PUT', url: '/v1/admin/markets/US/link-policy', headers: await auth(operator.id), payload: { mode: 'closed' } });
    expect(put.statusCode, put.body).toBe(200);
    await activity(start + 40 * DAY + 50 * MINUTE, { views: 8, clicks: 0, orders: 2 });
    expect((await get(`/out/${anchorId}`)).statusCode).toBe(200); // turned off: no click-out recorded any more
    await activity(start + 55 * DAY, { views: 20, clicks: 0, orders: 3 });
    await activity(start + 75 * DAY, { views: 30, clicks: 0, orders: 4 }); // after the 30-day window
    t.clock.set(new Date(start + 80 * DAY));
    await t.db.transaction((tx) => rollupEvents(tx, t.clock));

    const cutoverHour = new Date(start + 40 * DAY).toISOString();
    const body = await comparison();
    expect(body.market).toBe('US');
    expect(new Date(body.cutover_at!).getTime()).toBe(start + 40 * DAY + 40 * MINUTE);
    expect(body.before!.from).toBe(new Date(start + 10 * DAY).toISOString());
    expect(body.before!.to).toBe(cutoverHour);
    expect(body.after!.from).toBe(cutoverHour);
    expect(body.after!.to).toBe(new Date(start + 70 * DAY).toISOString());
    for (const p of [body.before!, body.after!]) expect(p).toEqual({ from: p.from, to: p.to, ...(await recompute(p)) });
    // What went in: 8 click-outs at 10 ¢ and 3 orders before; 5 orders, no click-outs after.
    expect(body.before).toMatchObject({ click_outs: 8, click_out_cost: { amount: 80, currency: 'USD' }, orders: 3, paid_gmv: { amount: 3 * PRICE } });
    expect(body.after).toMatchObject({ click_outs: 0, click_out_cost: { amount: 0 }, orders: 5, paid_gmv: { amount: 5 * PRICE }, conversion_rate: 0.1786 });

    // A window longer than the time since the cut-over ends now.
    const wide = await comparison('?window_days=60');
    expect(wide.before!.from).toBe(new Date(start - 20 * DAY).toISOString());
    expect(wide.after!.to).toBe(t.clock.now().toISOString());
    for (const p of [wide.before!, wide.after!]) expect(p).toEqual({ from: p.from, to: p.to, ...(await recompute(p)) });
    expect(wide.before).toMatchObject({ click_outs: 10, orders: 4 });
    expect(wide.after).toMatchObject({ orders: 9 });

    expect(await comparison('', await auth(operator.id))).toEqual(body);
  });

  it('answers 404 to another seller, 401 without a session, 400 for a bad window, and exports CSV', async () => {
    const [owner, otherOwner, op] = [await auth(shop.owner.id), await auth(other.owner.id), await auth(operator.id)];
    const foreign = await get(`/v1/shops/${shop.shopId}/analytics/cutover`, otherOwner);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('not_found');
    expect((await get(`/v1/shops/${shop.shopId}/analytics/cutover`)).statusCode).toBe(401);
    expect((await get(`/v1/shops/shp_00000000000000000000000000/analytics/cutover`, op)).statusCode).toBe(404);
    for (const w of ['0', '366', 'x']) expect((await get(`/v1/shops/${shop.shopId}/analytics/cutover?window_days=${w}`, owner)).statusCode).toBe(400);

    const csv = await get(`/v1/shops/${shop.shopId}/analytics/cutover?format=csv`, owner);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const [header, before, after, end] = csv.body.split('\r\n');
    expect(header).toBe('period,market,cutover_at,from,to,click_outs,click_out_cost,click_out_cost_currency,orders,paid_gmv,paid_gmv_currency,conversion_rate');
    expect(before).toMatch(/^before,US,.*,8,80,USD,3,7500,USD,/);
    expect(after).toMatch(/^after,US,.*,0,0,USD,5,12500,USD,0\.1786$/);
    expect(end).toBe('');
  });
});
