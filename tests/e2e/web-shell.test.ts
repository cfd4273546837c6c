import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney } from '../../web/src/i18n/format.js';
import { apiClient, newPage, shot, signIn, signOut, startE2E, uniqueEmail, type E2E, openSection } from './support.js';

/** Issue 2, web shell: sign up, sign in, role-aware navigation, sign out — in a real browser. */
describe('web shell (browser)', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E();
  });
  afterAll(async () => {
    await e2e?.close();
  });

  const navLinks = async (page: Page) => {
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('link', { name: 'Feed' }).waitFor();
    return nav.getByRole('link').allTextContents();
  };

  it('signs up, lands on the feed, signs out, signs in again and out', async () => {
    const { context, page } = await newPage(e2e);
    try {
      // Signed out: a page of an account sends you to sign-in, asking to come back (anyone can watch the feed).
      await page.goto('/seller');
      await page.waitForURL('**/sign-in?next=%2Fseller');
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      await page.getByText('Try the demo accounts').waitFor();
      await shot(page, 'sign-in');

      // Client-side validation, translated.
      await page.getByRole('link', { name: 'Create an account' }).click();
      await page.waitForURL('**/sign-up?next=%2Fseller'); // the return path goes along
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByText('Enter your name.').waitFor();
      await page.getByText('Enter your email address.').waitFor();
      await page.getByLabel('Password').fill('short');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByText('Use at least 8 characters.').waitFor();
      await shot(page, 'sign-up-validation');

      const email = uniqueEmail('ada');
      await page.getByLabel('Name').fill('Ada Lovelace');
      await page.getByLabel('Email').fill(email);
      // A common password: the API's weak_password, with its reason on the field, translated.
      await page.getByLabel('Password').fill('password123');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByText('This password is on lists of common or leaked passwords. Choose another one.').waitFor();
      expect(await page.getByTestId('form-error').textContent()).toContain('Choose a stronger password.');
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Create account' }).click();

      await page.waitForURL('**/feed');
      await page.getByRole('heading', { level: 1, name: 'Feed' }).waitFor();
      // The feed: the demo videos, or the empty state while they are still being rendered.
      await page.locator('[data-testid="feed-item"], [data-testid="feed-empty"]').first().waitFor();
      expect(await navLinks(page)).toEqual(['Feed']);
      expect(await page.getByTestId('account-menu').textContent()).toContain('Ada Lovelace');
      expect(await page.evaluate('document.documentElement.lang')).toBe('en');
      // The session is an HttpOnly cookie; nothing in localStorage looks like a token.
      expect(await page.evaluate('JSON.stringify(Object.assign({}, localStorage))')).not.toMatch(/token|session/i);
      await shot(page, 'feed');

      // A buyer may not open the seller center: redirected to the feed.
      await page.goto('/seller');
      await page.waitForURL('**/feed');

      await signOut(page);
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      // Signed out for real: your orders send you back to sign-in; the feed stays open to anyone.
      await page.goto('/orders');
      await page.waitForURL('**/sign-in?next=%2Forders');
      await page.goto('/feed');
      await page.getByTestId('sign-in-link').waitFor();
      expect(await page.getByTestId('account-menu').count()).toBe(0);

      // Same email again on sign-up: the API's email_taken, translated.
      await page.goto('/sign-up');
      await page.getByLabel('Name').fill('Ada Again');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Create account' }).click();
      expect(await page.getByTestId('form-error').textContent()).toContain('An account with this email already exists');

      await signIn(page, email, 'correct horse battery');
      await page.waitForURL('**/feed');
      expect(await navLinks(page)).toEqual(['Feed']);
      await signOut(page);
    } finally {
      await context.close();
    }
  });

  it('shows the seller center with the demo shop to the demo seller', async () => {
    const { context, page } = await newPage(e2e);
    try {
      await signIn(page, 'seller@demo.loopshop.dev');
      await page.waitForURL('**/feed');
      expect(await navLinks(page)).toEqual(['Feed', 'Seller center']);
      await page.getByRole('link', { name: 'Seller center' }).click();
      await page.waitForURL('**/seller');
      const shop = page.getByTestId('shop-card');
      await shop.getByRole('heading', { name: 'Demo Outdoor Co.' }).waitFor();
      const text = (await shop.textContent()) ?? '';
      expect(text).toContain('United States');
      expect(text).toContain('US Dollar (USD)');
      expect(text).toContain('Self-fulfilled');
      expect(text).toContain('Shop time zone');
      expect(await page.getByTestId('shop-timezone').textContent()).toBe('America/Los_Angeles');
      expect(text).toMatch(/P[SD]T/); // the local time there is labelled with its zone
      await page.getByTestId('seller-orders-empty').getByText('No orders yet').waitFor();
      await shot(page, 'seller-center');
      // Not a creator, not an operator.
      await page.goto('/operator');
      await page.waitForURL('**/feed');
      await signOut(page);
    } finally {
      await context.close();
    }
  });

  it('shows the creator center to the demo creator', async () => {
    const { context, page } = await newPage(e2e);
    try {
      await signIn(page, 'creator@demo.loopshop.dev');
      await page.waitForURL('**/feed');
      expect(await navLinks(page)).toEqual(['Feed', 'Creator center']);
      await page.getByRole('link', { name: 'Creator center' }).click();
      // The demo creator's videos (seeded as processing, then rendered by jobs).
      await page.getByTestId('creator-videos').getByTestId('video-row').first().waitFor();
      await page.getByTestId('creator-earnings-empty').getByText('No earnings yet').waitFor();
      await shot(page, 'creator-center');
    } finally {
      await context.close();
    }
  });

  it("tells a creator whose commission is still on its way that nothing is settled yet, with the amount", async () => {
    const { call, tokenOf, placeOrder } = apiClient(() => e2e.url);
    const [buyer, seller, creator] = [await tokenOf('buyer@demo.loopshop.dev'), await tokenOf('seller@demo.loopshop.dev'), await tokenOf('creator@demo.loopshop.dev')];
    // A demo video with a product of the demo seller's shop (the demo clips may still be rendering).
    type FeedVideo = { id: string; creator: { id: string }; anchors: { type: string; product?: { id: string; shop_id: string; available: number } }[] };
    const shopId = (await call<{ user: { shops: { id: string }[] } }>(seller, 'GET', '/v1/me')).user.shops[0]!.id;
    let pick: { video: string; product: string } | undefined;
    for (const deadline = Date.now() + 120_000; !pick && Date.now() < deadline; await new Promise((r) => setTimeout(r, 1000))) {
      for (const v of (await call<{ data: FeedVideo[] }>(null, 'GET', '/v1/feed?limit=50')).data) {
        const anchor = v.anchors.find((a) => a.product && a.product.shop_id === shopId && a.product.available > 0);
        if (anchor && !pick) pick = { video: v.id, product: anchor.product!.id };
      }
    }
    expect(pick, 'a demo video with a product of the demo shop').toBeDefined();
    await placeOrder(buyer, seller, '94105', { productId: pick!.product, source: { video_id: pick!.video } });
    const earnings = await call<{ pending: { amount: number; currency: string }; lines: { data: unknown[] } }>(creator, 'GET', '/v1/creators/me/earnings');
    expect(earnings.pending.amount).toBeGreaterThan(0);
    expect(earnings.lines.data).toEqual([]);

    const { context, page } = await newPage(e2e);
    try {
      await signIn(page, 'creator@demo.loopshop.dev');
      await page.waitForURL('**/feed');
      await page.goto('/creator');
      const panel = page.getByTestId('creator-earnings');
      // Not "No earnings yet" beside a pending amount: what is coming, and that it shows up once settled.
      const state = panel.getByTestId('creator-earnings-pending-only');
      await state.getByText('Nothing settled yet').waitFor();
      expect(await state.textContent()).toContain(formatMoney(earnings.pending, 'en'));
      expect(await panel.getByTestId('creator-earnings-empty').count()).toBe(0);
      expect(await panel.getByTestId('creator-pending').textContent()).toBe(formatMoney(earnings.pending, 'en'));
      await shot(page, 'creator-earnings-pending');
    } finally {
      await context.close();
    }
  });

  it('shows the ledger status in the operator console', async () => {
    const { context, page } = await newPage(e2e);
    try {
      await page.setViewportSize({ width: 1366, height: 768 });
      await signIn(page, 'operator@demo.loopshop.dev');
      await page.waitForURL('**/feed');
      expect(await navLinks(page)).toEqual(['Feed', 'Operator console']);
      // At 1,366 px the top bar is one row: the areas side by side, not "Operator console" under "Feed".
      const tops = await page.locator('.topbar .nav__link').evaluateAll((links) => links.map((l) => Math.round(l.getBoundingClientRect().top)));
      expect(new Set(tops).size, `nav link tops ${tops.join(', ')}`).toBe(1);
      expect((await page.locator('.topbar').boundingBox())!.height).toBeLessThan(70);
      await page.getByRole('link', { name: 'Operator console' }).click();
      await page.waitForURL('**/operator');
      await page.getByTestId('overview-figures').waitFor();
      await openSection(page, 'Operator console sections', 'Ledger');
      await page.waitForURL('**/operator/ledger');
      const ledger = page.getByTestId('ledger-status');
      await ledger.getByText('Balanced', { exact: true }).waitFor();
      const text = (await ledger.textContent()) ?? '';
      expect(text).toContain('Journal entries');
      expect(text).toContain('Accounts');
      expect(text).toContain('No problems found');
      await shot(page, 'operator-console');
      await signOut(page);
    } finally {
      await context.close();
    }
  });
});
