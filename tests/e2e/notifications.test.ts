import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, newPage, shot, signIn, startE2E, type E2E } from './support.js';

/**
 * Issue 16 §5: a notification in the web inbox opens the page where the person acts. A new paid
 * order tells the seller; "Open" lands on the seller's order page and the unread badge drops. In
 * English and in Chinese.
 */
const BUYER = 'buyer@demo.loopshop.dev';
const SELLER = 'seller@demo.loopshop.dev';

describe('notifications: Open lands on the linked page and the unread badge drops (browser)', () => {
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

  type Note = { id: string; type: string; link: string | null };
  const unread = async () => (await call<{ data: Note[] }>(seller, 'GET', '/v1/notifications?unread=true&limit=100')).data;
  /** The seller has read everything; then a new order is paid: one unread notification, linked to its page. */
  const onePaidOrderUnread = async (): Promise<string> => {
    for (let old = await unread(); old.length > 0; old = await unread()) for (const n of old) await call(seller, 'POST', `/v1/notifications/${n.id}/read`);
    const orderId = await placeOrder(buyer, seller);
    for (let i = 0; i < 60 && (await unread()).length === 0; i++) await new Promise((r) => setTimeout(r, 500));
    expect(await unread()).toMatchObject([{ type: 'order_paid', link: `/seller/orders/${orderId}` }]);
    return orderId;
  };

  for (const [locale, title] of [
    ['en-US', 'New paid order'],
    ['zh-CN', '新的已付款订单'],
  ] as const) {
    it(`${locale}: the seller opens the paid-order notification from the inbox`, async () => {
      const orderId = await onePaidOrderUnread();
      const { context, page } = await newPage(e2e, locale);
      try {
        await signIn(page, SELLER);
        await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
        await page.getByTestId('unread-count').filter({ hasText: '1' }).waitFor();
        await page.getByTestId('notifications-link').click();
        await page.waitForURL('**/notifications');
        const note = page.locator('[data-testid="notification"][data-type="order_paid"][data-unread="true"]');
        await note.getByText(title).waitFor();
        await shot(page, `notification-open-${locale}`);
        await note.getByTestId('notification-open').click();
        await page.waitForURL(`**/seller/orders/${orderId}`);
        await page.locator(`[data-testid="order-detail"][data-order-id="${orderId}"]`).waitFor();
        await page.getByTestId('unread-count').waitFor({ state: 'detached' });
        expect(await unread()).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }
});
