import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPage, shot, signIn, startE2E, type E2E, openSection } from './support.js';

/**
 * Issue 6, closing the loop (browser): the demo seller imports a small Shopify export and follows
 * its progress to the per-row report, replaces an external store link whose URL ends with an
 * imported handle by that product, then the operator schedules, cancels and runs the market's
 * cut-over and reads its report; the seller finds the cut-over notification.
 */
const SELLER = 'seller@demo.loopshop.dev';
const OPERATOR = 'operator@demo.loopshop.dev';
const CSV = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'shopify-small.csv'));

describe('closing the loop: import, replace links, cut-over (browser)', () => {
  let e2e: E2E;
  let seller: { page: Page; close(): Promise<void> };

  beforeAll(async () => {
    e2e = await startE2E();
    const { context, page } = await newPage(e2e);
    seller = { page, close: () => context.close() };
    await signIn(page, SELLER);
    await page.waitForURL('**/feed');
  }, 240_000); // a slow start on a loaded machine; the steps themselves take seconds
  afterAll(async () => {
    await seller?.close();
    await e2e?.close();
  }, 120_000);

  it('the seller imports a Shopify export: progress to done, then the per-row report', async () => {
    const { page } = seller;
    await page.goto('/seller/imports');
    await page.getByTestId('imports-empty').waitFor();
    // Nothing chosen: nothing sent.
    await page.getByTestId('import-submit').click();
    await page.getByText('Choose a CSV file first.').waitFor();
    await page.getByLabel('Shopify product export (CSV)').setInputFiles({ name: 'products_export_1.csv', mimeType: 'text/csv', buffer: CSV });
    await page.getByTestId('import-submit').click();
    await page.waitForURL(/\/seller\/imports\/imp_/);
    const detail = page.getByTestId('import-detail');
    await page.locator('[data-testid="import-detail"][data-status="done"]').waitFor({ timeout: 30_000 });
    expect(await detail.getByTestId('import-rows').textContent()).toBe('7 of 7 rows');
    expect(await page.getByTestId('import-progress').getAttribute('value')).toBe('7');
    expect(await detail.getByTestId('products-created').textContent()).toBe('3');
    expect(await detail.getByTestId('rows-skipped').textContent()).toBe('2');
    const lines = page.getByTestId('report-line');
    expect(await lines.count()).toBe(3);
    expect(await lines.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-reason')))).toEqual(['bad_price', 'no_variants', 'missing_handle']);
    await page.getByText('The price is not a valid amount.').waitFor();
    await shot(page, 'closing-import-report');

    // The drafts are in the product list; the import is listed.
    await page.getByTestId('drafts-link').click();
    await page.waitForURL('**/seller/products');
    await page.getByTestId('seller-products').getByText('Summit Jacket').waitFor();
    await page.goto('/seller/imports');
    await page.getByTestId('import-row').getByText('products_export_1.csv').waitFor();
  });

  it('the anchor replacement page proposes the imported product for a store link and applies it', async () => {
    const { page } = seller;
    // Two store links on the seller's showcase, created through the API: one names an imported handle.
    const res = await page.request.put('/v1/creators/me/showcase-links', {
      headers: { 'x-requested-with': 'loopshop' },
      data: { links: [{ url: 'https://demo-outdoor.example.com/products/Summit-Jacket?variant=42', title: 'Jacket in our store' }, { url: 'https://demo-outdoor.example.com/', title: 'Our store' }] },
    });
    expect(res.status(), await res.text()).toBe(200);

    await page.goto('/seller/anchors');
    const proposals = page.getByTestId('anchor-proposal');
    await proposals.first().waitFor();
    expect(await proposals.count()).toBe(2);
    const jacket = proposals.filter({ has: page.getByText('Jacket in our store', { exact: true }) });
    await jacket.getByText('Proposed: “Summit Jacket”, imported with handle summit-jacket.').waitFor();
    expect(await jacket.getByTestId('anchor-pick').locator('option:checked').textContent()).toBe('Summit Jacket (draft)');
    const store = proposals.filter({ has: page.getByText('https://demo-outdoor.example.com/', { exact: true }) });
    expect(await store.getByTestId('anchor-pick').inputValue()).toBe('');
    await shot(page, 'closing-anchor-proposals');

    await page.getByRole('button', { name: 'Apply 1 replacement' }).click();
    await page.getByTestId('anchors-applied').getByText('1 link replaced').waitFor();
    await page.getByTestId('replaced-anchor').getByText('Replaced by “Summit Jacket”').waitFor();
    expect(await page.getByTestId('anchor-proposal').count()).toBe(1);
    await shot(page, 'closing-anchor-replaced');
  });

  it('the operator schedules, cancels and runs the cut-over, and reads its report; the seller is notified', async () => {
    const { context, page } = await newPage(e2e);
    try {
      await signIn(page, OPERATOR);
      await page.waitForURL('**/feed');
      await page.goto('/operator');
      await openSection(page, 'Operator console sections', 'Link policy');
      await page.waitForURL('**/operator/link-policy');
      const us = page.locator('[data-testid="link-policy"][data-market="US"]');
      await us.getByTestId('link-policy-details').waitFor();
      expect(await us.getByTestId('link-policy-mode').textContent()).toBe('Semi-closed');

      // A time in the past is refused before anything is sent.
      await us.getByTestId('cutover-input').fill('2020-01-01T10:00');
      await us.getByTestId('schedule-cutover').click();
      await us.getByText('Choose a time in the future.').waitFor();

      const at = new Date(Date.now() + 3 * 86_400_000);
      const local = `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}-${String(at.getDate()).padStart(2, '0')}T09:30`;
      await us.getByTestId('cutover-input').fill(local);
      await us.getByTestId('schedule-cutover').click();
      await us.getByTestId('cancel-cutover').waitFor();
      expect(await us.getByTestId('cutover-at').textContent()).not.toBe('None');
      await page.getByTestId('toast').getByText('Cut-over scheduled for United States').waitFor();
      await shot(page, 'closing-cutover-scheduled');

      await us.getByTestId('cancel-cutover').click();
      await us.locator('[data-testid="cutover-at"]', { hasText: 'None' }).waitFor();

      await us.getByRole('button', { name: 'Close now…' }).click();
      await us.getByTestId('confirm-close-now').click();
      await us.locator('[data-testid="link-policy-mode"]', { hasText: 'Closed' }).waitFor();
      const report = us.getByTestId('cutover-report');
      await report.waitFor();
      const stat = async (label: string) => report.locator('.stats div', { hasText: label }).locator('dd').textContent();
      expect(await stat('Store links retired')).toBe('1');
      expect(await stat('Owners notified')).toBe('1');
      await report.getByRole('cell', { name: 'Demo Seller' }).waitFor();
      await shot(page, 'closing-cutover-report');
    } finally {
      await context.close();
    }

    // The seller: an unread notification listing the store link turned off, with the way to replace it.
    const { page: sp } = seller;
    await sp.goto('/feed');
    await sp.getByTestId('unread-count').getByText('1').waitFor();
    await sp.getByTestId('notifications-link').click();
    await sp.waitForURL('**/notifications');
    const notice = sp.locator('[data-testid="notification"][data-type="links.cutover"]');
    await notice.getByText('External links are off in United States').waitFor();
    await notice.getByTestId('anchors-off').getByText('https://demo-outdoor.example.com/').waitFor();
    expect(await notice.getAttribute('data-unread')).toBe('true');
    await shot(sp, 'closing-notification');
    await notice.getByTestId('mark-read').click();
    await sp.locator('[data-testid="notification"][data-unread="false"]').waitFor();
    await sp.getByTestId('unread-count').waitFor({ state: 'detached' });
    await notice.getByTestId('replace-anchors-link').click();
    await sp.waitForURL('**/seller/anchors');
    await sp.getByTestId('anchor-proposal').filter({ hasText: 'Turned off' }).waitFor();
  });
});
