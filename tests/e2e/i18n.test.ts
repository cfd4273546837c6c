import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPage, shot, signIn, signOut, startE2E, type E2E } from './support.js';

/** Issue 9: English and Simplified Chinese, switchable, remembered on the account. */
describe('languages (browser)', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E();
  });
  afterAll(async () => {
    await e2e?.close();
  });

  const nav = (page: Page) => page.getByRole('navigation').first();
  const switchTo = (page: Page, locale: 'en' | 'zh-CN') => page.getByTestId('language-switcher').selectOption(locale);
  const htmlLang = (page: Page) => page.evaluate('document.documentElement.lang');

  it('follows the browser language until the user chooses', async () => {
    const { context, page } = await newPage(e2e, 'zh-CN');
    try {
      await page.goto('/sign-in');
      await page.getByRole('heading', { level: 1, name: '登录' }).waitFor();
      expect(await htmlLang(page)).toBe('zh-CN');
      await switchTo(page, 'en');
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      expect(await htmlLang(page)).toBe('en');
      // The explicit choice outlives a reload on this device.
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    } finally {
      await context.close();
    }
  });

  it('switches to 中文 and back; the choice is stored on the account and survives sign-out and sign-in', async () => {
    const { context, page } = await newPage(e2e, 'en-US');
    try {
      // An error message from the API, mapped from its code, in Chinese.
      await page.goto('/sign-in');
      await switchTo(page, 'zh-CN');
      await page.getByRole('heading', { level: 1, name: '登录' }).waitFor();
      await signIn(page, 'seller@demo.loopshop.dev', 'wrong-password');
      const error = page.getByTestId('form-error');
      await error.waitFor();
      expect(await error.textContent()).toBe('邮箱或密码不正确，请检查后重试。');
      await shot(page, 'sign-in-error-zh');
      await switchTo(page, 'en');
      await error.filter({ hasText: "That email and password don't match. Check them and try again." }).waitFor();
      await page.evaluate('localStorage.clear()');

      // Signed in (English), then switch to Chinese: navigation and the seller center.
      await signIn(page, 'seller@demo.loopshop.dev');
      await page.waitForURL('**/feed');
      await nav(page).getByRole('link', { name: 'Seller center' }).waitFor();
      expect(await nav(page).getByRole('link').allTextContents()).toEqual(['Feed', 'Seller center']);
      await switchTo(page, 'zh-CN');
      await nav(page).getByRole('link', { name: '卖家中心' }).waitFor();
      expect(await nav(page).getByRole('link').allTextContents()).toEqual(['推荐', '卖家中心']);
      expect(await htmlLang(page)).toBe('zh-CN');
      // The feed in Chinese: the demo videos' sound hint, or the empty state before they are ready.
      await page.getByText(/^(点按开启声音|还没有视频)$/).first().waitFor();
      await nav(page).getByRole('link', { name: '卖家中心' }).click();
      await page.getByRole('heading', { level: 1, name: '卖家中心' }).waitFor();
      const shop = (await page.getByTestId('shop-card').textContent()) ?? '';
      expect(shop).toContain('Demo Outdoor Co.');
      expect(shop).toContain('店铺时区');
      expect(shop).toContain('美国');
      expect(shop).toContain('美元 (USD)');
      expect(shop).toContain('自运营');
      await page.getByTestId('seller-orders-empty').getByText('还没有订单').waitFor();
      await shot(page, 'seller-center-zh');

      // And back to English.
      await switchTo(page, 'en');
      await page.getByRole('heading', { level: 1, name: 'Seller center' }).waitFor();
      expect(await htmlLang(page)).toBe('en');

      // Choose 中文 again, wait until the account has it, sign out.
      const saved = page.waitForResponse((r) => r.url().endsWith('/v1/me') && r.request().method() === 'PATCH');
      await switchTo(page, 'zh-CN');
      expect((await saved).status()).toBe(200);
      await page.getByRole('heading', { level: 1, name: '卖家中心' }).waitFor();
      await signOut(page);

      // Forget everything this device knew: the browser says English again.
      await page.evaluate('localStorage.clear()');
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      expect(await htmlLang(page)).toBe('en');

      // Signing in brings the account's language back.
      await signIn(page, 'seller@demo.loopshop.dev');
      await page.waitForURL('**/feed');
      await nav(page).getByRole('link', { name: '卖家中心' }).waitFor();
      expect(await htmlLang(page)).toBe('zh-CN');
      await shot(page, 'feed-zh');

      // Leave the demo account as we found it.
      const reset = page.waitForResponse((r) => r.url().endsWith('/v1/me') && r.request().method() === 'PATCH');
      await switchTo(page, 'en');
      await reset;
    } finally {
      await context.close();
    }
  });
});
