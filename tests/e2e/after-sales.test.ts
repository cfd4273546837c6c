import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxCarrier } from '../../src/modules/fulfillment/sandbox-carrier.js';
import { apiClient, newPage, shot, signIn, startE2E, type E2E, openSection } from './support.js';

/**
 * Issue 4, acceptance: the demo buyer has a delivered order (bought and shipped through the API,
 * delivered by a signed sandbox-carrier webhook), requests a refund in the web app, the seller
 * accepts it in the seller center, and the buyer sees the order refunded. On the way, the
 * seller's order page shows the shipping deadline and the buyer's the tracking timeline.
 */
const BUYER = 'buyer@demo.loopshop.dev';
const SELLER = 'seller@demo.loopshop.dev';
const POSTAL_CODE = '94105';
/** A small PNG (8×8, red) as the evidence photo. */
const PHOTO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEklEQVR4nGP4z8CAFWEXHbQSACj/P8Fu7N9hAAAAAElFTkSuQmCC',
  'base64',
);

describe('after-sales: refund of a delivered order (browser)', () => {
  let e2e: E2E;
  let orderId: string;
  let buyer: string;
  let seller: string;

  /** A JSON call to the API as the user of `token`. */
  const api = apiClient(() => e2e.url);
  const { call, tokenOf } = api;

  /** The demo buyer buys one item of the demo seller's shop: the paid order's id. */
  const placeOrder = () => api.placeOrder(buyer, seller, POSTAL_CODE);

  beforeAll(async () => {
    e2e = await startE2E();
    [buyer, seller] = [await tokenOf(BUYER), await tokenOf(SELLER)];
    orderId = await placeOrder();
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  /** The sandbox carrier's signed webhook: picked up, in transit, delivered, all just now. */
  const deliver = async (trackingNumber: string) => {
    const carrier = new SandboxCarrier(e2e.server.clock, e2e.server.app.ctx.secrets.carrier);
    const now = e2e.server.clock.now().getTime();
    const events = (['picked_up', 'in_transit', 'delivered'] as const).map((status, i) => ({
      id: `e2e_${trackingNumber}_${i}`,
      tracking_number: trackingNumber,
      status,
      at: new Date(now - (3 - i) * 60_000).toISOString(),
      postal_code: POSTAL_CODE,
      description: status === 'delivered' ? 'Delivered, left at front door' : 'Scanned',
    }));
    const { rawBody, headers } = carrier.sign(events);
    const res = await fetch(`${e2e.url}/v1/webhooks/carriers/sandbox`, { method: 'POST', headers, body: rawBody });
    expect(res.status).toBe(200);
  };

  it('the seller ships the paid order from its page, with the deadline counting down', async () => {
    const { context, page } = await newPage(e2e);
    try {
      await signIn(page, SELLER);
      await page.waitForURL('**/feed');
      await page.goto(`/seller/orders/${orderId}`);
      const detail = page.getByTestId('order-detail');
      await detail.getByTestId('ship-by-countdown').getByText(/left$/).waitFor();
      expect(await detail.getByTestId('ship-by-countdown').getAttribute('data-overdue')).toBe('false');
      await shot(page, 'after-sales-seller-ship');
      const form = detail.getByTestId('ship-form');
      await form.getByLabel('Carrier').selectOption('sandbox');
      await form.getByTestId('ship-submit').click();
      await page.getByTestId('toast').getByText(/Shipped with tracking number SBX\d+/).waitFor();
      await detail.getByTestId('orderStatus-badge').first().filter({ hasText: 'Shipped' }).waitFor();
      const tracking = (await detail.getByTestId('tracking-number').textContent())!;
      expect(tracking).toMatch(/^SBX\d{12}$/);
      expect(await detail.getByTestId('ship-form').count()).toBe(0);
      await shot(page, 'after-sales-seller-shipped');

      await deliver(tracking);
    } finally {
      await context.close();
    }
  });

  it('the buyer sees the tracking timeline and asks for a refund with a photo', async () => {
    const { context, page } = await newPage(e2e);
    try {
      await signIn(page, BUYER);
      await page.waitForURL('**/feed');
      await page.goto(`/orders/${orderId}`);
      const detail = page.getByTestId('order-detail');
      await detail.getByTestId('orderStatus-badge').first().filter({ hasText: 'Delivered' }).waitFor();
      const timeline = detail.getByTestId('tracking-timeline');
      await timeline.getByText('Delivered, left at front door').waitFor();
      expect(await timeline.locator('li').count()).toBe(3);
      await shot(page, 'after-sales-buyer-tracking');

      await detail.getByTestId('request-after-sales').click();
      const form = detail.getByTestId('case-request-form');
      // The reason is required before anything is sent.
      await form.getByTestId('case-request-submit').click();
      await form.getByText('Say what went wrong.').waitFor();
      await form.getByLabel('What you want').selectOption('refund_only');
      await form.getByLabel('Reason', { exact: true }).selectOption('damaged');
      await form.getByLabel('What happened').fill('The cap arrived torn at the seam.');
      await form.getByLabel('Photos').setInputFiles({ name: 'torn.png', mimeType: 'image/png', buffer: PHOTO });
      await form.getByTestId('case-photos').locator('img').waitFor();
      await shot(page, 'after-sales-buyer-request');
      await form.getByTestId('case-request-submit').click();

      const kase = detail.getByTestId('case');
      await kase.getByTestId('caseStatus-badge').filter({ hasText: 'Requested' }).waitFor();
      await kase.getByTestId('case-countdown').getByText(/left$/).waitFor();
      expect(await kase.getByTestId('evidence').locator('img').count()).toBe(1);
      expect(await detail.getByTestId('request-after-sales').count()).toBe(0);
      await shot(page, 'after-sales-buyer-requested');
    } finally {
      await context.close();
    }
  });

  it('the seller accepts the request from the after-sales queue', async () => {
    const { context, page } = await newPage(e2e);
    try {
      await signIn(page, SELLER);
      await page.waitForURL('**/feed');
      await page.goto('/seller');
      await openSection(page, 'Seller center sections', 'After-sales');
      await page.waitForURL('**/seller/after-sales');
      const row = page.getByTestId('case-row').filter({ hasText: orderId });
      await row.getByText('Requested').waitFor();
      await shot(page, 'after-sales-seller-queue');
      await row.getByRole('link').first().click();
      const kase = page.getByTestId('case');
      await kase.getByText('The cap arrived torn at the seam.').waitFor();
      // The photo is shown to the shop of the case.
      // A function, not a string: the page's CSP (script-src 'self') forbids evaluating strings.
      await page.waitForFunction(() => {
        type Img = { complete: boolean; naturalWidth: number };
        const i = (globalThis as unknown as { document: { querySelector(s: string): Img | null } }).document.querySelector('[data-testid="evidence"] img');
        return !!i && i.complete && i.naturalWidth > 0;
      });
      await shot(page, 'after-sales-seller-case');
      await kase.getByTestId('case-accept').click();
      await kase.getByTestId('caseStatus-badge').filter({ hasText: 'Refunded' }).waitFor();
      expect(await kase.getByTestId('case-refunded').textContent()).toMatch(/^\$\d+\.\d\d$/);
      expect(await kase.getByTestId('case-actions').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('the buyer sees the order refunded, in English and in Chinese', async () => {
    const { context, page } = await newPage(e2e);
    try {
      await signIn(page, BUYER);
      await page.waitForURL('**/feed');
      await page.goto(`/orders/${orderId}`);
      const detail = page.getByTestId('order-detail');
      await detail.getByTestId('orderStatus-badge').first().filter({ hasText: 'Refunded' }).waitFor();
      const refunded = (await detail.getByTestId('order-refunded').textContent())!;
      expect(refunded).toMatch(/^\$\d+\.\d\d$/);
      await detail.getByTestId('case').getByTestId('caseStatus-badge').filter({ hasText: 'Refunded' }).waitFor();
      await detail.getByTestId('timeline').getByText('After-sales refund issued').waitFor();
      await shot(page, 'after-sales-buyer-refunded');

      const saved = page.waitForResponse((r) => r.url().endsWith('/v1/me') && r.request().method() === 'PATCH');
      await page.getByTestId('language-switcher').selectOption('zh-CN');
      await saved;
      await detail.getByTestId('orderStatus-badge').first().filter({ hasText: '已退款' }).waitFor();
      await detail.getByText('仅退款').waitFor();
      await shot(page, 'after-sales-buyer-refunded-zh');
      const reset = page.waitForResponse((r) => r.url().endsWith('/v1/me') && r.request().method() === 'PATCH');
      await page.getByTestId('language-switcher').selectOption('en');
      await reset;
    } finally {
      await context.close();
    }
  });

  it('an operator decides an escalated dispute with a partial refund', async () => {
    // Another delivered order whose return request the seller rejected and the buyer escalated.
    const disputed = await placeOrder();
    const shipment = await call<{ tracking_number: string }>(seller, 'POST', `/v1/orders/${disputed}/shipments`, { carrier: 'sandbox' });
    await deliver(shipment.tracking_number);
    const opened = await call<{ id: string }>(buyer, 'POST', `/v1/orders/${disputed}/after-sales`, {
      type: 'return_and_refund',
      reason_code: 'wrong_item',
      reason: 'I ordered black and got grey.',
    });
    await call(seller, 'POST', `/v1/after-sales/${opened.id}/reject`, { note: 'The photo on the listing shows this colour.' });
    await call(buyer, 'POST', `/v1/after-sales/${opened.id}/escalate`, { note: 'It is clearly grey.' });

    const { context, page } = await newPage(e2e);
    try {
      await signIn(page, 'operator@demo.loopshop.dev');
      await page.waitForURL('**/feed');
      await page.goto('/operator');
      await openSection(page, 'Operator console sections', 'Disputes');
      const row = page.locator(`[data-testid="case-row"][data-case-id="${opened.id}"]`);
      await row.getByText('With an operator').waitFor();
      await row.getByRole('link', { name: opened.id }).click();
      const kase = page.getByTestId('case');
      await kase.getByTestId('case-timeline').getByText('The photo on the listing shows this colour.', { exact: false }).waitFor();
      const decision = kase.getByTestId('decision');
      await decision.getByLabel('Partial refund').check();
      await decision.getByRole('button', { name: 'Decide' }).click();
      await decision.getByText('Write a short note.').waitFor();
      await decision.getByLabel('Refund amount (USD)').fill('5');
      await decision.getByLabel('Note to both sides').fill('Colour differs slightly: partial refund.');
      await shot(page, 'after-sales-operator-decision');
      await decision.getByRole('button', { name: 'Decide' }).click();
      await kase.getByTestId('caseStatus-badge').filter({ hasText: 'Resolved for the buyer' }).waitFor();
      expect(await kase.getByTestId('case-refunded').textContent()).toBe('$5.00');
      expect(await kase.getByTestId('decision').count()).toBe(0);
      await shot(page, 'after-sales-operator-decided');
    } finally {
      await context.close();
    }
  });

  it('the seller center shows the after-sales queue and finance, the operator console its queues (Chinese)', async () => {
    const { context, page } = await newPage(e2e, 'zh-CN');
    try {
      await signIn(page, SELLER);
      await page.waitForURL('**/feed');
      await page.goto('/seller/after-sales');
      await page.getByTestId('case-row').filter({ hasText: orderId }).getByText('已退款').waitFor();
      await shot(page, 'after-sales-seller-queue-zh');
      // On a phone each cell keeps to one line (the table scrolls sideways, not the page): the case type is one
      // word wide, not one character a line.
      await page.setViewportSize({ width: 390, height: 844 });
      const type = (await page.getByTestId('case-row').filter({ hasText: orderId }).locator('td').nth(1).boundingBox())!;
      expect(type.width).toBeGreaterThan(type.height);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await shot(page, 'after-sales-seller-queue-zh-phone');
      await page.setViewportSize({ width: 1280, height: 860 });
      await page.goto('/seller/finance');
      const finance = page.getByTestId('seller-finance');
      await finance.getByTestId('balances').waitFor();
      await finance.locator('[data-testid="statement"], [data-testid="statement-empty"]').first().waitFor();
      await shot(page, 'after-sales-seller-finance-zh');
      await context.clearCookies();

      await signIn(page, 'operator@demo.loopshop.dev');
      await page.waitForURL('**/feed');
      await page.goto('/operator/disputes');
      await page.locator('[data-testid="cases"], [data-testid="cases-empty"]').first().waitFor();
      await shot(page, 'after-sales-operator-disputes-zh');
      await page.goto('/operator/flags');
      await page.locator('[data-testid="flags"], [data-testid="flags-empty"]').first().waitFor();
      await shot(page, 'after-sales-operator-flags-zh');
    } finally {
      await context.close();
    }
  });
});
