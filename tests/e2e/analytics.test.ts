import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollupEvents } from '../../src/modules/analytics/service.js';
import { rows } from '../../src/platform/db.js';
import { newPage, shot, SHOTS_DIR, signIn, startE2E, type E2E, openSection } from './support.js';

/**
 * Issue 7, acceptance (web): the buyer app's feed sends impression, view and product-click events
 * (batched, and with sendBeacon when the page is left), and the demo seller opens Analytics and
 * sees the funnel and the completion heatmap with data. The test posts its own events and a paid
 * order and runs the rollup itself, so it holds with or without the seeded demo history.
 * Screenshots: `$LOOPSHOP_SHOTS_DIR` (default `<tmp>/loopshop-shots`), analytics-*.png.
 */

/** What the page functions below use of the browser (this file is type-checked without the DOM library). */
interface BrowserGlobals {
  document: { querySelector(selector: string): { paused: boolean; currentTime: number } | null };
  localStorage: { getItem(key: string): string | null };
}

interface FeedVideo {
  id: string;
  creator: { id: string };
  anchors: Array<{ type: string; product?: { id: string; shop_id: string } }>;
}

describe('analytics (browser)', () => {
  let e2e: E2E;
  const inject = async <T>(method: 'GET' | 'POST', url: string, token?: string, payload?: object, headers: Record<string, string> = {}): Promise<T> => {
    const res = await e2e.server.app.inject({ method, url, payload, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json() as T;
  };
  const signInApi = (email: string) => inject<{ token: string; user: { id: string } }>('POST', '/v1/auth/sign-in', undefined, { email, password: 'loopshop-demo' });
  const rollup = () => e2e.server.database.db.transaction((tx) => rollupEvents(tx, e2e.server.clock));
  const firstShop = (v: FeedVideo) => v.anchors.find((a) => a.type === 'product' && a.product)?.product;

  beforeAll(async () => {
    e2e = await startE2E();
    // The demo videos are rendered by jobs after the server starts: wait for a few.
    const deadline = Date.now() + 100_000;
    for (;;) {
      const body = await inject<{ data: FeedVideo[] }>('GET', '/v1/feed?limit=50');
      if (body.data.length >= 3) break;
      if (Date.now() > deadline) throw new Error('the demo videos did not become ready in time');
      await new Promise((r) => setTimeout(r, 500));
    }
  }, 150_000);
  afterAll(async () => {
    await e2e?.close();
  });

  it('sends feed events from the buyer app: impression and view of a watched video, product click, the last ones by sendBeacon on leaving', async () => {
    const buyer = await signInApi('buyer@demo.loopshop.dev');
    const context = await e2e.browser.newContext({ baseURL: e2e.url, locale: 'en-US', viewport: { width: 390, height: 844 }, hasTouch: true });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    try {
      await signIn(page, 'buyer@demo.loopshop.dev');
      await page.waitForURL('**/feed');
      const first = page.getByTestId('feed-item').first();
      await first.waitFor();
      const firstId = (await first.getAttribute('data-video-id'))!;
      // Watch the first video for about two seconds, then swipe on.
      await page.waitForFunction(() => {
        const v = (globalThis as unknown as BrowserGlobals).document.querySelector('[data-testid="feed-item"] video');
        return !!v && !v.paused && v.currentTime > 2;
      });
      const deviceId = await page.evaluate(() => (globalThis as unknown as BrowserGlobals).localStorage.getItem('loopshop.device'));
      expect(deviceId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
      await page.keyboard.press('ArrowDown');
      await page.locator('[role="feed"][data-active-index="1"]').waitFor();

      // The batch goes out within the flush interval (5 s), signed in by the session cookie.
      type Ev = { type: string; video_id: string | null; product_id: string | null; shop_id: string | null; device_id: string | null; watched_ms: number | null; duration_ms: number | null; completed: boolean | null };
      const events = () => rows<Ev>(e2e.server.database.db, sql`select type, video_id, product_id, shop_id, device_id, watched_ms, duration_ms, completed from analytics_events where actor = ${`u:${buyer.user.id}`} order by at`);
      const waitFor = async (what: string, ok: (list: Ev[]) => boolean): Promise<Ev[]> => {
        const deadline = Date.now() + 20_000;
        for (;;) {
          const list = await events();
          if (ok(list)) return list;
          if (Date.now() > deadline) throw new Error(`no ${what} event arrived; got ${JSON.stringify(list)}`);
          await new Promise((r) => setTimeout(r, 250));
        }
      };
      const list = await waitFor('view', (l) => l.some((e) => e.type === 'view' && e.video_id === firstId));
      const impression = list.find((e) => e.type === 'impression' && e.video_id === firstId);
      expect(impression).toBeDefined();
      expect(impression!.device_id).toBe(deviceId);
      const view = list.find((e) => e.type === 'view' && e.video_id === firstId)!;
      expect(view.watched_ms).toBeGreaterThanOrEqual(1500);
      expect(view.duration_ms).toBeGreaterThan(1000);
      expect(typeof view.completed).toBe('boolean');
      // The view names the shop of the video's first product anchor (whose funnel it counts in).
      const watched = await inject<FeedVideo>('GET', `/v1/videos/${firstId}`);
      expect(view.shop_id).toBe(firstShop(watched)?.shop_id ?? null);

      // Open the second video's product: product_click, sent by sendBeacon when the page is left.
      const second = page.getByTestId('feed-item').nth(1);
      const secondId = (await second.getAttribute('data-video-id'))!;
      await second.getByTestId('anchor-button').first().click();
      await page.getByTestId('product-sheet').waitFor();
      await page.goto('/orders');
      const after = await waitFor('product_click', (l) => l.some((e) => e.type === 'product_click' && e.video_id === secondId));
      const click = after.find((e) => e.type === 'product_click' && e.video_id === secondId)!;
      expect(click.product_id).toMatch(/^prd_/);
      expect(click.shop_id).toMatch(/^shp_/);
      // Leaving the page also ended the view of the second video.
      expect(after.some((e) => e.type === 'view' && e.video_id === secondId)).toBe(true);
    } finally {
      await context.close();
    }
  });

  it('shows the demo seller the funnel and the completion heatmap with data', async () => {
    const seller = await signInApi('seller@demo.loopshop.dev');
    const me = await inject<{ user: { shops: Array<{ id: string; name: string }> } }>('GET', '/v1/me', seller.token);
    const shop = me.user.shops.find((s) => s.name === 'Demo Outdoor Co.')!;
    expect(shop).toBeDefined();
    const feed = await inject<{ data: FeedVideo[] }>('GET', '/v1/feed?limit=50');
    const mine = feed.data.filter((v) => firstShop(v)?.shop_id === shop.id);
    expect(mine.length).toBeGreaterThan(0);

    // Traffic on the shop's videos from one device, as the app posts it.
    const at = new Date().toISOString();
    const events = mine.flatMap((v, i) => {
      const refs = { video_id: v.id, creator_id: v.creator.id, shop_id: shop.id };
      const product = firstShop(v)!.id;
      return Array.from({ length: 12 }, (_, n) => [
        { event_id: `t${i}-${n}-i`, type: 'impression', at, ...refs },
        { event_id: `t${i}-${n}-v`, type: 'view', at, ...refs, watched_ms: n < 8 ? 6000 : 1500, duration_ms: 6000, completed: n < 8 },
        ...(n < 4 ? [{ event_id: `t${i}-${n}-c`, type: 'product_click', at, ...refs, product_id: product }] : []),
        ...(n < 2 ? [{ event_id: `t${i}-${n}-a`, type: 'add_to_cart', at, ...refs, product_id: product }] : []),
      ]).flat();
    });
    const posted = await inject<{ accepted: number; rejected: unknown[] }>('POST', '/v1/events', undefined, { device_id: 'e2e-analytics-device', events });
    expect(posted).toMatchObject({ accepted: events.length, rejected: [] });

    // A paid order from the first video: order_paid with attribution.
    const buyer = await signInApi('buyer@demo.loopshop.dev');
    const video = mine[0]!;
    const product = await inject<{ variants: Array<{ sku_id: string; available: number }> }>('GET', `/v1/products/${firstShop(video)!.id}`);
    const sku = product.variants.find((v) => v.available > 0)!;
    await inject('POST', '/v1/cart/items', buyer.token, { sku_id: sku.sku_id, quantity: 1, source: { video_id: video.id } });
    const paid = await inject<{ payment: { status: string } }>('POST', '/v1/checkout', buyer.token, {
      shipping_address: { name: 'Ada Buyer', line1: '1 Market St', city: 'San Francisco', region: 'CA', postal_code: '94105', country: 'US' },
      payment_method: { type: 'card', number: '4242424242424242', exp_month: 12, exp_year: new Date().getFullYear() + 3, cvc: '123' },
    }, { 'idempotency-key': `e2e-analytics-${Date.now()}` });
    expect(paid.payment.status).toBe('succeeded');
    await rollup();

    const funnel = await inject<{ totals: { views: number; orders: number; impressions: number }; rows: Array<{ id: string; views: number }> }>(
      'GET',
      `/v1/shops/${shop.id}/analytics/funnel?by=video`,
      seller.token,
    );
    expect(funnel.totals.views).toBeGreaterThanOrEqual(12 * mine.length);
    expect(funnel.totals.orders).toBeGreaterThanOrEqual(1);
    const heat = await inject<{ cells: unknown[]; best: unknown }>('GET', `/v1/shops/${shop.id}/analytics/completion-heatmap`, seller.token);
    expect(heat.cells.length).toBeGreaterThan(0);
    expect(heat.best).not.toBeNull();

    const { context, page } = await newPage(e2e);
    try {
      await signIn(page, 'seller@demo.loopshop.dev');
      await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
      await page.goto('/seller');
      await openSection(page, 'Seller center sections', 'Analytics');
      await page.waitForURL('**/seller/analytics');
      await expectChart(page, 'funnel-chart');
      await expectChart(page, 'heatmap-chart');
      await expectChart(page, 'orders-heatmap-chart');

      // The figures are the server's for the page's range (the last 30 days), formatted for the language.
      const panel = page.getByTestId('analytics-funnel');
      const href = (await panel.getByTestId('csv-link').getAttribute('href'))!;
      const shown = new URL(href, e2e.url).searchParams;
      expect(Date.parse(shown.get('to')!) - Date.parse(shown.get('from')!)).toBeGreaterThanOrEqual(29 * 86_400_000);
      const same = await inject<typeof funnel>('GET', `/v1/shops/${shop.id}/analytics/funnel?by=video&from=${shown.get('from')}&to=${shown.get('to')}`, seller.token);
      expect(same.totals.views).toBeGreaterThanOrEqual(12 * mine.length);
      expect((await panel.getByTestId('funnel-total-views').textContent())!.trim()).toBe(same.totals.views.toLocaleString('en-US'));
      expect((await panel.getByTestId('funnel-total-orders').textContent())!.trim()).toBe(same.totals.orders.toLocaleString('en-US'));
      expect(await panel.getByTestId('funnel-row').count()).toBe(Math.min(20, same.rows.length));
      // Funnel steps are labelled in the chart.
      await page.getByTestId('funnel-chart').getByText(/Impressions · /).first().waitFor();
      await page.getByTestId('heatmap-best').getByText(/^Best slot: \w{3} \d{2}:00 — \d+(\.\d)?% of [\d,]+ views watched to the end$/).waitFor();
      await page.getByTestId('heatmap-chart').getByText('Weekday').waitFor();

      // Picking a row shows that video's funnel.
      await panel.getByTestId('funnel-row').first().getByRole('button').click();
      await panel.getByText(/^Showing: /).filter({ hasNotText: 'all of' }).waitFor();

      // Every table downloads as CSV with the session cookie.
      expect(shown.get('format')).toBe('csv');
      const csv = await page.request.get(href);
      expect(csv.status()).toBe(200);
      expect(csv.headers()['content-type']).toContain('text/csv');
      expect((await csv.text()).split('\r\n')[0]).toContain('impressions');
      await page.getByTestId('analytics-top-video').getByTestId('top-video-table').waitFor();
      await page.getByTestId('analytics-timeseries').getByTestId('timeseries-chart').locator('svg').waitFor();
      // The time axis never repeats a date: ticks are at least one interval apart.
      const ticks = (await page.getByTestId('timeseries-chart').locator('svg text').allTextContents()).filter((x) => /\d{4}$/.test(x.trim()));
      expect(ticks.length).toBeGreaterThan(0);
      expect(new Set(ticks).size).toBe(ticks.length);
      // Every price band is labelled on the chart's axis, none left out for lack of room.
      const bands = page.getByTestId('analytics-bands');
      const bandLabels = await bands.getByTestId('bands-table').locator('tbody tr td:first-child').allTextContents();
      expect(bandLabels.length).toBeGreaterThan(3);
      for (const l of bandLabels) await bands.getByTestId('bands-chart').getByText(l.trim(), { exact: true }).waitFor();

      await shot(page, 'analytics-seller');
      console.log(`analytics screenshot: ${path.join(SHOTS_DIR, 'analytics-seller.png')}`);
    } finally {
      await context.close();
    }

    // In Chinese: the tab, the chart axes and weekday names, the best slot.
    const zh = await newPage(e2e, 'zh-CN');
    try {
      await signIn(zh.page, 'seller@demo.loopshop.dev');
      await zh.page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
      await zh.page.goto('/seller');
      await openSection(zh.page, '卖家中心栏目', '数据分析');
      await expectChart(zh.page, 'heatmap-chart');
      await zh.page.getByTestId('heatmap-best').getByText(/^最佳时段：周[一二三四五六日] \d{2}:00/).waitFor();
      await zh.page.getByTestId('heatmap-chart').getByText('星期').waitFor();
      await zh.page.getByTestId('analytics-funnel').getByText('下载 CSV').waitFor();
    } finally {
      await zh.context.close();
    }
  });

  it('shows the demo creator views, orders and earnings per video, and per live session', async () => {
    const creator = await signInApi('creator@demo.loopshop.dev');
    // A live session of the creator that two viewers join (rolled up before the page opens).
    const live = await inject<{ id: string }>('POST', '/v1/live', creator.token, { title: 'Analytics e2e live', stream_url: 'https://video.example.com/live/e2e.m3u8' });
    await inject('POST', `/v1/live/${live.id}/start`, creator.token, { attestation: true });
    const at = new Date().toISOString();
    for (const device of ['e2e-live-viewer-1', 'e2e-live-viewer-2']) {
      await inject('POST', '/v1/events', undefined, { device_id: device, events: [{ event_id: 'join', type: 'live_join', at, live_id: live.id }] });
    }
    await rollup();
    const { context, page } = await newPage(e2e);
    try {
      await signIn(page, 'creator@demo.loopshop.dev');
      await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
      await page.goto('/creator');
      const panel = page.getByTestId('creator-analytics');
      await expectChart(page, 'creator-chart');
      const href = (await panel.getByTestId('csv-link').getAttribute('href'))!;
      const shown = new URL(href, e2e.url).searchParams;
      const api = await inject<{ videos: Array<{ views: number }> }>('GET', `/v1/creators/me/analytics?from=${shown.get('from')}&to=${shown.get('to')}`, creator.token);
      expect(api.videos.length).toBeGreaterThan(0);
      const views = api.videos.reduce((n, v) => n + v.views, 0);
      expect(views).toBeGreaterThan(0);
      expect((await panel.getByTestId('creator-total-views').textContent())!.trim()).toBe(views.toLocaleString('en-US'));
      expect(await panel.getByTestId('creator-video-row').count()).toBe(api.videos.length);

      const lives = page.getByTestId('creator-lives');
      const row = lives.locator(`[data-testid="creator-live-row"][data-live-id="${live.id}"]`);
      await row.waitFor();
      await row.getByText('Analytics e2e live').waitFor();
      expect((await row.getByTestId('creator-live-joins').textContent())!.trim()).toBe('2');
      expect(await row.getByTestId('creator-live-status').textContent()).toBe('Live');
      const livesCsv = new URL((await lives.getByTestId('creator-lives-csv').getAttribute('href'))!, e2e.url).searchParams;
      expect([livesCsv.get('format'), livesCsv.get('table')]).toEqual(['csv', 'lives']);
      await shot(page, 'analytics-creator');
      console.log(`analytics screenshot: ${path.join(SHOTS_DIR, 'analytics-creator.png')}`);
    } finally {
      await context.close();
    }
  });
});

/** An ECharts chart drawn (SVG renderer) with at least one shape. */
async function expectChart(page: Page, testId: string): Promise<void> {
  const chart = page.getByTestId(testId);
  await chart.locator('svg path').first().waitFor({ state: 'attached' });
  const box = await chart.boundingBox();
  expect(box?.height ?? 0).toBeGreaterThan(100);
}
