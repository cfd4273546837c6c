import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR } from '../../platform/clock.js';
import { rows } from '../../platform/db.js';
import { testApp, type TestApp } from '../../test/app.js';
import { createProduct } from '../catalog/index.js';
import { insertVideo } from '../content/index.js';
import { STREAM_URL } from '../live/index.js';
import { refundOrder } from '../orders/index.js';
import { addToCart, checkoutReq } from '../orders/index.js';
import { createShop } from '../sellers/index.js';
import { scheduleAnalyticsJobs } from './service.js';
import { stockKeeper } from '../inventory/index.js';

const PRICE = 1999;
const ROUTES = ['funnel', 'completion-heatmap', 'price-bands', 'timeseries', 'top'];

describe('analytics dashboards after a real checkout and refund', () => {
  let t: TestApp;
  let seller: Awaited<ReturnType<TestApp['account']>>;
  let creator: Awaited<ReturnType<TestApp['account']>>;
  let shopId: string;
  let productId: string;
  let videoId: string;
  let orderIds: string[];
  const get = (url: string, auth = seller.auth) => t.app.inject({ method: 'GET', url, headers: auth });

  beforeAll(async () => {
    t = await testApp();
    seller = await t.account({ name: 'Seller' });
    creator = await t.account({ name: 'Creator', roles: ['buyer', 'creator'] });
    const shop = await createShop(t.db, t.clock, { name: 'Lamps', market: 'US', currency: 'USD', timezone: 'America/New_York', shippingFee: 0, ownerId: seller.id });
    shopId = shop.id;
    const product = await createProduct(t.db, t.clock, stockKeeper, shopId, {
      title: 'Desk lamp',
      status: 'live',
      affiliate_rate_bps: 1000,
      variants: [{ price: { amount: PRICE, currency: 'USD' }, stock: { on_hand: 10 } }],
    });
    productId = product.id;
    videoId = (await insertVideo(t.db, t.clock, { creatorId: creator.id, caption: 'Lamp tutorial', productIds: [productId] }, { type: 'test.none', payload: {} })).id;
    // Published on a Friday at 20:00 in the shop's time zone (New York, UTC−4 in May).
    await t.db.execute(sql`update videos set status = 'ready', published_at = '2026-05-01T20:00:00-04:00' where id = ${videoId}`);

    const buyer = await t.account({ name: 'Buyer' });
    const refs = { video_id: videoId, product_id: productId, shop_id: shopId, creator_id: creator.id };
    const at = t.clock.now().toISOString();
    const posted = await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: buyer.auth,
      payload: {
        events: [
          { event_id: '1', type: 'impression', at, ...refs },
          { event_id: '2', type: 'view', at, ...refs, watched_ms: 12_000, duration_ms: 12_000, completed: true },
          { event_id: '3', type: 'product_click', at, ...refs },
          { event_id: '4', type: 'add_to_cart', at, ...refs, sku_id: product.variants[0]!.sku_id },
          { event_id: '5', type: 'checkout_started', at, shop_id: shopId },
        ],
      },
    });
    expect(posted.json()).toMatchObject({ accepted: 5, rejected: [] });

    orderIds = [];
    for (let i = 0; i < 2; i++) {
      await addToCart(t, buyer.auth, product.variants[0]!.sku_id, 1, { video_id: videoId });
      const res = await checkoutReq(t, buyer.auth);
      expect(res.statusCode).toBe(201);
      orderIds.push(res.json().orders[0].id);
    }
    // A partial refund through after-sales' path, and a cancellation (full refund) through checkout's.
    await t.db.transaction((tx) => refundOrder(tx, t.clock, t.app.ctx.strategies.payments, { orderId: orderIds[0]!, amount: 500, reason: 'test', key: 'r1' }));
    expect((await t.app.inject({ method: 'POST', url: `/v1/orders/${orderIds[1]}/cancel`, headers: buyer.auth, payload: {} })).statusCode).toBe(200);

    await scheduleAnalyticsJobs(t.db, t.clock);
    await t.app.ctx.jobs.runDue();
  });
  afterAll(() => t.close());

  it('records checkout and order_paid with item attribution and both refunds as server facts', async () => {
    const facts = await rows<{ type: string; order_id: string; shop_id: string; amount: number; data: { items?: unknown[] } | null }>(
      t.db,
      sql`select type, order_id, shop_id, amount, data from analytics_events where actor = 'server' order by type, order_id, amount`,
    );
    expect(facts.map((f) => [f.type, f.order_id, f.amount])).toEqual([
      ['checkout', orderIds[0], PRICE],
      ['checkout', orderIds[1], PRICE],
      ['order_paid', orderIds[0], PRICE],
      ['order_paid', orderIds[1], PRICE],
      ['refund', orderIds[0], 500],
      ['refund', orderIds[1], PRICE],
    ]);
    expect(facts[0]!.data!.items).toEqual([
      { product_id: productId, sku_id: expect.any(String), video_id: videoId, live_id: null, creator_id: creator.id, quantity: 1, line_total: PRICE, commission: 199 },
    ]);
    expect(facts[2]!.data!.items).toEqual(facts[0]!.data!.items);
  });

  it('funnel per video: every stage (server checkouts and orders promote the stages before them) and the rates between them', async () => {
    const res = await get(`/v1/shops/${shopId}/analytics/funnel?by=video`);
    expect(res.statusCode).toBe(200);
    const { rows: list, totals, rate_bases } = res.json();
    expect(rate_bases).toEqual({ views: 'impressions', views_3s: 'views', completed_views: 'views', product_clicks: 'views', add_to_carts: 'product_clicks', checkouts: 'add_to_carts', orders: 'checkouts' });
    // The app sent one event per stage and no checkout; the server saw two checkouts, both paid.
    expect(list).toEqual([
      {
        id: videoId,
        video: { status: 'ready', caption: 'Lamp tutorial' },
        impressions: 2,
        views: 2,
        views_3s: 1,
        completed_views: 1,
        product_clicks: 2,
        add_to_carts: 2,
        checkouts: 2,
        orders: 2,
        gmv: { amount: 2 * PRICE, currency: 'USD' },
        rates: { views: 1, views_3s: 0.5, completed_views: 0.5, product_clicks: 1, add_to_carts: 1, checkouts: 1, orders: 1 },
      },
    ]);
    expect(totals).toMatchObject({ id: shopId, impressions: 2, checkouts: 2, orders: 2, gmv: { amount: 2 * PRICE, currency: 'USD' } });
  });

  it('timeseries: GMV, orders and refunds per day', async () => {
    const { points } = (await get(`/v1/shops/${shopId}/analytics/timeseries?interval=day`)).json();
    expect(points).toEqual([
      { start: '2026-03-02T05:00:00.000Z', orders: 2, gmv: { amount: 2 * PRICE, currency: 'USD' }, refunds: 2, refund_amount: { amount: 500 + PRICE, currency: 'USD' } },
    ]);
  });

  it('completion heatmap by publish slot in the shop time zone, with the best slot', async () => {
    const body = (await get(`/v1/shops/${shopId}/analytics/completion-heatmap?min_views=1`)).json();
    const friday20 = { weekday: 5, hour: 20, videos: 1, views: 1, completed_views: 1, completion_rate: 1, orders: 2 };
    expect(body).toMatchObject({ timezone: 'America/New_York', cells: [friday20], best: friday20 });
    expect((await get(`/v1/shops/${shopId}/analytics/completion-heatmap`)).json().best).toBeNull();
  });

  it('price bands: add-to-cart rate and conversion by price', async () => {
    const { bands } = (await get(`/v1/shops/${shopId}/analytics/price-bands?bands=1000,5000`)).json();
    expect(bands.map((b: { min: { amount: number }; products: number; add_to_cart_rate: number | null; conversion: number | null }) => [b.min.amount, b.products, b.add_to_cart_rate, b.conversion])).toEqual([
      [0, 0, null, null],
      [1000, 1, 1, 1],
      [5000, 0, null, null],
    ]);
    expect((await get(`/v1/shops/${shopId}/analytics/price-bands?bands=5000,1000`)).json().error.code).toBe('invalid_bands');
  });

  it('top creators, and the creator sees views, orders and earnings by video', async () => {
    const topCreators = (await get(`/v1/shops/${shopId}/analytics/top?by=creator`)).json().rows;
    expect(topCreators).toMatchObject([{ id: creator.id, orders: 2, gmv: { amount: 2 * PRICE }, commission: { amount: 2 * 199 } }]);
    const mine = (await get('/v1/creators/me/analytics', creator.auth)).json();
    expect(mine.videos).toEqual([
      {
        video_id: videoId,
        caption: 'Lamp tutorial',
        views: 1,
        completed_views: 1,
        completion_rate: 1,
        orders: 2,
        gmv: [{ amount: 2 * PRICE, currency: 'USD' }],
        earnings_estimate: [{ amount: 2 * 199, currency: 'USD' }],
      },
    ]);
  });

  it('exports every table as CSV', async () => {
    const res = await get(`/v1/shops/${shopId}/analytics/funnel?format=csv`);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toBe('attachment; filename="funnel.csv"');
    const [header, line] = res.body.trim().split('\r\n');
    expect(header).toBe('id,video_status,video_caption,impressions,views,views_3s,completed_views,product_clicks,add_to_carts,checkouts,orders,gmv,gmv_currency,rates_views,rates_views_3s,rates_completed_views,rates_product_clicks,rates_add_to_carts,rates_checkouts,rates_orders');
    expect(line).toBe(`${videoId},ready,Lamp tutorial,2,2,1,1,2,2,2,2,${2 * PRICE},USD,1,0.5,0.5,1,1,1,1`);
    for (const r of ROUTES) {
      const csv = await get(`/v1/shops/${shopId}/analytics/${r}?format=csv`);
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toContain('text/csv');
    }
    expect((await get('/v1/creators/me/analytics?format=csv', creator.auth)).body).toContain('Lamp tutorial');
  });

  it("another shop's analytics answer 404, without a session 401, a bad range 400", async () => {
    const other = await t.account();
    await createShop(t.db, t.clock, { name: 'Other', market: 'US', currency: 'USD', timezone: 'UTC', ownerId: other.id });
    for (const r of ROUTES) {
      const res = await get(`/v1/shops/${shopId}/analytics/${r}`, other.auth);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('not_found');
      expect((await t.app.inject({ method: 'GET', url: `/v1/shops/${shopId}/analytics/${r}` })).statusCode).toBe(401);
    }
    const bad = await get(`/v1/shops/${shopId}/analytics/funnel?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z`);
    expect(bad.json().error.code).toBe('invalid_range');
  });
});

describe('creator dashboard per live session', () => {
  const LIVE_PRICE = 2500;
  let t: TestApp;
  let creator: Awaited<ReturnType<TestApp['account']>>;
  let liveId: string;
  let quietId: string;
  let scheduledId: string;
  const get = (url: string, auth = creator.auth) => t.app.inject({ method: 'GET', url, headers: auth });
  const post = (url: string, auth: { authorization: string }, payload: object) => t.app.inject({ method: 'POST', url, headers: auth, payload });
  const schedule = async (title: string, extra: object = {}) => {
    const res = await post('/v1/live', creator.auth, { title, stream_url: STREAM_URL, ...extra });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };
  const start = async (id: string) => expect((await post(`/v1/live/${id}/start`, creator.auth, { attestation: true })).statusCode).toBe(200);

  beforeAll(async () => {
    t = await testApp();
    const seller = await t.account({ name: 'Seller' });
    creator = await t.account({ name: 'Live Creator', roles: ['buyer', 'creator'] });
    const shop = await createShop(t.db, t.clock, { name: 'Tents', market: 'US', currency: 'USD', timezone: 'UTC', shippingFee: 0, ownerId: seller.id });
    const product = await createProduct(t.db, t.clock, stockKeeper, shop.id, {
      title: 'Trail tent',
      status: 'live',
      affiliate_rate_bps: 1000,
      variants: [{ price: { amount: LIVE_PRICE, currency: 'USD' }, stock: { on_hand: 20 } }],
    });
    const sku = product.variants[0]!.sku_id;

    // An earlier session that started and ended without any traffic, one never started, then the live one.
    quietId = await schedule('Quiet rehearsal');
    await start(quietId);
    expect((await post(`/v1/live/${quietId}/end`, creator.auth, {})).statusCode).toBe(200);
    scheduledId = await schedule('Next week', { scheduled_at: '2026-03-09T09:00:00Z' });
    t.clock.advance(HOUR);
    liveId = await schedule('Tent flash sale', { product_ids: [product.id] });
    await start(liveId);

    // Two viewers join the room; one clicks the pinned product, adds it to the cart and buys two.
    const buyers = [await t.account({ name: 'Viewer A' }), await t.account({ name: 'Viewer B' })];
    const at = t.clock.now().toISOString();
    const refs = { live_id: liveId, shop_id: shop.id, product_id: product.id, creator_id: creator.id };
    for (const [i, b] of buyers.entries()) {
      const shopping = i === 0 ? [{ event_id: 'click', type: 'product_click', at, ...refs }, { event_id: 'cart', type: 'add_to_cart', at, ...refs, sku_id: sku }] : [];
      const events = [{ event_id: `join-${i}`, type: 'live_join', at, live_id: liveId }, ...shopping];
      expect((await post('/v1/events', b.auth, { events })).json()).toMatchObject({ accepted: events.length, rejected: [] });
    }
    await addToCart(t, buyers[0]!.auth, sku, 2, { live_id: liveId });
    expect((await checkoutReq(t, buyers[0]!.auth)).statusCode).toBe(201);

    await scheduleAnalyticsJobs(t.db, t.clock);
    await t.app.ctx.jobs.runDue();
  });
  afterAll(() => t.close());

  /** A session's figures straight from the raw events (joins, clicks, add-to-carts; paid orders with an item from the room). */
  async function recompute(id: string) {
    const [r] = await rows<{ live_joins: number; product_clicks: number; add_to_carts: number; orders: number; gmv: number; commission: number }>(
      t.db,
      sql`select (select count(*)::int from analytics_events where type = 'live_join' and live_id = ${id}) as live_joins,
                 (select count(*)::int from analytics_events where type = 'product_click' and live_id = ${id}) as product_clicks,
                 (select count(*)::int from analytics_events where type = 'add_to_cart' and live_id = ${id}) as add_to_carts,
                 count(distinct e.order_id)::int as orders,
                 coalesce(sum((it->>'line_total')::bigint), 0)::int as gmv,
                 coalesce(sum((it->>'commission')::bigint), 0)::int as commission
          from analytics_events e cross join lateral jsonb_array_elements(e.data->'items') it
          where e.type = 'order_paid' and it->>'live_id' = ${id}`,
    );
    return r!;
  }

  it('lists each session with joins, clicks, add-to-carts, orders, GMV and earnings equal to the raw events', async () => {
    const res = await get('/v1/creators/me/analytics');
    expect(res.statusCode).toBe(200);
    const { lives } = res.json();
    const raw = await recompute(liveId);
    expect(raw).toEqual({ live_joins: 2, product_clicks: 1, add_to_carts: 1, orders: 1, gmv: 2 * LIVE_PRICE, commission: 2 * 250 });
    expect(lives).toEqual([
      {
        live_id: liveId,
        title: 'Tent flash sale',
        status: 'live',
        scheduled_at: t.clock.now().toISOString(),
        started_at: t.clock.now().toISOString(),
        ended_at: null,
        live_joins: raw.live_joins,
        product_clicks: raw.product_clicks,
        add_to_carts: raw.add_to_carts,
        orders: raw.orders,
        gmv: [{ amount: raw.gmv, currency: 'USD' }],
        earnings_estimate: [{ amount: raw.commission, currency: 'USD' }],
      },
      // Started in the range without traffic: zeros. The session never started is left out.
      expect.objectContaining({ live_id: quietId, status: 'ended', live_joins: 0, orders: 0, gmv: [], earnings_estimate: [] }),
    ]);
    expect(lives.map((l: { live_id: string }) => l.live_id)).not.toContain(scheduledId);
    expect(lives[1].started_at < lives[0].started_at).toBe(true);
  });

  it('a range before the sessions keeps only the one live now, with zeros', async () => {
    const { lives } = (await get('/v1/creators/me/analytics?from=2026-02-01T00:00:00Z&to=2026-03-01T00:00:00Z')).json();
    expect(lives).toEqual([expect.objectContaining({ live_id: liveId, live_joins: 0, product_clicks: 0, orders: 0, gmv: [], earnings_estimate: [] })]);
  });

  it("another creator's token does not see the sessions", async () => {
    const other = await t.account({ roles: ['buyer', 'creator'] });
    expect((await get('/v1/creators/me/analytics', other.auth)).json()).toEqual({ videos: [], lives: [] });
  });

  it('exports the sessions as CSV with table=lives; the videos stay the default; a bad table is 400', async () => {
    const csv = await get('/v1/creators/me/analytics?format=csv&table=lives');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="creator-analytics-lives.csv"');
    const [header, first] = csv.body.trim().split('\r\n');
    expect(header).toBe('live_id,title,status,scheduled_at,started_at,ended_at,live_joins,product_clicks,add_to_carts,orders,gmv,earnings_estimate');
    expect(first).toContain(`${liveId},Tent flash sale,live,`);
    expect(first).toContain(`,2,1,1,1,${2 * LIVE_PRICE} USD,${2 * 250} USD`);
    const videos = await get('/v1/creators/me/analytics?format=csv');
    expect(videos.headers['content-disposition']).toBe('attachment; filename="creator-analytics.csv"');
    expect(videos.body).not.toContain(liveId);
    const bad = await get('/v1/creators/me/analytics?format=csv&table=bogus');
    expect(bad.statusCode).toBe(400);
  });
});
