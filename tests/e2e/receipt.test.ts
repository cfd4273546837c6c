import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, newPage, shot, signIn, startE2E, type E2E } from './support.js';

/**
 * Issue 16: the demo buyer reaches "delivered" without waiting for the carrier — "Confirm receipt"
 * on a shipped order (after a confirmation dialog) delivers it, and the review form appears.
 */
const BUYER = 'buyer@demo.loopshop.dev';
const SELLER = 'seller@demo.loopshop.dev';

describe('confirm receipt (browser)', () => {
  let e2e: E2E;
  let buyer: string;
  let seller: string;

  const { call, tokenOf, placeOrder } = apiClient(() => e2e.url);

  beforeAll(async () => {
    e2e = await startE2E();
    [buyer, seller] = [await tokenOf(BUYER), await tokenOf(SELLER)];
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  /** The demo buyer buys one item of the demo shop and the seller ships it (the sandbox carrier issues the label). */
  const shippedOrder = async (): Promise<string> => {
    const orderId = await placeOrder(buyer, seller);
    await call(seller, 'POST', `/v1/orders/${orderId}/shipments`, { carrier: 'sandbox' });
    return orderId;
  };

  it('the buyer confirms receipt of a shipped order and can then review its item; in Chinese too', async () => {
    const orderId = await shippedOrder();
    const { context, page } = await newPage(e2e);
    try {
      await signIn(page, BUYER);
      await page.waitForURL('**/feed');
      await page.goto(`/orders/${orderId}`);
      const detail = page.getByTestId('order-detail');
      expect(await detail.getByTestId('review-form').count()).toBe(0);
      await detail.getByTestId('confirm-receipt').click();
      const dialog = page.getByRole('dialog', { name: 'Confirm receipt?' });
      // "Not yet" closes the dialog and changes nothing.
      await dialog.getByRole('button', { name: 'Not yet' }).click();
      await dialog.waitFor({ state: 'detached' });
      await detail.getByTestId('confirm-receipt').click();
      await shot(page, 'receipt-confirm-dialog');
      await dialog.getByRole('button', { name: 'Yes, I received it' }).click();
      await detail.getByTestId('delivered-next').waitFor();
      await detail.getByTestId('review-form').first().waitFor();
      await detail.getByTestId('receipt-confirmed').getByText(/You confirmed receipt on/).waitFor();
      expect(await detail.getByTestId('confirm-receipt').count()).toBe(0);
      await shot(page, 'receipt-delivered');
      const order = await call<{ status: string; delivered_at: string | null }>(buyer, 'GET', `/v1/orders/${orderId}`);
      expect(order.status).toBe('delivered');
      expect(order.delivered_at).not.toBeNull();
    } finally {
      await context.close();
    }

    const zh = await newPage(e2e, 'zh-CN');
    try {
      await signIn(zh.page, BUYER);
      await zh.page.waitForURL('**/feed');
      await zh.page.goto(`/orders/${orderId}`);
      const delivered = zh.page.getByTestId('delivered-next');
      await delivered.getByRole('heading', { name: '已签收' }).waitFor();
      await zh.page.getByTestId('receipt-confirmed').getByText(/您已于/).waitFor();
      await shot(zh.page, 'receipt-delivered-zh');
    } finally {
      await zh.context.close();
    }
  });
});
