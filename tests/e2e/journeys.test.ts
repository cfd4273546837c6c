import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxCarrier } from '../../src/modules/fulfillment/sandbox-carrier.js';
import { DAY, HOUR, MINUTE, SettableClock } from '../../src/platform/clock.js';
import { formatMoney } from '../../web/src/i18n/format.js';
import { mergeCatalogs, type Messages } from '../../web/src/i18n/merge.js';
import { apiClient, newPage, openSection, shot, signIn, startE2E, type E2E } from './support.js';

/**
 * Issue 16, acceptance: the seller's journey from a new order to its settlement and the creator's
 * from an upload to their earnings, walked in the web app on the demo data, on a server whose
 * clock the test moves (POST /v1/admin/clock/advance runs the jobs that fall due: carrier scans,
 * the end of the after-sales window, the escrow release). Each walk runs twice: desktop in
 * English, and a 390×844 phone in Chinese. Amounts on the pages equal a recount from the API.
 */
const BUYER = 'buyer@demo.loopshop.dev';
const SELLER = 'seller@demo.loopshop.dev';
const CREATOR = 'creator@demo.loopshop.dev';
const OPERATOR = 'operator@demo.loopshop.dev';
const APPLICANT = 'applicant@demo.loopshop.dev';
const POSTAL_CODE = '94105';
/** The market's after-sales window (US: 7 days), then a minute. */
const AFTER_SALES = 7 * DAY + MINUTE;

type Money = { amount: number; currency: string };
type Order = { id: string; status: string; total: Money; items: { product_id: string; line_total: Money; source: { video_id?: string; creator_id?: string } }[] };
type Line = { kind: string; order_id: string | null; amount: Money; breakdown: { held: Money; commission: Money; affiliate: Money } | null };

/**
 * The line of `orderId` on the statement in `scope`. A statement runs oldest first over the
 * demo's 90 days: "Load more" until the line shows, as a person would.
 */
async function statementLine(scope: Locator, orderId: string): Promise<Locator> {
  const lines = scope.getByTestId('statement-line');
  const line = lines.filter({ hasText: orderId });
  await lines.first().waitFor();
  for (let pages = 0; (await line.count()) === 0 && pages < 50; pages++) {
    const shown = await lines.count();
    await scope.locator('.table-more').click();
    for (let waited = 0; (await lines.count()) === shown && waited < 100; waited++) await new Promise((r) => setTimeout(r, 100));
  }
  await line.waitFor();
  return line;
}

const RUNS = [
  { name: 'en', locale: 'en-US', lang: 'en', phone: false },
  { name: 'zh', locale: 'zh-CN', lang: 'zh-CN', phone: true },
] as const;
type Run = (typeof RUNS)[number];

/** The web app's messages of a language (web/src/i18n/locales), so one walk reads both languages. */
const LOCALES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/src/i18n/locales');
const catalogs = new Map<string, Messages>();
function t(lang: string, key: string): string {
  if (!catalogs.has(lang)) {
    const dir = path.join(LOCALES_DIR, lang);
    catalogs.set(lang, mergeCatalogs(Object.fromEntries(readdirSync(dir).map((f) => [f, JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Messages]))));
  }
  const value = key.split('.').reduce<string | Messages | undefined>((m, k) => (typeof m === 'object' ? m[k] : undefined), catalogs.get(lang));
  if (typeof value !== 'string') throw new Error(`no message ${key} in ${lang}`);
  return value;
}

describe('journeys on the demo: seller to settlement, creator to earnings (browser)', () => {
  let e2e: E2E;
  let clipDir: string;
  let clip: Buffer;
  const clock = new SettableClock();
  const api = apiClient(() => e2e.url);
  const { call, tokenOf } = api;

  beforeAll(async () => {
    // The prepared demo (what `npm install` makes): its clips are rendered already.
    e2e = await startE2E({ clock, demoHistory: true });
    // A two-second clip made with the server's own ffmpeg.
    clipDir = mkdtempSync(path.join(os.tmpdir(), 'loopshop-journey-'));
    const file = path.join(clipDir, 'trail-walk.mp4');
    execFileSync(e2e.server.app.ctx.config.ffmpegPath, [
      '-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x568:rate=25', '-t', '2',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', file,
    ]);
    clip = readFileSync(file);
    // An upload (and every clock advance, which runs the due jobs of every lane) would wait behind
    // demo clips still rendering; the prepared demo has none, this makes sure.
    const creator = await tokenOf(CREATOR);
    const creatorId = (await call<{ user: { id: string } }>(creator, 'GET', '/v1/me')).user.id;
    const deadline = Date.now() + 180_000;
    while ((await call<{ data: { status: string }[] }>(creator, 'GET', `/v1/creators/${creatorId}/videos?limit=100`)).data.some((v) => v.status === 'processing')) {
      if (Date.now() > deadline) throw new Error('the demo videos did not finish rendering in time');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }, 240_000);
  afterAll(async () => {
    await e2e?.close();
    if (clipDir) rmSync(clipDir, { recursive: true, force: true });
  });

  /** Time passes on the server: the clock moves on and every job due by then runs (an operator's tool). */
  const advance = async (ms: number) => {
    const operator = await tokenOf(OPERATOR);
    await call(operator, 'POST', '/v1/admin/clock/advance', { ms });
  };

  /** A browser profile for the run, signed in as `email`, whose clock reads the server's time. */
  const openAs = async (run: Run, email: string): Promise<{ context: BrowserContext; page: Page }> => {
    const { context, page } = await newPage(e2e, run.locale);
    if (run.phone) await page.setViewportSize({ width: 390, height: 844 });
    await page.clock.setFixedTime(clock.now());
    await signIn(page, email);
    await page.waitForURL('**/feed');
    return { context, page };
  };

  const money = (run: Run, m: Money) => formatMoney(m, run.lang);

  /** A screenshot of the page; on a phone, the page is no wider than the screen (nothing to scroll sideways). */
  const snap = async (page: Page, run: Run, name: string) => {
    await shot(page, `journey-${name}-${run.name}`);
    if (!run.phone) return;
    const width = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
    expect(width, `${name}: the page is wider than the phone`).toBeLessThanOrEqual(390);
  };

  /** Commission rules in force: the platform's share of an item, recounted (most specific rule; the demo shop is no new tea shop). */
  const platformShare = async (item: { line_total: Money }, category: string | null) => {
    const rules = (await call<{ data: { category: string | null; rate_bps: number; new_shop_days: number | null; effective_to: string | null }[] }>(await tokenOf(OPERATOR), 'GET', '/v1/admin/commission-rules?limit=100')).data;
    const open = rules.filter((r) => r.effective_to === null && r.new_shop_days === null);
    const rule = open.find((r) => r.category === category) ?? open.find((r) => r.category === null)!;
    return Math.floor((item.line_total.amount * rule.rate_bps) / 10_000);
  };

  for (const run of RUNS) {
    it(`seller: a new paid order, shipped, delivered by the carrier, settled into the statement (${run.name})`, async () => {
      const [buyer, seller] = [await tokenOf(BUYER), await tokenOf(SELLER)];
      const orderId = await api.placeOrder(buyer, seller, POSTAL_CODE);
      const { context, page } = await openAs(run, SELLER);
      try {
        // The seller's home lists the new order, paid, waiting to be shipped.
        await page.goto('/seller');
        const row = page.locator(`[data-testid="seller-orders"] [data-testid="order-row"][data-order-id="${orderId}"]`);
        await row.waitFor();
        expect(await row.getByTestId('orderStatus-badge').getAttribute('data-status')).toBe('paid');
        await snap(page, run, 'seller-new-order');
        await row.getByRole('link', { name: orderId }).click();
        await page.waitForURL(`**/seller/orders/${orderId}`);

        // Ship: the sandbox carrier issues the tracking number.
        const detail = page.getByTestId('order-detail');
        const form = detail.getByTestId('ship-form');
        await form.locator("#field-carrier").selectOption('sandbox');
        await snap(page, run, 'seller-ship');
        await form.getByTestId('ship-submit').click();
        await detail.locator('[data-testid="orderStatus-badge"][data-status="shipped"]').first().waitFor();
        const tracking = (await detail.getByTestId('tracking-number').textContent())!;
        expect(tracking).toMatch(/^SBX\d{12}$/);

        // The carrier plays its plan (picked up → delivered within 44 hours), as it does by itself on the real clock.
        const carrier = e2e.server.app.ctx.strategies.carriers.get('sandbox') as SandboxCarrier;
        await carrier.simulate(e2e.server.database.db, tracking, 'on_time', { postalCode: POSTAL_CODE });
        await advance(45 * HOUR);
        expect((await call<Order>(seller, 'GET', `/v1/orders/${orderId}`)).status).toBe('delivered');
        await page.clock.setFixedTime(clock.now());
        await page.reload();
        await detail.locator('[data-testid="orderStatus-badge"][data-status="delivered"]').first().waitFor();
        await snap(page, run, 'seller-delivered');

        // The after-sales window passes: the order completes and its escrow is released to the shop.
        await advance(AFTER_SALES);
        await page.clock.setFixedTime(clock.now());
        const order = await call<Order>(buyer, 'GET', `/v1/orders/${orderId}`);
        expect(order.status).toBe('completed');
        const product = await call<{ category: string | null }>(buyer, 'GET', `/v1/products/${order.items[0]!.product_id}`);
        let platform = 0;
        for (const item of order.items) platform += await platformShare(item, product.category);
        const expected = { amount: order.total.amount - platform, currency: order.total.currency };
        const shopId = (await call<{ user: { shops: { id: string }[] } }>(seller, 'GET', '/v1/me')).user.shops[0]!.id;
        const statement = (await call<{ statement: { data: Line[] } }>(seller, 'GET', `/v1/shops/${shopId}/finance?limit=100`)).statement.data;
        const settlement = statement.find((l) => l.kind === 'settlement' && l.order_id === orderId)!;
        expect(settlement.breakdown!.held).toEqual(order.total);
        expect(settlement.amount).toEqual(expected);

        await page.goto('/seller');
        await openSection(page, t(run.lang, 'seller.tabs.label'), t(run.lang, 'seller.tabs.finance'));
        await page.waitForURL('**/seller/finance');
        const line = await statementLine(page.locator('main'), orderId);
        expect(await line.textContent()).toContain(t(run.lang, 'statementKind.settlement'));
        expect(await line.locator('td').last().textContent()).toBe(money(run, expected));
        // The movements of the last 30 days show the same release, out of escrow into available.
        await page.getByTestId('movement-line').filter({ hasText: orderId }).first().waitFor();
        await snap(page, run, 'seller-settled');
      } finally {
        await context.close();
      }
    }, 150_000);
  }

  for (const run of RUNS) {
    it(`creator: an upload with a product, bought from, delivered, settled into their earnings (${run.name})`, async () => {
      const [buyer, seller] = [await tokenOf(BUYER), await tokenOf(SELLER)];
      const shopId = (await call<{ user: { shops: { id: string }[] } }>(seller, 'GET', '/v1/me')).user.shops[0]!.id;
      const listed = await call<{ data: { id: string; title: string; available: number }[] }>(buyer, 'GET', `/v1/products?shop_id=${shopId}`);
      const pick = listed.data.filter((p) => p.available > 0)[run.name === 'en' ? 0 : 1]!;
      const caption = `Trail walk with the ${pick.title} (${run.name})`;
      const { context, page } = await openAs(run, CREATOR);
      let videoId: string;
      try {
        // Upload in the creator center: the clip, a caption, one of the demo shop's products.
        await page.goto('/creator');
        const uploader = page.getByTestId('video-uploader');
        await uploader.locator('input[type="file"]').setInputFiles({ name: 'trail-walk.mp4', mimeType: 'video/mp4', buffer: clip });
        await uploader.locator('textarea[name="caption"]').fill(caption);
        await uploader.locator('input[type="search"]').fill(pick.title);
        await uploader.locator('input[type="search"]').press('Enter');
        await uploader.locator('label.pick', { hasText: pick.title }).locator('input[type="checkbox"]').check();
        await snap(page, run, 'creator-upload');
        const posted = page.waitForResponse((r) => r.url().endsWith('/v1/videos') && r.request().method() === 'POST');
        await uploader.locator('button[type="submit"]').click();
        videoId = ((await (await posted).json()) as { video: { id: string } }).video.id;
        await page.locator('[data-testid="upload-status"].upload-status--ready').waitFor({ timeout: 60_000 });
        await page.getByTestId('creator-videos').getByText(caption).waitFor();
        await snap(page, run, 'creator-ready');
      } finally {
        await context.close();
      }

      // A buyer buys from that video: the server attributes the line to its creator.
      const orderId = await api.placeOrder(buyer, seller, POSTAL_CODE, { productId: pick.id, source: { video_id: videoId } });
      const placed = await call<Order>(buyer, 'GET', `/v1/orders/${orderId}`);
      expect(placed.items[0]!.source.video_id).toBe(videoId);
      await call(seller, 'POST', `/v1/orders/${orderId}/shipments`, { carrier: 'sandbox' });

      // The buyer confirms receipt in the web app; the after-sales window passes; the escrow is released.
      const b = await openAs(run, BUYER);
      try {
        await b.page.goto(`/orders/${orderId}`);
        await b.page.getByTestId('confirm-receipt').click();
        await b.page.getByTestId('confirm-receipt-yes').click();
        await b.page.getByTestId('delivered-next').waitFor();
        await snap(b.page, run, 'creator-buyer-received');
      } finally {
        await b.context.close();
      }
      await advance(AFTER_SALES);
      const order = await call<Order>(buyer, 'GET', `/v1/orders/${orderId}`);
      expect(order.status).toBe('completed');

      // Recount: the product's affiliate rate on the line, rounded down.
      const product = await call<{ affiliate_rate_bps: number }>(buyer, 'GET', `/v1/products/${pick.id}`);
      expect(product.affiliate_rate_bps).toBeGreaterThan(0);
      const commission = { amount: Math.floor((order.items[0]!.line_total.amount * product.affiliate_rate_bps) / 10_000), currency: order.total.currency };
      const creator = await tokenOf(CREATOR);
      const earnings = await call<{ commission: Money; lines: { data: Line[]; next_cursor: string | null } }>(creator, 'GET', '/v1/creators/me/earnings?limit=100');
      expect(earnings.lines.data.find((l) => l.order_id === orderId)!.amount).toEqual(commission);
      // The settled commission is the sum of the creator's settlement lines (the demo history's sales from videos included).
      expect(earnings.lines.next_cursor).toBeNull();
      const settled = earnings.lines.data.filter((l) => l.kind === 'settlement').reduce((n, l) => n + l.amount.amount, 0);
      expect(earnings.commission).toEqual({ amount: settled, currency: commission.currency });

      const c = await openAs(run, CREATOR);
      try {
        await c.page.goto('/creator');
        const panel = c.page.getByTestId('creator-earnings');
        const line = await statementLine(panel, orderId);
        expect(await line.textContent()).toContain(t(run.lang, 'creatorStatementKind.settlement'));
        expect(await line.locator('td').last().textContent()).toBe(money(run, commission));
        expect(await panel.getByTestId('creator-commission').textContent()).toBe(money(run, earnings.commission));
        await panel.scrollIntoViewIfNeeded();
        await snap(c.page, run, 'creator-earnings');
      } finally {
        await c.context.close();
      }
    }, 150_000);
  }

  for (const run of RUNS) {
    it(`applicant: the sign-in page's demo list signs in the applicant, whose application waits for review (${run.name})`, async () => {
      const { context, page } = await newPage(e2e, run.locale);
      try {
        if (run.phone) await page.setViewportSize({ width: 390, height: 844 });
        await page.goto('/sign-in');
        await page.getByRole('button', { name: t(run.lang, 'signIn.demo.useLabel').replace('{{email}}', APPLICANT) }).click();
        await page.getByTestId('sign-in-form').locator('button[type="submit"]').click();
        await page.waitForURL('**/feed');
        await page.goto('/apply');
        await page.getByTestId('application').getByTestId('applicationStatus-badge').filter({ hasText: t(run.lang, 'applicationStatus.submitted') }).waitFor();
        await snap(page, run, 'applicant-waiting');
      } finally {
        await context.close();
      }
    }, 60_000);
  }
});
