import { describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../../platform/clock.js';
import { useTestApp } from '../../test/app.js';
import { accounts, getBalance, reconcile } from '../ledger/index.js';
import { addToCart, ADDRESS, cardBody, checkoutReq, shopWithProduct, type ShopFixture } from '../orders/index.js';
import { SandboxCarrier } from './sandbox-carrier.js';
import { hasHolds } from '../settlement/index.js';
import { hasOpenFlags, listBreaches, listFlags, scheduleDispatchSweep } from './service.js';

type Auth = { authorization: string };

describe('fulfillment: shipments, carrier tracking, SLA clocks, fake-tracking flags', () => {
  const t = useTestApp();
  const carrier = () => new SandboxCarrier(t.clock, t.secrets.carrier);

  const get = (url: string, auth: Auth) => t.app.inject({ method: 'GET', url, headers: auth });
  const post = (url: string, auth: Auth, payload: object = {}) => t.app.inject({ method: 'POST', url, headers: auth, payload });
  const run = () => t.app.ctx.jobs.runDue();
  const later = async (ms: number) => {
    t.clock.advance(ms);
    await run();
  };
  const orderOf = async (id: string, auth: Auth) => (await get(`/v1/orders/${id}`, auth)).json();
  const webhook = (rawBody: string, headers: Record<string, string>) =>
    t.app.inject({ method: 'POST', url: '/v1/webhooks/carriers/sandbox', headers, payload: rawBody });
  const scan = (tracking: string, id: string, status: string, at: Date, postal_code: string | null = ADDRESS.postal_code) => {
    const { rawBody, headers } = carrier().sign([{ id, tracking_number: tracking, status: status as 'delivered', at: at.toISOString(), postal_code, description: status }]);
    return webhook(rawBody, headers);
  };

  /** A paid order of a shop (two items) and its buyer. */
  async function paidOrder(shop?: ShopFixture) {
    const s = shop ?? (await shopWithProduct(t, { name: 'Ships', variants: [{ price: 1000, onHand: 100 }, { price: 2000, onHand: 100 }] }));
    const buyer = await t.account({ name: 'Buyer' });
    await addToCart(t, buyer.auth, s.skuIds[0]!, 2);
    await addToCart(t, buyer.auth, s.skuIds[1]!, 1);
    const res = await checkoutReq(t, buyer.auth, cardBody());
    expect(res.statusCode).toBe(201);
    const order = (await orderOf(res.json().orders[0].id, buyer.auth)) as { id: string; total: { amount: number }; ship_by: string; items: Array<{ id: string; quantity: number }> };
    return { shop: s, buyer, order };
  }
  const ship = async (orderId: string, auth: Auth, body: object = { carrier: 'sandbox' }) => {
    const res = await post(`/v1/orders/${orderId}/shipments`, auth, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; tracking_number: string; status: string; created_at: string; has_open_flags: boolean; flags: string[] };
  };

  it('ships on time, the sandbox carrier scans it to delivery, the order completes after the after-sales window', async () => {
    const { shop, buyer, order } = await paidOrder();
    const s = await ship(order.id, shop.owner.auth);
    expect(s.tracking_number).toMatch(/^SBX\d{12}$/);
    expect(s).toMatchObject({ status: 'label_created', has_open_flags: false, flags: [] });
    expect((await orderOf(order.id, buyer.auth)).status).toBe('shipped');

    await carrier().simulate(t.db, s.tracking_number, 'on_time', { postalCode: ADDRESS.postal_code });
    await later(20 * HOUR);
    expect((await get(`/v1/shipments/${s.id}`, buyer.auth)).json().status).toBe('in_transit');
    await later(30 * HOUR);
    const view = (await get(`/v1/shipments/${s.id}`, buyer.auth)).json();
    expect(view.status).toBe('delivered');
    expect(view.timeline.map((e: { status: string }) => e.status)).toEqual(['picked_up', 'in_transit', 'out_for_delivery', 'delivered']);
    expect((await orderOf(order.id, buyer.auth)).status).toBe('delivered');
    expect(await listBreaches(t.db, { orderId: order.id })).toEqual([]);
    expect(await hasOpenFlags(t.db, order.id)).toBe(false);

    await later(6 * DAY);
    expect((await orderOf(order.id, buyer.auth)).status).toBe('delivered');
    await later(1 * DAY);
    const done = await orderOf(order.id, buyer.auth);
    expect(done.status).toBe('completed');
    expect(done.timeline.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['shipment_created', 'shipped', 'tracking', 'delivered', 'completed']));
    // Completion releases the escrow (settlement module).
    expect(await getBalance(t.db, accounts.escrow(order.id), 'USD')).toBe(0);
  });

  it('ships in parts: the first parcel makes the order shipped (no cancel); delivered when every item is shipped and every parcel delivered', async () => {
    const { shop, buyer, order } = await paidOrder();
    const [a, b] = order.items;
    const s1 = await ship(order.id, shop.owner.auth, { carrier: 'sandbox', tracking_number: 'PART-1', items: [{ order_item_id: a!.id, quantity: a!.quantity }] });
    expect((await orderOf(order.id, buyer.auth)).status).toBe('shipped');
    expect((await post(`/v1/orders/${order.id}/cancel`, buyer.auth)).statusCode).toBe(409);
    const now = t.clock.now();
    await scan('PART-1', 'p1-d', 'delivered', now);
    expect((await orderOf(order.id, buyer.auth)).status).toBe('shipped');
    const over = await post(`/v1/orders/${order.id}/shipments`, shop.owner.auth, { carrier: 'sandbox', items: [{ order_item_id: a!.id, quantity: 1 }] });
    expect(over.statusCode).toBe(409);
    const s2 = await ship(order.id, shop.owner.auth, { carrier: 'sandbox', tracking_number: 'PART-2' });
    expect(s2).toMatchObject({ status: 'label_created' });
    expect((await orderOf(order.id, buyer.auth)).status).toBe('shipped');
    expect((await post(`/v1/orders/${order.id}/shipments`, shop.owner.auth, { carrier: 'sandbox' })).statusCode).toBe(409);
    await scan('PART-2', 'p2-d', 'delivered', now);
    const done = await orderOf(order.id, buyer.auth);
    expect(done.status).toBe('delivered');
    expect(done.shipments.map((s: { id: string; status: string }) => [s.id, s.status])).toEqual([[s1.id, 'delivered'], [s2.id, 'delivered']]);
    expect(done.items.map((i: { id: string }) => i.id)).toEqual([a!.id, b!.id]);
  });

  it('webhooks: a bad signature is 401 and records nothing; a replay changes nothing twice; an older event never moves status back', async () => {
    const { shop, buyer, order } = await paidOrder();
    const s = await ship(order.id, shop.owner.auth);
    const at = t.clock.now();
    const good = carrier().sign([{ id: 'wh-1', tracking_number: s.tracking_number, status: 'picked_up', at: at.toISOString(), postal_code: null, description: 'x' }]);
    const forged = new SandboxCarrier(t.clock, 'not-the-secret').sign([{ id: 'wh-1', tracking_number: s.tracking_number, status: 'delivered', at: at.toISOString(), postal_code: null, description: 'x' }]);
    const bad = await webhook(forged.rawBody, forged.headers);
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.code).toBe('invalid_signature');
    expect((await webhook(good.rawBody, { 'content-type': 'application/json' })).statusCode).toBe(401);
    let view = (await get(`/v1/shipments/${s.id}`, buyer.auth)).json();
    expect(view).toMatchObject({ status: 'label_created', timeline: [] });

    expect((await webhook(good.rawBody, good.headers)).json()).toEqual({ received: 1, applied: 1, duplicates: 0 });
    expect((await webhook(good.rawBody, good.headers)).json()).toEqual({ received: 1, applied: 0, duplicates: 1 });
    view = (await get(`/v1/shipments/${s.id}`, buyer.auth)).json();
    expect(view.timeline).toHaveLength(1);

    // Delivered arrives before in_transit: the late in_transit is kept in the timeline, status stays delivered.
    await scan(s.tracking_number, 'wh-3', 'delivered', new Date(at.getTime() + 2 * HOUR));
    await scan(s.tracking_number, 'wh-2', 'in_transit', new Date(at.getTime() + 1 * HOUR));
    view = (await get(`/v1/shipments/${s.id}`, buyer.auth)).json();
    expect(view.status).toBe('delivered');
    expect(view.timeline.map((e: { status: string }) => e.status)).toEqual(['picked_up', 'in_transit', 'delivered']);
    expect((await orderOf(order.id, buyer.auth)).status).toBe('delivered');
    const events = (await orderOf(order.id, buyer.auth)).timeline.filter((e: { type: string }) => e.type === 'delivered');
    expect(events).toHaveLength(1);
  });

  it("a scan that reaches us late keeps the carrier's time: the shipment, the order's timeline and delivered_at agree; the after-sales window starts then", async () => {
    const { shop, buyer, order } = await paidOrder();
    const s = await ship(order.id, shop.owner.auth);
    const picked = new Date(t.clock.now().getTime() + 1 * HOUR);
    const delivered = new Date(picked.getTime() + 20 * HOUR);
    t.clock.advance(36 * HOUR); // both scans arrive 15 h after the parcel was delivered
    await scan(s.tracking_number, 'late-1', 'picked_up', picked);
    await scan(s.tracking_number, 'late-2', 'delivered', delivered);
    const shipment = (await get(`/v1/shipments/${s.id}`, buyer.auth)).json() as { delivered_at: string; timeline: Array<{ status: string; at: string }> };
    expect(shipment.timeline).toEqual([expect.objectContaining({ status: 'picked_up', at: picked.toISOString() }), expect.objectContaining({ status: 'delivered', at: delivered.toISOString() })]);
    expect(shipment.delivered_at).toBe(delivered.toISOString());
    const detail = (await orderOf(order.id, buyer.auth)) as { status: string; delivered_at: string; timeline: Array<{ type: string; at: string; data: { status?: string } }> };
    expect(detail.status).toBe('delivered');
    expect(detail.delivered_at).toBe(delivered.toISOString());
    const tracking = detail.timeline.filter((e) => e.type === 'tracking').map((e) => [e.data.status, e.at]);
    expect(tracking).toEqual([['picked_up', picked.toISOString()], ['delivered', delivered.toISOString()]]);
    expect(detail.timeline.find((e) => e.type === 'delivered')!.at).toBe(delivered.toISOString());
    // The timeline reads in the order things happened.
    const times = detail.timeline.map((e) => e.at);
    expect(times).toEqual([...times].sort());
    // The window is counted from delivered_at, as opening a case checks it: it completes 7 days after the scan.
    t.clock.set(new Date(delivered.getTime() + 7 * DAY - HOUR));
    await run();
    expect((await orderOf(order.id, buyer.auth)).status).toBe('delivered');
    t.clock.set(new Date(delivered.getTime() + 7 * DAY));
    await run();
    expect((await orderOf(order.id, buyer.auth)).status).toBe('completed');
  });

  it("a delivered scan dated ahead of our clock or before the label: the order counts delivery from now or from the label", async () => {
    for (const [id, offset, expected] of [
      ['ahead', 3 * DAY, 'now'],
      ['before', -3 * DAY, 'label'],
    ] as const) {
      const { shop, buyer, order } = await paidOrder();
      const s = await ship(order.id, shop.owner.auth);
      const label = (await get(`/v1/shipments/${s.id}`, buyer.auth)).json().created_at as string;
      t.clock.advance(HOUR);
      const now = t.clock.now().toISOString();
      await scan(s.tracking_number, `skewed-${id}`, 'delivered', new Date(t.clock.now().getTime() + offset));
      const detail = (await orderOf(order.id, buyer.auth)) as { status: string; delivered_at: string };
      expect(detail.status).toBe('delivered');
      expect(detail.delivered_at).toBe(expected === 'now' ? now : label);
    }
  });

  it('exception then delivered: status follows the newest scan through the exception', async () => {
    const { shop, buyer, order } = await paidOrder();
    const s = await ship(order.id, shop.owner.auth);
    await carrier().simulate(t.db, s.tracking_number, 'exception_then_delivered', { postalCode: ADDRESS.postal_code });
    await later(40 * HOUR);
    expect((await get(`/v1/shipments/${s.id}`, buyer.auth)).json().status).toBe('exception');
    await later(30 * HOUR);
    expect((await get(`/v1/shipments/${s.id}`, buyer.auth)).json().status).toBe('delivered');
    expect((await listBreaches(t.db, { orderId: order.id })).map((b) => b.kind)).toEqual([]);
  });

  it('authorization: another shop cannot ship or read; another buyer cannot read (404); an operator reads but cannot ship', async () => {
    const { shop, buyer, order } = await paidOrder();
    const other = await t.seller();
    const stranger = await t.account();
    expect((await post(`/v1/orders/${order.id}/shipments`, other.auth, { carrier: 'sandbox' })).statusCode).toBe(404);
    expect((await post(`/v1/orders/${order.id}/shipments`, buyer.auth, { carrier: 'sandbox' })).statusCode).toBe(404);
    const s = await ship(order.id, shop.owner.auth);
    expect((await get(`/v1/shipments/${s.id}`, other.auth)).statusCode).toBe(404);
    expect((await get(`/v1/shipments/${s.id}`, stranger.auth)).statusCode).toBe(404);
    expect((await get(`/v1/shipments/${s.id}`, shop.owner.auth)).statusCode).toBe(200);
    expect((await get(`/v1/shipments/${s.id}`, buyer.auth)).statusCode).toBe(200);
    const operator = await t.account({ roles: ['operator'] });
    expect((await get(`/v1/shipments/${s.id}`, operator.auth)).json()).toEqual((await get(`/v1/shipments/${s.id}`, buyer.auth)).json());
    expect((await get('/v1/shipments/spm_00000000000000000000000000', operator.auth)).statusCode).toBe(404);
    expect((await post(`/v1/orders/${order.id}/shipments`, operator.auth, { carrier: 'sandbox' })).statusCode).toBe(404);
    expect((await post(`/v1/orders/${order.id}/shipments`, shop.owner.auth, { carrier: 'nope' })).statusCode).toBe(404);
  });

  it('SLA: late dispatch, late pickup and late delivery are recorded against the shop', async () => {
    const { shop, order } = await paidOrder();
    t.clock.set(new Date(new Date(order.ship_by).getTime() + HOUR));
    const s = await ship(order.id, shop.owner.auth);
    await carrier().simulate(t.db, s.tracking_number, 'delayed', { postalCode: ADDRESS.postal_code });
    await later(5 * DAY);
    const kinds = (await listBreaches(t.db, { orderId: order.id })).map((b) => b.kind).sort();
    expect(kinds).toEqual(['late_delivery', 'late_dispatch', 'late_pickup']);
    expect((await listBreaches(t.db, { shopId: shop.shopId })).every((b) => b.shopId === shop.shopId)).toBe(true);
    expect((await listFlags(t.db, { orderId: order.id })).map((f) => [f.rule, f.details])).toEqual([]);
  });

  it('late pickup and delivery are recorded on the clock even when the carrier never scans', async () => {
    const { shop, order } = await paidOrder();
    const s = await ship(order.id, shop.owner.auth);
    await later(25 * HOUR);
    expect((await listBreaches(t.db, { orderId: order.id })).map((b) => b.kind)).toEqual(['late_pickup']);
    await scan(s.tracking_number, 'lp-1', 'picked_up', t.clock.now());
    await later(73 * HOUR);
    expect((await listBreaches(t.db, { orderId: order.id })).map((b) => b.kind).sort()).toEqual(['late_delivery', 'late_pickup']);
  });

  it('fake tracking: no scan within 48 h (lost parcel) → flag', async () => {
    const { shop, buyer, order } = await paidOrder();
    const s = await ship(order.id, shop.owner.auth);
    await carrier().simulate(t.db, s.tracking_number, 'lost', { postalCode: ADDRESS.postal_code });
    await later(47 * HOUR);
    expect(await hasOpenFlags(t.db, order.id)).toBe(false);
    await later(2 * HOUR);
    expect(await hasOpenFlags(t.db, order.id)).toBe(true);
    const view = (await get(`/v1/shipments/${s.id}`, buyer.auth)).json();
    expect(view).toMatchObject({ has_open_flags: true, flags: ['no_scan_48h'] });
    const flags = await listFlags(t.db, { orderId: order.id });
    expect(flags).toMatchObject([{ rule: 'no_scan_48h', shopId: shop.shopId, status: 'open' }]);
    expect((await orderOf(order.id, buyer.auth)).timeline.some((e: { type: string }) => e.type === 'fulfillment_flagged')).toBe(true);
  });

  it('an operator reviews a flag: clearing it lifts the escrow hold; sellers see their own record only', async () => {
    const { shop, order } = await paidOrder();
    const s = await ship(order.id, shop.owner.auth);
    await scan(s.tracking_number, 'rv-1', 'delivered', t.clock.now(), '00000');
    await run(); // settlement places the hold on the flag's event
    expect(await hasHolds(t.db, order.id)).toBe(true);
    const operator = await t.account({ roles: ['operator'] });
    const queue = (await get('/v1/admin/fulfillment/flags?limit=100', operator.auth)).json();
    const flag = queue.data.find((f: { order_id: string }) => f.order_id === order.id);
    expect(flag).toMatchObject({ rule: 'postal_code_mismatch', status: 'open' });
    expect((await get('/v1/admin/fulfillment/flags', shop.owner.auth)).statusCode).toBe(403);
    expect((await post(`/v1/admin/fulfillment/flags/${flag.id}/clear`, shop.owner.auth, { note: 'mine' })).statusCode).toBe(403);
    expect((await post(`/v1/admin/fulfillment/flags/${flag.id}/clear`, operator.auth, {})).statusCode).toBe(400);
    const cleared = await post(`/v1/admin/fulfillment/flags/${flag.id}/clear`, operator.auth, { note: 'Buyer confirmed the neighbour took it' });
    expect(cleared.json()).toMatchObject({ status: 'cleared', note: 'Buyer confirmed the neighbour took it' });
    expect((await post(`/v1/admin/fulfillment/flags/${flag.id}/clear`, operator.auth, { note: 'again' })).statusCode).toBe(409);
    await run(); // settlement lifts the hold on the clearing's event
    expect(await hasHolds(t.db, order.id)).toBe(false);
    expect(await hasOpenFlags(t.db, order.id)).toBe(false);

    const record = (await get(`/v1/shops/${shop.shopId}/fulfillment-record`, shop.owner.auth)).json();
    expect(record.flags.map((f: { id: string }) => f.id)).toContain(flag.id);
    const other = await shopWithProduct(t, { name: 'Other', variants: [{ price: 100, onHand: 1 }] });
    expect((await get(`/v1/shops/${shop.shopId}/fulfillment-record`, other.owner.auth)).statusCode).toBe(404);
  });

  it('fake tracking: a tracking number already used on another order → flag', async () => {
    const first = await paidOrder();
    await ship(first.order.id, first.shop.owner.auth, { carrier: 'sandbox', tracking_number: 'REUSED-1' });
    const second = await paidOrder(first.shop);
    const s = await ship(second.order.id, first.shop.owner.auth, { carrier: 'sandbox', tracking_number: 'REUSED-1' });
    expect(s).toMatchObject({ has_open_flags: true, flags: ['tracking_reused'] });
    expect(await hasOpenFlags(t.db, second.order.id)).toBe(true);
    expect(await hasOpenFlags(t.db, first.order.id)).toBe(false);
  });

  it('fake tracking: first carrier event more than 24 h older than the order → flag', async () => {
    const { shop, order } = await paidOrder();
    const s = await ship(order.id, shop.owner.auth, { carrier: 'sandbox', tracking_number: 'OLD-PARCEL-1' });
    await scan(s.tracking_number, 'old-1', 'picked_up', new Date(t.clock.now().getTime() - 3 * DAY));
    expect((await listFlags(t.db, { orderId: order.id })).map((f) => f.rule)).toEqual(['first_event_before_order']);
  });

  it('fake tracking: delivered to another postal code → flag', async () => {
    const { shop, buyer, order } = await paidOrder();
    const s = await ship(order.id, shop.owner.auth);
    await scan(s.tracking_number, 'pc-1', 'picked_up', t.clock.now());
    await scan(s.tracking_number, 'pc-2', 'delivered', t.clock.now(), '99999');
    expect((await listFlags(t.db, { orderId: order.id })).map((f) => f.rule)).toEqual(['postal_code_mismatch']);
    expect((await get(`/v1/shipments/${s.id}`, buyer.auth)).json().has_open_flags).toBe(true);
  });

  it('an order not shipped by ship-by + grace is cancelled and refunded automatically; the ledger reconciles', async () => {
    const { shop, buyer, order } = await paidOrder();
    const shipped = await paidOrder(shop);
    await ship(shipped.order.id, shop.owner.auth);
    await scheduleDispatchSweep(t.db, t.clock);
    await later(HOUR);
    expect((await orderOf(order.id, buyer.auth)).status).toBe('paid');
    t.clock.set(new Date(new Date(order.ship_by).getTime() + 23 * HOUR));
    await run();
    expect((await orderOf(order.id, buyer.auth)).status).toBe('paid');
    await later(2 * HOUR);
    const o = await orderOf(order.id, buyer.auth);
    expect(o).toMatchObject({ status: 'cancelled', cancel_reason: 'not_shipped_in_time' });
    expect(o.payment.status).toBe('refunded');
    expect(await getBalance(t.db, accounts.escrow(order.id), 'USD')).toBe(0);
    expect((await listBreaches(t.db, { orderId: order.id })).map((b) => b.kind)).toEqual(['late_dispatch']);
    expect((await orderOf(shipped.order.id, shipped.buyer.auth)).status).not.toBe('cancelled');
    expect((await post(`/v1/orders/${order.id}/shipments`, shop.owner.auth, { carrier: 'sandbox' })).statusCode).toBe(409);
    const r = await reconcile(t.db);
    expect(r.problems).toEqual([]);
    expect(r.balanced).toBe(true);
  });
});
