import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../../platform/clock.js';
import { rows } from '../../platform/db.js';
import { testApp, type TestApp } from '../../test/app.js';
import { createProduct } from '../catalog/index.js';
import { stockKeeper } from '../inventory/index.js';
import { addToCart, cardBody, checkoutReq, videoAnchoring } from '../orders/index.js';
import { SANDBOX_CARDS } from '../payments/index.js';
import { createShop } from '../sellers/index.js';
import { rollupEvents } from './service.js';

/**
 * The funnel against raw facts: random app event streams (missing stages, repeats, late and
 * out-of-order events) and random checkouts — paid, declined, cancelled after payment — through
 * the real routes. Every row must be monotone and every stage must equal a recount of
 * `analytics_events`, `orders` and `order_items`, written here without the dashboard code.
 */
const CHAIN = ['impressions', 'views', 'product_clicks', 'add_to_carts', 'checkouts', 'orders'] as const;
const STAGES = ['impressions', 'views', 'views_3s', 'completed_views', 'product_clicks', 'add_to_carts', 'checkouts', 'orders'] as const;
type Stage = (typeof STAGES)[number];
type Row = Record<Stage, number> & { id: string; gmv: { amount: number }; rates: Record<string, number | null> };

interface Fixture {
  owner: { auth: { authorization: string } };
  shopId: string;
  products: Array<{ id: string; sku: string; price: number }>;
  videoId: string;
}

const clientType = fc.constantFrom('impression', 'view', 'product_click', 'add_to_cart', 'checkout_started');
const clientEvent = fc.record({
  id: fc.integer({ min: 0, max: 7 }),
  type: clientType,
  product: fc.option(fc.integer({ min: 0, max: 1 }), { nil: undefined }),
  withVideo: fc.boolean(),
  ageMs: fc.integer({ min: -4 * MINUTE, max: 3 * DAY }),
  watched: fc.integer({ min: 0, max: 9000 }),
  completed: fc.boolean(),
});
const step = fc.oneof(
  fc.record({ kind: fc.constant('events' as const), device: fc.integer({ min: 0, max: 2 }), events: fc.array(clientEvent, { maxLength: 10 }) }),
  fc.record({
    kind: fc.constant('order' as const),
    buyer: fc.integer({ min: 0, max: 2 }),
    product: fc.integer({ min: 0, max: 1 }),
    fromVideo: fc.boolean(),
    card: fc.constantFrom('succeeds', 'succeeds', 'declined'),
    cancel: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: MINUTE, max: 5 * HOUR }) }),
);

describe('the funnel equals a recount of raw facts and never widens', () => {
  let t: TestApp;
  let buyers: Array<{ auth: { authorization: string } }>;
  let creator: { id: string; auth: { authorization: string } };
  let creatorId: string;
  beforeAll(async () => {
    t = await testApp();
    buyers = [await t.account({ name: 'B0' }), await t.account({ name: 'B1' }), await t.account({ name: 'B2' })];
    creator = await t.account({ name: 'Creator', roles: ['buyer', 'creator'] });
    creatorId = creator.id;
  });
  afterAll(() => t.close());

  async function fixture(run: number): Promise<Fixture> {
    const owner = await t.account({ name: `Owner ${run}` });
    const shop = await createShop(t.db, t.clock, { name: `Shop ${run}`, market: 'US', currency: 'USD', timezone: 'UTC', shippingFee: 0, ownerId: owner.id });
    const products = [];
    for (const price of [1200, 3400]) {
      const p = await createProduct(t.db, t.clock, stockKeeper, shop.id, {
        title: `P ${price}`,
        status: 'live',
        affiliate_rate_bps: 1000,
        variants: [{ price: { amount: price, currency: 'USD' }, stock: { on_hand: 500 } }],
      });
      products.push({ id: p.id, sku: p.variants[0]!.sku_id, price });
    }
    const videoId = await videoAnchoring(t, creatorId, products.map((p) => p.id));
    return { owner, shopId: shop.id, products, videoId };
  }

  /** Per key (video id, product id, or the shop id for totals): each stage recounted from the raw tables, then "at least the next stage". */
  async function recount(f: Fixture, dim: 'video' | 'product' | 'shop', from: Date, to: Date): Promise<Map<string, Record<Stage, number> & { gmv: number }>> {
    const hourFrom = new Date(Math.floor(from.getTime() / HOUR) * HOUR);
    const events = await rows<{ type: string; at: string; video_id: string | null; product_id: string | null; watched_ms: number | null; completed: boolean | null }>(
      t.db,
      sql`select type, at, video_id, product_id, watched_ms, completed from analytics_events where actor <> 'server' and shop_id = ${f.shopId}`,
    );
    const items = await rows<{ order_id: string; created_at: string; paid_at: string | null; product_id: string; line_total: number; video_id: string | null }>(
      t.db,
      sql`select o.id as order_id, o.created_at, o.paid_at, i.product_id, i.line_total::int as line_total, i.source->>'video_id' as video_id
          from orders o join order_items i on i.order_id = o.id where o.shop_id = ${f.shopId}`,
    );
    const inRange = (at: string | Date) => {
      const ms = new Date(at).getTime();
      return ms >= hourFrom.getTime() && ms < to.getTime();
    };
    const keyOf = (r: { video_id: string | null; product_id: string | null }) => (dim === 'shop' ? f.shopId : dim === 'video' ? r.video_id : r.product_id);
    const out = new Map<string, Record<Stage, number> & { gmv: number }>();
    const of = (key: string) => {
      const c = out.get(key) ?? { ...(Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>), gmv: 0 };
      out.set(key, c);
      return c;
    };
    for (const e of events) {
      const key = keyOf(e);
      if (!key || !inRange(e.at)) continue;
      const c = of(key);
      if (e.type === 'impression') c.impressions++;
      if (e.type === 'product_click') c.product_clicks++;
      if (e.type === 'add_to_cart') c.add_to_carts++;
      if (e.type === 'view') {
        c.views++;
        if (e.watched_ms! >= 3000) c.views_3s++;
        if (e.completed) c.completed_views++;
      }
    }
    const checkedOut = new Map<string, Set<string>>();
    const paid = new Map<string, Set<string>>();
    for (const i of items) {
      const key = keyOf(i);
      if (!key) continue;
      if (inRange(i.created_at)) checkedOut.set(key, (checkedOut.get(key) ?? new Set()).add(i.order_id));
      if (i.paid_at && inRange(i.paid_at)) {
        paid.set(key, (paid.get(key) ?? new Set()).add(i.order_id));
        of(key).gmv += i.line_total;
      }
    }
    for (const [key, s] of checkedOut) of(key).checkouts = s.size;
    for (const [key, s] of paid) of(key).orders = s.size;
    for (const c of out.values()) for (let i = CHAIN.length - 2; i >= 0; i--) c[CHAIN[i]!] = Math.max(c[CHAIN[i]!], c[CHAIN[i + 1]!]);
    for (const [key, c] of out) if (STAGES.every((s) => c[s] === 0) && c.gmv === 0) out.delete(key);
    return out;
  }

  it('property: every row monotone, every rate at most 1, every stage a recount from raw facts (video, product, shop)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 30 }), async (steps, rangeHours) => {
        run++;
        const f = await fixture(run);
        for (const s of steps) {
          if (s.kind === 'tick') t.clock.advance(s.ms);
          else if (s.kind === 'events' && s.events.length > 0) {
            const now = t.clock.now().getTime();
            const events = s.events.map((e) => ({
              event_id: `${run}-${e.id}`,
              type: e.type,
              at: new Date(now - e.ageMs).toISOString(),
              shop_id: f.shopId,
              ...(e.product !== undefined || e.type === 'product_click' || e.type === 'add_to_cart' ? { product_id: f.products[e.product ?? 0]!.id } : {}),
              ...(e.withVideo || e.type === 'view' || (e.type === 'impression' && e.product === undefined) ? { video_id: f.videoId } : {}),
              ...(e.type === 'view' ? { watched_ms: e.watched, duration_ms: 9000, completed: e.completed } : {}),
            }));
            const res = await t.app.inject({ method: 'POST', url: '/v1/events', headers: { 'x-device-id': `device-funnel-${s.device}` }, payload: { events } });
            expect(res.json().rejected).toEqual([]);
          } else if (s.kind === 'order') {
            const buyer = buyers[s.buyer]!;
            const p = f.products[s.product]!;
            await addToCart(t, buyer.auth, p.sku, 1, s.fromVideo ? { video_id: f.videoId } : undefined);
            const res = await checkoutReq(t, buyer.auth, cardBody(SANDBOX_CARDS[s.card]));
            expect(res.statusCode).toBe(s.card === 'succeeds' ? 201 : 402);
            if (s.card === 'succeeds' && s.cancel) {
              const cancelled = await t.app.inject({ method: 'POST', url: `/v1/orders/${res.json().orders[0].id}/cancel`, headers: buyer.auth, payload: {} });
              expect(cancelled.statusCode).toBe(200);
            }
          }
        }
        await t.db.transaction((tx) => rollupEvents(tx, t.clock));
        const now = t.clock.now().getTime();
        const from = new Date(now - rangeHours * HOUR);
        const to = new Date(Math.floor(now / HOUR) * HOUR + HOUR);
        const q = `from=${from.toISOString()}&to=${to.toISOString()}&limit=500`;
        for (const dim of ['video', 'product'] as const) {
          const res = await t.app.inject({ method: 'GET', url: `/v1/shops/${f.shopId}/analytics/funnel?by=${dim}&${q}`, headers: f.owner.auth });
          expect(res.statusCode).toBe(200);
          const body = res.json() as { rows: Row[]; totals: Row };
          const shown = [...body.rows, ...(dim === 'video' ? [body.totals] : [])];
          for (const r of shown) {
            for (let i = 1; i < CHAIN.length; i++) expect(r[CHAIN[i - 1]!]).toBeGreaterThanOrEqual(r[CHAIN[i]!]);
            expect(r.views).toBeGreaterThanOrEqual(Math.max(r.views_3s, r.completed_views));
            for (const rate of Object.values(r.rates)) if (rate !== null) expect(rate).toBeLessThanOrEqual(1);
          }
          const pick = (r: Row) => ({ ...Object.fromEntries(STAGES.map((s) => [s, r[s]])), gmv: r.gmv.amount });
          const nonZero = body.rows.filter((r) => STAGES.some((s) => r[s] > 0) || r.gmv.amount > 0);
          expect(new Map(nonZero.map((r) => [r.id, pick(r)]))).toEqual(await recount(f, dim, from, to));
          if (dim === 'video') {
            const totals = (await recount(f, 'shop', from, to)).get(f.shopId);
            expect(pick(body.totals)).toEqual(totals ?? { ...Object.fromEntries(STAGES.map((s) => [s, 0])), gmv: 0 });
          }
        }
      }),
      { numRuns: 12 },
    );
  });

  it('video rows say what the video is now: removed (with its caption), failed, unknown — never only an id', async () => {
    const f = await fixture(0);
    const failed = await videoAnchoring(t, creatorId, [f.products[0]!.id], { status: 'failed' });
    await t.db.execute(sql`update videos set caption = 'Lamp in the rain' where id = ${failed}`);
    const removed = await videoAnchoring(t, creatorId, [f.products[0]!.id]);
    await t.db.execute(sql`update videos set caption = 'Desk lamp unboxing' where id = ${removed}`);
    const unknown = 'vid_01aaaaaaaaaaaaaaaaaaaaaaaa';
    const at = t.clock.now().toISOString();
    const events = [f.videoId, failed, removed, unknown].map((video_id, i) => ({ event_id: `label-${i}`, type: 'impression', at, video_id, shop_id: f.shopId }));
    expect((await t.app.inject({ method: 'POST', url: '/v1/events', headers: { 'x-device-id': 'device-labels-1' }, payload: { events } })).json().accepted).toBe(4);
    // Another creator cannot delete it; its creator can, and then it is gone from the content routes.
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/videos/${removed}`, headers: buyers[0]!.auth })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/videos/${removed}`, headers: creator.auth })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: `/v1/videos/${removed}` })).statusCode).toBe(404);
    await t.db.transaction((tx) => rollupEvents(tx, t.clock));

    const expected = new Map([
      [f.videoId, { status: 'ready', caption: 'Look at this' }],
      [failed, { status: 'failed', caption: 'Lamp in the rain' }],
      [removed, { status: 'removed', caption: 'Desk lamp unboxing' }],
      [unknown, { status: 'unknown', caption: null }],
    ]);
    for (const route of ['funnel?by=video', 'top?by=video']) {
      const res = await t.app.inject({ method: 'GET', url: `/v1/shops/${f.shopId}/analytics/${route}`, headers: f.owner.auth });
      expect(new Map((res.json().rows as Array<{ id: string; video: unknown }>).map((r) => [r.id, r.video]))).toEqual(expected);
    }
    const byProduct = await t.app.inject({ method: 'GET', url: `/v1/shops/${f.shopId}/analytics/funnel?by=product`, headers: f.owner.auth });
    expect(byProduct.json().rows.every((r: object) => !('video' in r))).toBe(true);
  });
});
