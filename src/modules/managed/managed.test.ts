import { describe, expect, it } from 'vitest';
import { DAY } from '../../platform/clock.js';
import { useFreshAccount, useTestApp } from '../../test/app.js';
import { shipAndDeliver } from '../../test/delivery.js';
import { getStockLevels } from '../inventory/index.js';
import { accounts, getBalance, listEntriesByReference, reconcile } from '../ledger/index.js';
import { addToCart, ADDRESS, cardBody, checkoutReq, shopWithProduct, videoAnchoring } from '../orders/index.js';
import { createShop } from '../sellers/index.js';
import { getSettlement, planManagedSettlement, PLATFORM_MARGIN_ACCOUNT } from '../settlement/index.js';

type Auth = { authorization: string };
type Account = { id: string; auth: Auth };
interface Res {
  statusCode: number;
  body: string;
  json(): unknown;
}

describe('fully-managed mode: supply offers, inbound shipments, platform fulfilment and after-sales, supply-price settlement', () => {
  const t = useTestApp();
  // Fresh accounts per test: simulated time runs past session lifetimes.
  const operator = useFreshAccount(t, { roles: ['operator'] });

  const usd = (amount: number) => ({ amount, currency: 'USD' });
  const req = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, auth?: Auth, payload?: object) =>
    t.app.inject({ method, url, headers: auth ?? {}, ...(payload ? { payload } : {}) });
  const ok = <T = Record<string, unknown>>(res: Res, status = 200) => {
    expect(res.statusCode, res.body).toBe(status);
    return res.json() as T & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const refusedWith = (res: Res, status: number, code: string) => {
    expect(res.statusCode, res.body).toBe(status);
    expect((res.json() as { error: { code: string } }).error.code).toBe(code);
  };
  const later = async (ms: number) => {
    t.clock.advance(ms);
    await t.app.ctx.jobs.runDue();
  };
  const onHand = async (skuId: string) => (await getStockLevels(t.db, skuId)).reduce((n, s) => n + s.on_hand, 0);
  const balanced = async () => expect((await reconcile(t.db)).problems).toEqual([]);

  async function managedShop(name = 'Supplier Co'): Promise<Account & { shopId: string }> {
    const owner = await t.account({ name: `${name} Owner` });
    const shop = await createShop(t.db, t.clock, { name, market: 'US', currency: 'USD', timezone: 'UTC', mode: 'managed', ownerId: owner.id });
    return { ...owner, shopId: shop.id };
  }

  const mug = (over: object = {}) => ({
    title: 'Managed <b>Mug</b>',
    description: 'Stoneware.',
    category: 'kitchen',
    option_names: ['Color'],
    variants: [
      { option_values: ['Red'], supply_price: usd(600), quantity_available: 100 },
      { option_values: ['Blue'], supply_price: usd(700), quantity_available: 50 },
    ],
    ...over,
  });
  const offer = async (s: { shopId: string; auth: Auth }, body: object = mug()) => req('POST', `/v1/shops/${s.shopId}/supply-offers`, s.auth, body);

  /** Offer accepted at 15.00 / 18.00 and an inbound of 10 Red, 5 Blue received in full. */
  async function listed(s: Account & { shopId: string }) {
    const o = ok(await offer(s), 201);
    const accepted = ok(
      await req('POST', `/v1/admin/supply-offers/${o.id}/accept`, operator.auth, {
        retail_prices: [
          { variant_index: 1, price: usd(1800) },
          { variant_index: 0, price: usd(1500) },
        ],
      }),
    );
    const [red, blue] = accepted.variants.map((v: { sku_id: string }) => v.sku_id) as [string, string];
    const inbound = ok(
      await req('POST', `/v1/shops/${s.shopId}/inbound-shipments`, s.auth, {
        warehouse_id: accepted.warehouse_id,
        items: [
          { sku_id: red, quantity: 10 },
          { sku_id: blue, quantity: 5 },
        ],
      }),
      201,
    );
    return { offer: accepted, red, blue, inbound, warehouseId: accepted.warehouse_id as string };
  }

  async function buy(lines: Array<[string, number]>, source?: Record<string, string>) {
    const buyer = await t.account({ name: 'Buyer' });
    for (const [sku, q] of lines) await addToCart(t, buyer.auth, sku, q, source);
    const res = ok(await checkoutReq(t, buyer.auth, cardBody()), 201);
    return { buyer, orderId: res.orders[0].id as string, total: res.orders[0].total.amount as number };
  }

  /** The operator ships the whole order; the sandbox carrier picks it up and delivers it at once. */
  const operatorDelivers = (orderId: string) => shipAndDeliver(t, orderId, operator.auth);

  it('offer → accepted → inbound received with a discrepancy → bought → operator ships → delivered → window passes → seller paid supply price × units', async () => {
    const s = await managedShop();
    const o = ok(await offer(s), 201);
    expect(o).toMatchObject({ shop_id: s.shopId, status: 'submitted', title: 'Managed Mug', product_id: null });
    expect(o.variants).toEqual([
      { index: 0, option_values: ['Red'], supply_price: usd(600), quantity_available: 100, sku_id: null, retail_price: null },
      { index: 1, option_values: ['Blue'], supply_price: usd(700), quantity_available: 50, sku_id: null, retail_price: null },
    ]);
    expect(ok(await req('GET', `/v1/shops/${s.shopId}/supply-offers`, s.auth)).data.map((x: { id: string }) => x.id)).toEqual([o.id]);
    const queue = ok(await req('GET', '/v1/admin/supply-offers?status=submitted', operator.auth));
    expect(queue.data.map((x: { id: string }) => x.id)).toContain(o.id);

    const accepted = ok(
      await req('POST', `/v1/admin/supply-offers/${o.id}/accept`, operator.auth, {
        retail_prices: [
          { variant_index: 0, price: usd(1500) },
          { variant_index: 1, price: usd(1800) },
        ],
      }),
    );
    expect(accepted).toMatchObject({ status: 'accepted', product_id: expect.stringMatching(/^prd_/), warehouse_id: expect.stringMatching(/^wh_/) });
    expect(accepted.variants.map((v: { retail_price: unknown }) => v.retail_price)).toEqual([usd(1500), usd(1800)]);
    const [red, blue] = accepted.variants.map((v: { sku_id: string }) => v.sku_id) as [string, string];
    const product = ok(await req('GET', `/v1/products/${accepted.product_id}`));
    expect(product).toMatchObject({ shop_id: s.shopId, status: 'live', title: 'Managed Mug', available: 0 });
    expect(product.variants.map((v: { sku_id: string; price: unknown }) => [v.sku_id, v.price])).toEqual([
      [red, usd(1500)],
      [blue, usd(1800)],
    ]);
    const warehouses = ok(await req('GET', '/v1/platform-warehouses', s.auth));
    expect(warehouses.data).toEqual([expect.objectContaining({ id: accepted.warehouse_id, is_default: true })]);

    const inbound = ok(
      await req('POST', `/v1/shops/${s.shopId}/inbound-shipments`, s.auth, {
        warehouse_id: accepted.warehouse_id,
        carrier: 'ups',
        tracking_number: '1Z999',
        items: [
          { sku_id: red, quantity: 6 },
          { sku_id: blue, quantity: 5 },
          { sku_id: red, quantity: 4 },
        ],
      }),
      201,
    );
    expect(inbound).toMatchObject({ status: 'expected', carrier: 'ups', tracking_number: '1Z999', received_at: null });
    expect(inbound.items).toEqual([
      { sku_id: red, expected_quantity: 10, received_quantity: null, discrepancy: null },
      { sku_id: blue, expected_quantity: 5, received_quantity: null, discrepancy: null },
    ]);
    expect(ok(await req('GET', '/v1/admin/inbound-shipments?status=expected', operator.auth)).data.map((x: { id: string }) => x.id)).toContain(inbound.id);

    const received = ok(
      await req('POST', `/v1/admin/inbound-shipments/${inbound.id}/receive`, operator.auth, {
        items: [
          { sku_id: red, received_quantity: 10 },
          { sku_id: blue, received_quantity: 4 },
        ],
        note: 'One blue mug missing',
      }),
    );
    expect(received).toMatchObject({ status: 'received_with_discrepancies', note: 'One blue mug missing', received_at: t.clock.now().toISOString() });
    expect(received.items.map((i: { discrepancy: number }) => i.discrepancy)).toEqual([0, -1]);
    expect(await getStockLevels(t.db, red)).toEqual([expect.objectContaining({ warehouse_id: accepted.warehouse_id, on_hand: 10, reserved: 0 })]);
    expect(await onHand(blue)).toBe(4);
    refusedWith(await req('POST', `/v1/admin/inbound-shipments/${inbound.id}/receive`, operator.auth, { items: [{ sku_id: red, received_quantity: 10 }, { sku_id: blue, received_quantity: 4 }] }), 409, 'invalid_state');
    expect(await onHand(red)).toBe(10);
    expect(ok(await req('GET', `/v1/inbound-shipments/${inbound.id}`, s.auth)).status).toBe('received_with_discrepancies');

    // The platform promotes it: operators may edit a managed listing (here: a creator affiliate rate).
    ok(await req('PATCH', `/v1/products/${accepted.product_id}`, operator.auth, { affiliate_rate_bps: 1000 }));
    const creator = await t.account({ roles: ['buyer', 'creator'] });
    const { buyer, orderId, total } = await buy([[red, 2]], { video_id: await videoAnchoring(t, creator.id, [accepted.product_id]) });
    expect(total).toBe(3000);
    expect(ok(await req('GET', `/v1/products/${accepted.product_id}`)).available).toBe(12);

    refusedWith(await req('POST', `/v1/orders/${orderId}/shipments`, s.auth, { carrier: 'sandbox' }), 403, 'managed_fulfillment');
    refusedWith(await req('POST', `/v1/orders/${orderId}/cancel`, s.auth), 403, 'managed_fulfillment');
    const other = await t.seller();
    refusedWith(await req('POST', `/v1/orders/${orderId}/shipments`, other.auth, { carrier: 'sandbox' }), 404, 'not_found');
    const toShip = ok(await req('GET', '/v1/admin/managed-orders', operator.auth));
    expect(toShip.data).toEqual([expect.objectContaining({ id: orderId, status: 'paid', shop: { id: s.shopId, name: 'Supplier Co' }, total: usd(3000), shipping_address: ADDRESS, shipments: [] })]);
    refusedWith(await req('GET', '/v1/admin/managed-orders', s.auth), 403, 'role_required');

    await operatorDelivers(orderId);
    expect(ok(await req('GET', `/v1/orders/${orderId}`, buyer.auth)).status).toBe('delivered');
    await later(7 * DAY);
    expect(ok(await req('GET', `/v1/orders/${orderId}`, s.auth)).status).toBe('completed');

    // Seller: supply price × units (2 × 6.00); creator: 10 % of 30.00 out of the platform's part; platform: the rest.
    expect(await getSettlement(t.db, orderId)).toMatchObject({ held: 3000, sellerAmount: 1200, affiliate: 300, commission: 1500, subsidy: 0 });
    const [entry, ...more] = (await listEntriesByReference(t.db, orderId)).filter((e) => e.kind === 'settlement');
    expect(more).toEqual([]);
    expect(entry!.postings.map((p) => [p.account, p.amount])).toEqual([
      [accounts.escrow(orderId), -3000],
      [PLATFORM_MARGIN_ACCOUNT, 1500],
      [accounts.creatorPayable(creator.id), 300],
      [accounts.sellerPayable(s.shopId), 1200],
    ]);
    expect(await getBalance(t.db, accounts.sellerPayable(s.shopId), 'USD')).toBe(1200);
    expect(ok(await req('GET', `/v1/shops/${s.shopId}/finance`, s.auth))).toMatchObject({ available: usd(1200) });
    await balanced();
  });

  it('a return of a managed order is answered by operators, restocks the platform warehouse, and the seller is paid only for units kept', async () => {
    const s = await managedShop('Return Supplier');
    const { red, blue, inbound, warehouseId } = await listed(s);
    ok(await req('POST', `/v1/admin/inbound-shipments/${inbound.id}/receive`, operator.auth, { items: [{ sku_id: red, received_quantity: 10 }, { sku_id: blue, received_quantity: 5 }] }));
    const { buyer, orderId, total } = await buy([
      [red, 2],
      [blue, 1],
    ]);
    expect(total).toBe(4800);
    await operatorDelivers(orderId);
    await t.app.ctx.jobs.runDue();
    expect(await onHand(red)).toBe(8);

    const order = ok(await req('GET', `/v1/orders/${orderId}`, buyer.auth));
    const redItem = order.items.find((i: { sku_id: string }) => i.sku_id === red);
    const c = ok(
      await req('POST', `/v1/orders/${orderId}/after-sales`, buyer.auth, { type: 'return_and_refund', reason: 'Chipped', reason_code: 'damaged', order_item_id: redItem.id, quantity: 1 }),
      201,
    );
    expect(c.amount).toEqual(usd(1500));
    expect(ok(await req('GET', `/v1/after-sales/${c.id}`, s.auth)).status).toBe('requested');
    refusedWith(await req('POST', `/v1/after-sales/${c.id}/accept`, s.auth, {}), 403, 'managed_after_sales');
    refusedWith(await req('POST', `/v1/after-sales/${c.id}/reject`, s.auth, { note: 'no' }), 403, 'managed_after_sales');
    const accepted = ok(await req('POST', `/v1/after-sales/${c.id}/accept`, operator.auth, { note: 'Send it back' }));
    expect(accepted.status).toBe('seller_accepted');
    expect(accepted.timeline.at(-1)).toMatchObject({ type: 'accepted', by_role: 'operator' });
    ok(await req('POST', `/v1/after-sales/${c.id}/return`, buyer.auth, { carrier: 'sandbox', tracking_number: 'RET-1' }));
    refusedWith(await req('POST', `/v1/after-sales/${c.id}/confirm-receipt`, s.auth, {}), 403, 'managed_after_sales');
    expect(await onHand(red)).toBe(8);
    expect(ok(await req('POST', `/v1/after-sales/${c.id}/confirm-receipt`, operator.auth, {})).status).toBe('refunded');
    expect(await getStockLevels(t.db, red)).toEqual([expect.objectContaining({ warehouse_id: warehouseId, on_hand: 9 })]);
    expect(await onHand(blue)).toBe(4);

    await later(7 * DAY);
    // Held 48.00 − 15.00 refunded; the seller: 1 Red × 6.00 + 1 Blue × 7.00; the platform keeps the rest.
    expect(await getSettlement(t.db, orderId)).toMatchObject({ held: 3300, sellerAmount: 1300, affiliate: 0, commission: 2000 });
    expect(await getBalance(t.db, accounts.sellerPayable(s.shopId), 'USD')).toBe(1300);
    expect(await getBalance(t.db, accounts.escrow(orderId), 'USD')).toBe(0);
    await balanced();
  });

  it('only operators accept, reject and receive; a managed shop cannot price, list or stock itself; other shops get 404', async () => {
    const s = await managedShop('Guarded Supplier');
    const other = await managedShop('Other Supplier');
    const { offer: accepted, red, inbound } = await listed(s);
    const pending = ok(await offer(s), 201);

    refusedWith(await req('POST', `/v1/admin/supply-offers/${pending.id}/accept`, s.auth, { retail_prices: [{ variant_index: 0, price: usd(1500) }, { variant_index: 1, price: usd(1800) }] }), 403, 'role_required');
    refusedWith(await req('POST', `/v1/admin/supply-offers/${pending.id}/reject`, s.auth, { note: 'no' }), 403, 'role_required');
    refusedWith(await req('POST', `/v1/admin/inbound-shipments/${inbound.id}/receive`, s.auth, { items: [{ sku_id: red, received_quantity: 10 }] }), 403, 'role_required');
    refusedWith(await req('GET', '/v1/admin/supply-offers', s.auth), 403, 'role_required');
    refusedWith(await req('GET', '/v1/admin/inbound-shipments', s.auth), 403, 'role_required');

    // Another shop's objects answer 404, as missing ones do.
    refusedWith(await req('GET', `/v1/supply-offers/${pending.id}`, other.auth), 404, 'not_found');
    refusedWith(await req('GET', `/v1/inbound-shipments/${inbound.id}`, other.auth), 404, 'not_found');
    refusedWith(await req('GET', `/v1/shops/${s.shopId}/supply-offers`, other.auth), 404, 'not_found');
    refusedWith(await req('GET', `/v1/shops/${s.shopId}/inbound-shipments`, other.auth), 404, 'not_found');
    refusedWith(await offer({ shopId: s.shopId, auth: other.auth }), 404, 'not_found');
    refusedWith(await req('POST', `/v1/shops/${s.shopId}/inbound-shipments`, other.auth, { warehouse_id: accepted.warehouse_id, items: [{ sku_id: red, quantity: 1 }] }), 404, 'not_found');
    refusedWith(await req('GET', '/v1/supply-offers/sof_00000000000000000000000000', s.auth), 404, 'not_found');
    expect(ok(await req('GET', `/v1/supply-offers/${pending.id}`, operator.auth)).id).toBe(pending.id);

    // Retail prices are the platform's; so are listings and stock.
    refusedWith(await req('PATCH', `/v1/products/${accepted.product_id}`, s.auth, { variants: [{ sku_id: red, price: usd(999) }] }), 403, 'managed_price');
    refusedWith(await req('PATCH', `/v1/products/${accepted.product_id}`, s.auth, { variants: [{ option_values: ['Green'], price: usd(999) }] }), 403, 'managed_price');
    refusedWith(await req('PATCH', `/v1/products/${accepted.product_id}`, s.auth, { variants: [{ sku_id: red, stock: { on_hand: 50 } }] }), 403, 'managed_stock');
    refusedWith(await req('PATCH', `/v1/products/${accepted.product_id}`, other.auth, { title: 'Mine' }), 404, 'not_found');
    expect(ok(await req('PATCH', `/v1/products/${accepted.product_id}`, s.auth, { description: 'Dishwasher safe.' })).description).toBe('Dishwasher safe.');
    const repriced = ok(await req('PATCH', `/v1/products/${accepted.product_id}`, operator.auth, { variants: [{ sku_id: red, price: usd(1400) }] }));
    expect(repriced.variants[0].price).toEqual(usd(1400));
    refusedWith(await req('POST', `/v1/shops/${s.shopId}/products`, s.auth, { title: 'Direct', variants: [{ price: usd(100) }] }), 403, 'managed_listing');
    const ownWarehouse = ok(await req('GET', `/v1/shops/${s.shopId}/warehouses`, s.auth)).data[0].id as string;
    refusedWith(await req('PUT', `/v1/skus/${red}/stock`, s.auth, { warehouse_id: ownWarehouse, on_hand: 50 }), 403, 'managed_stock');

    // A self-fulfilled shop supplies nothing; its own flow is unchanged.
    const selfShop = await shopWithProduct(t, { name: 'Self', variants: [{ price: 1000, onHand: 5 }] });
    refusedWith(await offer({ shopId: selfShop.shopId, auth: selfShop.owner.auth }), 409, 'not_managed');

    // Reject with a note; a decided offer stays decided.
    const rejected = ok(await req('POST', `/v1/admin/supply-offers/${pending.id}/reject`, operator.auth, { note: 'Too close to an existing listing' }));
    expect(rejected).toMatchObject({ status: 'rejected', note: 'Too close to an existing listing', product_id: null });
    refusedWith(await req('POST', `/v1/admin/supply-offers/${pending.id}/accept`, operator.auth, { retail_prices: [{ variant_index: 0, price: usd(1500) }, { variant_index: 1, price: usd(1800) }] }), 409, 'invalid_state');
    expect(ok(await req('GET', `/v1/shops/${s.shopId}/supply-offers?status=rejected`, s.auth)).data.map((x: { id: string }) => x.id)).toEqual([pending.id]);
  });

  it('bad input gets a clear error and changes nothing', async () => {
    const s = await managedShop('Careful Supplier');
    const variant = (over: object) => ({ option_values: ['Red'], supply_price: usd(600), quantity_available: 1, ...over });
    const cases: Array<[object, number, string]> = [
      [mug({ variants: [variant({ supply_price: usd(0) })] }), 400, 'invalid_supply_price'],
      [mug({ variants: [variant({ supply_price: usd(-5) })] }), 400, 'invalid_supply_price'],
      [mug({ variants: [variant({ supply_price: { amount: 600, currency: 'EUR' } })] }), 400, 'currency_mismatch'],
      [mug({ variants: [variant({ quantity_available: -1 })] }), 400, 'validation_failed'],
      [mug({ variants: [] }), 400, 'validation_failed'],
      [mug({ title: '<b></b>' }), 400, 'validation_failed'],
      [mug({ variants: [variant({ option_values: [] })] }), 400, 'validation_failed'],
      [mug({ variants: [variant({}), variant({})] }), 400, 'validation_failed'],
      [mug({ category: 'Not A Slug!' }), 400, 'validation_failed'],
      [mug({ price: usd(1) }), 400, 'validation_failed'],
    ];
    for (const [body, status, code] of cases) refusedWith(await offer(s, body), status, code);
    expect(ok(await req('GET', `/v1/shops/${s.shopId}/supply-offers`, s.auth)).data).toEqual([]);
    expect(ok(await req('GET', `/v1/products?shop_id=${s.shopId}&status=all`, s.auth)).data).toEqual([]);

    const o = ok(await offer(s), 201);
    const accept = (retail_prices: object[], extra: object = {}) => req('POST', `/v1/admin/supply-offers/${o.id}/accept`, operator.auth, { retail_prices, ...extra });
    refusedWith(await accept([{ variant_index: 0, price: usd(599) }, { variant_index: 1, price: usd(1800) }]), 400, 'retail_below_supply');
    refusedWith(await accept([{ variant_index: 0, price: usd(1500) }]), 400, 'invalid_retail_prices');
    refusedWith(await accept([{ variant_index: 0, price: usd(1500) }, { variant_index: 0, price: usd(1500) }]), 400, 'invalid_retail_prices');
    refusedWith(await accept([{ variant_index: 0, price: usd(1500) }, { variant_index: 2, price: usd(1500) }]), 400, 'invalid_retail_prices');
    refusedWith(await accept([{ variant_index: 0, price: { amount: 1500, currency: 'EUR' } }, { variant_index: 1, price: usd(1800) }]), 400, 'currency_mismatch');
    const shopWarehouse = ok(await req('GET', `/v1/shops/${s.shopId}/warehouses`, s.auth)).data[0].id as string;
    refusedWith(await accept([{ variant_index: 0, price: usd(1500) }, { variant_index: 1, price: usd(1800) }], { warehouse_id: shopWarehouse }), 404, 'not_found');
    expect(ok(await req('GET', `/v1/supply-offers/${o.id}`, s.auth))).toMatchObject({ status: 'submitted', product_id: null });
    expect(ok(await req('GET', `/v1/products?shop_id=${s.shopId}&status=all`, s.auth)).data).toEqual([]);

    const accepted = ok(await accept([{ variant_index: 0, price: usd(1500) }, { variant_index: 1, price: usd(1800) }]));
    const [red, blue] = accepted.variants.map((v: { sku_id: string }) => v.sku_id) as [string, string];
    const foreign = (await shopWithProduct(t, { name: 'Elsewhere', variants: [{ price: 1000, onHand: 5 }] })).skuIds[0]!;
    const inbound = (items: object[], warehouse_id = accepted.warehouse_id) => req('POST', `/v1/shops/${s.shopId}/inbound-shipments`, s.auth, { warehouse_id, items });
    refusedWith(await inbound([{ sku_id: foreign, quantity: 1 }]), 400, 'unknown_sku');
    refusedWith(await inbound([{ sku_id: 'sku_00000000000000000000000000', quantity: 1 }]), 400, 'unknown_sku');
    refusedWith(await inbound([{ sku_id: red, quantity: 0 }]), 400, 'validation_failed');
    refusedWith(await inbound([{ sku_id: red, quantity: 1 }], shopWarehouse), 404, 'not_found');
    refusedWith(await inbound([{ sku_id: red, quantity: 1 }], 'wh_00000000000000000000000000'), 404, 'not_found');
    expect(ok(await req('GET', `/v1/shops/${s.shopId}/inbound-shipments`, s.auth)).data).toEqual([]);

    const sent = ok(await inbound([{ sku_id: red, quantity: 3 }, { sku_id: blue, quantity: 2 }]), 201);
    const receive = (items: object[]) => req('POST', `/v1/admin/inbound-shipments/${sent.id}/receive`, operator.auth, { items });
    refusedWith(await receive([{ sku_id: red, received_quantity: 3 }, { sku_id: foreign, received_quantity: 1 }]), 400, 'unknown_sku');
    refusedWith(await receive([{ sku_id: red, received_quantity: 3 }]), 400, 'count_missing');
    refusedWith(await receive([{ sku_id: red, received_quantity: 3 }, { sku_id: red, received_quantity: 3 }, { sku_id: blue, received_quantity: 2 }]), 400, 'duplicate_sku');
    refusedWith(await receive([{ sku_id: red, received_quantity: -1 }, { sku_id: blue, received_quantity: 2 }]), 400, 'validation_failed');
    refusedWith(await req('POST', '/v1/admin/inbound-shipments/inb_00000000000000000000000000/receive', operator.auth, { items: [{ sku_id: red, received_quantity: 1 }] }), 404, 'not_found');
    expect(ok(await req('GET', `/v1/inbound-shipments/${sent.id}`, s.auth)).status).toBe('expected');
    expect(await onHand(red)).toBe(0);
    expect(ok(await receive([{ sku_id: red, received_quantity: 3 }, { sku_id: blue, received_quantity: 2 }])).status).toBe('received');
    expect([await onHand(red), await onHand(blue)]).toEqual([3, 2]);
  });

  it('plans a managed release: the seller gets the supply owed, bounded by what escrow holds; the affiliate comes out of the platform part', () => {
    const item = (id: string, lineTotal: number, supply: number, creatorId: string | null = null) => ({
      id,
      lineTotal,
      category: null,
      affiliateRateBps: 1000,
      creatorId,
      rule: null,
      supply,
    });
    expect(planManagedSettlement(3000, 3000, [item('a', 3000, 1200, 'usr_c')])).toMatchObject({ seller: 1200, affiliate: 300, commission: 1500 });
    // After a large refund escrow cannot cover the supply owed: the seller gets all it holds, nothing is left for an affiliate.
    expect(planManagedSettlement(1000, 3000, [item('a', 3000, 1200, 'usr_c')])).toMatchObject({ seller: 1000, affiliate: 0, commission: 0 });
    // The affiliate never exceeds the platform's part.
    expect(planManagedSettlement(3000, 3000, [item('a', 3000, 2900, 'usr_c')])).toMatchObject({ seller: 2900, affiliate: 100, commission: 0 });
    const p = planManagedSettlement(5001, 5001, [item('a', 2000, 700, 'usr_c'), item('b', 3001, 1000)]);
    expect(p.seller + p.affiliate + p.commission).toBe(5001);
  });
});
