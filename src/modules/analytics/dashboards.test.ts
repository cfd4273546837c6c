import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../platform/db.js';
import { testApp, type TestApp } from '../../test/app.js';
import { createProduct } from '../catalog/service.js';
import { insertVideo } from '../content/service.js';
import { refundOrder } from '../orders/refunds.js';
import { addToCart, checkoutReq } from '../orders/testing.js';
import { createPaymentProviders } from '../payments/service.js';
import { createShop } from '../sellers/service.js';
import { scheduleAnalyticsJobs } from './service.js';

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
    const product = await createProduct(t.db, t.clock, shopId, {
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
      await addToCart(t, buyer.auth, product.variants[0]!.sku_id, 1, { video_id: videoId, creator_id: creator.id });
      const res = await checkoutReq(t, buyer.auth);
      expect(res.statusCode).toBe(201);
      orderIds.push(res.json().orders[0].id);
    }
    // A partial refund through after-sales' path, and a cancellation (full refund) through checkout's.
    await t.db.transaction((tx) => refundOrder(tx, t.clock, createPaymentProviders(t.clock), { orderId: orderIds[0]!, amount: 500, reason: 'test', key: 'r1' }));
    expect((await t.app.inject({ method: 'POST', url: `/v1/orders/${orderIds[1]}/cancel`, headers: buyer.auth, payload: {} })).statusCode).toBe(200);

    await scheduleAnalyticsJobs(t.db, t.clock);
    await t.app.ctx.jobs.runDue();
  });
  afterAll(() => t.close());

  it('records order_paid with item attribution and both refunds as server facts', async () => {
    const facts = await rows<{ type: string; order_id: string; shop_id: string; amount: number; data: { items?: unknown[] } | null }>(
      t.db,
      sql`select type, order_id, shop_id, amount, data from analytics_events where actor = 'server' order by type, order_id, amount`,
    );
    expect(facts.map((f) => [f.type, f.order_id, f.amount])).toEqual([
      ['order_paid', orderIds[0], PRICE],
      ['order_paid', orderIds[1], PRICE],
      ['refund', orderIds[0], 500],
      ['refund', orderIds[1], PRICE],
    ]);
    expect(facts[0]!.data!.items).toEqual([
      { product_id: productId, sku_id: expect.any(String), video_id: videoId, live_id: null, creator_id: creator.id, quantity: 1, line_total: PRICE, commission: 199 },
    ]);
  });

  it('funnel per video: every step and the rates between them', async () => {
    const res = await get(`/v1/shops/${shopId}/analytics/funnel?by=video`);
    expect(res.statusCode).toBe(200);
    const { rows: list, totals } = res.json();
    expect(list).toEqual([
      {
        id: videoId,
        impressions: 1,
        views: 1,
        views_3s: 1,
        completed_views: 1,
        product_clicks: 1,
        add_to_carts: 1,
        checkouts: 0,
        orders: 2,
        gmv: { amount: 2 * PRICE, currency: 'USD' },
        rates: { views: 1, views_3s: 1, completed_views: 1, product_clicks: 1, add_to_carts: 1, checkouts: 0, orders: null },
      },
    ]);
    expect(totals).toMatchObject({ id: shopId, impressions: 1, checkouts: 1, orders: 2, gmv: { amount: 2 * PRICE, currency: 'USD' } });
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
      [1000, 1, 1, 2],
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
    expect(header).toBe('id,impressions,views,views_3s,completed_views,product_clicks,add_to_carts,checkouts,orders,gmv,gmv_currency,rates_views,rates_views_3s,rates_completed_views,rates_product_clicks,rates_add_to_carts,rates_checkouts,rates_orders');
    expect(line).toBe(`${videoId},1,1,1,1,1,1,0,2,${2 * PRICE},USD,1,1,1,1,1,0,`);
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
