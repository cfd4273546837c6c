import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, newPage, shot, signIn, startE2E, uniqueEmail, type E2E } from './support.js';

/**
 * Issue 16 §7: a buyer who leaves the bank's 3-D-Secure verification finds the order "Awaiting
 * payment verification" in their orders; "Resume verification" pays that very order, "Cancel"
 * gives it up (nothing charged, the cart kept). Checkout again with the same cart offers the
 * waiting order instead of making a second one.
 */
const SELLER = 'seller@demo.loopshop.dev';
const PASSWORD = 'correct horse battery';
const EXPIRY = `12/${String((new Date().getFullYear() + 3) % 100).padStart(2, '0')}`;

describe('abandoned 3-D-Secure verification (browser)', () => {
  let e2e: E2E;
  let seller: string;
  const { call, tokenOf } = apiClient(() => e2e.url);

  beforeAll(async () => {
    e2e = await startE2E();
    seller = await tokenOf(SELLER);
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  /** A new buyer with one in-stock item of the demo shop in the cart: their email and token. */
  const buyerWithCart = async (tag: string): Promise<{ email: string; token: string }> => {
    const email = uniqueEmail(tag);
    const { token } = await call<{ token: string }>(null, 'POST', '/v1/auth/sign-up', { email, password: PASSWORD, name: 'Vera Verify' });
    const shopId = (await call<{ user: { shops: { id: string }[] } }>(seller, 'GET', '/v1/me')).user.shops[0]!.id;
    const products = await call<{ data: { id: string; available: number }[] }>(token, 'GET', `/v1/products?shop_id=${shopId}`);
    const product = await call<{ variants: { sku_id: string; available: number }[] }>(token, 'GET', `/v1/products/${products.data.find((p) => p.available > 0)!.id}`);
    await call(token, 'POST', '/v1/cart/items', { sku_id: product.variants.find((v) => v.available > 0)!.sku_id, quantity: 1 });
    return { email, token };
  };

  /** Signs in, pays with the 3-D-Secure card and, at the bank's page, leaves the app for the orders list. */
  const abandonVerification = async (page: Page, email: string, labels = { address: 'Address', city: 'City', postal: 'ZIP / postal code', number: 'Card number', expiry: 'Expiry (MM/YY)', cvc: 'CVC' }) => {
    await signIn(page, email, PASSWORD);
    await page.waitForURL('**/feed');
    await page.goto('/checkout');
    const form = page.getByTestId('checkout-form');
    await form.getByLabel(labels.address, { exact: true }).fill('1 Market St');
    await form.getByLabel(labels.city).fill('San Francisco');
    await form.getByLabel(labels.postal).fill('94105');
    await form.getByLabel(labels.number).fill('4000 0000 0000 3220');
    await form.getByLabel(labels.expiry).fill(EXPIRY);
    await form.getByLabel(labels.cvc).fill('123');
    await page.getByTestId('pay-button').click();
    await page.getByTestId('bank-verification').waitFor();
    // The buyer walks away from the bank's page.
    await page.goto('/orders');
  };

  const onlyOrder = async (token: string) => {
    const { data } = await call<{ data: Array<{ id: string; status: string }> }>(token, 'GET', '/v1/orders');
    expect(data).toHaveLength(1);
    return data[0]!;
  };

  it('finds the order awaiting verification, resumes it and pays that same order', async () => {
    const { email, token } = await buyerWithCart('resume');
    const { context, page } = await newPage(e2e);
    try {
      await abandonVerification(page, email);
      const row = page.getByTestId('order-row');
      await row.getByTestId('orderStatus-badge').filter({ hasText: 'Awaiting payment verification' }).waitFor();
      expect(await row.count()).toBe(1);
      const orderId = (await row.getAttribute('data-order-id'))!;
      await shot(page, 'verification-awaiting-list');

      // Checkout again with the same cart: the waiting order is offered, no second one is made.
      await page.goto('/checkout');
      const form = page.getByTestId('checkout-form');
      await form.getByLabel('Address', { exact: true }).fill('1 Market St');
      await form.getByLabel('City').fill('San Francisco');
      await form.getByLabel('ZIP / postal code').fill('94105');
      await form.getByLabel('Card number').fill('4242 4242 4242 4242');
      await form.getByLabel('Expiry (MM/YY)').fill(EXPIRY);
      await form.getByLabel('CVC').fill('123');
      await page.getByTestId('pay-button').click();
      const error = page.getByTestId('checkout-error');
      await error.getByText('An order of these items is already waiting for your card verification.', { exact: false }).waitFor();
      await shot(page, 'verification-checkout-again');
      expect((await onlyOrder(token)).id).toBe(orderId);

      // Resume from the orders list: the bank's page again, approved: that order is paid.
      await page.goto('/orders');
      await page.locator(`[data-testid="order-row"][data-order-id="${orderId}"]`).getByRole('button', { name: 'Resume verification' }).click();
      const bank = page.getByTestId('bank-verification');
      await bank.getByRole('heading', { name: 'Confirm this payment' }).waitFor();
      await bank.getByRole('button', { name: 'Approve payment' }).click();
      await page.getByTestId('toast').getByText('Payment verified: your order is paid.').waitFor();
      await page.locator(`[data-testid="order-row"][data-order-id="${orderId}"]`).getByTestId('orderStatus-badge').filter({ hasText: 'Paid' }).waitFor();
      expect(await onlyOrder(token)).toMatchObject({ id: orderId, status: 'paid' });
      const cart = await call<{ shops: unknown[] }>(token, 'GET', '/v1/cart');
      expect(cart.shops).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('leaves the bank step for later, then cancels the unpaid order from its page; the cart keeps the item', async () => {
    const { email, token } = await buyerWithCart('cancel');
    const { context, page } = await newPage(e2e);
    try {
      await abandonVerification(page, email);
      const row = page.getByTestId('order-row');
      await row.getByRole('link').first().click();
      const detail = page.getByTestId('order-detail');
      const panel = detail.getByTestId('awaiting-verification');
      await panel.getByRole('heading', { name: 'Awaiting payment verification' }).waitFor();
      expect(await panel.textContent()).toContain('Nothing has been charged.');
      expect(await detail.getByTestId('orderStatus-badge').first().textContent()).toBe('Awaiting payment verification');
      await shot(page, 'verification-awaiting-order');

      // Resume, then "Not now": still waiting.
      await panel.getByRole('button', { name: 'Resume verification' }).click();
      await page.getByTestId('bank-verification').getByRole('button', { name: 'Not now' }).click();
      await page.getByTestId('bank-verification').waitFor({ state: 'detached' });

      // Cancel, after the confirmation dialog ("Keep order" first changes nothing).
      await panel.getByRole('button', { name: 'Cancel' }).click();
      const dialog = page.getByRole('dialog', { name: 'Cancel this order?' });
      await dialog.getByRole('button', { name: 'Keep order' }).click();
      await dialog.waitFor({ state: 'detached' });
      await panel.getByRole('button', { name: 'Cancel' }).click();
      await shot(page, 'verification-cancel-dialog');
      await dialog.getByRole('button', { name: 'Yes, cancel' }).click();
      await detail.getByTestId('timeline').getByText('Cancelled by the buyer').waitFor();
      expect(await detail.getByTestId('orderStatus-badge').first().textContent()).toBe('Cancelled');
      expect(await detail.getByTestId('awaiting-verification').count()).toBe(0);
      await shot(page, 'verification-cancelled');
      expect(await onlyOrder(token)).toMatchObject({ status: 'cancelled' });
      const payments = await call<{ payment: { status: string } }>(token, 'GET', `/v1/payments/${(await call<{ payment_id: string }>(token, 'GET', `/v1/orders/${(await onlyOrder(token)).id}`)).payment_id}`);
      expect(payments.payment.status).toBe('cancelled');
      await page.getByTestId('cart-count').filter({ hasText: '1' }).waitFor();
    } finally {
      await context.close();
    }
  });

  it('in Chinese at phone size: the order awaiting verification, with its actions', async () => {
    const { email } = await buyerWithCart('zh');
    const { context, page } = await newPage(e2e, 'zh-CN');
    try {
      await page.setViewportSize({ width: 390, height: 844 });
      await abandonVerification(page, email, { address: '详细地址', city: '城市', postal: '邮政编码', number: '卡号', expiry: '有效期（月/年）', cvc: '安全码（CVC）' });
      const row = page.getByTestId('order-row');
      await row.getByTestId('orderStatus-badge').filter({ hasText: '等待支付验证' }).waitFor();
      await row.getByRole('button', { name: '继续验证' }).waitFor();
      await shot(page, 'verification-awaiting-list-zh');
      await row.getByRole('link').first().click();
      const panel = page.getByTestId('awaiting-verification');
      await panel.getByRole('heading', { name: '等待支付验证' }).waitFor();
      await panel.getByRole('button', { name: '取消' }).click();
      await page.getByRole('dialog', { name: '确定取消此订单吗？' }).waitFor();
      await shot(page, 'verification-cancel-dialog-zh');
    } finally {
      await context.close();
    }
  });
});
