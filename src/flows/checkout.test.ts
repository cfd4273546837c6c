import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { MINUTE } from '../platform/clock.js';
import { rows } from '../platform/db.js';
import { useTestApp } from '../test/app.js';
import { updateProduct } from '../modules/catalog/index.js';
import { createWarehouse, getAvailability, getReservations, getStockLevels, setStock, stockKeeper } from '../modules/inventory/index.js';
import { accounts, getBalance, reconcile } from '../modules/ledger/index.js';
import type { PaymentProvider } from '../modules/payments/index.js';
import { SANDBOX_CARDS, SandboxProvider } from '../modules/payments/index.js';
import { checkout } from './checkout.js';
import { addToCart, ADDRESS, buyerWithCart, cardBody, checkoutReq, orderDetail, ordersOfPayment, shopWithProduct, videoAnchoring } from '../modules/orders/index.js';

describe('checkout, payments, escrow (HTTP API)', () => {
  const t = useTestApp();
  const sandbox = () => new SandboxProvider(t.clock, t.secrets.payments);

  const get = (url: string, auth: { authorization: string }) => t.app.inject({ method: 'GET', url, headers: auth });
  const post = (url: string, auth: { authorization: string }, payload: object = {}, key?: string) =>
    t.app.inject({ method: 'POST', url, headers: { ...auth, ...(key ? { 'idempotency-key': key } : {}) }, payload });
  const onHand = async (skuId: string) => (await getStockLevels(t.db, skuId)).reduce((s, l) => s + l.on_hand, 0);
  const reserved = async (skuId: string) => (await getStockLevels(t.db, skuId)).reduce((s, l) => s + l.reserved, 0);
  const available = async (skuId: string) => (await getAvailability(t.db, [skuId])).get(skuId)!;
  /** A new shop's one-variant product (`price`, `onHand` units), `quantity` of it in a new buyer's cart, checked out with a card that awaits its challenge. */
  const checkoutAwaitingChallenge = async (price: number, onHand: number, quantity: number) => {
    const s = await shopWithProduct(t, { variants: [{ price, onHand }] });
    const buyer = await t.account();
    await addToCart(t, buyer.auth, s.skuIds[0]!, quantity);
    const { payment, orders } = (await checkoutReq(t, buyer.auth, cardBody(SANDBOX_CARDS.requiresAction))).json();
    return { s, buyer, payment, orders };
  };
  const escrow = (orderId: string, currency = 'USD') => getBalance(t.db, accounts.escrow(orderId), currency);
  const balanced = async () => {
    const r = await reconcile(t.db);
    expect(r.problems).toEqual([]);
    return r.balanced;
  };
  const buyerOrders = async (auth: { authorization: string }) => (await get('/v1/orders', auth)).json().data as Array<{ id: string; status: string; cancel_reason: string | null }>;

  it('buys a cart of two shops: one payment, two orders, escrow per order sums to the capture, ledger reconciles', async () => {
    const a = await shopWithProduct(t, { name: 'Alpha', shippingFee: 499, variants: [{ price: 1500, onHand: 10 }, { price: 2500, onHand: 10 }] });
    const b = await shopWithProduct(t, { name: 'Beta', variants: [{ price: 999, onHand: 5 }] });
    const buyer = await t.account({ name: 'Ada' });
    // The line came from a creator's video anchoring the product: attributed to its creator.
    const creator = await t.account({ name: 'Alpha Creator' });
    const video = await videoAnchoring(t, creator.id, [a.productId]);
    await addToCart(t, buyer.auth, a.skuIds[0]!, 2, { video_id: video });
    const source = { video_id: video, creator_id: creator.id };
    await addToCart(t, buyer.auth, a.skuIds[1]!, 1);
    await addToCart(t, buyer.auth, b.skuIds[0]!, 3);

    const cart = (await get('/v1/cart', buyer.auth)).json();
    expect(cart.shops).toHaveLength(2);
    const groupA = cart.shops.find((s: { shop: { id: string } }) => s.shop.id === a.shopId);
    expect(groupA).toMatchObject({ subtotal: { amount: 5500, currency: 'USD' }, shipping_fee: { amount: 499 }, tax: { amount: 0 }, total: { amount: 5999 } });
    expect(groupA.items[0]).toMatchObject({ sku_id: a.skuIds[0], quantity: 2, unit_price: { amount: 1500 }, line_total: { amount: 3000 }, available: 10, source });
    expect(cart).toMatchObject({ subtotal: { amount: 8497 }, shipping: { amount: 499 }, tax: { amount: 0 }, total: { amount: 8996, currency: 'USD' } });

    const res = await checkoutReq(t, buyer.auth, cardBody(), 'two-shops-1');
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.payment).toMatchObject({ status: 'succeeded', amount: { amount: 8996, currency: 'USD' }, card_last4: '4242', next_action: null });
    expect(body.orders).toHaveLength(2);
    expect(body.orders.every((o: { status: string }) => o.status === 'paid')).toBe(true);
    const orderA = body.orders.find((o: { shop_id: string }) => o.shop_id === a.shopId);
    const orderB = body.orders.find((o: { shop_id: string }) => o.shop_id === b.shopId);
    expect(orderA.total).toEqual({ amount: 5999, currency: 'USD' });
    expect(orderB.total).toEqual({ amount: 2997, currency: 'USD' });

    // Escrow per order holds its total; together the captured amount.
    expect(await escrow(orderA.id)).toBe(5999);
    expect(await escrow(orderB.id)).toBe(2997);
    expect((await escrow(orderA.id)) + (await escrow(orderB.id))).toBe(body.payment.amount.amount);
    expect(await balanced()).toBe(true);

    // Stock left the warehouse; nothing stays reserved; the cart is empty.
    expect(await onHand(a.skuIds[0]!)).toBe(8);
    expect(await reserved(a.skuIds[0]!)).toBe(0);
    expect(await onHand(b.skuIds[0]!)).toBe(2);
    expect((await getReservations(t.db, orderA.id)).map((r) => r.status)).toEqual(['committed', 'committed']);
    expect((await get('/v1/cart', buyer.auth)).json().shops).toEqual([]);

    // The buyer's order detail.
    const detail = (await get(`/v1/orders/${orderA.id}`, buyer.auth)).json();
    expect(detail).toMatchObject({
      id: orderA.id,
      status: 'paid',
      shop: { id: a.shopId, name: 'Alpha' },
      buyer: { id: buyer.id, name: 'Ada' },
      subtotal: { amount: 5500 },
      shipping_fee: { amount: 499 },
      tax: { amount: 0 },
      total: { amount: 5999 },
      shipping_address: ADDRESS,
      payment: { id: body.payment.id, status: 'succeeded', card_last4: '4242' },
      shipments: [],
      paid_at: t.clock.now().toISOString(),
      ship_by: new Date(t.clock.now().getTime() + 72 * 3600_000).toISOString(),
    });
    expect(detail.items).toHaveLength(2);
    expect(detail.items.find((i: { sku_id: string }) => i.sku_id === a.skuIds[0])).toMatchObject({ quantity: 2, unit_price: { amount: 1500 }, line_total: { amount: 3000 }, source });
    expect(detail.timeline.map((e: { type: string }) => e.type)).toEqual(['created', 'paid']);

    // Lists: the buyer sees both; each seller sees only its shop's.
    expect((await buyerOrders(buyer.auth)).map((o) => o.id).sort()).toEqual([orderA.id, orderB.id].sort());
    const sellerA = (await get('/v1/orders?role=seller', a.owner.auth)).json();
    expect(sellerA.data.map((o: { id: string }) => o.id)).toEqual([orderA.id]);
    expect(sellerA.data[0]).toMatchObject({ buyer: { id: buyer.id, name: 'Ada' }, item_count: 3, status: 'paid' });
    const paged = (await get('/v1/orders?limit=1', buyer.auth)).json();
    expect(paged.data).toHaveLength(1);
    const next = (await get(`/v1/orders?limit=1&cursor=${paged.next_cursor}`, buyer.auth)).json();
    expect(next.data).toHaveLength(1);
    expect(next.next_cursor).toBeNull();
    expect(next.data[0].id).not.toBe(paged.data[0].id);
    expect((await get('/v1/orders?status=cancelled', buyer.auth)).json().data).toEqual([]);
  });

  it('adds the shop market tax (basis points of the goods subtotal) and the shipping fee', async () => {
    const gb = await shopWithProduct(t, { name: 'London', market: 'GB', currency: 'GBP', shippingFee: 300, variants: [{ price: 1000, onHand: 5 }] });
    const buyer = await t.account();
    await addToCart(t, buyer.auth, gb.skuIds[0]!, 1);
    expect((await get('/v1/cart', buyer.auth)).json()).toMatchObject({ subtotal: { amount: 1000, currency: 'GBP' }, shipping: { amount: 300 }, tax: { amount: 200 }, total: { amount: 1500 } });
    const res = await checkoutReq(t, buyer.auth);
    expect(res.statusCode).toBe(201);
    expect(res.json().orders[0].total).toEqual({ amount: 1500, currency: 'GBP' });
    expect(await escrow(res.json().orders[0].id, 'GBP')).toBe(1500);
  });

  it('declined card: 402 card_declined, no order left open, stock unchanged, reservations released', async () => {
    const { s, buyer } = await buyerWithCart(t, { price: 700, onHand: 4, quantity: 2 });
    const res = await checkoutReq(t, buyer.auth, cardBody(SANDBOX_CARDS.declined), 'declined-1');
    expect(res.statusCode).toBe(402);
    expect(res.json().error).toMatchObject({ code: 'card_declined', details: { decline_code: 'card_declined', payment_id: expect.stringMatching(/^pay_/) } });
    // The attempt's order is kept internally, cancelled; the buyer sees none (checkout-abandoned.test.ts).
    const list = await ordersOfPayment(t.db, res.json().error.details.payment_id);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ status: 'cancelled', cancelReason: 'payment_declined' });
    expect(await buyerOrders(buyer.auth)).toEqual([]);
    expect(await available(s.skuIds[0]!)).toBe(4);
    expect(await onHand(s.skuIds[0]!)).toBe(4);
    expect(await reserved(s.skuIds[0]!)).toBe(0);
    expect((await getReservations(t.db, list[0]!.id)).map((r) => r.status)).toEqual(['released']);
    const payment = (await get(`/v1/payments/${res.json().error.details.payment_id}`, buyer.auth)).json();
    expect(payment.payment).toMatchObject({ status: 'declined', failure_code: 'card_declined', card_last4: '0002' });
    expect(payment.orders).toEqual([]);
    // The cart keeps the item; the same key replays the same answer.
    expect((await get('/v1/cart', buyer.auth)).json().shops).toHaveLength(1);
    const again = await checkoutReq(t, buyer.auth, cardBody(SANDBOX_CARDS.declined), 'declined-1');
    expect(again.statusCode).toBe(402);
    expect(again.json()).toEqual(res.json());
    // Insufficient funds is a decline too.
    const funds = await checkoutReq(t, buyer.auth, cardBody(SANDBOX_CARDS.insufficientFunds));
    expect(funds.statusCode).toBe(402);
    expect(funds.json().error.details.decline_code).toBe('insufficient_funds');
    expect(await available(s.skuIds[0]!)).toBe(4);
    expect(await balanced()).toBe(true);
  });

  it('refuses a bad card, an empty cart, missing stock and unlisted items before anything is written', async () => {
    const s = await shopWithProduct(t, { variants: [{ price: 700, onHand: 5 }] });
    const buyer = await t.account();
    expect((await checkoutReq(t, buyer.auth)).json().error.code).toBe('cart_empty');
    expect((await checkoutReq(t, buyer.auth)).statusCode).toBe(409);
    await addToCart(t, buyer.auth, s.skuIds[0]!, 3);

    const invalid = await checkoutReq(t, buyer.auth, cardBody('4242424242424241'));
    expect([invalid.statusCode, invalid.json().error.code]).toEqual([400, 'invalid_card']);
    const expired = await checkoutReq(t, buyer.auth, { ...cardBody(), payment_method: { ...cardBody().payment_method, exp_year: 2026, exp_month: 2 } });
    expect([expired.statusCode, expired.json().error.code]).toEqual([402, 'card_expired']);

    await setStock(t.db, t.clock, s.skuIds[0]!, (await getStockLevels(t.db, s.skuIds[0]!))[0]!.warehouse_id, 2);
    const short = await checkoutReq(t, buyer.auth);
    expect(short.statusCode).toBe(409);
    expect(short.json().error).toMatchObject({ code: 'out_of_stock', details: { sku_id: s.skuIds[0], requested: 3, available: 2 } });

    await updateProduct(t.db, t.clock, stockKeeper, s.productId, { status: 'draft' });
    const gone = await checkoutReq(t, buyer.auth);
    expect(gone.statusCode).toBe(409);
    expect(gone.json().error).toMatchObject({ code: 'sku_unavailable', details: { sku_ids: [s.skuIds[0]] } });

    expect(await buyerOrders(buyer.auth)).toEqual([]);
    expect(await reserved(s.skuIds[0]!)).toBe(0);
  });

  it('a reservation that fails after another order of the cart was reserved releases that one too', async () => {
    // The cheap availability check sums warehouses; the reservation needs one warehouse with enough.
    const [x, y] = [await shopWithProduct(t, { variants: [{ price: 500, onHand: 5 }] }), await shopWithProduct(t, { variants: [{ price: 800, onHand: 1 }] })];
    const [first, second] = x.shopId < y.shopId ? [x, y] : [y, x]; // orders are reserved in shop id order
    const east = await createWarehouse(t.db, t.clock, second.shopId, { name: 'East' });
    await setStock(t.db, t.clock, second.skuIds[0]!, east.id, 1);
    await setStock(t.db, t.clock, second.skuIds[0]!, (await getStockLevels(t.db, second.skuIds[0]!))[0]!.warehouse_id, 1);
    const buyer = await t.account();
    await addToCart(t, buyer.auth, first.skuIds[0]!, 1);
    await addToCart(t, buyer.auth, second.skuIds[0]!, 2);
    const res = await checkoutReq(t, buyer.auth, cardBody(), 'split-stock');
    expect([res.statusCode, res.json().error.code]).toEqual([409, 'out_of_stock']);
    expect(await reserved(first.skuIds[0]!)).toBe(0);
    expect(await reserved(second.skuIds[0]!)).toBe(0);
    // The first order's units were taken, then given back (compensation).
    expect(await rows(t.db, sql`select status, quantity from reservations where sku_id = ${first.skuIds[0]!}`)).toEqual([{ status: 'released', quantity: 1 }]);
    expect(await getAvailability(t.db, [first.skuIds[0]!])).toEqual(new Map([[first.skuIds[0]!, 5]]));
    expect(await buyerOrders(buyer.auth)).toEqual([]);
  });

  it('ignores or refuses client prices: price fields are 400 and the catalog price is charged', async () => {
    const s = await shopWithProduct(t, { variants: [{ price: 4200, onHand: 5 }] });
    const buyer = await t.account();
    const cartTamper = await t.app.inject({ method: 'POST', url: '/v1/cart/items', headers: buyer.auth, payload: { sku_id: s.skuIds[0], quantity: 1, price: { amount: 1, currency: 'USD' } } });
    expect([cartTamper.statusCode, cartTamper.json().error.code]).toEqual([400, 'validation_failed']);
    expect((await get('/v1/cart', buyer.auth)).json().shops).toEqual([]);
    await addToCart(t, buyer.auth, s.skuIds[0]!, 1);
    for (const tampered of [
      { ...cardBody(), total: { amount: 1, currency: 'USD' } },
      { ...cardBody(), payment_method: { ...cardBody().payment_method, amount: 1 } },
      { ...cardBody(), items: [{ sku_id: s.skuIds[0], unit_price: 1 }] },
    ]) {
      const res = await checkoutReq(t, buyer.auth, tampered);
      expect([res.statusCode, res.json().error.code]).toEqual([400, 'validation_failed']);
    }
    expect(await buyerOrders(buyer.auth)).toEqual([]);
    const res = await checkoutReq(t, buyer.auth);
    expect(res.json().payment.amount).toEqual({ amount: 4200, currency: 'USD' });
  });

  it('with the same Idempotency-Key a retried checkout makes no second payment or order', async () => {
    const { s, buyer } = await buyerWithCart(t, { price: 1000, onHand: 10, quantity: 1 });
    const first = await checkoutReq(t, buyer.auth, cardBody(), 'retry-me');
    expect(first.statusCode).toBe(201);
    // The cart is empty now, yet the retry replays the first answer.
    const second = await checkoutReq(t, buyer.auth, cardBody(), 'retry-me');
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    const different = await checkoutReq(t, buyer.auth, { ...cardBody(), shipping_address: { ...ADDRESS, city: 'Shelbyville' } }, 'retry-me');
    expect([different.statusCode, different.json().error.code]).toEqual([422, 'idempotency_mismatch']);

    // Even if the stored response were lost (crash between commit and storing it), the payment
    // row carries the key: the retry finds the same payment instead of charging again.
    await addToCart(t, buyer.auth, s.skuIds[0]!, 1);
    await t.db.execute(sql`delete from idempotency_keys where key = 'retry-me'`);
    const third = await checkoutReq(t, buyer.auth, cardBody(), 'retry-me');
    expect(third.statusCode).toBe(201);
    expect(third.json().payment.id).toBe(first.json().payment.id);
    expect(third.json().orders.map((o: { id: string }) => o.id)).toEqual(first.json().orders.map((o: { id: string }) => o.id));
    expect(await buyerOrders(buyer.auth)).toHaveLength(1);
    expect(await onHand(s.skuIds[0]!)).toBe(9);
    // Concurrent duplicates: one payment.
    const c = await t.account();
    await addToCart(t, c.auth, s.skuIds[0]!, 1);
    const results = await Promise.all([1, 2, 3].map(() => checkoutReq(t, c.auth, cardBody(), 'concurrent')));
    expect(new Set(results.map((r) => r.json().payment?.id)).size).toBe(1);
    expect(await buyerOrders(c.auth)).toHaveLength(1);
    expect(await onHand(s.skuIds[0]!)).toBe(8);
  });

  it('3-D-Secure: requires_action holds the stock; pass pays, fail declines and releases', async () => {
    const { s, buyer } = await buyerWithCart(t, { price: 1000, onHand: 5, quantity: 2 });
    const res = await checkoutReq(t, buyer.auth, cardBody(SANDBOX_CARDS.requiresAction), 'tds-1');
    expect(res.statusCode).toBe(200);
    const { payment, orders } = res.json();
    expect(payment).toMatchObject({ status: 'requires_action', next_action: { type: 'confirm_challenge', url: `/v1/payments/${payment.id}/confirm` } });
    expect(orders[0].status).toBe('pending_payment');
    expect(await available(s.skuIds[0]!)).toBe(3);
    expect(await escrow(orders[0].id)).toBe(0);

    const pass = await post(`/v1/payments/${payment.id}/confirm`, buyer.auth, { challenge: 'pass' });
    expect(pass.statusCode).toBe(200);
    expect(pass.json().payment).toMatchObject({ status: 'succeeded', card_last4: '3220' });
    expect(pass.json().orders[0].status).toBe('paid');
    expect(await escrow(orders[0].id)).toBe(2000);
    expect(await onHand(s.skuIds[0]!)).toBe(3);
    // Confirming again changes nothing.
    expect((await post(`/v1/payments/${payment.id}/confirm`, buyer.auth, { challenge: 'pass' })).json().payment.status).toBe('succeeded');
    expect(await escrow(orders[0].id)).toBe(2000);

    await addToCart(t, buyer.auth, s.skuIds[0]!, 1);
    const res2 = await checkoutReq(t, buyer.auth, cardBody(SANDBOX_CARDS.requiresAction));
    expect(await available(s.skuIds[0]!)).toBe(2);
    const fail = await post(`/v1/payments/${res2.json().payment.id}/confirm`, buyer.auth, { challenge: 'fail' });
    expect(fail.statusCode).toBe(402);
    expect(fail.json().error).toMatchObject({ code: 'card_declined', details: { decline_code: 'authentication_failed' } });
    expect(await available(s.skuIds[0]!)).toBe(3);
    // A failed verification is a decline: the buyer no longer sees the order (404); inside it is cancelled.
    expect((await get(`/v1/orders/${res2.json().orders[0].id}`, buyer.auth)).statusCode).toBe(404);
    const [declinedRow] = await ordersOfPayment(t.db, res2.json().payment.id);
    const detail = await orderDetail(t.db, declinedRow!);
    expect(detail).toMatchObject({ status: 'cancelled', cancel_reason: 'payment_declined' });
    expect(detail.timeline.map((e: { type: string }) => e.type)).toEqual(['created', 'payment_requires_action', 'cancelled']);
    expect(await balanced()).toBe(true);
  });

  it('cancels unconfirmed orders when their reservation expires on the clock', async () => {
    const { s, buyer } = await buyerWithCart(t, { price: 1000, onHand: 5, quantity: 2 });
    const res = await checkoutReq(t, buyer.auth, cardBody(SANDBOX_CARDS.requiresAction));
    const { payment, orders } = res.json();
    expect(await available(s.skuIds[0]!)).toBe(3);
    t.clock.advance(15 * MINUTE);
    await t.app.ctx.jobs.runDue();
    expect(await available(s.skuIds[0]!)).toBe(5);
    expect((await get(`/v1/orders/${orders[0].id}`, buyer.auth)).json()).toMatchObject({ status: 'cancelled', cancel_reason: 'payment_expired' });
    expect((await get(`/v1/payments/${payment.id}`, buyer.auth)).json().payment.status).toBe('expired');
    const late = await post(`/v1/payments/${payment.id}/confirm`, buyer.auth, { challenge: 'pass' });
    expect([late.statusCode, late.json().error.code]).toEqual([409, 'payment_expired']);
    expect(await escrow(orders[0].id)).toBe(0);
  });

  it('webhooks: bad signature 401, replay ignored, webhook first then the synchronous path: one effect', async () => {
    const url = '/v1/webhooks/payments/sandbox';
    const deliver = (rawBody: string, headers: Record<string, string>) => t.app.inject({ method: 'POST', url, headers, payload: rawBody });
    const { s, buyer } = await buyerWithCart(t, { price: 1250, onHand: 5, quantity: 1 });
    const res = await checkoutReq(t, buyer.auth, cardBody(SANDBOX_CARDS.requiresAction));
    const { payment, orders } = res.json();
    const [p] = await rows<{ provider_ref: string }>(t.db, sql`select provider_ref from payments where id = ${payment.id}`);
    const event = sandbox().event('payment.succeeded', { intent_id: p!.provider_ref, payment_id: payment.id, amount: 1250, currency: 'USD' });
    const signed = sandbox().sign(event);

    const forged = await deliver(signed.rawBody.replace('1250', '1'), signed.headers);
    expect([forged.statusCode, forged.json().error.code]).toEqual([401, 'invalid_signature']);
    const unsigned = await deliver(signed.rawBody, { 'content-type': 'application/json' });
    expect([unsigned.statusCode, unsigned.json().error.code]).toEqual([401, 'invalid_signature']);
    const stale = sandbox().sign(event, new Date(t.clock.now().getTime() - 10 * MINUTE));
    expect((await deliver(stale.rawBody, stale.headers)).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/v1/webhooks/payments/nope', headers: signed.headers, payload: signed.rawBody })).statusCode).toBe(404);
    expect((await get(`/v1/orders/${orders[0].id}`, buyer.auth)).json().status).toBe('pending_payment');

    // The webhook arrives before the buyer finishes the challenge: it applies the capture.
    const ok = await deliver(signed.rawBody, signed.headers);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ received: true, duplicate: false, event_id: event.id });
    expect((await get(`/v1/orders/${orders[0].id}`, buyer.auth)).json().status).toBe('paid');
    expect(await escrow(orders[0].id)).toBe(1250);
    // A replay is acknowledged and ignored.
    const replay = await deliver(signed.rawBody, signed.headers);
    expect(replay.json()).toEqual({ received: true, duplicate: true, event_id: event.id });
    // The synchronous path then finds the payment settled: no second capture.
    const confirm = await post(`/v1/payments/${payment.id}/confirm`, buyer.auth, { challenge: 'pass' });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.json().payment.status).toBe('succeeded');
    expect(await escrow(orders[0].id)).toBe(1250);
    expect(await onHand(s.skuIds[0]!)).toBe(4);
    const [entries] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from ledger_entries where reference = ${orders[0].id}`);
    expect(entries!.n).toBe(1);

    // The sandbox's own deliveries (queued by every state change) are verified and applied as no-ops.
    await t.app.ctx.jobs.runDue();
    const jobs = await rows<{ status: string; last_error: string | null }>(t.db, sql`select status, last_error from jobs where type = 'payments.sandbox_webhook'`);
    expect(jobs.length).toBeGreaterThan(0);
    expect(jobs.every((j) => j.status === 'done')).toBe(true);
    expect(await escrow(orders[0].id)).toBe(1250);
    expect(await balanced()).toBe(true);
  });

  it('a payment.failed webhook declines an open payment once', async () => {
    const { s, buyer, payment, orders } = await checkoutAwaitingChallenge(500, 3, 1);
    const [p] = await rows<{ provider_ref: string }>(t.db, sql`select provider_ref from payments where id = ${payment.id}`);
    const signed = sandbox().sign(sandbox().event('payment.failed', { intent_id: p!.provider_ref, payment_id: payment.id, amount: 500, currency: 'USD', decline_code: 'authentication_failed' }));
    const res = await t.app.inject({ method: 'POST', url: '/v1/webhooks/payments/sandbox', headers: signed.headers, payload: signed.rawBody });
    expect(res.json().duplicate).toBe(false);
    expect((await get(`/v1/orders/${orders[0].id}`, buyer.auth)).statusCode).toBe(404);
    expect((await ordersOfPayment(t.db, payment.id))[0]).toMatchObject({ status: 'cancelled', cancelReason: 'payment_declined' });
    expect(await available(s.skuIds[0]!)).toBe(3);
    const confirm = await post(`/v1/payments/${payment.id}/confirm`, buyer.auth, { challenge: 'pass' });
    expect([confirm.statusCode, confirm.json().error.code]).toEqual([402, 'card_declined']);
  });

  it('cancel before shipping: refunds through the provider, reverses escrow, restocks; ledger reconciles', async () => {
    const a = await shopWithProduct(t, { name: 'Gamma', shippingFee: 250, variants: [{ price: 1000, onHand: 5 }] });
    const b = await shopWithProduct(t, { name: 'Delta', variants: [{ price: 2000, onHand: 5 }] });
    const buyer = await t.account();
    await addToCart(t, buyer.auth, a.skuIds[0]!, 2);
    await addToCart(t, buyer.auth, b.skuIds[0]!, 1);
    const { payment, orders } = (await checkoutReq(t, buyer.auth, cardBody(), 'cancel-flow')).json();
    const oa = orders.find((o: { shop_id: string }) => o.shop_id === a.shopId);
    const ob = orders.find((o: { shop_id: string }) => o.shop_id === b.shopId);
    expect(await escrow(oa.id)).toBe(2250);

    const res = await post(`/v1/orders/${oa.id}/cancel`, buyer.auth, {}, 'cancel-a');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: oa.id, status: 'cancelled', cancel_reason: 'cancelled_by_buyer', payment: { status: 'partially_refunded' } });
    const cancelled = res.json().timeline.find((e: { type: string }) => e.type === 'cancelled');
    expect(cancelled.data).toMatchObject({ reason: 'cancelled_by_buyer', refund: { amount: 2250, currency: 'USD' } });
    expect(await escrow(oa.id)).toBe(0);
    expect(await escrow(ob.id)).toBe(2000);
    expect(await onHand(a.skuIds[0]!)).toBe(5);
    expect(await onHand(b.skuIds[0]!)).toBe(4);
    // Retried with the key: replayed; without: the order is no longer cancellable.
    expect((await post(`/v1/orders/${oa.id}/cancel`, buyer.auth, {}, 'cancel-a')).headers['idempotent-replayed']).toBe('true');
    const twice = await post(`/v1/orders/${oa.id}/cancel`, buyer.auth, {});
    expect([twice.statusCode, twice.json().error.code]).toEqual([409, 'invalid_transition']);

    // The seller cancels the other order: the whole payment is refunded.
    const bySeller = await post(`/v1/orders/${ob.id}/cancel`, b.owner.auth, {});
    expect(bySeller.json()).toMatchObject({ status: 'cancelled', cancel_reason: 'cancelled_by_seller', payment: { status: 'refunded' } });
    expect(await escrow(ob.id)).toBe(0);
    const paid = (await get(`/v1/payments/${payment.id}`, buyer.auth)).json().payment;
    expect(paid.refunded_amount).toEqual({ amount: 4250, currency: 'USD' });
    // The sandbox's refund.succeeded webhooks arrive later: no second refund.
    await t.app.ctx.jobs.runDue();
    const jobs = await rows<{ status: string }>(t.db, sql`select status from jobs where type = 'payments.sandbox_webhook' and status <> 'done'`);
    expect(jobs).toEqual([]);
    expect(await escrow(oa.id)).toBe(0);
    expect(await balanced()).toBe(true);
  });

  it('cancel of an unpaid order abandons its checkout and releases the stock', async () => {
    const { s, buyer, payment, orders } = await checkoutAwaitingChallenge(1000, 5, 2);
    expect(await available(s.skuIds[0]!)).toBe(3);
    const res = await post(`/v1/orders/${orders[0].id}/cancel`, buyer.auth);
    expect(res.json()).toMatchObject({ status: 'cancelled', cancel_reason: 'cancelled_by_buyer', payment: { status: 'cancelled' } });
    expect(await available(s.skuIds[0]!)).toBe(5);
    const confirm = await post(`/v1/payments/${payment.id}/confirm`, buyer.auth, { challenge: 'pass' });
    expect([confirm.statusCode, confirm.json().error.code]).toEqual([409, 'invalid_state']);
  });

  it('per-object authorization: other buyers and other shops get 404 for every route with an id', async () => {
    const s = await shopWithProduct(t, { name: 'Own', variants: [{ price: 1000, onHand: 10 }] });
    const other = await shopWithProduct(t, { name: 'Other', variants: [{ price: 1000, onHand: 10 }] });
    const buyer = await t.account();
    const stranger = await t.account();
    const cart = await addToCart(t, buyer.auth, s.skuIds[0]!, 1);
    const itemId = cart.shops[0].items[0].id;
    for (const res of [
      await t.app.inject({ method: 'PATCH', url: `/v1/cart/items/${itemId}`, headers: stranger.auth, payload: { quantity: 2 } }),
      await t.app.inject({ method: 'DELETE', url: `/v1/cart/items/${itemId}`, headers: stranger.auth }),
    ]) {
      expect([res.statusCode, res.json().error.code]).toEqual([404, 'not_found']);
    }
    const paid = (await checkoutReq(t, buyer.auth)).json();
    await addToCart(t, buyer.auth, s.skuIds[0]!, 1);
    const pending = (await checkoutReq(t, buyer.auth, cardBody(SANDBOX_CARDS.requiresAction))).json();
    const orderId = paid.orders[0].id;
    const notFound = async (res: Awaited<ReturnType<typeof get>>) => expect([res.statusCode, res.json().error.code]).toEqual([404, 'not_found']);
    for (const who of [stranger.auth, other.owner.auth]) {
      await notFound(await get(`/v1/orders/${orderId}`, who));
      await notFound(await post(`/v1/orders/${orderId}/cancel`, who));
      await notFound(await get(`/v1/payments/${paid.payment.id}`, who));
      await notFound(await post(`/v1/payments/${pending.payment.id}/confirm`, who, { challenge: 'pass' }));
    }
    await notFound(await get(`/v1/orders?role=seller&shop_id=${s.shopId}`, other.owner.auth));
    expect((await get('/v1/orders?role=seller', other.owner.auth)).json().data).toEqual([]);
    expect((await get('/v1/orders', stranger.auth)).json().data).toEqual([]);
    // Nothing changed for the owner.
    expect((await get(`/v1/orders/${orderId}`, s.owner.auth)).json().status).toBe('paid');
    expect((await get(`/v1/payments/${pending.payment.id}`, buyer.auth)).json().payment.status).toBe('requires_action');
    // The owner's list: the paid order; the one awaiting verification is not one to ship yet (the buyer sees both).
    expect((await get(`/v1/orders?role=seller&shop_id=${s.shopId}`, s.owner.auth)).json().data.map((o: { id: string }) => o.id)).toEqual([orderId]);
    expect((await get('/v1/orders', buyer.auth)).json().data).toHaveLength(2);
  });

  it('operators read any order (the same detail as its buyer and shop) but act on none; strangers still get 404', async () => {
    const s = await shopWithProduct(t, { name: 'Disputed', variants: [{ price: 1200, onHand: 10 }] });
    const buyer = await t.account();
    const stranger = await t.account();
    const operator = await t.account({ roles: ['operator'] });
    await addToCart(t, buyer.auth, s.skuIds[0]!, 1);
    const orderId = (await checkoutReq(t, buyer.auth)).json().orders[0].id as string;

    const byBuyer = await get(`/v1/orders/${orderId}`, buyer.auth);
    const bySeller = await get(`/v1/orders/${orderId}`, s.owner.auth);
    const byOperator = await get(`/v1/orders/${orderId}`, operator.auth);
    expect([byBuyer.statusCode, bySeller.statusCode, byOperator.statusCode]).toEqual([200, 200, 200]);
    expect(byOperator.json()).toEqual(byBuyer.json());
    expect(bySeller.json()).toEqual(byBuyer.json());
    expect(byOperator.json()).toMatchObject({ id: orderId, shop_id: s.shopId, buyer: { id: buyer.id }, status: 'paid', shipments: [], shipping_address: ADDRESS });

    const stray = await get(`/v1/orders/${orderId}`, stranger.auth);
    expect([stray.statusCode, stray.json().error.code]).toEqual([404, 'not_found']);
    const missing = await get(`/v1/orders/ord_${'0'.repeat(26)}`, operator.auth);
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'not_found']);
    // Reading only: the operator cannot cancel, and its orders list is still its own.
    const cancel = await post(`/v1/orders/${orderId}/cancel`, operator.auth, {});
    expect([cancel.statusCode, cancel.json().error.code]).toEqual([404, 'not_found']);
    expect((await get('/v1/orders', operator.auth)).json().data).toEqual([]);
    expect((await get(`/v1/orders/${orderId}`, buyer.auth)).json().status).toBe('paid');
  });

  it('a capture that arrives after the checkout expired is refunded, never paid into escrow', async () => {
    const { s, buyer, payment, orders } = await checkoutAwaitingChallenge(800, 3, 1);
    const [p] = await rows<{ provider_ref: string }>(t.db, sql`select provider_ref from payments where id = ${payment.id}`);
    t.clock.advance(16 * MINUTE); // past the hold, before any job ran
    const signed = sandbox().sign(sandbox().event('payment.succeeded', { intent_id: p!.provider_ref, payment_id: payment.id, amount: 800, currency: 'USD' }));
    expect((await t.app.inject({ method: 'POST', url: '/v1/webhooks/payments/sandbox', headers: signed.headers, payload: signed.rawBody })).statusCode).toBe(200);
    expect((await get(`/v1/orders/${orders[0].id}`, buyer.auth)).json()).toMatchObject({ status: 'cancelled', cancel_reason: 'payment_expired' });
    await t.app.ctx.jobs.runDue();
    const after = (await get(`/v1/payments/${payment.id}`, buyer.auth)).json().payment;
    expect(after).toMatchObject({ status: 'refunded', refunded_amount: { amount: 800 } });
    expect(await escrow(orders[0].id)).toBe(0);
    expect(await available(s.skuIds[0]!)).toBe(3);
    expect(await onHand(s.skuIds[0]!)).toBe(3);
    expect(await balanced()).toBe(true);
  });

  it('a provider outage leaves the checkout pending; the retry with the same key resumes it without a second payment', async () => {
    const { s, buyer } = await buyerWithCart(t, { price: 900, onHand: 4, quantity: 1 });
    const real = new SandboxProvider(t.clock, t.secrets.payments);
    let down = true;
    const flaky: PaymentProvider = {
      name: 'sandbox',
      createIntent: (i) => real.createIntent(i),
      confirm: async (id, i) => {
        if (down) throw new Error('connection reset');
        return real.confirm(id, i);
      },
      completeAction: (id, i) => real.completeAction(id, i),
      capture: (id) => real.capture(id),
      refund: (id, a, o) => real.refund(id, a, o),
      verifyWebhook: (b, h) => real.verifyWebhook(b, h),
    };
    const providers = new Map([['sandbox', flaky]]);
    const input = cardBody();
    await expect(checkout(t.db, t.clock, providers, buyer.id, input, 'outage')).rejects.toMatchObject({ code: 'payment_provider_unavailable', status: 502 });
    const [order] = await buyerOrders(buyer.auth);
    expect(order).toMatchObject({ status: 'pending_payment' });
    expect(await available(s.skuIds[0]!)).toBe(3);
    down = false;
    const resumed = await checkout(t.db, t.clock, providers, buyer.id, input, 'outage');
    expect(resumed.payment.status).toBe('succeeded');
    expect(resumed.orders.map((o) => [o.id, o.status])).toEqual([[order!.id, 'paid']]);
    expect(await buyerOrders(buyer.auth)).toHaveLength(1);
    expect(await onHand(s.skuIds[0]!)).toBe(3);
    expect(await escrow(order!.id)).toBe(900);
  });

  it('cancel takes an empty or absent body', async () => {
    const { buyer } = await buyerWithCart(t, { price: 900, onHand: 4, quantity: 1 });
    const { orders } = (await checkoutReq(t, buyer.auth)).json();
    const res = await t.app.inject({ method: 'POST', url: `/v1/orders/${orders[0].id}/cancel`, headers: buyer.auth });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('cancelled');
    const bad = await post(`/v1/orders/${orders[0].id}/cancel`, buyer.auth, { refund: 1 });
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'validation_failed']);
  });

  it('documents the routes in OpenAPI; the checkout body has no amounts and refuses other fields', async () => {
    const doc = (await t.app.inject('/docs/json')).json();
    for (const path of ['/v1/cart', '/v1/cart/items', '/v1/cart/items/{id}', '/v1/checkout', '/v1/orders', '/v1/orders/{id}', '/v1/orders/{id}/cancel', '/v1/payments/{id}', '/v1/payments/{id}/confirm', '/v1/webhooks/payments/{provider}']) {
      expect(doc.paths[path], path).toBeDefined();
    }
    const body = doc.paths['/v1/checkout'].post.requestBody.content['application/json'].schema;
    expect(body.additionalProperties).toBe(false);
    expect(Object.keys(body.properties).sort()).toEqual(['payment_method', 'shipping_address']);
    expect(body.description).toMatch(/computed by the server/);
  });
});
