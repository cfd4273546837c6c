import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig } from '../../src/platform/config.js';
import type { Clock } from '../../src/platform/clock.js';
import { startServer, type RunningServer } from '../../src/server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const WEB_DIST = path.join(ROOT, 'web', 'dist');
export const SHOTS_DIR = process.env.LOOPSHOP_SHOTS_DIR ?? path.join(os.tmpdir(), 'loopshop-shots');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const DEMO_PASSWORD = 'loopshop-demo';

export interface E2E {
  server: RunningServer;
  browser: Browser;
  url: string;
  close(): Promise<void>;
}

/**
 * A real server (embedded PGlite on a fresh temp dir, demo data seeded) serving the built web app,
 * and a headless Chromium. Expects `web/dist` (npm run build:web); builds nothing itself.
 * `clock`: the server's clock (default the system's); a `SettableClock` lets a test move time
 * with `POST /v1/admin/clock/advance`, which also runs the jobs that fall due.
 */
export async function startE2E(opts: { demoHistory?: boolean; clock?: Clock } = {}): Promise<E2E> {
  if (!existsSync(path.join(WEB_DIST, 'index.html'))) {
    throw new Error(`web/dist is missing: run \`npm run build:web\` before the browser tests (looked in ${WEB_DIST})`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (Debian: apt-get install chromium)`);
  mkdirSync(SHOTS_DIR, { recursive: true });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'loopshop-e2e-'));
  const config = loadConfig(process.env, {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    webDist: WEB_DIST,
    seedDemo: true,
    // The 90-day history costs tens of seconds per server on a busy machine; tests that read it opt in.
    demoHistory: opts.demoHistory ?? false,
    databaseUrl: undefined,
    signInRateLimit: { max: 1000, timeWindowMs: 60_000 },
    signInAddressRateLimit: { max: 1000, timeWindowMs: 60_000 },
    signUpRateLimit: { max: 1000, timeWindowMs: 60_000 },
    checkoutRateLimit: { max: 1000, timeWindowMs: 60_000 },
    eventsRateLimit: { max: 10_000, timeWindowMs: 60_000 },
  });
  const server = await startServer(config, { log: false, clock: opts.clock });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    });
  } catch (err) {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const b = browser;
  return {
    server,
    browser: b,
    url: server.url,
    async close() {
      await b.close().catch(() => {});
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh browser profile (own cookies and localStorage) whose browser language is `locale`. */
export async function newPage(e2e: E2E, locale = 'en-US'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await e2e.browser.newContext({ baseURL: e2e.url, locale, viewport: { width: 1280, height: 860 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  return { context, page };
}

/** A full-page screenshot of a state worth seeing; the page must not show any message twice then. */
export async function shot(page: Page, name: string): Promise<void> {
  await expectNoDoubledMessages(page);
  await page.screenshot({ path: path.join(SHOTS_DIR, `${name}.png`), fullPage: true });
}

/**
 * JSON calls to the API of the server at `url()` as the holder of `token` (null or '': signed
 * out); a FormData body goes as multipart. Writes carry a fresh Idempotency-Key. An answer that is
 * not 2xx throws with its status and body.
 */
export function apiClient(url: () => string) {
  const call = async <T>(token: string | null, method: string, path: string, body?: unknown): Promise<T> => {
    const form = body instanceof FormData;
    const res = await fetch(`${url()}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'idempotency-key': crypto.randomUUID(), ...(form ? {} : { 'content-type': 'application/json' }) }),
      },
      body: body === undefined ? undefined : form ? body : JSON.stringify(body),
    });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const tokenOf = async (email: string, password = DEMO_PASSWORD) => (await call<{ token: string }>(null, 'POST', '/v1/auth/sign-in', { email, password })).token;
  /**
   * The buyer buys one in-stock item of the seller's first shop (or of `opts.productId`, found
   * through `opts.source`) with the sandbox card: the paid order's id.
   */
  const placeOrder = async (buyer: string, seller: string, postalCode = '94105', opts: { productId?: string; source?: { video_id?: string; live_id?: string } } = {}): Promise<string> => {
    let productId = opts.productId;
    if (!productId) {
      const shopId = (await call<{ user: { shops: { id: string }[] } }>(seller, 'GET', '/v1/me')).user.shops[0]!.id;
      const products = await call<{ data: { id: string; available: number }[] }>(buyer, 'GET', `/v1/products?shop_id=${shopId}`);
      productId = products.data.find((p) => p.available > 0)!.id;
    }
    const product = await call<{ variants: { sku_id: string; available: number }[] }>(buyer, 'GET', `/v1/products/${productId}`);
    await call(buyer, 'POST', '/v1/cart/items', { sku_id: product.variants.find((v) => v.available > 0)!.sku_id, quantity: 1, ...(opts.source ? { source: opts.source } : {}) });
    const checkout = await call<{ orders: { id: string }[] }>(buyer, 'POST', '/v1/checkout', {
      shipping_address: { name: 'Demo Buyer', line1: '1 Market St', city: 'San Francisco', region: 'CA', postal_code: postalCode, country: 'US' },
      payment_method: { type: 'card', number: '4242424242424242', exp_month: 12, exp_year: new Date().getFullYear() + 3, cvc: '123' },
    });
    return checkout.orders[0]!.id;
  };
  return { call, tokenOf, placeOrder };
}

/**
 * Opens an area's section by its tab (`nav`: the tabs' accessible name), through the "More"
 * menu when the tab did not fit the row.
 */
export async function openSection(page: Page, nav: string, name: string): Promise<void> {
  const sections = page.getByRole('navigation', { name: nav });
  await sections.waitFor();
  const link = sections.getByRole('link', { name, exact: true });
  if ((await link.count()) === 0) await sections.getByTestId('tabs-more').click();
  await link.click();
}

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/sign-in');
  await page.getByTestId('sign-in-form').getByRole('textbox', { name: /email|邮箱/i }).fill(email);
  await page.getByTestId('sign-in-form').locator('input[name="password"]').fill(password);
  await page.getByTestId('sign-in-form').locator('button[type="submit"]').click();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByTestId('account-menu').click();
  await page.getByRole('menuitem').click();
  await page.waitForURL('**/sign-in');
}

export const uniqueEmail = (tag: string) => `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}@example.test`;

/**
 * Fails when the page shows one message twice at once: the same text in two visible alerts,
 * statuses, error texts or toasts (an error under the field and again in a banner, a success
 * toast beside the same success line). A message inside another shown one counts once; loading spinners do not count.
 */
export async function expectNoDoubledMessages(page: Page): Promise<void> {
  const selector = '[role="alert"], [role="status"], .error-text, .toast';
  const texts = await page.locator(selector).evaluateAll((els, sel) =>
    els
      // Loading spinners are not messages: two panels may load at once.
      .filter((e) => !e.classList.contains('loading') && !e.parentElement?.closest(sel) && e.getClientRects().length > 0)
      .map((e) => (e.textContent ?? '').replace(/\s+/g, ' ').trim())
      .filter((t) => t.length > 0),
    selector,
  );
  const seen = new Set<string>();
  const doubled = texts.filter((t) => seen.has(t) || !seen.add(t));
  if (doubled.length > 0) throw new Error(`shown twice on ${page.url()}: ${doubled.join(' | ')}`);
}
