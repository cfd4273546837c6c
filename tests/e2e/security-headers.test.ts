import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPage, signIn, startE2E, type E2E } from './support.js';

/** Messages the browser logs when the Content-Security-Policy blocks something. */
function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) seen.push(m.text());
  });
  return seen;
}

describe('security headers in a real browser', () => {
  let e2e: E2E;
  beforeAll(async () => {
    e2e = await startE2E();
  });
  afterAll(() => e2e?.close());

  it('renders swagger-ui at /docs under the CSP', async () => {
    const { context, page } = await newPage(e2e);
    try {
      const violations = cspViolations(page);
      const res = await page.goto(`${e2e.url}/docs`);
      expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
      await page.locator('.swagger-ui .info .title').getByText('Loopshop API').waitFor();
      await page.locator('.opblock').first().waitFor();
      expect(violations).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('signs in through the web app (sending the CSRF header) and plays the feed under the CSP', async () => {
    const { context, page } = await newPage(e2e);
    try {
      const violations = cspViolations(page);
      const mutations: Array<{ url: string; csrf: string | undefined }> = [];
      page.on('request', (r) => {
        if (r.method() !== 'GET' && r.url().includes('/v1/')) mutations.push({ url: r.url(), csrf: r.headers()['x-requested-with'] });
      });
      await signIn(page, 'buyer@demo.loopshop.dev');
      await expect.poll(() => mutations.find((m) => m.url.endsWith('/v1/auth/sign-in'))?.csrf, { timeout: 10_000 }).toBe('loopshop');
      await page.waitForURL('**/feed');
      await page.getByTestId('feed-item').first().waitFor({ timeout: 30_000 });
      // Media from /media play under media-src 'self'.
      await page.waitForFunction(
        () => {
          type Video = { paused: boolean; currentTime: number };
          const v = (globalThis as unknown as { document: { querySelector(s: string): Video | null } }).document.querySelector('[data-testid="feed-item"] video');
          return !!v && !v.paused && v.currentTime > 0;
        },
        undefined,
        { timeout: 30_000 },
      );
      expect(violations).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
