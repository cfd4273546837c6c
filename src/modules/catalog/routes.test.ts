import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../test/app.js';
import { createShop } from '../sellers/index.js';
import { products, skus } from './schema.js';
import { getProductsByIds, getSkusForCheckout, setProductStatus } from './service.js';
import { stockKeeper } from '../inventory/index.js';

type Seller = Awaited<ReturnType<TestApp['seller']>>;

const usd = (amount: number) => ({ amount, currency: 'USD' });

describe('catalog routes', () => {
  let t: TestApp;
  let s: Seller;
  let other: Seller;
  let buyer: Awaited<ReturnType<TestApp['account']>>;

  beforeAll(async () => {
    t = await testApp();
    s = await t.seller({ shopName: 'Demo Outdoor Co.' });
    other = await t.seller({ shopName: 'Other Shop' });
    buyer = await t.account();
  });
  afterAll(() => t.close());

  const create = (seller: Seller, payload: object, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: `/v1/shops/${seller.shopId}/products`, headers: { ...seller.auth, ...headers }, payload });
  const lantern = (over: object = {}) => ({
    title: 'Trail Lantern',
    description: 'Bright and light.',
    category: 'camping',
    option_names: ['Color'],
    status: 'live',
    variants: [
      { option_values: ['Red'], price: usd(2499), compare_at_price: usd(2999), code: `TL-RED-${Math.random().toString(36).slice(2, 8)}`, stock: { on_hand: 7 } },
      { option_values: ['Blue'], price: usd(2699) },
    ],
    ...over,
  });
  const counts = async () => ({
    products: (await t.db.select({ n: count() }).from(products))[0]!.n,
    skus: (await t.db.select({ n: count() }).from(skus))[0]!.n,
  });

  it('creates a product with variants and stock, stripping HTML and normalising whitespace', async () => {
    const res = await create(s, {
      ...lantern(),
      title: '  <b>Trail</b>   Lantern <script>alert(1)</script> ',
      description: '<p>Bright &amp; light.</p><p>Lasts   <i>all</i> night.</p><img src=x onerror="alert(1)">',
    });
    expect(res.statusCode).toBe(201);
    const p = res.json();
    expect(p).toMatchObject({
      id: expect.stringMatching(/^prd_/),
      shop_id: s.shopId,
      shop: { id: s.shopId, name: 'Demo Outdoor Co.' },
      title: 'Trail Lantern',
      description: 'Bright & light.\n\nLasts all night.',
      category: 'camping',
      affiliate_rate_bps: 0,
      status: 'live',
      images: [],
      option_names: ['Color'],
      price_range: { min: usd(2499), max: usd(2699) },
      available: 7,
      created_at: '2026-03-02T09:00:00.000Z',
    });
    expect(p.variants).toEqual([
      expect.objectContaining({ sku_id: expect.stringMatching(/^sku_/), option_values: ['Red'], price: usd(2499), compare_at_price: usd(2999), available: 7, status: 'active' }),
      expect.objectContaining({ option_values: ['Blue'], price: usd(2699), compare_at_price: null, code: null, available: 0 }),
    ]);
    const pub = await t.app.inject({ method: 'GET', url: `/v1/products/${p.id}` });
    expect(pub.statusCode).toBe(200);
    // The public page also carries the buyers' rating (reviews).
    expect(pub.json()).toEqual({ ...p, rating: { average: null, count: 0 } });
  });

  it('accepts Idempotency-Key: a retried create makes one product', async () => {
    const before = await counts();
    const body = lantern({ title: 'Idempotent Stove', variants: [{ price: usd(5000) }], option_names: [] });
    const a = await create(s, body, { 'idempotency-key': 'create-stove-1' });
    const b = await create(s, body, { 'idempotency-key': 'create-stove-1' });
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(b.json().id).toBe(a.json().id);
    expect(await counts()).toEqual({ products: before.products + 1, skus: before.skus + 1 });
  });

  it('refuses bad input with stable codes and writes nothing', async () => {
    const before = await counts();
    const cases: Array<{ body: object; status: number; code: string }> = [
      { body: lantern({ shop_id: other.shopId }), status: 400, code: 'validation_failed' },
      { body: lantern({ currency: 'EUR' }), status: 400, code: 'validation_failed' },
      { body: lantern({ variants: [{ price: usd(100), surprise: 1 }] }), status: 400, code: 'validation_failed' },
      { body: lantern({ title: '<b> </b>' }), status: 400, code: 'validation_failed' },
      { body: lantern({ title: 'x'.repeat(201) }), status: 400, code: 'validation_failed' },
      { body: lantern({ description: 'y'.repeat(5001) }), status: 400, code: 'validation_failed' },
      { body: lantern({ category: 'Not A Slug!' }), status: 400, code: 'validation_failed' },
      { body: lantern({ images: ['javascript:alert(1)'] }), status: 400, code: 'validation_failed' },
      { body: lantern({ variants: [] }), status: 400, code: 'validation_failed' },
      { body: lantern({ variants: [{ option_values: ['Red'], price: { amount: '2499', currency: 'USD' } }] }), status: 400, code: 'validation_failed' },
      { body: lantern({ variants: [{ option_values: ['Red'], price: usd(24.99) }] }), status: 400, code: 'validation_failed' },
      { body: lantern({ variants: [{ option_values: ['Red'], price: usd(0) }] }), status: 400, code: 'invalid_price' },
      { body: lantern({ variants: [{ option_values: ['Red'], price: usd(100_000_001) }] }), status: 400, code: 'invalid_price' },
      { body: lantern({ variants: [{ option_values: ['Red'], price: { amount: 2499, currency: 'EUR' } }] }), status: 400, code: 'currency_mismatch' },
      { body: lantern({ variants: [{ option_values: ['Red'], price: usd(2499), compare_at_price: usd(2000) }] }), status: 400, code: 'invalid_compare_at_price' },
      { body: lantern({ variants: [{ option_values: ['Red', 'L'], price: usd(2499) }] }), status: 400, code: 'validation_failed' },
      { body: lantern({ variants: [{ option_values: ['Red'], price: usd(1) }, { option_values: ['red'], price: usd(2) }] }), status: 400, code: 'validation_failed' },
      { body: lantern({ variants: [{ option_values: ['Red'], price: usd(1), code: 'DUP' }, { option_values: ['Blue'], price: usd(2), code: 'DUP' }] }), status: 409, code: 'sku_code_taken' },
      { body: lantern({ variants: [{ option_values: ['Red'], price: usd(1), stock: { on_hand: -1 } }] }), status: 400, code: 'validation_failed' },
      { body: lantern({ variants: [{ option_values: ['Red'], price: usd(1), stock: { on_hand: 1, warehouse_id: 'wh_00000000000000000000000000' } }] }), status: 404, code: 'not_found' },
      { body: lantern({ status: 'suspended' }), status: 400, code: 'validation_failed' },
      { body: lantern({ affiliate_rate_bps: 5001 }), status: 400, code: 'validation_failed' },
      { body: lantern({ affiliate_rate_bps: -1 }), status: 400, code: 'validation_failed' },
      { body: lantern({ affiliate_rate_bps: 12.5 }), status: 400, code: 'validation_failed' },
    ];
    for (const c of cases) {
      const res = await create(s, c.body);
      expect({ body: c.body, status: res.statusCode, code: res.json().error?.code }).toEqual({ body: c.body, status: c.status, code: c.code });
    }
    expect(await counts()).toEqual(before);
  });

  it('keeps SKU codes unique per shop', async () => {
    const first = await create(s, lantern({ title: 'Coded', option_names: [], variants: [{ price: usd(100), code: 'UNIQ-1' }] }));
    expect(first.statusCode).toBe(201);
    const again = await create(s, lantern({ title: 'Coded again', option_names: [], variants: [{ price: usd(100), code: 'UNIQ-1' }] }));
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('sku_code_taken');
    const elsewhere = await create(other, lantern({ title: 'Coded elsewhere', option_names: [], variants: [{ price: usd(100), code: 'UNIQ-1' }] }));
    expect(elsewhere.statusCode).toBe(201);
  });

  it('hides drafts from the public and other shops; members see them', async () => {
    const draft = (await create(s, lantern({ title: 'Secret Draft Tent', status: 'draft' }))).json();
    for (const headers of [{}, other.auth, buyer.auth]) {
      const res = await t.app.inject({ method: 'GET', url: `/v1/products/${draft.id}`, headers });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
    expect((await t.app.inject({ method: 'GET', url: `/v1/products/${draft.id}`, headers: s.auth })).json().status).toBe('draft');
    const search = await t.app.inject({ method: 'GET', url: '/v1/products?q=secret' });
    expect(search.json().data).toEqual([]);
    const mine = await t.app.inject({ method: 'GET', url: `/v1/products?shop_id=${s.shopId}&status=draft`, headers: s.auth });
    expect(mine.statusCode).toBe(200);
    expect(mine.json().data.map((p: { id: string }) => p.id)).toContain(draft.id);
    for (const headers of [{}, other.auth]) {
      const res = await t.app.inject({ method: 'GET', url: `/v1/products?shop_id=${s.shopId}&status=draft`, headers });
      expect(res.statusCode).toBe(404);
    }
    expect((await t.app.inject({ method: 'GET', url: '/v1/products?status=all' })).statusCode).toBe(400);
  });

  it('searches by text and shop, newest first, with cursor pagination', async () => {
    const shop = await createShop(t.db, t.clock, { name: 'Search Shop', market: 'US', currency: 'USD', timezone: 'UTC', ownerId: s.id });
    const mk = (title: string, description = '', category = 'lighting') =>
      t.app.inject({
        method: 'POST',
        url: `/v1/shops/${shop.id}/products`,
        headers: s.auth,
        payload: { title, description, category, status: 'live', variants: [{ price: usd(1000) }] },
      });
    const ids: string[] = [];
    for (const [title, desc] of [
      ['Solar String Lights', 'Warm white, 10 m'],
      ['Desk Lamp', 'Solar powered reading lamp'],
      ['Tea Kettle', 'Cast iron'],
      ['Solar Garden Stake', 'Solar solar solar'],
    ] as const) {
      ids.push((await mk(title, desc)).json().id);
    }
    const all = await t.app.inject({ method: 'GET', url: `/v1/products?shop_id=${shop.id}&limit=3` });
    expect(all.statusCode).toBe(200);
    expect(all.json().data.map((p: { id: string }) => p.id)).toEqual([ids[3], ids[2], ids[1]]);
    const next = await t.app.inject({ method: 'GET', url: `/v1/products?shop_id=${shop.id}&limit=3&cursor=${all.json().next_cursor}` });
    expect(next.json()).toEqual({ data: [expect.objectContaining({ id: ids[0] })], next_cursor: null });

    const solar = await t.app.inject({ method: 'GET', url: `/v1/products?q=${encodeURIComponent('solar')}&shop_id=${shop.id}` });
    const found = solar.json().data.map((p: { id: string }) => p.id);
    expect(found).toHaveLength(3);
    expect(found[0]).toBe(ids[3]); // most occurrences ranks first
    expect(new Set(found)).toEqual(new Set([ids[0], ids[1], ids[3]]));
    const p1 = await t.app.inject({ method: 'GET', url: `/v1/products?q=solar&shop_id=${shop.id}&limit=2` });
    const p2 = await t.app.inject({ method: 'GET', url: `/v1/products?q=solar&shop_id=${shop.id}&limit=2&cursor=${p1.json().next_cursor}` });
    expect([...p1.json().data, ...p2.json().data].map((p: { id: string }) => p.id)).toEqual(found);
    expect(p2.json().next_cursor).toBeNull();

    const phrase = await t.app.inject({ method: 'GET', url: `/v1/products?q=${encodeURIComponent('"cast iron" -solar')}` });
    expect(phrase.json().data.map((p: { id: string }) => p.id)).toEqual([ids[2]]);
    const byCategory = await t.app.inject({ method: 'GET', url: `/v1/products?q=lighting&shop_id=${shop.id}` });
    expect(byCategory.json().data).toHaveLength(4);
    const bad = await t.app.inject({ method: 'GET', url: '/v1/products?cursor=nonsense' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_cursor');
  });

  it('edits a product and its variants; adds and archives variants', async () => {
    const p = (await create(s, lantern({ title: 'Editable Lamp' }))).json();
    const [red, blue] = p.variants;
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/v1/products/${p.id}`,
      headers: s.auth,
      payload: {
        title: 'Editable <em>Lamp</em> Pro',
        images: ['https://cdn.example.com/lamp.jpg', '/media/uploads/lamp.png'],
        variants: [
          { sku_id: red.sku_id, price: usd(1999), compare_at_price: null, stock: { on_hand: 3 } },
          { sku_id: blue.sku_id, status: 'archived' },
          { option_values: ['Green'], price: usd(2199), code: 'EL-GREEN', stock: { on_hand: 4 } },
        ],
      },
    });
    expect(res.statusCode).toBe(200);
    const e = res.json();
    expect(e).toMatchObject({ title: 'Editable Lamp Pro', images: ['https://cdn.example.com/lamp.jpg', '/media/uploads/lamp.png'], price_range: { min: usd(1999), max: usd(2199) }, available: 7 });
    expect(e.variants.map((v: { option_values: string[]; status: string; price: { amount: number } }) => [v.option_values[0], v.status, v.price.amount])).toEqual([
      ['Red', 'active', 1999],
      ['Blue', 'archived', 2699],
      ['Green', 'active', 2199],
    ]);
    // The public sees only active variants.
    const pub = (await t.app.inject({ method: 'GET', url: `/v1/products/${p.id}` })).json();
    expect(pub.variants.map((v: { option_values: string[] }) => v.option_values[0])).toEqual(['Red', 'Green']);

    const refusals: Array<{ payload: object; status: number; code: string }> = [
      { payload: { shop_id: other.shopId }, status: 400, code: 'validation_failed' },
      { payload: { currency: 'EUR' }, status: 400, code: 'validation_failed' },
      { payload: { status: 'suspended' }, status: 400, code: 'validation_failed' },
      { payload: { affiliate_rate_bps: 5001 }, status: 400, code: 'validation_failed' },
      { payload: { variants: [{ sku_id: red.sku_id, price: usd(-5) }] }, status: 400, code: 'invalid_price' },
      { payload: { variants: [{ sku_id: red.sku_id, option_values: ['Purple'] }] }, status: 400, code: 'validation_failed' },
      { payload: { variants: [{ option_values: ['Red'], price: usd(100) }] }, status: 400, code: 'validation_failed' },
      { payload: { variants: [{ option_values: ['Pink'] }] }, status: 400, code: 'validation_failed' },
      { payload: { variants: [{ sku_id: red.sku_id, status: 'archived' }, { sku_id: e.variants[2].sku_id, status: 'archived' }] }, status: 400, code: 'validation_failed' },
      { payload: { variants: [{ sku_id: red.sku_id, code: 'EL-GREEN' }] }, status: 409, code: 'sku_code_taken' },
      { payload: { title: 'Changed', variants: [{ sku_id: 'sku_00000000000000000000000000', price: usd(5) }] }, status: 404, code: 'not_found' },
    ];
    for (const r of refusals) {
      const out = await t.app.inject({ method: 'PATCH', url: `/v1/products/${p.id}`, headers: s.auth, payload: r.payload });
      expect({ payload: r.payload, status: out.statusCode, code: out.json().error?.code }).toEqual({ payload: r.payload, status: r.status, code: r.code });
    }
    const after = (await t.app.inject({ method: 'GET', url: `/v1/products/${p.id}`, headers: s.auth })).json();
    expect(after).toEqual({ ...e, rating: { average: null, count: 0 } });

    await setProductStatus(t.db, t.clock, p.id, 'suspended');
    const suspended = await t.app.inject({ method: 'PATCH', url: `/v1/products/${p.id}`, headers: s.auth, payload: { status: 'live' } });
    expect(suspended.statusCode).toBe(409);
    expect(suspended.json().error.code).toBe('product_suspended');
    expect((await t.app.inject({ method: 'GET', url: `/v1/products/${p.id}` })).statusCode).toBe(404);
  });

  it('answers 404 to other sellers and buyers on every seller route, 401 when signed out', async () => {
    const p = (await create(s, lantern({ title: 'Guarded Lamp' }))).json();
    const before = await counts();
    for (const auth of [other.auth, buyer.auth]) {
      const patch = await t.app.inject({ method: 'PATCH', url: `/v1/products/${p.id}`, headers: auth, payload: { title: 'Hijacked' } });
      expect(patch.statusCode).toBe(404);
      expect(patch.json().error.code).toBe('not_found');
      const post = await t.app.inject({ method: 'POST', url: `/v1/shops/${s.shopId}/products`, headers: auth, payload: lantern() });
      expect(post.statusCode).toBe(404);
    }
    expect((await t.app.inject({ method: 'PATCH', url: `/v1/products/${p.id}`, payload: { title: 'x' } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: `/v1/shops/${s.shopId}/products`, payload: lantern() })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/v1/products/prd_00000000000000000000000000' })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/v1/products/not-an-id' })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: `/v1/products/${p.id}`, headers: s.auth })).json().title).toBe('Guarded Lamp');
    expect(await counts()).toEqual(before);
  });

  it('serves other modules: summaries by id and checkout facts per SKU', async () => {
    const live = (await create(s, lantern({ title: 'Checkout Lamp', images: ['/media/x.png'], affiliate_rate_bps: 1000 }))).json();
    expect(live.affiliate_rate_bps).toBe(1000);
    const patched = await t.app.inject({ method: 'PATCH', url: `/v1/products/${live.id}`, headers: s.auth, payload: { affiliate_rate_bps: 1200 } });
    expect(patched.json().affiliate_rate_bps).toBe(1200);
    const draft = (await create(s, lantern({ title: 'Checkout Draft', status: 'draft' }))).json();
    const sums = await getProductsByIds(t.db, stockKeeper, [draft.id, live.id, 'prd_missing']);
    expect(sums.map((p) => [p.id, p.status])).toEqual([
      [draft.id, 'draft'],
      [live.id, 'live'],
    ]);
    await t.app.inject({ method: 'PATCH', url: `/v1/products/${live.id}`, headers: s.auth, payload: { variants: [{ sku_id: live.variants[1].sku_id, status: 'archived' }] } });
    const facts = await getSkusForCheckout(t.db, [live.variants[0].sku_id, live.variants[1].sku_id, draft.variants[0].sku_id]);
    const byId = new Map(facts.map((f) => [f.sku_id, f]));
    expect(byId.get(live.variants[0].sku_id)).toEqual({
      sku_id: live.variants[0].sku_id,
      product_id: live.id,
      shop_id: s.shopId,
      title: 'Checkout Lamp',
      option_values: ['Red'],
      price: 2499,
      currency: 'USD',
      image: '/media/x.png',
      sellable: true,
      affiliate_rate_bps: 1200,
      category: 'camping',
    });
    expect(byId.get(live.variants[1].sku_id)!.sellable).toBe(false);
    expect(byId.get(draft.variants[0].sku_id)!.sellable).toBe(false);
  });
});
