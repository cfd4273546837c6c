import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { shot, SHOTS_DIR, signIn, startE2E, type E2E, openSection } from './support.js';

/**
 * Issue 3, acceptance: the demo buyer opens the feed, opens the product on the first video, adds
 * it to the cart, pays with 4242…, sees the order paid; the shop's seller sees it in the seller
 * center. A declined card shows the translated decline message and leaves the cart as it was.
 */

/** The demo shops and their owners (src/demo/seed.ts, src/demo/catalog.ts). */
const SHOP_OWNERS: Record<string, string> = {
  'Demo Outdoor Co.': 'seller@demo.loopshop.dev',
  'Shenzhen Lights': 'seller2@demo.loopshop.dev',
  'Hangzhou Tea House': 'seller3@demo.loopshop.dev',
};
const DECLINED_EN = 'Your card was declined. Nothing was charged and your cart is unchanged. Try another card.';
const DECLINED_ZH = '您的银行卡被拒绝。未产生扣款，购物车保持不变。请换一张卡重试。';
const EXPIRY = `12/${String((new Date().getFullYear() + 3) % 100).padStart(2, '0')}`;

describe('purchase from the feed (browser)', () => {
  let e2e: E2E;
  let order: { id: string; shop: string; title: string } | undefined;

  beforeAll(async () => {
    e2e = await startE2E();
    // The demo videos are rendered by jobs right after the server starts: wait for the first.
    const deadline = Date.now() + 100_000;
    for (;;) {
      const res = await fetch(`${e2e.url}/v1/feed?limit=1`);
      const body = (await res.json()) as { data?: unknown[] };
      if (res.ok && (body.data?.length ?? 0) > 0) break;
      if (Date.now() > deadline) throw new Error('no demo video became ready in time');
      await new Promise((r) => setTimeout(r, 500));
    }
  }, 150_000);
  afterAll(async () => {
    await e2e?.close();
  });

  /** A phone-sized browser profile (the feed is a vertical, one-video-per-screen player). */
  const phone = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await e2e.browser.newContext({ baseURL: e2e.url, locale: 'en-US', viewport: { width: 390, height: 844 }, hasTouch: true });
    context.setDefaultTimeout(20_000);
    return { context, page: await context.newPage() };
  };

  /** From the feed: the first video's product into the cart; returns its title. */
  const addFirstProductToCart = async (page: Page): Promise<string> => {
    await page.goto('/feed');
    const first = page.getByTestId('feed-item').first();
    await first.waitFor();
    const anchor = first.getByTestId('anchor-button').first();
    const title = (await anchor.locator('.anchor-button__title').textContent())!.trim();
    await anchor.click();
    const sheet = page.getByTestId('product-sheet');
    await sheet.getByRole('heading', { name: title }).waitFor();
    await sheet.getByRole('button', { name: 'Add to cart' }).waitFor();
    await sheet.getByRole('button', { name: 'Buy now' }).waitFor();
    expect(await sheet.getByTestId('stock').textContent()).toMatch(/\d+ in stock/);
    // The product and its creator have pages of their own.
    expect(await sheet.getByTestId('sheet-links').getByRole('link', { name: 'Product details' }).getAttribute('href')).toMatch(/^\/products\/prd_/);
    expect(await sheet.getByTestId('sheet-links').getByRole('link', { name: 'More from this creator' }).getAttribute('href')).toMatch(/^\/creators\/usr_/);
    return title;
  };

  const fillCheckout = async (page: Page, card: string) => {
    const form = page.getByTestId('checkout-form');
    await form.getByLabel('Address', { exact: true }).fill('1 Market St');
    await form.getByLabel('City').fill('San Francisco');
    await form.getByLabel('State / province').fill('CA');
    await form.getByLabel('ZIP / postal code').fill('94105');
    await form.getByLabel('Card number').fill(card);
    await form.getByLabel('Expiry (MM/YY)').fill(EXPIRY);
    await form.getByLabel('CVC').fill('123');
  };

  it('buys the product of the first video with 4242 4242 4242 4242 and sees the order paid', async () => {
    const { context, page } = await phone();
    try {
      await signIn(page, 'buyer@demo.loopshop.dev');
      await page.waitForURL('**/feed');

      // The first video plays by itself, muted, with the hint to tap for sound.
      const first = page.getByTestId('feed-item').first();
      await first.waitFor();
      // A function, not a string: the page's CSP (script-src 'self') forbids evaluating strings.
      await page.waitForFunction(() => {
        type Video = { paused: boolean; muted: boolean; currentTime: number };
        const v = (globalThis as unknown as { document: { querySelector(s: string): Video | null } }).document.querySelector('[data-testid="feed-item"] video');
        return !!v && !v.paused && v.muted && v.currentTime > 0;
      });
      await first.getByText('Tap for sound').waitFor();
      await shot(page, 'purchase-feed');

      const title = await addFirstProductToCart(page);
      await shot(page, 'purchase-product-sheet');
      await page.getByTestId('product-sheet').getByRole('button', { name: 'Add to cart' }).click();
      await page.getByTestId('toast').getByText(`Added to your cart: ${title}`).waitFor();
      await page.getByTestId('product-sheet').waitFor({ state: 'detached' });
      await page.getByTestId('cart-count').filter({ hasText: '1' }).waitFor();

      // The cart: one line, grouped under its shop, with shipping and a total.
      await page.getByTestId('cart-link').click();
      await page.waitForURL('**/cart');
      const item = page.getByTestId('cart-item');
      await item.getByText(title).waitFor();
      expect(await item.count()).toBe(1);
      const shop = (await page.getByTestId('cart-shop').getByRole('heading').textContent())!.trim();
      expect(Object.keys(SHOP_OWNERS)).toContain(shop);
      const total = (await page.getByTestId('cart-summary').getByTestId('total').textContent())!.trim();
      expect(total).toMatch(/^\$\d+\.\d\d$/);
      await shot(page, 'purchase-cart');

      // Checkout: the form is validated before anything is sent.
      await page.getByTestId('checkout-link').click();
      await page.waitForURL('**/checkout');
      await page.getByTestId('pay-button').click();
      await page.getByText('Enter the street address.').waitFor();
      await page.getByText('Enter the card number.').waitFor();
      await fillCheckout(page, '4242 4242 4242 4242');
      expect(await page.getByTestId('pay-button').textContent()).toBe(`Pay ${total}`);
      await shot(page, 'purchase-checkout');
      const paid = page.waitForResponse((r) => r.url().endsWith('/v1/checkout') && r.request().method() === 'POST');
      await page.getByTestId('pay-button').click();
      const res = await paid;
      expect(res.status()).toBe(201);
      expect(res.request().headers()['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);

      // One order (one shop), paid.
      const confirmation = page.getByTestId('order-confirmation');
      await confirmation.waitFor();
      const placed = confirmation.getByTestId('placed-order');
      expect(await placed.count()).toBe(1);
      expect(await placed.textContent()).toContain(shop);
      expect(await placed.getByTestId('orderStatus-badge').getAttribute('data-status')).toBe('paid');
      expect(await placed.getByTestId('orderStatus-badge').textContent()).toBe('Paid');
      expect(await confirmation.getByRole('heading', { level: 2 }).textContent()).toBe(`Payment of ${total} received`);
      await shot(page, 'purchase-confirmation');
      expect(await page.getByTestId('cart-count').count()).toBe(0);

      // The order page: paid, the item, the card, the timeline.
      await placed.getByRole('link', { name: 'View order' }).click();
      const detail = page.getByTestId('order-detail');
      await detail.waitFor();
      const id = (await detail.getAttribute('data-order-id'))!;
      expect(id).toMatch(/^ord_/);
      expect(await detail.getByTestId('orderStatus-badge').first().textContent()).toBe('Paid');
      const text = (await detail.textContent()) ?? '';
      expect(text).toContain(title);
      expect(text).toContain('Card ending in 4242');
      expect(text).toContain('San Francisco');
      await detail.getByTestId('timeline').getByText('Payment received, held in escrow').waitFor();
      await detail.getByTestId('cancel-order').waitFor();
      await shot(page, 'purchase-order');

      // And it is in the buyer's order list.
      await page.goto('/orders');
      const listed = page.locator(`[data-testid="order-row"][data-order-id="${id}"]`);
      await listed.getByText('Paid').waitFor();
      // The item by name, linked to its product page.
      await listed.getByTestId('order-items').getByRole('link', { name: title }).waitFor();
      order = { id, shop, title };
    } finally {
      await context.close();
    }
  });

  it('shows the translated decline message for 4000 0000 0000 0002 and keeps the cart', async () => {
    const { context, page } = await phone();
    try {
      await signIn(page, 'buyer@demo.loopshop.dev');
      await page.waitForURL('**/feed');
      const title = await addFirstProductToCart(page);
      await page.getByTestId('product-sheet').getByRole('button', { name: 'Add to cart' }).click();
      await page.getByTestId('cart-count').filter({ hasText: '1' }).waitFor();

      await page.goto('/checkout');
      await fillCheckout(page, '4000 0000 0000 0002');
      const declined = page.waitForResponse((r) => r.url().endsWith('/v1/checkout') && r.request().method() === 'POST');
      await page.getByTestId('pay-button').click();
      expect((await declined).status()).toBe(402);
      const error = page.getByTestId('checkout-error');
      await error.filter({ hasText: DECLINED_EN }).waitFor();
      await shot(page, 'purchase-declined');
      // Nothing was bought: the cart still holds the item, the form is still there.
      await page.getByTestId('checkout-summary').getByText(title, { exact: false }).waitFor();
      expect(await page.getByTestId('cart-count').textContent()).toBe('1');

      // The message follows the language.
      const saved = page.waitForResponse((r) => r.url().endsWith('/v1/me') && r.request().method() === 'PATCH');
      await page.getByTestId('language-switcher').selectOption('zh-CN');
      await error.filter({ hasText: DECLINED_ZH }).waitFor();
      await saved;
      await shot(page, 'purchase-declined-zh');
      const reset = page.waitForResponse((r) => r.url().endsWith('/v1/me') && r.request().method() === 'PATCH');
      await page.getByTestId('language-switcher').selectOption('en');
      await reset;
    } finally {
      await context.close();
    }
  });

  it('passes the bank verification of 4000 0000 0000 3220, then cancels the order with a refund', async () => {
    const { context, page } = await phone();
    try {
      await signIn(page, 'buyer@demo.loopshop.dev');
      await page.waitForURL('**/feed');
      // The cart may still hold the item of the declined attempt: buy whatever it holds.
      await addFirstProductToCart(page);
      await page.getByTestId('product-sheet').getByRole('button', { name: 'Add to cart' }).click();
      await page.getByTestId('toast').waitFor();

      await page.goto('/checkout');
      await fillCheckout(page, '4000 0000 0000 3220');
      await page.getByTestId('pay-button').click();
      const bank = page.getByTestId('bank-verification');
      await bank.getByRole('heading', { name: 'Confirm this payment' }).waitFor();
      // The dialog over the page as the buyer sees it (viewport, animations finished).
      await page.screenshot({ path: path.join(SHOTS_DIR, 'purchase-bank-verification.png'), animations: 'disabled' });
      await bank.getByRole('button', { name: 'Approve payment' }).click();
      const placed = page.getByTestId('order-confirmation').getByTestId('placed-order').first();
      await placed.waitFor();
      expect(await placed.getByTestId('orderStatus-badge').getAttribute('data-status')).toBe('paid');

      // Paid, not shipped: the buyer may cancel; the money goes back.
      await placed.getByRole('link', { name: 'View order' }).click();
      const detail = page.getByTestId('order-detail');
      await detail.getByTestId('cancel-order').click();
      await detail.getByRole('button', { name: 'Yes, cancel' }).click();
      await detail.getByTestId('timeline').getByText('Cancelled by the buyer').waitFor();
      expect(await detail.getByTestId('orderStatus-badge').first().textContent()).toBe('Cancelled');
      expect(await detail.getByTestId('timeline').textContent()).toMatch(/\$\d+\.\d\d refunded to the card/);
      expect(await detail.getByTestId('cancel-order').count()).toBe(0);
      await shot(page, 'purchase-cancelled');
    } finally {
      await context.close();
    }
  });

  it("shows the order to the shop's seller in the seller center", async () => {
    expect(order, 'the purchase test ran first').toBeDefined();
    const { id, shop, title } = order!;
    const context = await e2e.browser.newContext({ baseURL: e2e.url, locale: 'en-US', viewport: { width: 1280, height: 860 } });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    try {
      await signIn(page, SHOP_OWNERS[shop]!);
      await page.waitForURL('**/feed');
      await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Seller center' }).click();
      await page.getByTestId('shop-card').getByRole('heading', { name: shop }).waitFor();
      // The overview lists the newest orders.
      await page.locator(`[data-testid="seller-orders"] [data-order-id="${id}"]`).waitFor();

      await openSection(page, 'Seller center sections', 'Orders');
      await page.waitForURL('**/seller/orders');
      const row = page.locator(`[data-testid="order-row"][data-order-id="${id}"]`);
      await row.waitFor();
      const text = (await row.textContent()) ?? '';
      expect(text).toContain('Demo Buyer');
      expect(text).toContain('Paid');
      expect(await row.getByTestId('order-items').textContent()).toContain(title); // the item's name, not only an order id
      await shot(page, 'seller-orders');

      await row.getByRole('link', { name: id }).click();
      const detail = page.getByTestId('order-detail');
      await detail.waitFor();
      expect(await detail.textContent()).toContain(title);
      // The shipping deadline is a rule in the shop's time zone, labelled so.
      expect(await detail.getByTestId('ship-by').textContent()).toMatch(/Shop time \((America|Asia)\/\w+\)/);
      await shot(page, 'seller-order');

      // The products tab lists the shop's products with status and price.
      await openSection(page, 'Seller center sections', 'Products');
      await page.getByTestId('seller-product-row').first().waitFor();
      expect(await page.getByTestId('seller-products').getByText('Live').count()).toBeGreaterThan(0);
      await shot(page, 'seller-products');
    } finally {
      await context.close();
    }
  });
});
