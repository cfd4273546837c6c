import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPage, shot, signIn, startE2E, type E2E } from './support.js';

/**
 * Live selling, acceptance: the demo creator schedules a live, goes live (attestation) and pins a
 * product; the demo buyer opens the room from the list of lives, buys the pinned product through
 * checkout, and sees its stock drop in the room; the creator's console shows the viewer and the
 * stock change as they happen (SSE), without reloading.
 */
const EXPIRY = `12/${String((new Date().getFullYear() + 3) % 100).padStart(2, '0')}`;

describe('live selling (browser)', () => {
  let e2e: E2E;
  let streamUrl: string;

  beforeAll(async () => {
    e2e = await startE2E();
    // A demo clip to stream (rendered by jobs right after the server starts).
    const deadline = Date.now() + 100_000;
    for (;;) {
      const res = await fetch(`${e2e.url}/v1/feed?limit=1`);
      const body = (await res.json()) as { data?: Array<{ media_url: string | null }> };
      const url = body.data?.[0]?.media_url;
      if (res.ok && url) {
        streamUrl = url;
        break;
      }
      if (Date.now() > deadline) throw new Error('no demo video became ready in time');
      await new Promise((r) => setTimeout(r, 500));
    }
  }, 150_000);
  afterAll(async () => {
    await e2e?.close();
  });

  it('the creator goes live and pins a product; a buyer in the room buys it and sees the stock drop', async () => {
    const creator = await newPage(e2e);
    const buyer = await newPage(e2e);
    try {
      // Creator: creator center → live console → schedule → go live → pin.
      const c = creator.page;
      await signIn(c, 'creator@demo.loopshop.dev');
      await c.waitForURL('**/feed');
      await c.goto('/creator');
      await c.getByTestId('creator-live-link').click();
      await c.waitForURL('**/creator/live**');
      const form = c.getByTestId('live-schedule-form');
      await form.getByLabel('Title').fill('Browser test live: lantern flash sale');
      await form.getByLabel('Stream URL').fill(streamUrl);
      await form.getByRole('button', { name: 'Schedule' }).click();
      const session = c.getByTestId('console-session');
      await session.getByRole('heading', { name: 'Browser test live: lantern flash sale' }).waitFor();
      expect(await session.getAttribute('data-status')).toBe('scheduled');
      const goLive = session.getByTestId('live-start-button');
      expect(await goLive.isDisabled()).toBe(true); // the attestation comes first
      await session.getByTestId('live-attestation').check();
      await goLive.click();
      await c.locator('[data-testid="console-session"][data-status="live"]').waitFor();

      const pin = session.getByTestId('live-pin');
      await pin.getByRole('searchbox').fill('Trail Lantern');
      await pin.getByRole('button', { name: 'Search' }).click();
      const row = pin.getByTestId('pick-product').filter({ hasText: 'Trail Lantern 300' });
      await row.getByRole('button', { name: 'Pin', exact: true }).click();
      await row.getByRole('button', { name: 'Pinned', exact: true }).waitFor();
      const consoleStock = session.getByTestId('console-stock');
      await consoleStock.waitFor();
      await shot(c, 'live-console');
      // On a phone the console fits the screen: the Pin buttons inside their panel, the header's
      // "Creator center" whole under the title.
      await c.setViewportSize({ width: 390, height: 844 });
      await pin.getByRole('searchbox').fill('');
      await pin.getByRole('button', { name: 'Search' }).click();
      await pin.getByTestId('pick-product').nth(1).waitFor();
      expect(await c.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      const back = (await c.locator('.page-header__actions .button').first().boundingBox())!;
      expect(back.height).toBeLessThan(50);
      await shot(c, 'live-console-phone');
      await c.setViewportSize({ width: 1280, height: 860 });
      const liveId = (await session.getByTestId('console-room-link').getAttribute('href'))!.split('/').pop()!;
      expect(liveId).toMatch(/^liv_[0-9a-z]{26}$/);

      // Buyer: the list of lives → the room.
      const b = buyer.page;
      await signIn(b, 'buyer@demo.loopshop.dev');
      await b.waitForURL('**/feed');
      await b.getByTestId('live-now-link').waitFor();
      await b.goto('/live');
      await b.getByTestId('live-list').getByTestId('live-card').filter({ hasText: 'Browser test live: lantern flash sale' }).click();
      await b.waitForURL(`**/live/${liveId}`);
      const room = b.getByTestId('live-room');
      await room.waitFor();
      expect(await room.getByTestId('live-status').textContent()).toBe('Live');
      await room.getByTestId('live-pinned-title').getByText('Trail Lantern 300').waitFor();
      const stock = room.getByTestId('live-stock');
      const before = Number(await stock.getAttribute('data-available'));
      expect(before).toBeGreaterThan(0);
      expect(await stock.textContent()).toBe(`${before} in stock`);
      expect(await b.locator('video.live-room__video').getAttribute('src')).toBe(streamUrl);
      // The creator sees the viewer arrive (SSE), without reloading; the console itself is not counted.
      await c.locator('[data-testid="console-viewers"][data-count="1"]').waitFor();
      await shot(b, 'live-room');

      // Buy → checkout → paid.
      await room.getByTestId('live-buy').click();
      await b.waitForURL('**/checkout');
      const checkout = b.getByTestId('checkout-form');
      await checkout.getByLabel('Address', { exact: true }).fill('1 Market St');
      await checkout.getByLabel('City').fill('San Francisco');
      await checkout.getByLabel('State / province').fill('CA');
      await checkout.getByLabel('ZIP / postal code').fill('94105');
      await checkout.getByLabel('Card number').fill('4242 4242 4242 4242');
      await checkout.getByLabel('Expiry (MM/YY)').fill(EXPIRY);
      await checkout.getByLabel('CVC').fill('123');
      const paid = b.waitForResponse((r) => r.url().endsWith('/v1/checkout') && r.request().method() === 'POST');
      await b.getByTestId('pay-button').click();
      const res = await paid;
      expect(res.status()).toBe(201);
      const body = (await res.json()) as { orders: Array<{ id: string }> };
      await b.getByTestId('order-confirmation').waitFor();

      // Attributed to the live session.
      const order = (await (await b.request.get(`/v1/orders/${body.orders[0]!.id}`)).json()) as { items: Array<{ source: { live_id?: string } }> };
      expect(order.items[0]!.source.live_id).toBe(liveId);

      // Back in the room: one fewer in stock, and the purchase in the feed of the room.
      await b.goto(`/live/${liveId}`);
      await b.locator(`[data-testid="live-stock"][data-available="${before - 1}"]`).waitFor();
      expect(await b.getByTestId('live-stock').textContent()).toBe(`${before - 1} in stock`);
      await b.getByTestId('live-purchases').getByText('D*** bought Trail Lantern 300 × 1').waitFor();
      await shot(b, 'live-room-after');
      // The console got the stock change over SSE while it stayed open.
      await consoleStock.locator(`li[data-available="${before - 1}"]`).waitFor();
      await c.getByText('D*** bought Trail Lantern 300 × 1').waitFor();

      // The creator ends the live; the room says so.
      await session.getByTestId('live-end').click();
      await session.getByTestId('live-end-confirm').waitFor(); // asked first
      await session.getByTestId('live-end-yes').click();
      await c.locator('[data-testid="console-session"][data-status="ended"]').waitFor();
      await b.getByTestId('live-ended').waitFor();
    } finally {
      await creator.context.close();
      await buyer.context.close();
    }
  });
});
