import { describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../../platform/clock.js';
import { useTestApp } from '../../test/app.js';
import { accounts, getBalance } from '../ledger/index.js';
import { addToCart, ADDRESS, cardBody, checkoutReq, shopWithProduct } from '../orders/index.js';
import { SandboxCarrier } from './sandbox-carrier.js';
import { listBreaches, listFlags } from './service.js';

type Auth = { authorization: string };
interface Order {
  id: string;
  status: string;
  delivered_at: string | null;
  items: Array<{ id: string; quantity: number }>;
  shipments: Array<{ id: string; status: string; delivered_at: string | null; receipt_confirmed_at: string | null; timeline: Array<{ status: string }> }>;
  timeline: Array<{ type: string }>;
}

describe('fulfillment: the buyer confirms receipt', () => {
  const t = useTestApp();
  const get = (url: string, auth: Auth) => t.app.inject({ method: 'GET', url, headers: auth });
  const post = (url: string, auth: Auth, payload?: object) => t.app.inject({ method: 'POST', url, headers: auth, ...(payload ? { payload } : {}) });
  const orderOf = async (id: string, auth: Auth) => (await get(`/v1/orders/${id}`, auth)).json() as Order;
  const confirm = (id: string, auth: Auth) => post(`/v1/orders/${id}/confirm-receipt`, auth);
  const later = async (ms: number) => {
    t.clock.advance(ms);
    await t.app.ctx.jobs.runDue();
  };

  async function paidOrder() {
    const shop = await shopWithProduct(t, { name: 'Receipts', variants: [{ price: 1000, onHand: 100 }, { price: 2000, onHand: 100 }] });
    const buyer = await t.account({ name: 'Buyer' });
    await addToCart(t, buyer.auth, shop.skuIds[0]!, 2);
    await addToCart(t, buyer.auth, shop.skuIds[1]!, 1);
    const res = await checkoutReq(t, buyer.auth, cardBody());
    expect(res.statusCode).toBe(201);
    return { shop, buyer, order: await orderOf(res.json().orders[0].id, buyer.auth) };
  }
  const ship = async (orderId: string, auth: Auth, body: object = { carrier: 'sandbox' }) => {
    const res = await post(`/v1/orders/${orderId}/shipments`, auth, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; tracking_number: string };
  };

  it('delivers the order as a delivery scan would: after-sales window, reviews, completion and escrow release; twice is one effect; a later scan changes nothing', async () => {
    const { shop, buyer, order } = await paidOrder();
    const stranger = await t.account();
    const early = await confirm(order.id, buyer.auth);
    expect([early.statusCode, early.json().error.code]).toEqual([409, 'invalid_state']);
    expect((await orderOf(order.id, buyer.auth)).status).toBe('paid');

    const s = await ship(order.id, shop.owner.auth);
    await later(2 * HOUR);
    for (const who of [stranger.auth, shop.owner.auth]) {
      const res = await confirm(order.id, who);
      expect([res.statusCode, res.json().error.code]).toEqual([404, 'not_found']);
    }
    expect((await orderOf(order.id, buyer.auth)).status).toBe('shipped');
    const item = order.items[0]!;
    const tooSoon = await post(`/v1/orders/${order.id}/items/${item.id}/review`, buyer.auth, { rating: 5 });
    expect(tooSoon.statusCode).toBe(409);

    const res = await confirm(order.id, buyer.auth);
    expect(res.statusCode, res.body).toBe(200);
    const now = t.clock.now().toISOString();
    const delivered = res.json() as Order;
    expect(delivered).toMatchObject({ id: order.id, status: 'delivered', delivered_at: now });
    expect(delivered.shipments).toMatchObject([{ id: s.id, status: 'delivered', delivered_at: now, receipt_confirmed_at: now }]);
    expect(delivered.timeline.filter((e) => e.type === 'receipt_confirmed')).toHaveLength(1);

    // Twice: the same order, nothing more.
    await later(HOUR);
    const again = await confirm(order.id, buyer.auth);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ status: 'delivered', delivered_at: now });
    expect((again.json() as Order).timeline.filter((e) => e.type === 'receipt_confirmed')).toHaveLength(1);

    // The carrier's delivery scan arrives later: on the timeline, nothing else moves.
    const { rawBody, headers } = new SandboxCarrier(t.clock, t.secrets.carrier).sign([
      { id: 'late-delivery', tracking_number: s.tracking_number, status: 'delivered', at: t.clock.now().toISOString(), postal_code: ADDRESS.postal_code, description: 'Delivered' },
    ]);
    expect((await t.app.inject({ method: 'POST', url: '/v1/webhooks/carriers/sandbox', headers, payload: rawBody })).statusCode).toBe(200);
    const after = await orderOf(order.id, buyer.auth);
    expect(after).toMatchObject({ status: 'delivered', delivered_at: now });
    expect(after.shipments[0]).toMatchObject({ status: 'delivered', delivered_at: now, receipt_confirmed_at: now });
    expect(after.shipments[0]!.timeline.map((e) => e.status)).toEqual(['delivered']);
    expect(after.timeline.filter((e) => e.type === 'delivered' || e.type === 'receipt_confirmed')).toHaveLength(1);
    expect(await listBreaches(t.db, { orderId: order.id })).toEqual([]);

    // What hangs off delivery: reviews open, after-sales is open, the order completes when the window ends and the escrow is released.
    const review = await post(`/v1/orders/${order.id}/items/${item.id}/review`, buyer.auth, { rating: 5, text: 'Arrived well' });
    expect(review.statusCode, review.body).toBe(201);
    expect(await getBalance(t.db, accounts.escrow(order.id), 'USD')).toBeGreaterThan(0);
    await later(6 * DAY);
    expect((await orderOf(order.id, buyer.auth)).status).toBe('delivered');
    await later(DAY);
    expect((await orderOf(order.id, buyer.auth)).status).toBe('completed');
    expect(await getBalance(t.db, accounts.escrow(order.id), 'USD')).toBe(0);
    const completed = await confirm(order.id, buyer.auth);
    expect([completed.statusCode, completed.json().status]).toEqual([200, 'completed']);
  });

  it('a parcel no carrier ever scanned, confirmed as received in time: no late pickup, no "no scan" flag, and the escrow is released', async () => {
    const { shop, buyer, order } = await paidOrder();
    // A tracking number the seller typed: the sandbox carrier never scans it.
    await ship(order.id, shop.owner.auth, { carrier: 'sandbox', tracking_number: 'TYPED-BY-SELLER-1' });
    await later(3 * HOUR);
    expect((await confirm(order.id, buyer.auth)).statusCode).toBe(200);
    await later(7 * DAY);
    expect(await listBreaches(t.db, { orderId: order.id })).toEqual([]);
    expect(await listFlags(t.db, { orderId: order.id })).toEqual([]);
    expect((await orderOf(order.id, buyer.auth)).status).toBe('completed');
    expect(await getBalance(t.db, accounts.escrow(order.id), 'USD')).toBe(0);

    // Confirmed only after the pickup deadline, still without a scan: the pickup was late.
    const late = await paidOrder();
    await ship(late.order.id, late.shop.owner.auth, { carrier: 'sandbox', tracking_number: 'TYPED-BY-SELLER-2' });
    await later(30 * HOUR);
    expect((await confirm(late.order.id, late.buyer.auth)).statusCode).toBe(200);
    await later(DAY);
    expect((await listBreaches(t.db, { orderId: late.order.id })).map((b) => b.kind)).toEqual(['late_pickup']);
  });

  it('refuses while an item is not shipped yet, and for a cancelled order; bad input is 400; nothing changes', async () => {
    const { shop, buyer, order } = await paidOrder();
    const [a] = order.items;
    await ship(order.id, shop.owner.auth, { carrier: 'sandbox', tracking_number: 'PART-A', items: [{ order_item_id: a!.id, quantity: a!.quantity }] });
    const partial = await confirm(order.id, buyer.auth);
    expect([partial.statusCode, partial.json().error.code]).toEqual([409, 'not_fully_shipped']);
    const body = await post(`/v1/orders/${order.id}/confirm-receipt`, buyer.auth, { force: true });
    expect(body.statusCode).toBe(400);
    expect((await post('/v1/orders/not-an-order/confirm-receipt', buyer.auth)).statusCode).toBe(400);
    const still = await orderOf(order.id, buyer.auth);
    expect(still).toMatchObject({ status: 'shipped', delivered_at: null });
    expect(still.shipments.map((s) => [s.status, s.receipt_confirmed_at])).toEqual([['label_created', null]]);

    const other = await paidOrder();
    expect((await post(`/v1/orders/${other.order.id}/cancel`, other.buyer.auth)).statusCode).toBe(200);
    const cancelled = await confirm(other.order.id, other.buyer.auth);
    expect([cancelled.statusCode, cancelled.json().error.code, cancelled.json().error.details?.status]).toEqual([409, 'invalid_state', 'cancelled']);
  });
});
