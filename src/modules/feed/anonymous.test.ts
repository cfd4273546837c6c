import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../test/app.js';
import { createProduct } from '../catalog/index.js';
import { insertVideo, videos } from '../content/index.js';
import { stockKeeper } from '../inventory/index.js';
import { createShop } from '../sellers/index.js';
import { feedSourcesChanged } from './signals.js';

/**
 * Anyone can watch (issue 16 §2): a signed-out visitor reads the feed, a video, the creator's
 * pages, the product with its reviews and a live room, and reports its views under a device id;
 * whatever writes for a person (cart, checkout, review) answers 401 and changes nothing.
 */
describe('a signed-out visitor watches; writing for a person needs a session', () => {
  let t: TestApp;
  let creatorId: string;
  let productId: string;
  let skuId: string;
  let videoId: string;
  let liveId: string;

  const anon = (method: string, url: string, payload?: object, headers: Record<string, string> = {}) =>
    t.app.inject({ method: method as 'GET', url, headers: { ...headers, ...(payload ? { 'x-requested-with': 'loopshop' } : {}) }, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    t = await testApp();
    const seller = await t.account({ roles: ['buyer', 'seller', 'creator'], name: 'Watch Creator' });
    creatorId = seller.id;
    const shop = await createShop(t.db, t.clock, { name: 'Watch Shop', market: 'US', currency: 'USD', timezone: 'UTC', ownerId: seller.id });
    const product = await createProduct(t.db, t.clock, stockKeeper, shop.id, {
      title: 'Trail lantern',
      status: 'live',
      option_names: [],
      variants: [{ option_values: [], price: { amount: 2500, currency: 'USD' }, stock: { on_hand: 10 } }],
    });
    productId = product.id;
    skuId = product.variants[0]!.sku_id;
    const row = await insertVideo(t.db, t.clock, { creatorId, caption: 'Lantern at dusk', productIds: [productId] }, { type: 'test.none', payload: {} });
    await t.db
      .update(videos)
      .set({ status: 'ready', publishedAt: t.clock.now(), mediaPath: `videos/${row.id}.mp4`, posterPath: `posters/${row.id}.jpg`, durationMs: 10_000 })
      .where(eq(videos.id, row.id));
    feedSourcesChanged();
    videoId = row.id;
    const live = await t.app.inject({
      method: 'POST',
      url: '/v1/live',
      headers: seller.auth,
      payload: { title: 'Lantern live', stream_url: 'https://video.example.com/live/l.m3u8', product_ids: [productId] },
    });
    expect(live.statusCode).toBe(201);
    liveId = (live.json() as { id: string }).id;
  }, 60_000);
  afterAll(() => t?.close());

  it('reads the feed, the video, the creator, the product and the live room without a session', async () => {
    const feed = await anon('GET', '/v1/feed?limit=5', undefined, { 'x-device-id': 'dev_anonymous_viewer_1' });
    expect(feed.statusCode).toBe(200);
    expect((feed.json() as { data: Array<{ id: string }> }).data.map((v) => v.id)).toContain(videoId);
    for (const url of [
      `/v1/videos/${videoId}`,
      `/v1/creators/${creatorId}/videos`,
      `/v1/creators/${creatorId}/showcase`,
      `/v1/creators/${creatorId}/shops`,
      `/v1/products/${productId}`,
      `/v1/products/${productId}/reviews`,
      '/v1/live?status=scheduled',
      `/v1/live/${liveId}`,
    ]) {
      const res = await anon('GET', url);
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    }
    const views = await anon('POST', '/v1/events', {
      device_id: 'dev_anonymous_viewer_1',
      events: [{ event_id: 'anon-view-1', type: 'view', at: t.clock.now().toISOString(), video_id: videoId, watched_ms: 4000, duration_ms: 10_000, completed: false }],
    });
    expect(views.statusCode, views.body).toBe(200);
    expect((views.json() as { accepted: number }).accepted).toBe(1);
  });

  it('answers 401 to add-to-cart, checkout, the cart and a review, and changes nothing', async () => {
    const before = await t.app.inject({ url: `/v1/products/${productId}` });
    for (const [method, url, payload] of [
      ['POST', '/v1/cart/items', { sku_id: skuId, quantity: 1 }],
      ['GET', '/v1/cart', undefined],
      ['POST', '/v1/checkout', { payment: { card_number: '4242424242424242' } }],
      ['POST', '/v1/orders/ord_00000000000000000000000000/items/oit_00000000000000000000000000/review', { rating: 5, text: 'Lovely' }],
      ['GET', '/v1/me', undefined],
    ] as const) {
      const res = await anon(method, url, payload);
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(401);
      expect((res.json() as { error: { code: string } }).error.code).toBe('unauthorized');
    }
    const after = await t.app.inject({ url: `/v1/products/${productId}` });
    expect(after.json()).toEqual(before.json());
  });
});
