import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../app.js';
import { SystemClock } from '../../platform/clock.js';
import { loadConfig } from '../../platform/config.js';
import type { Database } from '../../platform/db.js';
import { freshDatabase } from '../../test/db.js';
import { createProduct } from '../catalog/index.js';
import { createSession, signUp } from '../identity/index.js';
import { stockKeeper } from '../inventory/index.js';
import { cardBody } from '../orders/index.js';
import { createShop } from '../sellers/index.js';

/**
 * The server's set-up on the real clock (why a demo parcel used to get no scan at all): the
 * sandbox carrier scans each label it issues by itself, at the configured pace, through the job
 * runner polling in real time — nobody calls `simulate`, nobody moves a clock.
 */
describe('sandbox carrier on the real clock', () => {
  const clock = new SystemClock();
  let database: Database;
  let app: Awaited<ReturnType<typeof createApp>>;

  beforeAll(async () => {
    database = await freshDatabase();
    // 20 ms per plan hour: `on_time` (delivered at hour 44) takes under a second.
    const config = loadConfig({ LOOPSHOP_SANDBOX_CARRIER_PACE: '0.02' }, { seedDemo: false, webDist: '/nonexistent' });
    app = await createApp({ database, clock, config });
    await app.ready();
    app.ctx.jobs.start(25);
  });
  afterAll(async () => {
    await app?.ctx.jobs.stop();
    await app?.close();
    await database?.close();
  });

  const account = async (name: string) => {
    const user = await signUp(database.db, clock, { email: `${name}-${Date.now()}@test.loopshop.dev`, password: 'correct horse battery', name, roles: ['buyer'] });
    const { token } = await createSession(database.db, clock, user.id, 1);
    return { id: user.id, auth: { authorization: `Bearer ${token}` } };
  };

  /** A seller with a live one-variant product (5 in stock) and a buyer; the product's SKU. */
  const sellerAndBuyer = async (prefix: string, shopName: string, title: string, amount: number) => {
    const [seller, buyer] = [await account(`seller${prefix}`), await account(`buyer${prefix}`)];
    const shop = await createShop(database.db, clock, { name: shopName, market: 'US', currency: 'USD', timezone: 'UTC', shippingFee: 0, ownerId: seller.id });
    const product = await createProduct(database.db, clock, stockKeeper, shop.id, {
      title,
      status: 'live',
      option_names: [],
      variants: [{ option_values: [], price: { amount, currency: 'USD' }, stock: { on_hand: 5 } }],
    });
    return { seller, buyer, skuId: product.variants[0]!.sku_id };
  };

  it('plays label → picked up → in transit → out for delivery → delivered by itself; the order is delivered', async () => {
    const { seller, buyer, skuId } = await sellerAndBuyer('', 'Real time', 'Parcel', 1500);
    const inject = (method: 'GET' | 'POST', url: string, auth: { authorization: string }, payload?: object) =>
      app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
    expect((await inject('POST', '/v1/cart/items', buyer.auth, { sku_id: skuId, quantity: 1 })).statusCode).toBe(201);
    const checkout = await inject('POST', '/v1/checkout', buyer.auth, cardBody());
    expect(checkout.statusCode, checkout.body).toBe(201);
    const orderId = checkout.json().orders[0].id as string;
    const shipped = await inject('POST', `/v1/orders/${orderId}/shipments`, seller.auth, { carrier: 'sandbox' });
    expect(shipped.statusCode, shipped.body).toBe(201);
    expect(shipped.json()).toMatchObject({ status: 'label_created', timeline: [] });

    const deadline = Date.now() + 20_000;
    let view = shipped.json() as { status: string; timeline: Array<{ status: string }> };
    while (view.status !== 'delivered' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      view = (await inject('GET', `/v1/shipments/${shipped.json().id}`, buyer.auth)).json();
    }
    expect(view.timeline.map((e) => e.status)).toEqual(['picked_up', 'in_transit', 'out_for_delivery', 'delivered']);
    expect(view.status).toBe('delivered');
    expect((await inject('GET', `/v1/orders/${orderId}`, buyer.auth)).json().status).toBe('delivered');
  });

  it('scans nothing for a tracking number the seller typed (the carrier never issued it)', async () => {
    const { seller, buyer, skuId } = await sellerAndBuyer('2', 'Typed', 'Typed parcel', 900);
    await app.inject({ method: 'POST', url: '/v1/cart/items', headers: buyer.auth, payload: { sku_id: skuId, quantity: 1 } });
    const orderId = (await app.inject({ method: 'POST', url: '/v1/checkout', headers: buyer.auth, payload: cardBody() })).json().orders[0].id as string;
    const shipped = await app.inject({ method: 'POST', url: `/v1/orders/${orderId}/shipments`, headers: seller.auth, payload: { carrier: 'sandbox', tracking_number: 'TYPED-123' } });
    expect(shipped.statusCode).toBe(201);
    await new Promise((r) => setTimeout(r, 1_500));
    const view = (await app.inject({ method: 'GET', url: `/v1/shipments/${shipped.json().id}`, headers: buyer.auth })).json();
    expect(view).toMatchObject({ status: 'label_created', timeline: [] });
  });
});
