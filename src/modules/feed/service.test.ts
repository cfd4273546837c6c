import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HOUR } from '../../platform/clock.js';
import { newId } from '../../platform/ids.js';
import { testApp, type TestApp } from '../../test/app.js';
import { ingestEvents, recordServerEvent, rollupEvents } from '../analytics/index.js';
import { createProduct } from '../catalog/index.js';
import { videos } from '../content/index.js';
import { deleteVideo, insertVideo } from '../content/index.js';
import { closeFeedIndex, FEED_INDEX_MAX_AGE_MS, FEED_INDEX_REFRESH_MS, FeedIndex, feedIndex } from './ranking-index.js';
import { betaSampler, posteriorParams, rankPositions, rankTable, type RankTable } from './ranking.js';
import { rankCandidates, sampleBeta, seededRng, spreadShops } from './service.js';
import { feedSourcesChanged } from './signals.js';
import { stockKeeper } from '../inventory/index.js';

type FeedPage = { data: Array<{ id: string; anchors: Array<{ type: string; product?: { shop_id: string } }> }>; next_cursor: string | null };

describe('feed: ranking, exploration, shops spread, stable pagination', () => {
  let t: TestApp;
  let creatorId: string;
  const shops: Array<{ shopId: string; productId: string }> = [];
  const shopOf = new Map<string, string>();
  let n = 0;

  async function video(shop: number, opts: { signal?: boolean } = {}): Promise<string> {
    const row = await insertVideo(t.db, t.clock, { creatorId, caption: `clip ${n++}`, productIds: [shops[shop]!.productId] }, { type: 'test.none', payload: {} });
    await t.db
      .update(videos)
      .set({ status: 'ready', publishedAt: t.clock.now(), mediaPath: `videos/${row.id}.mp4`, posterPath: `posters/${row.id}.jpg`, durationMs: 10_000 })
      .where(eq(videos.id, row.id));
    // Published by a direct update: signal it as processVideo does when it publishes (unless a
    // test wants a change the index learns of only by its periodic rebuild).
    if (opts.signal ?? true) feedSourcesChanged();
    shopOf.set(row.id, shops[shop]!.shopId);
    return row.id;
  }

  /** `views` views by distinct devices, `completed` of them completed, `clicks` product clicks, `orders` paid orders attributed to the video. */
  async function history(videoId: string, c: { views: number; completed: number; clicks: number; orders: number }) {
    const shopId = shopOf.get(videoId)!;
    const at = t.clock.now().toISOString();
    const events: object[] = [];
    for (let i = 0; i < c.views; i++) {
      events.push({ event_id: `${videoId}-i${i}`, type: 'impression', at, video_id: videoId, shop_id: shopId });
      events.push({ event_id: `${videoId}-v${i}`, type: 'view', at, video_id: videoId, shop_id: shopId, watched_ms: 9000, duration_ms: 10_000, completed: i < c.completed });
      if (i < c.clicks) events.push({ event_id: `${videoId}-c${i}`, type: 'product_click', at, video_id: videoId, shop_id: shopId, product_id: newId('prd') });
    }
    for (let i = 0; i < events.length; i += 500) await ingestEvents(t.db, t.clock, { userId: null, deviceId: 'history-device', events: events.slice(i, i + 500) });
    for (let i = 0; i < c.orders; i++) {
      const orderId = newId('ord');
      await t.db.transaction((tx) =>
        recordServerEvent(tx, t.clock, {
          type: 'order_paid',
          orders: [{ id: orderId, shopId, buyerId: 'usr_buyer', total: 1000, currency: 'USD' }],
          items: sql`select * from (values (${orderId}, ${newId('prd')}, ${newId('sku')}, 1, 1000::bigint, 0, ${JSON.stringify({ video_id: videoId })}::jsonb))
                     as v(order_id, product_id, sku_id, quantity, line_total, affiliate_rate_bps, source)`,
        }),
      );
    }
  }

  const rollup = () => t.db.transaction((tx) => rollupEvents(tx, t.clock));
  const feed = async (opts: { device?: string; limit?: number; cursor?: string | null } = {}): Promise<FeedPage> => {
    const q = new URLSearchParams({ limit: String(opts.limit ?? 20) });
    if (opts.cursor) q.set('cursor', opts.cursor);
    const res = await t.app.inject({ url: `/v1/feed?${q}`, headers: opts.device ? { 'x-device-id': opts.device } : {} });
    expect(res.statusCode).toBe(200);
    return res.json() as FeedPage;
  };
  const allPages = async (device: string, limit: number) => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: FeedPage = await feed({ device, limit, cursor });
      expect(page.data.length).toBeLessThanOrEqual(limit);
      ids.push(...page.data.map((v) => v.id));
      cursor = page.next_cursor;
    } while (cursor);
    return ids;
  };

  let established: string[];
  let star: string;
  let dud: string;

  beforeAll(async () => {
    t = await testApp();
    creatorId = (await t.account({ roles: ['buyer', 'creator'] })).id;
    for (let s = 0; s < 4; s++) {
      const seller = await t.seller({ shopName: `Shop ${s}` });
      const p = await createProduct(t.db, t.clock, stockKeeper, seller.shopId, { title: `Thing ${s}`, status: 'live', variants: [{ price: { amount: 1000, currency: 'USD' }, stock: { on_hand: 10 } }] });
      shops.push({ shopId: seller.shopId, productId: p.id });
    }
    // 16 established videos over 4 shops, average signals (near the priors' means).
    established = [];
    for (let i = 0; i < 16; i++) established.push(await video(i % 4));
    star = await video(0);
    dud = await video(1);
    t.clock.advance(60_000);
    for (const id of established) await history(id, { views: 100, completed: 30, clicks: 5, orders: 1 });
    // Same completion and clicks; the star converts, the dud never does.
    await history(star, { views: 400, completed: 120, clicks: 20, orders: 40 });
    await history(dud, { views: 400, completed: 120, clicks: 20, orders: 0 });
    await rollup();
    // Stats are read from rollup hours before the feed snapshot's hour.
    t.clock.advance(HOUR);
  });
  afterAll(() => t?.close());

  it('ranks a video with higher conversion above one without, for every viewer', async () => {
    for (let d = 0; d < 15; d++) {
      const ids = await allPages(`viewer-conv-${d}`, 100);
      expect(ids).toContain(star);
      expect(ids.indexOf(star)).toBeLessThan(ids.indexOf(dud));
    }
  });

  it('gives a new video impressions in a share of new sessions (exploration)', async () => {
    // Thompson sampling gives the fresh video (prior means, wide spread) a top-5 place in a
    // sizeable share p of sessions, but which sessions depends on the random ids. Asking until it
    // shows bounds the failure chance instead of leaving it to the seed: even at p = 0.05, 400
    // sessions all missing it has probability 0.95^400 < 1e-8. A feed that never explores fails.
    const fresh = await video(2);
    let requests = 0;
    let shown = false;
    while (!shown && requests < 400) {
      const page = await feed({ device: `viewer-new-${requests++}`, limit: 5 });
      shown = page.data.some((v) => v.id === fresh);
    }
    expect(shown).toBe(true);
  });

  it('never puts two videos of one shop next to each other', async () => {
    for (let d = 0; d < 10; d++) {
      const page = await feed({ device: `viewer-shop-${d}`, limit: 100 });
      const shopIds = page.data.map((v) => v.anchors.find((a) => a.type === 'product')!.product!.shop_id);
      for (let i = 1; i < shopIds.length; i++) expect(shopIds[i]).not.toBe(shopIds[i - 1]);
    }
  });

  it('pages without repeating or skipping a video, even as new videos and views arrive', async () => {
    const device = 'viewer-pages-0001';
    const whole = (await feed({ device, limit: 100 })).data.map((v) => v.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: FeedPage = await feed({ device, limit: 3, cursor });
      seen.push(...page.data.map((v) => v.id));
      cursor = page.next_cursor;
      // While scrolling: the viewer watches what it saw, a new video is published, time passes.
      await ingestEvents(t.db, t.clock, {
        userId: null,
        deviceId: device,
        events: page.data.map((v) => ({ event_id: `w-${v.id}`, type: 'view', at: t.clock.now().toISOString(), video_id: v.id, watched_ms: 1000, duration_ms: 10_000, completed: true })),
      });
      if (pages++ === 1) await video(3);
      t.clock.advance(5_000);
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(whole);
    // The same cursor gives the same page again.
    const first = await feed({ device, limit: 3 });
    expect((await feed({ device, limit: 3, cursor: first.next_cursor })).data).toEqual((await feed({ device, limit: 3, cursor: first.next_cursor })).data);
    expect((await t.app.inject({ url: '/v1/feed?cursor=bogus' })).json().error.code).toBe('invalid_cursor');
  });

  it('pushes watched videos down', async () => {
    const device = 'viewer-watch-0001';
    const before = (await feed({ device, limit: 100 })).data.map((v) => v.id);
    const watched = before.slice(0, 3);
    await ingestEvents(t.db, t.clock, {
      userId: null,
      deviceId: device,
      events: watched.map((id) => ({ event_id: `w-${id}`, type: 'view', at: t.clock.now().toISOString(), video_id: id, watched_ms: 1000, duration_ms: 10_000, completed: false })),
    });
    t.clock.advance(1000);
    const after = (await feed({ device, limit: 100 })).data.map((v) => v.id);
    // Strictly last, whatever the draw and the shop spread do to the unwatched ones.
    expect(new Set(after.slice(-watched.length))).toEqual(new Set(watched));
  });

  const firstPage = async (device: string) => (await feed({ device, limit: 100 })).data.map((v) => v.id);
  const pagesFrom = async (device: string, cursor: string | null, between: () => Promise<void> = async () => undefined) => {
    const ids: string[] = [];
    while (cursor) {
      await between();
      const page: FeedPage = await feed({ device, limit: 3, cursor });
      ids.push(...page.data.map((v) => v.id));
      cursor = page.next_cursor;
    }
    return ids;
  };

  it('index: a rebuild on its timer picks up a video published behind its back; requests keep the old version meanwhile', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const index = new FeedIndex(t.db, t.clock);
    try {
      index.start();
      const before = await index.current();
      const quiet = await video(1, { signal: false });
      expect(await index.current()).toBe(before);
      expect(before.entries.map((e) => e.id)).not.toContain(quiet);
      expect(index.rebuilding).toBe(false);
      vi.advanceTimersByTime(FEED_INDEX_REFRESH_MS);
      expect(index.rebuilding).toBe(true);
      expect(await index.current()).toBe(before);
      const after = await index.build();
      expect(after).not.toBe(before);
      expect(after.entries.map((e) => e.id)).toContain(quiet);
      expect(index.newest()).toBe(after);
      // Unchanged videos are shared between the versions, not copied.
      const kept = before.entries.filter((e) => after.entries.includes(e));
      expect(kept.length).toBeGreaterThan(0);
    } finally {
      index.close();
      vi.useRealTimers();
    }
  });

  it('index: once older than its maximum age by the clock, a request waits for a fresh build', async () => {
    const device = 'viewer-age-00001';
    await firstPage(device);
    const quiet = await video(2, { signal: false });
    expect(await firstPage(device)).not.toContain(quiet);
    t.clock.advance(FEED_INDEX_MAX_AGE_MS);
    expect(await firstPage(device)).toContain(quiet);
  });

  it('index: a hidden video leaves the next first page and the later pages of a snapshot ranked before', async () => {
    const device = 'viewer-hide-00001';
    const whole = await firstPage(device);
    const first = await feed({ device, limit: 3 });
    // Deleted through the service (it signals the index) …
    const deleted = whole[4]!;
    await deleteVideo(t.db, t.clock, t.config, deleted, creatorId);
    // … and one taken down behind the index's back (seen after the periodic rebuild).
    const failed = whole[7]!;
    await t.db.update(videos).set({ status: 'failed' }).where(eq(videos.id, failed));
    expect(await firstPage('viewer-hide-00002')).not.toContain(deleted);
    await feedIndex(t.db, t.clock).build();
    const fresh = await firstPage('viewer-hide-00003');
    expect(fresh).not.toContain(failed);
    const rest = await pagesFrom(device, first.next_cursor);
    expect([...first.data.map((v) => v.id), ...rest]).toEqual(whole.filter((id) => id !== deleted && id !== failed));
  });

  it('index: pages stay the same across rebuilds and a restart (the version is rebuilt from SQL for its time)', async () => {
    const device = 'viewer-rebuild-01';
    const whole = await firstPage(device);
    const first = await feed({ device, limit: 3 });
    t.clock.advance(1000);
    let step = 0;
    const rest = await pagesFrom(device, first.next_cursor, async () => {
      step++;
      if (step === 1) await feedIndex(t.db, t.clock).build();
      if (step === 2) await video(3); // signalled: the next request waits for a new version
      if (step === 3) closeFeedIndex(t.db); // as after a restart: no version, no cached ordering
    });
    expect(step).toBeGreaterThan(3);
    expect([...first.data.map((v) => v.id), ...rest]).toEqual(whole);
  });
});

describe('feed ranking functions', () => {
  it('samples Beta draws with the right mean, reproducibly from a seed', () => {
    const draw = (seed: number) => {
      const rng = seededRng(seed);
      return Array.from({ length: 4000 }, () => sampleBeta(rng, 3, 7));
    };
    const xs = draw(42);
    expect(draw(42)).toEqual(xs);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.28);
    expect(mean).toBeLessThan(0.32);
  });

  it('draws Beta(a, 1) and Beta(1, b) with the right distribution (Kolmogorov–Smirnov)', () => {
    const beta = betaSampler(seededRng(11));
    const ks = (xs: number[], cdf: (x: number) => number) => {
      const sorted = [...xs].sort((a, b) => a - b);
      return Math.max(...sorted.map((x, i) => Math.max(Math.abs((i + 1) / sorted.length - cdf(x)), Math.abs(i / sorted.length - cdf(x)))));
    };
    const n = 20_000;
    // 1.95 / √n: the 0.1 % critical value.
    for (const b of [1, 19, 99]) expect(ks(Array.from({ length: n }, () => beta(1, b)), (x) => 1 - Math.pow(1 - x, b))).toBeLessThan(1.95 / Math.sqrt(n));
    for (const a of [0.5, 3, 40]) expect(ks(Array.from({ length: n }, () => beta(a, 1)), (x) => Math.pow(x, a))).toBeLessThan(1.95 / Math.sqrt(n));
  });

  it('orders like the plain comparison sort, ties (equal scores) by the greater id first', () => {
    const reference = (table: RankTable, watched: Uint8Array, scores: Float64Array) => {
      const idx = Array.from(table.ids, (_, i) => i);
      idx.sort((a, b) => scores[b]! - scores[a]! || (table.ids[a]! < table.ids[b]! ? 1 : -1));
      const shopOf = (i: number) => table.shops[i]!;
      return [...spreadShops(idx.filter((i) => !watched[i]), shopOf), ...spreadShops(idx.filter((i) => watched[i]), shopOf)];
    };
    const now = Date.parse('2026-03-02T09:00:00Z');
    for (const ageDays of [0, 5, 20_000]) {
      // 20,000 days old: freshness underflows to 0, every score ties.
      const table = rankTable(
        Array.from({ length: 300 }, (_, i) => ({
          id: `vid_${String((i * 7919) % 1000).padStart(4, '0')}`,
          shop: `shp_${i % 7 === 0 ? 0 : i % 5}`,
          publishedMs: now - (ageDays + (i % 3)) * 86_400_000,
          params: posteriorParams({ impressions: 0, views: i % 4 === 0 ? 0 : 50 + i, completed_views: i % 9, product_clicks: i % 4, orders: i % 2 }),
        })),
      );
      const watched = Uint8Array.from(table.ids, (_, i) => (i % 11 === 0 ? 1 : 0));
      const { order, scores } = rankPositions(table, watched, now, seededRng(ageDays + 1));
      expect(Array.from(order)).toEqual(reference(table, watched, scores));
      if (ageDays === 20_000) expect(scores.every((x) => x === 0)).toBe(true);
    }
  });

  it('spreads shops greedily and keeps every item', () => {
    const items = ['a1', 'a2', 'a3', 'b1', 'c1', 'a4', 'b2'];
    const out = spreadShops(items, (s) => s[0]!);
    expect([...out].sort()).toEqual([...items].sort());
    expect(out).toEqual(['a1', 'b1', 'a2', 'c1', 'a3', 'b2', 'a4']);
    expect(spreadShops(['b1', 'a1', 'a2', 'a3', 'c1'], (s) => s[0]!)).toEqual(['a3', 'b1', 'a1', 'c1', 'a2']);
    expect(spreadShops(['a1', 'a2'], (s) => s[0]!)).toEqual(['a1', 'a2']);
  });

  it('is deterministic given the seed', () => {
    const now = new Date('2026-03-02T09:00:00Z');
    const cands = Array.from({ length: 50 }, (_, i) => ({ id: `vid_${i}`, creator_id: 'usr_x', published_at: now, shop_id: `shp_${i % 5}` }));
    const a = rankCandidates(cands, new Map(), new Set(), now, seededRng(7));
    expect(rankCandidates(cands, new Map(), new Set(), now, seededRng(7))).toEqual(a);
    expect(rankCandidates(cands, new Map(), new Set(), now, seededRng(8)).map((r) => r.id)).not.toEqual(a.map((r) => r.id));
  });
});
