import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE } from '../../platform/clock.js';
import { testApp, type TestApp } from '../../test/app.js';
import { createProduct } from '../catalog/index.js';
import { getStockLevels, releaseReservations, reserveStock } from './service.js';
import { stockKeeper } from './stock-keeper.js';

type Seller = Awaited<ReturnType<TestApp['seller']>>;

describe('inventory routes', () => {
  let t: TestApp;
  let s: Seller;
  let other: Seller;
  let buyer: Awaited<ReturnType<TestApp['account']>>;
  let skuId: string;

  beforeAll(async () => {
    t = await testApp();
    s = await t.seller({ shopName: 'Stock Shop' });
    other = await t.seller({ shopName: 'Other Shop' });
    buyer = await t.account();
    const p = await createProduct(t.db, t.clock, stockKeeper, s.shopId, { title: 'Headlamp', status: 'live', variants: [{ price: { amount: 1500, currency: 'USD' } }] });
    skuId = p.variants[0]!.sku_id;
  });
  afterAll(() => t.close());

  const address = { line1: '88 Harbor Rd', city: 'Oakland', region: 'CA', postal_code: '94607', country: 'US' };

  it('lists the default warehouse, adds warehouses, pages through them', async () => {
    const list = await t.app.inject({ method: 'GET', url: `/v1/shops/${s.shopId}/warehouses`, headers: s.auth });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({
      data: [{ id: expect.stringMatching(/^wh_/), shop_id: s.shopId, name: 'Default warehouse', address: null, is_default: true, created_at: expect.any(String) }],
      next_cursor: null,
    });
    const created = await t.app.inject({ method: 'POST', url: `/v1/shops/${s.shopId}/warehouses`, headers: s.auth, payload: { name: ' Oakland  DC ', address } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ shop_id: s.shopId, name: 'Oakland DC', address, is_default: false });
    const page1 = await t.app.inject({ method: 'GET', url: `/v1/shops/${s.shopId}/warehouses?limit=1`, headers: s.auth });
    expect(page1.json().data).toHaveLength(1);
    const page2 = await t.app.inject({ method: 'GET', url: `/v1/shops/${s.shopId}/warehouses?limit=1&cursor=${page1.json().next_cursor}`, headers: s.auth });
    expect(page2.json()).toEqual({ data: [created.json()], next_cursor: null });
    for (const payload of [{ name: 'X', address: { ...address, country: 'usa' } }, { name: 'X', address, default: true }, { name: '', address }]) {
      const bad = await t.app.inject({ method: 'POST', url: `/v1/shops/${s.shopId}/warehouses`, headers: s.auth, payload });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.code).toBe('validation_failed');
    }
  });

  it('sets and reads stock per warehouse; refuses to go below what is reserved', async () => {
    const [def, second] = (await t.app.inject({ method: 'GET', url: `/v1/shops/${s.shopId}/warehouses`, headers: s.auth })).json().data;
    const put = await t.app.inject({ method: 'PUT', url: `/v1/skus/${skuId}/stock`, headers: s.auth, payload: { warehouse_id: def.id, on_hand: 12 } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ sku_id: skuId, warehouse_id: def.id, on_hand: 12, reserved: 0, available: 12 });
    await t.app.inject({ method: 'PUT', url: `/v1/skus/${skuId}/stock`, headers: s.auth, payload: { warehouse_id: second.id, on_hand: 3 } });

    await t.db.transaction((tx) => reserveStock(tx, t.clock, 'chk_routes_1', [{ sku_id: skuId, quantity: 10 }], 15 * MINUTE));
    const below = await t.app.inject({ method: 'PUT', url: `/v1/skus/${skuId}/stock`, headers: s.auth, payload: { warehouse_id: def.id, on_hand: 9 } });
    expect(below.statusCode).toBe(409);
    expect(below.json().error).toMatchObject({ code: 'stock_below_reserved', details: { reserved: 10, requested: 9 } });
    const get = await t.app.inject({ method: 'GET', url: `/v1/skus/${skuId}/stock`, headers: s.auth });
    expect(get.statusCode).toBe(200);
    expect(get.json().data.map((r: { warehouse_id: string; on_hand: number; reserved: number; available: number }) => [r.warehouse_id, r.on_hand, r.reserved, r.available])).toEqual(
      [
        [def.id, 12, 10, 2],
        [second.id, 3, 0, 3],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    const pub = (await t.app.inject({ method: 'GET', url: `/v1/products?shop_id=${s.shopId}` })).json();
    expect(pub.data[0].available).toBe(5);
    await releaseReservations(t.db, t.clock, 'chk_routes_1');
    const bad = await t.app.inject({ method: 'PUT', url: `/v1/skus/${skuId}/stock`, headers: s.auth, payload: { warehouse_id: def.id, on_hand: -1 } });
    expect(bad.statusCode).toBe(400);
    const extra = await t.app.inject({ method: 'PUT', url: `/v1/skus/${skuId}/stock`, headers: s.auth, payload: { warehouse_id: def.id, on_hand: 1, reserved: 0 } });
    expect(extra.statusCode).toBe(400);
  });

  it('answers 404 for another shop’s SKUs, warehouses and shops, and to buyers', async () => {
    const [mine] = (await t.app.inject({ method: 'GET', url: `/v1/shops/${s.shopId}/warehouses`, headers: s.auth })).json().data;
    const [theirs] = (await t.app.inject({ method: 'GET', url: `/v1/shops/${other.shopId}/warehouses`, headers: other.auth })).json().data;
    const before = await getStockLevels(t.db, skuId);
    for (const auth of [other.auth, buyer.auth]) {
      const requests = [
        { method: 'PUT' as const, url: `/v1/skus/${skuId}/stock`, payload: { warehouse_id: mine.id, on_hand: 999 } },
        { method: 'PUT' as const, url: `/v1/skus/${skuId}/stock`, payload: { warehouse_id: theirs.id, on_hand: 999 } },
        { method: 'GET' as const, url: `/v1/skus/${skuId}/stock` },
        { method: 'GET' as const, url: `/v1/shops/${s.shopId}/warehouses` },
        { method: 'POST' as const, url: `/v1/shops/${s.shopId}/warehouses`, payload: { name: 'Intruder', address } },
      ];
      for (const r of requests) {
        const res = await t.app.inject({ ...r, headers: auth });
        expect({ url: r.url, status: res.statusCode, code: res.json().error?.code }).toEqual({ url: r.url, status: 404, code: 'not_found' });
      }
    }
    // The owner cannot put its SKU's stock into another shop's warehouse.
    const cross = await t.app.inject({ method: 'PUT', url: `/v1/skus/${skuId}/stock`, headers: s.auth, payload: { warehouse_id: theirs.id, on_hand: 1 } });
    expect(cross.statusCode).toBe(404);
    const missing = await t.app.inject({ method: 'GET', url: '/v1/skus/sku_00000000000000000000000000/stock', headers: s.auth });
    expect(missing.statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/v1/skus/${skuId}/stock` })).statusCode).toBe(401);
    expect(await getStockLevels(t.db, skuId)).toEqual(before);
    const list = (await t.app.inject({ method: 'GET', url: `/v1/shops/${s.shopId}/warehouses`, headers: s.auth })).json();
    expect(list.data.map((w: { name: string }) => w.name)).not.toContain('Intruder');
  });
});
