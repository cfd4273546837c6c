import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, newPage, shot, startE2E, type E2E } from './support.js';

/**
 * Issue 16 §2 and §8, acceptance: a signed-out visitor watches the feed, opens a product, a
 * creator's page and a live room, tries to buy, is sent to sign in, signs in as the demo buyer and
 * comes back to the product — at desktop size and at 390×844, in English and in Chinese. At phone
 * size the buyer app is a phone video app: a bottom tab bar, overlays that never overlap (live
 * pill, "tap for sound", the clip's own watermark, sound button, caption, product chips), every
 * product chip reachable, and a feed that loads more videos and ends.
 */
const BUYER = 'buyer@demo.loopshop.dev';
const CREATOR = 'creator@demo.loopshop.dev';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 860 };

/**
 * The "LOOPSHOP DEMO" watermark burned into the demo clips (src/demo/videos.ts: 540×960, drawtext
 * at x=24 y=36, 22 px, an 8 px box), in the clip's pixels, with room for the font's width.
 */
const WATERMARK = { x0: 16, y0: 28, x1: 270, y1: 74 };

type Box = { name: string; x: number; y: number; width: number; height: number };

/**
 * Run in the page (as source: the test's TypeScript has no DOM types): the boxes of the first
 * video's overlays, the tab bar and the watermark mapped from the clip's pixels (object-fit: cover).
 */
const MEASURE = `(wm) => {
  const item = document.querySelector('[data-testid="feed-item"]');
  const box = (name, el) => {
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return { name, x: r.x, y: r.y, width: r.width, height: r.height };
  };
  const video = item.querySelector('video');
  const v = video.getBoundingClientRect();
  const scale = Math.max(v.width / video.videoWidth, v.height / video.videoHeight);
  const ox = v.x + (v.width - video.videoWidth * scale) / 2;
  const oy = v.y + (v.height - video.videoHeight * scale) / 2;
  const x0 = Math.max(v.x, ox + wm.x0 * scale);
  const y0 = Math.max(v.y, oy + wm.y0 * scale);
  return [
    box('live pill', document.querySelector('[data-testid="live-now-link"]')),
    box('tap for sound', item.querySelector('.feed-item__hint')),
    { name: 'watermark', x: x0, y: y0, width: ox + wm.x1 * scale - x0, height: oy + wm.y1 * scale - y0 },
    box('sound button', item.querySelector('.feed-item__side')),
    box('creator', item.querySelector('.feed-item__creator')),
    box('caption', item.querySelector('.feed-item__caption')),
    box('product chips', item.querySelector('.feed-item__anchors')),
    box('tab bar', document.querySelector('[data-testid="tab-bar"]')),
  ];
}`;

describe('anyone can watch; phone first (browser)', () => {
  let e2e: E2E;
  /** Videos in a visitor's feed. */
  let ready = 0;
  let liveId = '';

  const call = async <T,>(token: string | null, method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${e2e.url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    e2e = await startE2E();
    // Every demo clip rendered (jobs right after start), so the feed has more than one page.
    const creator = await call<{ token: string; user: { id: string } }>(null, 'POST', '/v1/auth/sign-in', { email: CREATOR, password: DEMO_PASSWORD });
    const deadline = Date.now() + 240_000;
    let videos: Array<{ status: string; media_url: string | null }> = [];
    for (;;) {
      videos = (await call<{ data: typeof videos }>(creator.token, 'GET', `/v1/creators/${creator.user.id}/videos?limit=50`)).data;
      if (videos.length > 0 && videos.every((v) => v.status !== 'processing')) break;
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    if (!videos.some((v) => v.status === 'ready')) throw new Error('no demo video became ready in time');
    // What a visitor's feed holds, page by page.
    let cursor: string | null = null;
    do {
      const page: { data: unknown[]; next_cursor: string | null } = await call(null, 'GET', `/v1/feed?limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      ready += page.data.length;
      cursor = page.next_cursor;
    } while (cursor);
    console.log(`[anonymous viewer] ${ready} videos in a visitor's feed (${videos.length} demo clips)`);
    // The demo creator goes live with a product pinned, so the feed shows its "Live now" pill.
    const product = (await call<{ data: Array<{ id: string }> }>(null, 'GET', '/v1/products?limit=1')).data[0]!;
    const live = await call<{ id: string }>(creator.token, 'POST', '/v1/live', {
      title: 'Lanterns at dusk',
      stream_url: videos.find((v) => v.media_url)!.media_url,
      product_ids: [product.id],
    });
    liveId = live.id;
    await call(creator.token, 'POST', `/v1/live/${liveId}/start`, { attestation: true });
    await call(creator.token, 'POST', `/v1/live/${liveId}/pin`, { product_id: product.id });
  }, 300_000);
  afterAll(async () => {
    await e2e?.close();
  });

  /** Signs in on the sign-in page the app sent us to (keeping its `?next=`). */
  const signInHere = async (page: Page) => {
    const form = page.getByTestId('sign-in-form');
    await form.locator('input[name="email"]').fill(BUYER);
    await form.locator('input[name="password"]').fill(DEMO_PASSWORD);
    await form.locator('button[type="submit"]').click();
  };

  const walk = async (locale: 'en-US' | 'zh-CN', viewport: typeof PHONE) => {
    const tag = `anon-${viewport === PHONE ? 'phone' : 'desktop'}-${locale}`;
    const phone = viewport === PHONE;
    const { context, page } = await newPage(e2e, locale);
    try {
      await page.setViewportSize(viewport);
      // `/` lands a visitor on the feed, watching.
      await page.goto('/');
      await page.waitForURL('**/feed');
      const first = page.getByTestId('feed-item').first();
      await first.waitFor();
      await page.locator('[data-testid="feed-item"][data-playing="true"]').first().waitFor();
      await page.getByTestId('live-now-link').waitFor();
      expect(await page.evaluate('document.documentElement.lang')).toBe(locale === 'zh-CN' ? 'zh-CN' : 'en');
      expect(await page.getByTestId('tab-bar').isVisible()).toBe(phone);
      if (!phone) await page.getByTestId('sign-in-link').waitFor();
      await shot(page, `${tag}-feed`);

      if (phone) {
        await expectNoOverlaps(page);
        await expectChipsReachable(page);
      }

      // A product chip opens the product sheet.
      await first.getByTestId('anchor-button').first().click();
      const sheet = page.getByTestId('product-sheet');
      await sheet.getByTestId('add-to-cart').waitFor();
      await shot(page, `${tag}-sheet`);
      await page.keyboard.press('Escape');
      await sheet.waitFor({ state: 'detached' });

      if (phone) await expectFeedEnds(page);

      // The creator's page, and a product from it.
      const creatorId = await first.getAttribute('data-creator-id');
      await page.goto(`/creators/${creatorId}`);
      await page.getByTestId('creator-page').waitFor();
      await page.locator('.product-tile a').first().click();
      await page.waitForURL('**/products/**');
      await page.getByTestId('product-page').waitFor();
      const productUrl = new URL(page.url()).pathname;
      // The demo products have no pictures: a placeholder holds their place, not a blank column.
      await page.getByTestId('product-page').getByTestId('product-no-image').waitFor();
      if (phone) await expectFitsScreen(page, 'product page');

      // The live room (from the Live tab on a phone, the list otherwise): buying asks to sign in.
      if (phone) await page.getByTestId('tab-live').click();
      else await page.goto('/live');
      await page.getByTestId('live-list').getByTestId('live-card').first().click();
      await page.getByTestId('live-room').waitFor();
      await page.getByTestId('live-pinned-title').waitFor();
      await shot(page, `${tag}-live`);
      // "1 watching" / "1 人在看" on one line, not one character a line beside the title.
      const viewers = (await page.getByTestId('live-viewers').boundingBox())!;
      expect(viewers.height, 'viewers on one line').toBeLessThan(30);
      if (phone) await expectFitsScreen(page, 'live room');
      await page.getByTestId('live-buy').click();
      await page.waitForURL(`**/sign-in?next=${encodeURIComponent(`/live/${liveId}`)}`);
      await page.goBack();
      await page.getByTestId('live-room').waitFor();

      // The product: add to cart → sign in → back on the same product, and now it adds.
      await page.goto(productUrl);
      await page.getByTestId('product-page').getByTestId('add-to-cart').click();
      await page.waitForURL(`**/sign-in?next=${encodeURIComponent(productUrl)}`);
      await shot(page, `${tag}-sign-in`);
      if (phone) {
        await expectFitsScreen(page, 'sign-in page');
        // Each demo account's "Use" button is one line high.
        for (const use of await page.locator('.demo-hint li .button').all()) expect((await use.boundingBox())!.height).toBeLessThan(40);
      }
      await signInHere(page);
      await page.waitForURL(`**${productUrl}`);
      await page.getByTestId('product-page').getByTestId('add-to-cart').click();
      await page.getByTestId('cart-count').first().waitFor();
      await shot(page, `${tag}-back-on-product`);
      if (phone) {
        expect(await page.getByTestId('tab-bar').isVisible()).toBe(true);
        await page.getByTestId('tab-me').click();
        await page.getByTestId('me-page').waitFor();
        await shot(page, `${tag}-me`);
      }
    } finally {
      await context.close();
    }
  };

  /** Nothing to scroll sideways: the page is no wider than the screen. */
  const expectFitsScreen = async (page: Page, what: string) => {
    const [scroll, screen] = (await page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]')) as [number, number];
    expect(scroll, `${what}: the page is wider than the screen`).toBeLessThanOrEqual(screen);
  };

  /** The active video's overlays, the clip's watermark and the tab bar: no two boxes intersect. */
  const expectNoOverlaps = async (page: Page) => {
    await expect.poll(() => page.locator('[data-testid="feed-item"] video').first().evaluate((v: { videoWidth: number }) => v.videoWidth)).toBeGreaterThan(0);
    const boxes = (await page.evaluate(`(${MEASURE})(${JSON.stringify(WATERMARK)})`)) as Array<Box | null>;
    const present = boxes.filter((b): b is Box => !!b && b.width > 0 && b.height > 0);
    expect(present.map((b) => b.name)).toEqual(['live pill', 'tap for sound', 'watermark', 'sound button', 'creator', 'caption', 'product chips', 'tab bar']);
    const meets = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    const overlaps: string[] = [];
    for (let i = 0; i < present.length; i++) for (let j = i + 1; j < present.length; j++) if (meets(present[i]!, present[j]!)) overlaps.push(`${present[i]!.name} × ${present[j]!.name}`);
    expect(overlaps).toEqual([]);
    // Everything on screen: nothing under the tab bar or past the edges.
    for (const b of present) {
      expect(b.x, b.name).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width, b.name).toBeLessThanOrEqual(PHONE.width + 0.5);
      expect(b.y + b.height, b.name).toBeLessThanOrEqual(PHONE.height + 0.5);
    }
    const video = await page.getByTestId('feed-item').first().boundingBox();
    const tabs = await page.getByTestId('tab-bar').boundingBox();
    // Full-height video: from the top of the screen to the tab bar.
    expect(video!.y).toBe(0);
    expect(video!.width).toBe(PHONE.width);
    expect(Math.abs(video!.y + video!.height - tabs!.y)).toBeLessThan(1);
  };

  /** Every product chip of every video can be brought on screen and tapped (it is the element there). */
  const expectChipsReachable = async (page: Page) => {
    const item = page.getByTestId('feed-item').first();
    const chips = item.getByTestId('anchor-button');
    const n = await chips.count();
    expect(n).toBeGreaterThan(0);
    for (let i = 0; i < n; i++) {
      const chip = chips.nth(i);
      await chip.scrollIntoViewIfNeeded();
      const hit = await chip.evaluate(
        (el, width) => {
          const r = el.getBoundingClientRect();
          const at = el.ownerDocument.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
          return !!at && el.contains(at) && r.x >= 0 && r.x + r.width <= width;
        },
        PHONE.width,
      );
      expect(hit, `chip ${i + 1} of ${n}`).toBe(true);
    }
  };

  /** Scrolling on, the feed loads its next page and ends with its end state. */
  const expectFeedEnds = async (page: Page) => {
    const deadline = Date.now() + 60_000;
    let most = 0;
    const endOnScreen = async () => {
      const end = page.getByTestId('feed-end');
      return (await end.count()) > 0 && ((await end.boundingBox())?.y ?? PHONE.height) < PHONE.height / 2;
    };
    while (!(await endOnScreen())) {
      if (Date.now() > deadline) throw new Error(`the feed did not end (${most} videos loaded)`);
      await page.keyboard.press('ArrowDown');
      await page.waitForTimeout(350);
      most = Math.max(most, await page.getByTestId('feed-item').count());
    }
    most = Math.max(most, await page.getByTestId('feed-item').count());
    expect(most).toBe(ready);
    if (ready > 8) expect(most).toBeGreaterThan(8); // more than the first page of 8
    await expect.poll(async () => Math.abs((await page.getByTestId('feed-end').boundingBox())?.y ?? 99), { timeout: 10_000 }).toBeLessThan(2);
    await shot(page, `feed-end-${await page.evaluate('document.documentElement.lang')}`);
    await page.getByTestId('feed-end').getByRole('button').click();
    await expect.poll(() => page.locator('.feed').evaluate((el) => el.scrollTop), { timeout: 10_000 }).toBe(0);
  };

  it('desktop, English: watches, opens product, creator and live, signs in at add-to-cart and comes back', async () => {
    await walk('en-US', DESKTOP);
  }, 180_000);

  it('desktop, Chinese', async () => {
    await walk('zh-CN', DESKTOP);
  }, 180_000);

  it('390×844, English: tab bar, overlays apart, chips reachable, the feed ends', async () => {
    await walk('en-US', PHONE);
  }, 180_000);

  it('390×844, Chinese', async () => {
    await walk('zh-CN', PHONE);
  }, 180_000);

  it('ignores a return path that leaves the site', async () => {
    const { context, page } = await newPage(e2e);
    try {
      for (const evil of ['https://evil.example/feed', '//evil.example', '/\\evil.example']) {
        await page.goto(`/sign-in?next=${encodeURIComponent(evil)}`);
        await signInHere(page);
        await page.waitForURL('**/feed');
        expect(new URL(page.url()).origin).toBe(e2e.url);
        await page.evaluate("fetch('/v1/auth/sign-out', { method: 'POST', headers: { 'x-requested-with': 'loopshop' } })");
      }
    } finally {
      await context.close();
    }
  }, 120_000);
});
