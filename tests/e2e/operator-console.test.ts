import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { renderDemoVideo } from '../../src/demo/videos.js';
import { newId } from '../../src/platform/ids.js';
import { createProduct } from '../../src/modules/catalog/service.js';
import { stockKeeper } from '../../src/modules/inventory/index.js';
import { insertVideo, processVideo, PROCESS_VIDEO_JOB, uploadFile } from '../../src/modules/content/service.js';
import { createShop } from '../../src/modules/sellers/service.js';
import { apiClient, DEMO_PASSWORD, newPage, shot, signIn, startE2E, uniqueEmail, type E2E, openSection } from './support.js';

/**
 * Issue 8 item 3, acceptance: the demo operator opens the console overview, finds a shop (made
 * by this test: an owner, a live product and a ready video in the feed), suspends it with a
 * reason; its products leave the feed and the product list, and the audit log shows the
 * suspension with the operator and the reason.
 */
const OPERATOR = 'operator@demo.loopshop.dev';
const SHOP_NAME = `Quarry Goods ${Date.now().toString(36)}`;
const REASON = 'Parcels marked shipped without any carrier scan';

interface FeedPage {
  data: Array<{ id: string; anchors: Array<{ type: string; product?: { id: string } }> }>;
  next_cursor: string | null;
}

describe('operator console: overview, suspend a shop, audit log (browser)', () => {
  let e2e: E2E;
  let shopId: string;
  let productId: string;
  let videoId: string;
  let operatorToken: string;

  const { call } = apiClient(() => e2e.url);
  /** Every video of the (anonymous) feed, walking its pages. */
  const feedVideos = async () => {
    const videos: FeedPage['data'] = [];
    let cursor: string | null = null;
    do {
      const page: FeedPage = await call<FeedPage>(null, 'GET', `/v1/feed?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      videos.push(...page.data);
      cursor = page.data.length > 0 ? page.next_cursor : null;
    } while (cursor);
    return videos;
  };
  const anchorsProduct = (v: FeedPage['data'][number]) => v.anchors.some((a) => a.product?.id === productId);

  beforeAll(async () => {
    e2e = await startE2E();
    operatorToken = (await call<{ token: string }>(null, 'POST', '/v1/auth/sign-in', { email: OPERATOR, password: DEMO_PASSWORD })).token;
    const { db } = e2e.server.database;
    const clock = e2e.server.clock;
    // A shop of its own (the demo shop stays as other tests expect it): owner, a live product, a video showing it.
    const owner = await call<{ user: { id: string } }>(null, 'POST', '/v1/auth/sign-up', { email: uniqueEmail('quarry'), password: 'correct horse battery', name: 'Quinn Quarry' });
    const shop = await createShop(db, clock, { name: SHOP_NAME, market: 'US', currency: 'USD', timezone: 'America/Denver', ownerId: owner.user.id });
    shopId = shop.id;
    const product = await createProduct(db, clock, stockKeeper, shopId, {
      title: 'Granite coaster set',
      status: 'live',
      option_names: [],
      variants: [{ option_values: [], price: { amount: 2400, currency: 'USD' }, stock: { on_hand: 40 } }],
    });
    productId = product.id;
    // The clip is rendered as its upload and processed here, not behind the demo videos in the job queue
    // (the queued processing job then finds it ready and does nothing).
    const media = e2e.server.app.ctx.config;
    videoId = newId('vid');
    const upload = uploadFile(media.mediaDir, videoId);
    mkdirSync(path.dirname(upload), { recursive: true });
    await renderDemoVideo(media, upload, { title: 'Granite coasters', pattern: 5, durationS: 2 });
    await insertVideo(db, clock, { id: videoId, creatorId: owner.user.id, caption: 'Granite coasters, cut by hand', productIds: [productId] }, { type: PROCESS_VIDEO_JOB, payload: {} });
    await processVideo(db, clock, media, videoId, { lastAttempt: false }).catch(() => {
      // The job worker got to it at the same moment: it finishes the processing instead.
    });
    const deadline = Date.now() + 150_000;
    while (!(await feedVideos()).some((v) => v.id === videoId)) {
      if (Date.now() > deadline) throw new Error('the test video never reached the feed');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }, 200_000);
  afterAll(async () => {
    await e2e?.close();
  });

  it('the operator suspends the shop from the console; its products leave the feed and the list; the audit log shows it', async () => {
    expect((await call<{ data: Array<{ id: string }> }>(null, 'GET', `/v1/products?shop_id=${shopId}`)).data.map((p) => p.id)).toEqual([productId]);
    expect((await feedVideos()).filter(anchorsProduct).map((v) => v.id)).toEqual([videoId]);

    const { context, page } = await newPage(e2e);
    try {
      await signIn(page, OPERATOR, DEMO_PASSWORD);
      await page.waitForURL('**/feed');
      await page.getByRole('link', { name: 'Operator console' }).click();
      await page.waitForURL('**/operator');

      // The overview: today's figures, shops by status, the 14-day series.
      const figures = page.getByTestId('overview-figures');
      await figures.waitFor();
      for (const label of ['GMV (paid)', 'Orders placed', 'Open after-sales cases', 'SLA breaches', 'Tracking flags raised', 'Seller applications to review', 'Active shops']) {
        await figures.getByText(label, { exact: true }).waitFor();
      }
      const before = await call<{ shops: { suspended: number; frozen: number } }>(operatorToken, 'GET', '/v1/admin/overview');
      await figures.getByTestId('figure-shops').getByText(`${before.shops.suspended} suspended · ${before.shops.frozen} frozen`).waitFor();
      await page.getByTestId('overview-series').locator('svg circle').nth(13).waitFor({ state: 'attached' });
      await shot(page, 'operator-overview');

      // The applications figure is the queue it opens: as many rows as it says, every one submitted.
      const waiting = (await call<{ new_applications: number }>(operatorToken, 'GET', '/v1/admin/overview')).new_applications;
      const link = figures.getByTestId('new-applications-link');
      await link.getByText(String(waiting), { exact: true }).waitFor();
      await link.click();
      await page.waitForURL('**/operator/applications');
      expect(await page.getByTestId('applications-status').inputValue()).toBe('submitted');
      if (waiting === 0) await page.getByTestId('applications-empty').waitFor();
      else await expect.poll(() => page.locator('[data-testid="applications"] tbody tr').count()).toBe(waiting);
      await page.goBack();
      await figures.waitFor();

      // Find the shop by name and open it.
      await openSection(page, 'Operator console sections', 'Shops');
      await page.waitForURL('**/operator/shops');
      await page.getByTestId('shop-search').fill(SHOP_NAME.split(' ').slice(0, 2).join(' '));
      const row = page.locator(`[data-testid="admin-shop-row"][data-shop-id="${shopId}"]`);
      await row.getByTestId('shopStatus-badge').getByText('Active').waitFor();
      await expect.poll(() => page.getByTestId('admin-shop-row').count()).toBe(1);
      await shot(page, 'operator-shops');
      await row.getByRole('link', { name: SHOP_NAME }).click();
      await page.waitForURL(`**/operator/shops/${shopId}`);
      const health = page.getByTestId('shop-health');
      await health.getByRole('heading', { name: SHOP_NAME }).waitFor();
      await health.getByTestId('health-metrics').getByText('Late dispatch').waitFor();
      await page.getByTestId('shop-actions-empty').waitFor();

      // Suspend it: the reason is required.
      const form = page.getByTestId('apply-action-form');
      await form.getByLabel('Action').selectOption('suspension');
      await form.getByText("The shop's products leave the feed, search and checkout").waitFor();
      await form.getByTestId('apply-action').click();
      await form.locator('.field__error').waitFor();
      await form.getByLabel(/^Reason/).fill(REASON);
      await form.getByTestId('apply-action').click();
      await health.getByTestId('shopStatus-badge').getByText('Suspended').waitFor();
      const action = page.locator('[data-testid="shop-action"][data-action-type="suspension"]');
      await action.getByTestId('actionStatus-badge').getByText('In force').waitFor();
      await action.getByTestId('action-reason').getByText(REASON).waitFor();
      await shot(page, 'operator-shop-suspended');

      // Its products leave the product list and the feed.
      expect((await call<{ data: unknown[] }>(null, 'GET', `/v1/products?shop_id=${shopId}`)).data).toEqual([]);
      expect((await feedVideos()).filter(anchorsProduct)).toEqual([]);

      // The shop list and the overview follow.
      await openSection(page, 'Operator console sections', 'Shops');
      await page.getByTestId('shop-status-filter').selectOption('suspended');
      await page.locator(`[data-testid="admin-shop-row"][data-shop-id="${shopId}"]`).getByText('Suspended').waitFor();
      await openSection(page, 'Operator console sections', 'Overview');
      await page.getByTestId('figure-shops').getByText(`${before.shops.suspended + 1} suspended · ${before.shops.frozen} frozen`).waitFor();

      // The audit log: who, what, when, why.
      await openSection(page, 'Operator console sections', 'Audit log');
      await page.waitForURL('**/operator/audit');
      await page.getByTestId('audit-filters').getByLabel('Kind of action').selectOption('shop_action');
      await page.getByTestId('audit-filters').getByLabel('Object').fill(shopId);
      await page.getByTestId('audit-filters').getByRole('button', { name: 'Filter' }).click();
      const entry = page.locator(`[data-testid="audit-row"][data-action="shop_action.created"][data-target-id="${shopId}"]`);
      await entry.getByTestId('audit-reason').getByText(REASON).waitFor();
      await entry.getByTestId('audit-actor').getByText('Demo Operator').waitFor();
      await entry.getByTestId('audit-actor').getByText(OPERATOR).waitFor();
      await entry.getByTestId('audit-action').getByText('Suspended a shop').waitFor();
      expect(await page.getByTestId('audit-row').count()).toBe(1);
      await shot(page, 'operator-audit');
    } finally {
      await context.close();
    }
  });
});
