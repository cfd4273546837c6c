import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../test/app.js';
import { updateProduct } from '../catalog/index.js';
import { addToCart, shopWithProduct, videoAnchoring } from '../orders/index.js';
import { stockKeeper } from '../inventory/index.js';

describe('cart routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(() => t.close());

  const req = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, auth?: { authorization: string }, payload?: object) =>
    t.app.inject({ method, url, ...(auth ? { headers: auth } : {}), ...(payload ? { payload } : {}) });
  const err = (res: Awaited<ReturnType<typeof req>>) => [res.statusCode, res.json().error.code];

  it('adds, raises, sets and removes lines; prices come from the catalog', async () => {
    const s = await shopWithProduct(t, { name: 'Cart Shop', shippingFee: 500, variants: [{ price: 1234, onHand: 10 }, { price: 99, onHand: 3 }] });
    const buyer = await t.account();
    const empty = (await req('GET', '/v1/cart', buyer.auth)).json();
    expect(empty).toEqual({ currency: 'USD', shops: [], subtotal: { amount: 0, currency: 'USD' }, shipping: { amount: 0, currency: 'USD' }, tax: { amount: 0, currency: 'USD' }, total: { amount: 0, currency: 'USD' } });

    // A client-sent creator id is ignored (issue 14): the line is not attributed.
    let cart = await addToCart(t, buyer.auth, s.skuIds[0]!, 2, { creator_id: buyer.id });
    expect(cart.shops[0]).toMatchObject({
      shop: { id: s.shopId, name: 'Cart Shop' },
      subtotal: { amount: 2468 },
      shipping_fee: { amount: 500 },
      total: { amount: 2968 },
    });
    expect(cart.shops[0].items[0]).toMatchObject({
      sku_id: s.skuIds[0],
      product_id: s.productId,
      title: 'Cart Shop product',
      option_values: ['S0'],
      quantity: 2,
      unit_price: { amount: 1234, currency: 'USD' },
      line_total: { amount: 2468, currency: 'USD' },
      available: 10,
      sellable: true,
      source: {},
    });
    // Adding the same SKU again raises the line (one line per SKU); a new source replaces the old,
    // as the server verified it: the video's creator, and when the buyer clicked.
    const creator = await t.account({ name: 'Cart Creator' });
    const video = await videoAnchoring(t, creator.id, [s.productId]);
    cart = await addToCart(t, buyer.auth, s.skuIds[0]!, 3, { video_id: video });
    expect(cart.shops[0].items).toHaveLength(1);
    expect(cart.shops[0].items[0]).toMatchObject({ quantity: 5, source: { video_id: video, creator_id: creator.id, clicked_at: t.clock.now().toISOString() } });
    cart = await addToCart(t, buyer.auth, s.skuIds[1]!, 1);
    expect(cart.total).toEqual({ amount: 5 * 1234 + 99 + 500, currency: 'USD' });

    const line = cart.shops[0].items.find((i: { sku_id: string }) => i.sku_id === s.skuIds[1]);
    const patched = await req('PATCH', `/v1/cart/items/${line.id}`, buyer.auth, { quantity: 3 });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().subtotal.amount).toBe(5 * 1234 + 3 * 99);
    expect(err(await req('PATCH', `/v1/cart/items/${line.id}`, buyer.auth, { quantity: 4 }))).toEqual([409, 'out_of_stock']);
    expect(err(await req('PATCH', `/v1/cart/items/${line.id}`, buyer.auth, { quantity: 0 }))).toEqual([400, 'validation_failed']);
    expect(err(await req('PATCH', `/v1/cart/items/${line.id}`, buyer.auth, { quantity: 2, price: 1 }))).toEqual([400, 'validation_failed']);

    expect((await req('DELETE', `/v1/cart/items/${line.id}`, buyer.auth)).statusCode).toBe(204);
    expect(err(await req('DELETE', `/v1/cart/items/${line.id}`, buyer.auth))).toEqual([404, 'not_found']);
    expect((await req('GET', '/v1/cart', buyer.auth)).json().shops[0].items).toHaveLength(1);
  });

  it('refuses unknown, unlisted, out-of-stock, over-limit and other-currency items, and price fields', async () => {
    const s = await shopWithProduct(t, { variants: [{ price: 1000, onHand: 200 }, { price: 1000, onHand: 2 }] });
    const draft = await shopWithProduct(t, { status: 'draft', variants: [{ price: 1000, onHand: 5 }] });
    const gbp = await shopWithProduct(t, { market: 'GB', currency: 'GBP', variants: [{ price: 1000, onHand: 5 }] });
    const buyer = await t.account();
    const add = (sku_id: string, quantity: number, extra: object = {}) => req('POST', '/v1/cart/items', buyer.auth, { sku_id, quantity, ...extra });

    expect(err(await add(`sku_${'9'.repeat(26)}`, 1))).toEqual([404, 'not_found']);
    expect(err(await add(draft.skuIds[0]!, 1))).toEqual([409, 'sku_unavailable']);
    const short = await add(s.skuIds[1]!, 3);
    expect(short.statusCode).toBe(409);
    expect(short.json().error).toMatchObject({ code: 'out_of_stock', details: { sku_id: s.skuIds[1], requested: 3, available: 2 } });
    expect(err(await add(s.skuIds[0]!, 100))).toEqual([400, 'validation_failed']);
    expect((await add(s.skuIds[0]!, 60)).statusCode).toBe(201);
    expect(err(await add(s.skuIds[0]!, 40))).toEqual([409, 'quantity_limit']);
    const mismatch = await add(gbp.skuIds[0]!, 1);
    expect(mismatch.statusCode).toBe(409);
    expect(mismatch.json().error).toMatchObject({ code: 'currency_mismatch', details: { cart_currency: 'USD', item_currency: 'GBP' } });
    expect(err(await add(s.skuIds[1]!, 1, { price: { amount: 1, currency: 'USD' } }))).toEqual([400, 'validation_failed']);
    expect(err(await add(s.skuIds[1]!, 1, { source: { video_id: 'not-an-id' } }))).toEqual([400, 'validation_failed']);
    expect(err(await add(s.skuIds[1]!, 1, { source: { campaign: 'x' } }))).toEqual([400, 'validation_failed']);
    expect(err(await req('POST', '/v1/cart/items', undefined, { sku_id: s.skuIds[1], quantity: 1 }))).toEqual([401, 'unauthorized']);
    expect(err(await req('GET', '/v1/cart'))).toEqual([401, 'unauthorized']);
    // Nothing of the refused requests was written.
    const cart = (await req('GET', '/v1/cart', buyer.auth)).json();
    expect(cart.shops.flatMap((g: { items: Array<{ sku_id: string; quantity: number }> }) => g.items.map((i) => [i.sku_id, i.quantity]))).toEqual([[s.skuIds[0], 60]]);
  });

  it('shows lines that stopped being sellable without counting them', async () => {
    const s = await shopWithProduct(t, { variants: [{ price: 1000, onHand: 5 }] });
    const buyer = await t.account();
    await addToCart(t, buyer.auth, s.skuIds[0]!, 1);
    await updateProduct(t.db, t.clock, stockKeeper, s.productId, { status: 'draft' });
    const cart = (await req('GET', '/v1/cart', buyer.auth)).json();
    expect(cart.shops[0].items[0]).toMatchObject({ sku_id: s.skuIds[0], sellable: false });
    expect(cart.subtotal.amount).toBe(0);
  });

  it("another buyer's cart line answers 404 to PATCH and DELETE and stays untouched", async () => {
    const s = await shopWithProduct(t, { variants: [{ price: 1000, onHand: 5 }] });
    const owner = await t.account();
    const other = await t.account();
    const cart = await addToCart(t, owner.auth, s.skuIds[0]!, 1);
    const id = cart.shops[0].items[0].id;
    expect(err(await req('PATCH', `/v1/cart/items/${id}`, other.auth, { quantity: 2 }))).toEqual([404, 'not_found']);
    expect(err(await req('DELETE', `/v1/cart/items/${id}`, other.auth))).toEqual([404, 'not_found']);
    expect(err(await req('DELETE', `/v1/cart/items/${id}`, s.owner.auth))).toEqual([404, 'not_found']);
    expect((await req('GET', '/v1/cart', owner.auth)).json().shops[0].items[0]).toMatchObject({ id, quantity: 1 });
    expect((await req('GET', '/v1/cart', other.auth)).json().shops).toEqual([]);
  });
});
