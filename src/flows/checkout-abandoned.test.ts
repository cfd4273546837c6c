import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { MINUTE } from '../platform/clock.js';
import { rows } from '../platform/db.js';
import { useTestApp } from '../test/app.js';
import { getAvailability, getReservations } from '../modules/inventory/index.js';
import { accounts, getBalance, reconcile } from '../modules/ledger/index.js';
import { SANDBOX_CARDS } from '../modules/payments/index.js';
import { addToCart, buyerWithCart, cardBody, checkoutReq, ordersOfPayment, shopWithProduct } from '../modules/orders/index.js';

/**
 * Issue 16 §7: a 3-D-Secure checkout the buyer left is resumed or cancelled without a second
 * order; a declined card leaves no order visible to the buyer or the shop.
 */
describe('abandoned 3-D Secure and declined cards (HTTP API)', () => {
  const t = useTestApp();
  type Auth = { authorization: string };
  const get = (url: string, auth: Auth) => t.app.inject({ method: 'GET', url, headers: auth });
  const post = (url: string, auth: Auth, payload: object = {}, key?: string) =>
    t.app.inject({ method: 'POST', url, headers: { ...auth, ...(key ? { 'idempotency-key': key } : {}) }, payload });
  const available = async (skuId: string) => (await getAvailability(t.db, [skuId])).get(skuId)!;
  const list = async (auth: Auth, query = '') => (await get(`/v1/orders${query}`, auth)).json().data as Array<Record<string, unknown> & { id: string }>;
  const paymentsOf = async (buyerId: string) => rows<{ id: string; status: string }>(t.db, sql`select id, status from payments where buyer_id = ${buyerId} order by id`);
  const balanced = async () => expect((await reconcile(t.db)).problems).toEqual([]);

  /** A shop's product (price 1500, 5 units), 2 in a new buyer's cart, checked out with the 3-D-Secure card and left there. */
  const abandoned = async () => {
    const { s, buyer } = await buyerWithCart(t, { price: 1500, onHand: 5, quantity: 2 });
    const res = await checkoutReq(t, buyer.auth, cardBody(SANDBOX_CARDS.requiresAction), 'tds-first');
    expect(res.statusCode).toBe(200);
    const { payment, orders } = res.json() as { payment: { id: string; status: string; expires_at: string }; orders: Array<{ id: string }> };
    expect(payment.status).toBe('requires_action');
    return { s, buyer, payment, order: orders[0]!.id, sku: s.skuIds[0]! };
  };

  it('the buyer finds the order awaiting verification; the shop does not see it; checkout again makes no second order', async () => {
    const { s, buyer, payment, order, sku } = await abandoned();
    const [row] = await list(buyer.auth);
    expect(row).toMatchObject({ id: order, status: 'pending_payment', awaiting_verification: { payment_id: payment.id, expires_at: payment.expires_at } });
    expect((await get(`/v1/orders/${order}`, buyer.auth)).json()).toMatchObject({ status: 'pending_payment', awaiting_verification: { payment_id: payment.id }, payment: { status: 'requires_action' } });
    // The expiry is the market's stock hold: 15 minutes.
    expect(new Date(payment.expires_at).getTime() - t.clock.now().getTime()).toBe(15 * MINUTE);

    // Unpaid: not an order to ship for the shop, in no list or page.
    expect(await list(s.owner.auth, '?role=seller')).toEqual([]);
    expect(await list(s.owner.auth, `?role=seller&shop_id=${s.shopId}&status=pending_payment`)).toEqual([]);
    expect((await get(`/v1/orders/${order}`, s.owner.auth)).statusCode).toBe(404);

    // The same cart through checkout again, with a new key: 409, nothing written, nothing reserved.
    const again = await checkoutReq(t, buyer.auth, cardBody(SANDBOX_CARDS.requiresAction), 'tds-second');
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ code: 'payment_awaiting_verification', details: { payment_id: payment.id, order_ids: [order] } });
    const byCard = await checkoutReq(t, buyer.auth, cardBody(), 'plain-card');
    expect([byCard.statusCode, byCard.json().error.code]).toEqual([409, 'payment_awaiting_verification']);
    expect(await paymentsOf(buyer.id)).toEqual([{ id: payment.id, status: 'requires_action' }]);
    expect(await available(sku)).toBe(3);
    // The same key resumes the same payment (the request replayed).
    const sameKey = await checkoutReq(t, buyer.auth, cardBody(SANDBOX_CARDS.requiresAction), 'tds-first');
    expect(sameKey.json().payment.id).toBe(payment.id);

    // Another product is not held by the waiting payment: it can be bought.
    const other = await shopWithProduct(t, { variants: [{ price: 300, onHand: 2 }] });
    const buyer2Cart = await t.account();
    await addToCart(t, buyer2Cart.auth, other.skuIds[0]!, 1);
    expect((await checkoutReq(t, buyer2Cart.auth)).statusCode).toBe(201);
  });

  it('resume: completing the verification pays THAT order once, with its one reservation', async () => {
    const { s, buyer, payment, order, sku } = await abandoned();
    const reservationsBefore = await getReservations(t.db, order);
    expect(reservationsBefore.map((r) => r.status)).toEqual(['active']);
    // Another account cannot confirm it.
    const stranger = await t.account();
    expect((await post(`/v1/payments/${payment.id}/confirm`, stranger.auth, { challenge: 'pass' })).statusCode).toBe(404);
    expect((await get(`/v1/payments/${payment.id}`, stranger.auth)).statusCode).toBe(404);

    // Back later: the payment as it was, then the verification completed.
    const fetched = (await get(`/v1/payments/${payment.id}`, buyer.auth)).json();
    expect(fetched).toMatchObject({ payment: { id: payment.id, status: 'requires_action' }, orders: [{ id: order, status: 'pending_payment' }] });
    t.clock.advance(10 * MINUTE);
    const pass = await post(`/v1/payments/${payment.id}/confirm`, buyer.auth, { challenge: 'pass' }, 'resume-1');
    expect(pass.statusCode).toBe(200);
    expect(pass.json()).toMatchObject({ payment: { id: payment.id, status: 'succeeded' }, orders: [{ id: order, status: 'paid' }] });
    expect((await post(`/v1/payments/${payment.id}/confirm`, buyer.auth, { challenge: 'pass' }, 'resume-2')).json().payment.status).toBe('succeeded');

    // One order, one payment, one capture, the same reservation committed.
    expect((await list(buyer.auth)).map((o) => [o.id, o.status, o.awaiting_verification])).toEqual([[order, 'paid', null]]);
    expect(await paymentsOf(buyer.id)).toEqual([{ id: payment.id, status: 'succeeded' }]);
    const after = await getReservations(t.db, order);
    expect(after.map((r) => [r.id, r.status])).toEqual([[reservationsBefore[0]!.id, 'committed']]);
    expect(await getBalance(t.db, accounts.escrow(order), 'USD')).toBe(3000);
    const [entries] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from ledger_entries where reference = ${order}`);
    expect(entries!.n).toBe(1);
    expect(await available(sku)).toBe(3);
    // The cart lines were bought; the shop now sees the paid order.
    expect((await get('/v1/cart', buyer.auth)).json().shops).toEqual([]);
    expect((await list(s.owner.auth, '?role=seller')).map((o) => o.id)).toEqual([order]);
    expect((await get(`/v1/orders/${order}`, s.owner.auth)).statusCode).toBe(200);
    await balanced();
  });

  it('cancel: the unpaid order cancelled, stock back, nothing charged; 404 for others; twice one effect; after paid 409', async () => {
    const { s, buyer, payment, order, sku } = await abandoned();
    const stranger = await t.account();
    // Another account, and the shop itself (it does not see unpaid orders): 404, nothing changed.
    for (const auth of [stranger.auth, s.owner.auth]) {
      expect((await post(`/v1/payments/${payment.id}/cancel`, auth, {}, 'x')).statusCode).toBe(404);
      expect((await post(`/v1/orders/${order}/cancel`, auth, {}, 'y')).statusCode).toBe(404);
    }
    expect(await available(sku)).toBe(3);
    const bad = await post(`/v1/payments/${payment.id}/cancel`, buyer.auth, { reason: 'x' });
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'validation_failed']);
    expect(await available(sku)).toBe(3);

    const res = await post(`/v1/payments/${payment.id}/cancel`, buyer.auth, {}, 'cancel-1');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ payment: { id: payment.id, status: 'cancelled' }, orders: [{ id: order, status: 'cancelled' }] });
    expect(await available(sku)).toBe(5);
    expect((await getReservations(t.db, order)).map((r) => r.status)).toEqual(['released']);
    expect(await getBalance(t.db, accounts.escrow(order), 'USD')).toBe(0);
    // The buyer still sees it, cancelled by them; the cart keeps its lines for another try.
    expect((await get(`/v1/orders/${order}`, buyer.auth)).json()).toMatchObject({ status: 'cancelled', cancel_reason: 'cancelled_by_buyer', awaiting_verification: null });
    expect((await get('/v1/cart', buyer.auth)).json().shops).toHaveLength(1);
    // Twice: the replay, or a new request, changes nothing more.
    expect((await post(`/v1/payments/${payment.id}/cancel`, buyer.auth, {}, 'cancel-1')).json()).toEqual(res.json());
    const twice = await post(`/v1/payments/${payment.id}/cancel`, buyer.auth, {}, 'cancel-2');
    expect([twice.statusCode, twice.json().payment.status]).toEqual([200, 'cancelled']);
    expect(await available(sku)).toBe(5);
    const [events] = await rows<{ n: number }>(t.db, sql`select count(*)::int as n from order_events where order_id = ${order} and type = 'cancelled'`);
    expect(events!.n).toBe(1);
    // The verification can no longer pay it.
    const late = await post(`/v1/payments/${payment.id}/confirm`, buyer.auth, { challenge: 'pass' });
    expect(late.statusCode).toBe(409);
    expect(await getBalance(t.db, accounts.escrow(order), 'USD')).toBe(0);
    // Checkout again works now: a new payment for the cart.
    const fresh = await checkoutReq(t, buyer.auth, cardBody(), 'after-cancel');
    expect(fresh.statusCode).toBe(201);
    expect(fresh.json().orders[0].id).not.toBe(order);

    // Cancelling a paid checkout's payment: 409 invalid_transition, nothing changed.
    const paid = await post(`/v1/payments/${fresh.json().payment.id}/cancel`, buyer.auth, {}, 'cancel-paid');
    expect(paid.statusCode).toBe(409);
    expect(paid.json().error).toMatchObject({ code: 'invalid_transition', details: { entity: 'payment', from: 'succeeded', event: 'cancel' } });
    expect((await get(`/v1/orders/${fresh.json().orders[0].id}`, buyer.auth)).json().status).toBe('paid');
    await balanced();
  });

  it('an abandoned verification expires after the stock hold (15 minutes); then checkout is free again', async () => {
    const { buyer, payment, order, sku } = await abandoned();
    t.clock.advance(15 * MINUTE);
    // Before the job ran: checkout expires it itself and goes on.
    const res = await checkoutReq(t, buyer.auth, cardBody(), 'after-expiry');
    expect(res.statusCode).toBe(201);
    expect((await get(`/v1/orders/${order}`, buyer.auth)).json()).toMatchObject({ status: 'cancelled', cancel_reason: 'payment_expired' });
    expect((await get(`/v1/payments/${payment.id}`, buyer.auth)).json().payment.status).toBe('expired');
    expect(await available(sku)).toBe(3);
    await t.app.ctx.jobs.runDue();
    expect(await available(sku)).toBe(3);
    // Cancelling the expired one is answered as it is.
    const cancel = await post(`/v1/payments/${payment.id}/cancel`, buyer.auth, {}, 'cancel-expired');
    expect([cancel.statusCode, cancel.json().payment.status]).toEqual([200, 'expired']);
  });

  it('a declined card leaves no order visible to the buyer or the shop; stock released, cart kept', async () => {
    const { s, buyer } = await buyerWithCart(t, { price: 800, onHand: 3, quantity: 1 });
    const res = await checkoutReq(t, buyer.auth, cardBody(SANDBOX_CARDS.declined), 'declined');
    expect(res.statusCode).toBe(402);
    const paymentId = res.json().error.details.payment_id as string;
    const [row] = await ordersOfPayment(t.db, paymentId);
    // Kept internally (the attempt's record), hidden from every buyer and shop read.
    expect(row).toMatchObject({ status: 'cancelled', cancelReason: 'payment_declined' });
    expect(await list(buyer.auth)).toEqual([]);
    expect(await list(buyer.auth, '?status=cancelled')).toEqual([]);
    expect((await get(`/v1/orders/${row!.id}`, buyer.auth)).statusCode).toBe(404);
    expect((await post(`/v1/orders/${row!.id}/cancel`, buyer.auth, {}, 'c')).statusCode).toBe(404);
    expect((await get(`/v1/payments/${paymentId}`, buyer.auth)).json()).toMatchObject({ payment: { status: 'declined' }, orders: [] });
    expect(await list(s.owner.auth, '?role=seller')).toEqual([]);
    expect(await list(s.owner.auth, `?role=seller&shop_id=${s.shopId}&status=cancelled`)).toEqual([]);
    expect((await get(`/v1/orders/${row!.id}`, s.owner.auth)).statusCode).toBe(404);
    expect(await available(s.skuIds[0]!)).toBe(3);
    expect((await get('/v1/cart', buyer.auth)).json().shops).toHaveLength(1);
    // The payment cannot be "cancelled" either: it is declined.
    const cancel = await post(`/v1/payments/${paymentId}/cancel`, buyer.auth, {}, 'cancel-declined');
    expect([cancel.statusCode, cancel.json().error.code]).toEqual([409, 'invalid_transition']);

    // A failed 3-D-Secure verification is a decline too: the order awaiting it disappears.
    const tds = await checkoutReq(t, buyer.auth, cardBody(SANDBOX_CARDS.requiresAction), 'tds');
    const tdsOrder = tds.json().orders[0].id as string;
    expect((await list(buyer.auth)).map((o) => o.id)).toEqual([tdsOrder]);
    const fail = await post(`/v1/payments/${tds.json().payment.id}/confirm`, buyer.auth, { challenge: 'fail' });
    expect(fail.statusCode).toBe(402);
    expect(await list(buyer.auth)).toEqual([]);
    expect((await get(`/v1/orders/${tdsOrder}`, buyer.auth)).statusCode).toBe(404);
    expect(await list(s.owner.auth, '?role=seller')).toEqual([]);
    expect(await available(s.skuIds[0]!)).toBe(3);
    await balanced();
  });
});
