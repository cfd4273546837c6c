import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxCarrier } from '../../src/modules/fulfillment/sandbox-carrier.js';
import { apiClient, newPage, shot, signIn, startE2E, type E2E, openSection } from './support.js';

/**
 * Reviews and shop health in the web app: the demo buyer reviews an item of a delivered order
 * (bought, shipped and delivered through the API) and sees the rating on the product's page; the
 * demo seller sees its shop's health and appeals an operator's warning.
 */
const BUYER = 'buyer@demo.loopshop.dev';
const SELLER = 'seller@demo.loopshop.dev';
const OPERATOR = 'operator@demo.loopshop.dev';
const POSTAL_CODE = '94105';

describe('reviews and shop health (browser)', () => {
  let e2e: E2E;
  let buyer: string;
  let seller: string;
  let shopId: string;

  const { call, tokenOf } = apiClient(() => e2e.url);

  beforeAll(async () => {
    e2e = await startE2E();
    [buyer, seller] = [await tokenOf(BUYER), await tokenOf(SELLER)];
    shopId = (await call<{ user: { shops: { id: string }[] } }>(seller, 'GET', '/v1/me')).user.shops[0]!.id;
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  /** The demo buyer buys one item of the demo shop; the seller ships it; the sandbox carrier delivers it. */
  const deliveredOrder = async (): Promise<{ orderId: string; productId: string }> => {
    const products = await call<{ data: { id: string; available: number }[] }>(buyer, 'GET', `/v1/products?shop_id=${shopId}`);
    const productId = products.data.find((p) => p.available > 0)!.id;
    const product = await call<{ variants: { sku_id: string; available: number }[] }>(buyer, 'GET', `/v1/products/${productId}`);
    await call(buyer, 'POST', '/v1/cart/items', { sku_id: product.variants.find((v) => v.available > 0)!.sku_id, quantity: 1 });
    const checkout = await call<{ orders: { id: string }[] }>(buyer, 'POST', '/v1/checkout', {
      shipping_address: { name: 'Demo Buyer', line1: '1 Market St', city: 'San Francisco', region: 'CA', postal_code: POSTAL_CODE, country: 'US' },
      payment_method: { type: 'card', number: '4242424242424242', exp_month: 12, exp_year: new Date().getFullYear() + 3, cvc: '123' },
    });
    const orderId = checkout.orders[0]!.id;
    const { tracking_number } = await call<{ tracking_number: string }>(seller, 'POST', `/v1/orders/${orderId}/shipments`, { carrier: 'sandbox' });
    const now = e2e.server.clock.now().getTime();
    const { rawBody, headers } = new SandboxCarrier(e2e.server.clock, e2e.server.app.ctx.secrets.carrier).sign(
      (['picked_up', 'delivered'] as const).map((status, i) => ({
        id: `e2e_review_${tracking_number}_${i}`,
        tracking_number,
        status,
        at: new Date(now - (2 - i) * 60_000).toISOString(),
        postal_code: POSTAL_CODE,
        description: status,
      })),
    );
    expect((await fetch(`${e2e.url}/v1/webhooks/carriers/sandbox`, { method: 'POST', headers, body: rawBody })).status).toBe(200);
    return { orderId, productId };
  };

  it('the buyer rates and reviews a delivered item, edits it, and sees it on the product page', async () => {
    const { orderId, productId } = await deliveredOrder();
    const { context, page } = await newPage(e2e);
    try {
      await signIn(page, BUYER);
      await page.waitForURL('**/feed');
      await page.goto(`/orders/${orderId}`);
      const form = page.getByTestId('order-detail').getByTestId('review-form');
      // A rating is required before anything is sent.
      await form.getByRole('button', { name: 'Post review' }).click();
      await form.getByText('Choose a rating from 1 to 5 stars.').waitFor();
      await form.getByLabel('4 of 5 stars').check();
      await form.getByLabel(/Your review/).fill('Comfortable cap, arrived quickly.');
      await form.getByRole('button', { name: 'Post review' }).click();
      const review = page.getByTestId('item-review').filter({ has: page.getByTestId('edit-review') });
      await review.getByText('Comfortable cap, arrived quickly.').waitFor();
      await review.getByText(/You can edit it until/).waitFor();
      expect(await review.getByRole('img', { name: 'Rated 4 of 5' }).count()).toBe(1);
      await shot(page, 'reviews-buyer-posted');

      await review.getByTestId('edit-review').click();
      const edit = page.getByTestId('review-form');
      await edit.getByLabel('5 of 5 stars').check();
      await edit.getByRole('button', { name: 'Save review' }).click();
      await page.locator('[data-testid="item-review"][data-rating="5"]').waitFor();

      await page.goto(`/products/${productId}`);
      const reviews = page.getByTestId('product-reviews');
      await reviews.getByTestId('review').filter({ hasText: 'Comfortable cap, arrived quickly.' }).waitFor();
      const rating = (await call<{ rating: { average: number; count: number } }>(buyer, 'GET', `/v1/products/${productId}`)).rating;
      expect(rating.count).toBeGreaterThanOrEqual(1);
      const summary = reviews.getByTestId('rating-summary');
      expect(await summary.getAttribute('data-count')).toBe(String(rating.count));
      await summary.getByText(rating.count === 1 ? '1 rating' : `${rating.count} ratings`, { exact: true }).waitFor();
      await shot(page, 'reviews-product-page');
    } finally {
      await context.close();
    }
  });

  it("the seller sees the shop's health and appeals an operator's warning", async () => {
    const operator = await tokenOf(OPERATOR);
    const warning = await call<{ id: string }>(operator, 'POST', `/v1/admin/shops/${shopId}/actions`, { type: 'warning', reason: 'Several late dispatches this month.' });
    const { context, page } = await newPage(e2e);
    try {
      await signIn(page, SELLER);
      await page.waitForURL('**/feed');
      await page.goto('/seller');
      await openSection(page, 'Seller center sections', 'Shop health');
      await page.waitForURL('**/seller/health');
      expect(await page.getByTestId('shop-status').getAttribute('data-status')).toBe('active');
      await page.getByTestId('health-metrics').waitFor();
      const action = page.locator(`[data-testid="seller-action"][data-action-id="${warning.id}"]`);
      await action.getByText('Several late dispatches this month.').waitFor();
      await action.getByLabel(/Appeal this action/).fill('We changed carriers last week.');
      await action.getByRole('button', { name: 'Send appeal' }).click();
      await action.getByTestId('action-appeal').getByText('Appeal pending').waitFor();
      expect(await action.getByRole('button', { name: 'Send appeal' }).count()).toBe(0);
      await shot(page, 'reviews-seller-health');
    } finally {
      await context.close();
    }
  });
});
