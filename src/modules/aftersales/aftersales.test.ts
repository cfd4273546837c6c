import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../../platform/clock.js';
import { injectForm, testApp, type TestApp } from '../../test/app.js';
import { refused } from '../../test/expect.js';
import { SandboxCarrier } from '../fulfillment/index.js';
import { accounts, getBalance, listEntriesByReference, reconcile } from '../ledger/index.js';
import { refundOrder } from '../orders/index.js';
import { addToCart, ADDRESS, cardBody, checkoutReq, shopWithProduct, type ShopFixture } from '../orders/index.js';
import { hasHolds } from '../settlement/index.js';
import { hasOpenCase } from './service.js';

type Auth = { authorization: string };
interface Order {
  id: string;
  status: string;
  total: { amount: number };
  payment_id: string;
  refunded: { amount: number };
  items: Array<{ id: string; quantity: number; line_total: { amount: number } }>;
  timeline: Array<{ type: string }>;
  shipments: Array<{ id: string }>;
}

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64)]);

describe('after-sales: cases, returns, escalation, refunds from escrow', () => {
  let t: TestApp;
  let dir: string;
  let operator: { id: string; auth: Auth };
  let shop: ShopFixture;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'loopshop-aftersales-'));
    t = await testApp({ mediaDir: path.join(dir, 'media') });
  });
  // Fresh accounts per test: simulated time runs past session lifetimes.
  beforeEach(async () => {
    operator = await t.account({ roles: ['operator'] });
    // Items: 2 × 1000 and 1 × 2000 → total 4000 USD.
    shop = await shopWithProduct(t, { name: 'Returns Co', variants: [{ price: 1000, onHand: 1000 }, { price: 2000, onHand: 1000 }] });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string, auth?: Auth) => t.app.inject({ method: 'GET', url, headers: auth });
  const post = (url: string, auth: Auth, payload?: object, key?: string) =>
    t.app.inject({ method: 'POST', url, headers: { ...auth, ...(key ? { 'idempotency-key': key } : {}) }, ...(payload ? { payload } : {}) });
  const later = async (ms: number) => {
    t.clock.advance(ms);
    await t.app.ctx.jobs.runDue();
  };
  const orderOf = async (id: string, auth: Auth) => (await get(`/v1/orders/${id}`, auth)).json() as Order;
  const escrow = (orderId: string) => getBalance(t.db, accounts.escrow(orderId), 'USD');
  const refundEntries = async (orderId: string) => (await listEntriesByReference(t.db, orderId)).filter((e) => e.kind === 'refund');
  const balanced = async () => expect((await reconcile(t.db)).problems).toEqual([]);
  /** The order still delivered with `refunded` refunded, `escrowLeft` in its escrow, no holds, the ledger balanced. */
  const expectPartlyRefunded = async (orderId: string, auth: Auth, refunded: number, escrowLeft: number) => {
    expect(await orderOf(orderId, auth)).toMatchObject({ status: 'delivered', refunded: { amount: refunded } });
    expect(await escrow(orderId)).toBe(escrowLeft);
    expect(await hasHolds(t.db, orderId)).toBe(false);
    await balanced();
  };
  const open = (orderId: string, auth: Auth, body: object, key?: string) => post(`/v1/orders/${orderId}/after-sales`, auth, body, key);
  const act = (caseId: string, action: string, auth: Auth, body?: object, key?: string) => post(`/v1/after-sales/${caseId}/${action}`, auth, body, key);
  const caseOf = async (id: string, auth: Auth) => (await get(`/v1/after-sales/${id}`, auth)).json();
  const ok = <T = Record<string, unknown> & { id: string; status: string }>(res: { statusCode: number; body: string; json(): unknown }, status = 200) => {
    expect(res.statusCode, res.body).toBe(status);
    return res.json() as T & { id: string; status: string; timeline: Array<{ type: string; by_role: string }> };
  };

  async function paidOrder() {
    const buyer = await t.account({ name: 'Buyer' });
    await addToCart(t, buyer.auth, shop.skuIds[0]!, 2);
    await addToCart(t, buyer.auth, shop.skuIds[1]!, 1);
    const res = await checkoutReq(t, buyer.auth, cardBody());
    expect(res.statusCode, res.body).toBe(201);
    return { buyer, order: await orderOf(res.json().orders[0].id, buyer.auth) };
  }
  async function shippedOrder() {
    const { buyer, order } = await paidOrder();
    const s = ok<{ tracking_number: string }>(await post(`/v1/orders/${order.id}/shipments`, shop.owner.auth, { carrier: 'sandbox' }), 201);
    return { buyer, order, tracking: s.tracking_number };
  }
  async function deliveredOrder() {
    const { buyer, order, tracking } = await shippedOrder();
    const { rawBody, headers } = new SandboxCarrier(t.clock, t.secrets.carrier).sign([
      { id: `d-${order.id}`, tracking_number: tracking, status: 'delivered', at: t.clock.now().toISOString(), postal_code: ADDRESS.postal_code, description: 'delivered' },
    ]);
    expect((await t.app.inject({ method: 'POST', url: '/v1/webhooks/carriers/sandbox', headers, payload: rawBody })).statusCode).toBe(200);
    expect((await orderOf(order.id, buyer.auth)).status).toBe('delivered');
    return { buyer, order };
  }

  it('seller silent for 48 h → accepted by the clock → refund_only refunded in full from escrow, hold lifted', async () => {
    const { buyer, order } = await deliveredOrder();
    const c = ok(await open(order.id, buyer.auth, { type: 'refund_only', reason: 'Arrived broken', reason_code: 'damaged' }), 201);
    expect(c).toMatchObject({ status: 'requested', amount: { amount: 4000, currency: 'USD' }, refunded: { amount: 0 }, return: null, decision: null });
    expect(await hasHolds(t.db, order.id)).toBe(true);
    expect(await hasOpenCase(t.db, order.id)).toBe(true);

    await later(47 * HOUR);
    expect((await caseOf(c.id, buyer.auth)).status).toBe('requested');
    await later(1 * HOUR);
    const done = await caseOf(c.id, buyer.auth);
    expect(done).toMatchObject({ status: 'refunded', refunded: { amount: 4000, currency: 'USD' } });
    expect(done.timeline.map((e: { type: string; by_role: string }) => `${e.type}:${e.by_role}`)).toEqual(['opened:buyer', 'accepted:system', 'refunded:system']);
    const after = await orderOf(order.id, buyer.auth);
    expect(after).toMatchObject({ status: 'refunded', refunded: { amount: 4000 } });
    expect(after.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['after_sales_opened', 'after_sales_accepted', 'refunded', 'after_sales_refunded']));
    expect(await escrow(order.id)).toBe(0);
    expect((await get(`/v1/payments/${order.payment_id}`, buyer.auth)).json().payment).toMatchObject({ status: 'refunded', refunded_amount: { amount: 4000 } });
    expect(await hasHolds(t.db, order.id)).toBe(false);
    expect(await hasOpenCase(t.db, order.id)).toBe(false);
    await balanced();
  });

  it('return_and_refund: accepted, return shipped, seller confirms receipt → the item is refunded, the rest stays in escrow', async () => {
    const { buyer, order } = await deliveredOrder();
    const item = order.items[0]!; // 2 × 1000
    const c = ok(await open(order.id, buyer.auth, { type: 'return_and_refund', reason: 'Wrong size', order_item_id: item.id, quantity: 1 }), 201);
    expect(c).toMatchObject({ amount: { amount: 1000 }, order_item_id: item.id, quantity: 1 });
    const accepted = ok(await act(c.id, 'accept', shop.owner.auth));
    expect(accepted).toMatchObject({ status: 'seller_accepted', refunded: { amount: 0 } });
    expect(Date.parse(accepted.return_due_at as string) - t.clock.now().getTime()).toBe(5 * DAY);

    expect((await act(c.id, 'return', buyer.auth, { carrier: 'pigeon', tracking_number: 'RT1' })).json().error.code).toBe('unknown_carrier');
    expect((await act(c.id, 'confirm-receipt', shop.owner.auth)).json().error.code).toBe('invalid_transition');
    await later(2 * DAY);
    const shipped = ok(await act(c.id, 'return', buyer.auth, { carrier: 'sandbox', tracking_number: 'RET-1001' }));
    expect(shipped).toMatchObject({ status: 'return_shipped', return: { carrier: 'sandbox', tracking_number: 'RET-1001', shipped_at: t.clock.now().toISOString() } });
    const done = ok(await act(c.id, 'confirm-receipt', shop.owner.auth, {}));
    expect(done).toMatchObject({ status: 'refunded', refunded: { amount: 1000 } });
    expect(done.timeline.map((e) => e.type)).toEqual(['opened', 'accepted', 'return_shipped', 'return_received', 'refunded']);
    await expectPartlyRefunded(order.id, buyer.auth, 1000, 3000);
  });

  it('return_and_refund: a seller who never confirms receipt is confirmed automatically 8 days after the return shipped', async () => {
    const { buyer, order } = await deliveredOrder();
    const item = order.items[1]!; // 1 × 2000
    const c = ok(await open(order.id, buyer.auth, { type: 'return_and_refund', reason: 'Not as pictured', reason_code: 'not_as_described', order_item_id: item.id }), 201);
    ok(await act(c.id, 'accept', shop.owner.auth));
    ok(await act(c.id, 'return', buyer.auth, { carrier: 'sandbox', tracking_number: 'RET-2002' }));
    await later(8 * DAY - HOUR);
    expect((await caseOf(c.id, buyer.auth)).status).toBe('return_shipped');
    expect(await hasHolds(t.db, order.id)).toBe(true);
    await later(HOUR);
    const done = await caseOf(c.id, buyer.auth);
    expect(done).toMatchObject({ status: 'refunded', refunded: { amount: 2000 } });
    expect(done.timeline.map((e: { type: string; by_role: string }) => `${e.type}:${e.by_role}`).slice(-2)).toEqual(['return_received:system', 'refunded:system']);
    const after = await orderOf(order.id, buyer.auth);
    expect(after.refunded.amount).toBe(2000);
    expect(after.status).not.toBe('refunded');
    expect(await refundEntries(order.id)).toHaveLength(1);
    await balanced();
  });

  it('replacement: receipt resolves it for the buyer without a refund; the shop then ships the replacement once', async () => {
    const { buyer, order } = await deliveredOrder();
    const c = ok(await open(order.id, buyer.auth, { type: 'replacement', reason: 'Scratched', order_item_id: order.items[1]!.id }), 201);
    const shipReplacement = () => post(`/v1/orders/${order.id}/shipments`, shop.owner.auth, { carrier: 'sandbox', replacement_case_id: c.id });
    expect((await shipReplacement()).json().error.code).toBe('no_replacement_owed');
    ok(await act(c.id, 'accept', shop.owner.auth, { note: 'Sorry, sending a new one' }));
    ok(await act(c.id, 'return', buyer.auth, { carrier: 'sandbox', tracking_number: 'RET-3003' }));
    const done = ok(await act(c.id, 'confirm-receipt', shop.owner.auth));
    expect(done).toMatchObject({ status: 'resolved_buyer', refunded: { amount: 0 } });
    expect(await escrow(order.id)).toBe(4000);
    expect(await hasHolds(t.db, order.id)).toBe(false);
    const parcel = ok(await shipReplacement(), 201);
    expect(parcel.items).toEqual([{ order_item_id: order.items[1]!.id, quantity: order.items[1]!.quantity }]);
    expect((await shipReplacement()).statusCode).toBe(409);
    const after = await orderOf(order.id, buyer.auth);
    expect(after.status).toBe('delivered');
    expect(after.shipments.map((s) => s.id)).toContain(parcel.id);
  });

  it('a return not shipped within 5 days closes the case and lifts the hold', async () => {
    const { buyer, order } = await deliveredOrder();
    const c = ok(await open(order.id, buyer.auth, { type: 'return_and_refund', reason: 'Changed my mind', reason_code: 'changed_mind' }), 201);
    ok(await act(c.id, 'accept', shop.owner.auth));
    await later(5 * DAY);
    const closed = await caseOf(c.id, buyer.auth);
    expect(closed).toMatchObject({ status: 'closed', refunded: { amount: 0 } });
    expect(closed.timeline.at(-1)).toMatchObject({ type: 'closed', by_role: 'system' });
    expect((await act(c.id, 'return', buyer.auth, { carrier: 'sandbox', tracking_number: 'LATE-1' })).json().error.code).toBe('invalid_transition');
    expect(await hasHolds(t.db, order.id)).toBe(false);
    expect(await escrow(order.id)).toBe(4000);
    // A closed case frees the order for a new one.
    ok(await open(order.id, buyer.auth, { type: 'refund_only', reason: 'Second thoughts' }), 201);
  });

  it('reject → escalate → operator partial refund: the order keeps its status, escrow keeps the rest', async () => {
    const { buyer, order } = await deliveredOrder();
    const c = ok(await open(order.id, buyer.auth, { type: 'refund_only', reason: 'Missing a part', amount: 1500 }), 201);
    // The seller answers first: the buyer cannot escalate while the answer window runs, and nothing changes.
    const early = await act(c.id, 'escalate', buyer.auth, { note: 'Too slow' });
    expect([early.statusCode, early.json().error.code]).toEqual([409, 'seller_answer_pending']);
    expect(early.json().error.details.seller_due_at).toBe(c.seller_due_at);
    expect(ok(await get(`/v1/after-sales/${c.id}`, buyer.auth))).toMatchObject({ status: 'requested', timeline: c.timeline });
    expect((await act(c.id, 'reject', shop.owner.auth, {})).statusCode).toBe(400);
    const rejected = ok(await act(c.id, 'reject', shop.owner.auth, { note: 'All parts were in the box' }));
    expect(rejected).toMatchObject({ status: 'seller_rejected' });
    expect(rejected.timeline.at(-1)).toMatchObject({ type: 'rejected', by_role: 'seller', note: 'All parts were in the box' });
    expect((await act(c.id, 'decide', operator.auth, { outcome: 'reject', note: 'x' })).json().error.code).toBe('invalid_transition');
    ok(await act(c.id, 'escalate', buyer.auth, { note: 'Photo attached' }));
    // The operator's case page shows the order's parcel: carrier, tracking number, delivery.
    expect(ok(await get(`/v1/after-sales/${c.id}`, operator.auth)).shipments).toEqual([
      { id: expect.any(String), carrier: 'sandbox', tracking_number: expect.any(String), status: 'delivered', delivered_at: expect.any(String) },
    ]);
    // Only operators decide.
    for (const who of [buyer.auth, shop.owner.auth]) {
      const res = await act(c.id, 'decide', who, { outcome: 'full_refund', note: 'mine' });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe('role_required');
    }
    expect((await act(c.id, 'decide', operator.auth, { outcome: 'partial_refund', note: 'Half' })).json().error.code).toBe('amount_required');
    expect((await act(c.id, 'decide', operator.auth, { outcome: 'partial_refund', amount: 1501, note: 'Too much' })).json().error.code).toBe('amount_exceeds_refundable');
    expect((await act(c.id, 'decide', operator.auth, { outcome: 'reject', amount: 5, note: 'x' })).json().error.code).toBe('invalid_amount');
    const decided = ok(await act(c.id, 'decide', operator.auth, { outcome: 'partial_refund', amount: 700, note: 'One part was missing' }));
    expect(decided).toMatchObject({
      status: 'resolved_buyer',
      refunded: { amount: 700 },
      decision: { outcome: 'partial_refund', amount: { amount: 700, currency: 'USD' }, note: 'One part was missing', by: operator.id },
    });
    await expectPartlyRefunded(order.id, buyer.auth, 700, 3300);
  });

  it('escalated by the seller, the operator rejects → resolved_seller, nothing refunded; an unescalated rejection closes after 3 days', async () => {
    const { buyer, order } = await deliveredOrder();
    const c = ok(await open(order.id, buyer.auth, { type: 'refund_only', reason: 'Do not like it' }), 201);
    ok(await act(c.id, 'escalate', shop.owner.auth));
    const decided = ok(await act(c.id, 'decide', operator.auth, { outcome: 'reject', note: 'No defect shown' }));
    expect(decided).toMatchObject({ status: 'resolved_seller', refunded: { amount: 0 }, decision: { outcome: 'reject', amount: { amount: 0 } } });
    expect(await escrow(order.id)).toBe(4000);

    const second = await deliveredOrder();
    const c2 = ok(await open(second.order.id, second.buyer.auth, { type: 'refund_only', reason: 'Meh' }), 201);
    ok(await act(c2.id, 'reject', shop.owner.auth, { note: 'No' }));
    await later(3 * DAY);
    expect(await caseOf(c2.id, second.buyer.auth)).toMatchObject({ status: 'closed' });
    expect(await hasHolds(t.db, second.order.id)).toBe(false);
    await balanced();
  });

  it('item not received after the delivery SLA is refunded from escrow at once; before it the seller answers', async () => {
    const early = await shippedOrder();
    const c1 = ok(await open(early.order.id, early.buyer.auth, { type: 'refund_only', reason: 'Where is it?', reason_code: 'not_received' }), 201);
    expect(c1.status).toBe('requested');
    ok(await act(c1.id, 'withdraw', early.buyer.auth));

    const { buyer, order } = await shippedOrder();
    expect((await open(order.id, buyer.auth, { type: 'return_and_refund', reason: 'Lost', reason_code: 'not_received' })).json().error.code).toBe('invalid_reason_code');
    await later(24 * HOUR + 72 * HOUR); // pickup window + delivery window, no scan
    const c = ok(await open(order.id, buyer.auth, { type: 'refund_only', reason: 'Never arrived', reason_code: 'not_received' }), 201);
    expect(c).toMatchObject({ status: 'refunded', refunded: { amount: 4000 } });
    expect(c.timeline.map((e) => `${e.type}:${e.by_role}`)).toEqual(['opened:buyer', 'accepted:system', 'refunded:system']);
    expect(await orderOf(order.id, buyer.auth)).toMatchObject({ status: 'refunded', refunded: { amount: 4000 } });
    expect(await escrow(order.id)).toBe(0);
    await balanced();
  });

  it('a refund never exceeds what the escrow holds; bad amounts change nothing', async () => {
    const { buyer, order } = await deliveredOrder();
    const providers = t.app.ctx.strategies.payments;
    const refund = (amount: number, key: string) => t.db.transaction((tx) => refundOrder(tx, t.clock, providers, { orderId: order.id, amount, reason: 'test', key }));
    await refused(refund(4001, 'k1'), 'refund_exceeds_escrow');
    await refused(refund(0, 'k0'), 'invalid_amount');
    const first = await refund(1000, 'k2');
    expect(first.order).toMatchObject({ status: 'delivered', refundedAmount: 1000 });
    // Same provider key: recorded once.
    expect((await refund(1000, 'k2')).refund).toBeNull();
    await refused(refund(3001, 'k3'), 'refund_exceeds_escrow');
    expect(await escrow(order.id)).toBe(3000);
    expect(await refundEntries(order.id)).toHaveLength(1);

    const over = await open(order.id, buyer.auth, { type: 'refund_only', reason: 'All of it', amount: 3001 });
    expect(over.statusCode).toBe(409);
    expect(over.json().error).toMatchObject({ code: 'amount_exceeds_refundable', details: { refundable: { amount: 3000, currency: 'USD' } } });
    const rest = ok(await open(order.id, buyer.auth, { type: 'refund_only', reason: 'The rest' }), 201);
    expect(rest.amount).toEqual({ amount: 3000, currency: 'USD' });
    ok(await act(rest.id, 'accept', shop.owner.auth));
    expect(await orderOf(order.id, buyer.auth)).toMatchObject({ status: 'refunded', refunded: { amount: 4000 } });
    expect((await open(order.id, buyer.auth, { type: 'refund_only', reason: 'More?' })).json().error.code).toBe('invalid_state');
    await balanced();
  });

  it('idempotent retries: the same Idempotency-Key replays accept and decide, refunding once', async () => {
    const { buyer, order } = await deliveredOrder();
    const c = ok(await open(order.id, buyer.auth, { type: 'refund_only', reason: 'Broken', order_item_id: order.items[0]!.id }, 'open-1'), 201);
    const again = await open(order.id, buyer.auth, { type: 'refund_only', reason: 'Broken', order_item_id: order.items[0]!.id }, 'open-1');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(c.id);
    const first = await act(c.id, 'accept', shop.owner.auth, {}, 'acc-1');
    const second = await act(c.id, 'accept', shop.owner.auth, {}, 'acc-1');
    expect(first.statusCode).toBe(200);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    expect((await act(c.id, 'accept', shop.owner.auth, {}, 'acc-2')).json().error.code).toBe('invalid_transition');
    expect(await refundEntries(order.id)).toHaveLength(1);

    const other = await deliveredOrder();
    const d = ok(await open(other.order.id, other.buyer.auth, { type: 'refund_only', reason: 'Broken too' }), 201);
    ok(await act(d.id, 'reject', shop.owner.auth, { note: 'Sent intact' }));
    ok(await act(d.id, 'escalate', other.buyer.auth));
    const body = { outcome: 'partial_refund', amount: 1234, note: 'Split' };
    const r1 = await act(d.id, 'decide', operator.auth, body, 'dec-1');
    const r2 = await act(d.id, 'decide', operator.auth, body, 'dec-1');
    expect(r1.statusCode).toBe(200);
    expect(r2.headers['idempotent-replayed']).toBe('true');
    expect(r2.json()).toEqual(r1.json());
    expect(await refundEntries(other.order.id)).toHaveLength(1);
    expect(await escrow(other.order.id)).toBe(4000 - 1234);
    await balanced();
  });

  it('authorization: other buyers and other shops get 404 on every case route; the wrong side 403', async () => {
    const { buyer, order } = await deliveredOrder();
    const stranger = await t.account({ name: 'Stranger' });
    const otherShop = await shopWithProduct(t, { name: 'Other Co', variants: [{ price: 500, onHand: 10 }] });
    // Nobody but the buyer opens a case on the order.
    for (const who of [stranger.auth, otherShop.owner.auth, shop.owner.auth]) {
      expect((await open(order.id, who, { type: 'refund_only', reason: 'Mine?' })).statusCode).toBe(404);
    }
    const c = ok(await open(order.id, buyer.auth, { type: 'refund_only', reason: 'Broken' }), 201);
    const routes: Array<[string, object | undefined]> = [
      ['accept', undefined],
      ['reject', { note: 'no' }],
      ['escalate', undefined],
      ['return', { carrier: 'sandbox', tracking_number: 'X1' }],
      ['confirm-receipt', undefined],
      ['withdraw', undefined],
      ['evidence', { evidence_ids: ['evd_00000000000000000000000000'] }],
    ];
    for (const who of [stranger.auth, otherShop.owner.auth]) {
      expect((await get(`/v1/after-sales/${c.id}`, who)).statusCode).toBe(404);
      for (const [name, body] of routes) {
        const res = await act(c.id, name, who, body);
        expect(res.statusCode, `${name}: ${res.body}`).toBe(404);
      }
      expect((await act(c.id, 'decide', who, { outcome: 'reject', note: 'x' })).statusCode).toBe(403);
    }
    // The buyer reads but does not answer for the shop; the shop does not act for the buyer.
    expect((await get(`/v1/after-sales/${c.id}`, buyer.auth)).statusCode).toBe(200);
    expect((await get(`/v1/after-sales/${c.id}`, shop.owner.auth)).statusCode).toBe(200);
    expect((await get(`/v1/after-sales/${c.id}`, operator.auth)).statusCode).toBe(200);
    expect((await act(c.id, 'accept', buyer.auth)).json().error.code).toBe('forbidden');
    expect((await act(c.id, 'withdraw', shop.owner.auth)).json().error.code).toBe('forbidden');
    expect((await caseOf(c.id, buyer.auth)).status).toBe('requested');
    // Lists: a seller cannot list another shop's cases; only operators use the operator queue.
    expect((await get(`/v1/after-sales?role=seller&shop_id=${shop.shopId}`, otherShop.owner.auth)).statusCode).toBe(404);
    expect((await get('/v1/after-sales?role=operator', buyer.auth)).statusCode).toBe(403);
    expect((await get('/v1/after-sales?role=seller', otherShop.owner.auth)).json()).toEqual({ data: [], next_cursor: null });
    expect((await get('/v1/after-sales', stranger.auth)).json().data).toEqual([]);
  });

  it('bad input changes nothing: unknown type, empty reason, paid/completed orders, second case, wrong transitions', async () => {
    const paid = await paidOrder();
    expect((await open(paid.order.id, paid.buyer.auth, { type: 'refund_only', reason: 'Too slow' })).json().error.code).toBe('use_cancel');

    const { buyer, order } = await deliveredOrder();
    const before = await orderOf(order.id, buyer.auth);
    for (const [body, code] of [
      [{ type: 'exchange', reason: 'x' }, 'validation_failed'],
      [{ type: 'refund_only', reason: '' }, 'validation_failed'],
      [{ type: 'refund_only', reason: '<b> </b>' }, 'invalid_reason'],
      [{ type: 'refund_only', reason: 'x', amount: 1.5 }, 'validation_failed'],
      [{ type: 'refund_only', reason: 'x', amount: '10' }, 'validation_failed'],
      [{ type: 'refund_only', reason: 'x', price: 10 }, 'validation_failed'],
      [{ type: 'refund_only', reason: 'x', quantity: 1 }, 'invalid_quantity'],
      [{ type: 'refund_only', reason: 'x', order_item_id: order.items[0]!.id, quantity: 3 }, 'invalid_quantity'],
      [{ type: 'refund_only', reason: 'x', order_item_id: 'oit_00000000000000000000000000' }, 'unknown_item'],
      [{ type: 'refund_only', reason: 'x', amount: 4001 }, 'amount_exceeds_refundable'],
      [{ type: 'refund_only', reason: 'x', evidence_ids: ['evd_00000000000000000000000000'] }, 'not_found'],
    ] as const) {
      const res = await open(order.id, buyer.auth, body);
      expect(res.json().error?.code, JSON.stringify(body)).toBe(code);
    }
    expect(await hasOpenCase(t.db, order.id)).toBe(false);
    expect(await hasHolds(t.db, order.id)).toBe(false);
    expect((await orderOf(order.id, buyer.auth)).timeline).toEqual(before.timeline);

    const c = ok(await open(order.id, buyer.auth, { type: 'return_and_refund', reason: '<p>Too <i>small</i></p>' }), 201);
    expect(c.reason).toBe('Too small');
    expect((await open(order.id, buyer.auth, { type: 'refund_only', reason: 'again' })).json().error).toMatchObject({ code: 'case_already_open', details: { case_id: c.id } });
    for (const [name, who, body] of [
      ['confirm-receipt', shop.owner.auth, undefined],
      ['return', buyer.auth, { carrier: 'sandbox', tracking_number: 'R1' }],
      ['decide', operator.auth, { outcome: 'full_refund', note: 'x' }],
    ] as const) {
      const res = await act(c.id, name, who, body);
      expect(res.statusCode, name).toBe(409);
      expect(res.json().error.code).toBe('invalid_transition');
    }
    expect((await act(c.id, 'accept', shop.owner.auth, { note: 'ok', extra: 1 })).statusCode).toBe(400);
    ok(await act(c.id, 'withdraw', buyer.auth));
    for (const name of ['accept', 'withdraw', 'escalate']) expect((await act(c.id, name, name === 'accept' ? shop.owner.auth : buyer.auth)).statusCode).toBe(409);
    expect(await escrow(order.id)).toBe(4000);

    // Completed orders are past the after-sales window.
    await later(7 * DAY);
    expect((await orderOf(order.id, buyer.auth)).status).not.toBe('delivered');
    const late = await open(order.id, buyer.auth, { type: 'refund_only', reason: 'Late' });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.code).toBe('after_sales_window_closed');
    await balanced();
  });

  it('evidence photos: checked by content, attached by the buyer, seen only by the uploader, the shop and operators', async () => {
    const upload = async (auth: Auth, data: Buffer, name = 'photo.png') => {
      const form = new FormData();
      form.append('file', new Blob([data]), name);
      return injectForm(t.app, '/v1/after-sales/evidence', auth, form);
    };
    const { buyer, order } = await deliveredOrder();
    const text = await upload(buyer.auth, Buffer.from('not an image at all'), 'photo.png');
    expect(text.statusCode).toBe(415);
    expect(text.json().error.code).toBe('unsupported_media');
    const big = await upload(buyer.auth, Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]));
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('file_too_large');
    const e1 = ok<{ url: string }>(await upload(buyer.auth, PNG), 201);
    const e2 = ok<{ url: string }>(await upload(buyer.auth, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), 'x.bin'), 201);
    expect(e1.url).toBe(`/v1/after-sales/evidence/${e1.id}`);

    const stranger = await t.account();
    const theirs = ok(await upload(stranger.auth, PNG), 201);
    expect((await open(order.id, buyer.auth, { type: 'refund_only', reason: 'x', evidence_ids: [theirs.id] })).statusCode).toBe(404);
    // Before it is attached only the uploader (and operators) see it.
    expect((await get(e1.url, shop.owner.auth)).statusCode).toBe(404);

    const c = ok<{ evidence: Array<{ id: string }> }>(await open(order.id, buyer.auth, { type: 'refund_only', reason: 'See photo', evidence_ids: [e1.id] }), 201);
    expect(c.evidence.map((e) => e.id)).toEqual([e1.id]);
    const more = ok<{ evidence: Array<{ id: string }> }>(await act(c.id, 'evidence', buyer.auth, { evidence_ids: [e2.id] }));
    expect(more.evidence.map((e) => e.id)).toEqual([e1.id, e2.id]);
    expect(more.timeline.at(-1)).toMatchObject({ type: 'evidence_added', by_role: 'buyer' });
    expect((await act(c.id, 'evidence', buyer.auth, { evidence_ids: [theirs.id] })).statusCode).toBe(404);

    for (const who of [buyer.auth, shop.owner.auth, operator.auth]) {
      const img = await get(e1.url, who);
      expect(img.statusCode).toBe(200);
      expect(img.headers['content-type']).toBe('image/png');
      expect(img.rawPayload.equals(PNG)).toBe(true);
    }
    expect((await get(e2.url, shop.owner.auth)).headers['content-type']).toBe('image/jpeg');
    const otherShop = await shopWithProduct(t, { name: 'Nosy Co', variants: [{ price: 500, onHand: 10 }] });
    expect((await get(e1.url, stranger.auth)).statusCode).toBe(404);
    expect((await get(e1.url, otherShop.owner.auth)).statusCode).toBe(404);
    expect((await get(`/v1/after-sales/evidence/${theirs.id}`, buyer.auth)).statusCode).toBe(404);
  });

  it('documents its routes in the OpenAPI document', async () => {
    const doc = (await t.app.inject('/docs/json')).json();
    for (const p of ['/v1/orders/{id}/after-sales', '/v1/after-sales', '/v1/after-sales/{id}', '/v1/after-sales/{id}/decide', '/v1/after-sales/evidence']) {
      expect(doc.paths[p], p).toBeDefined();
    }
    expect(doc.paths['/v1/after-sales/evidence'].post.requestBody.content['multipart/form-data'].schema.required).toEqual(['file']);
    expect(doc.paths['/v1/after-sales/{id}/decide'].post.summary).toMatch(/operators only/);
  });

  it('queues: buyer, seller and operator lists paginate; operators see escalated cases first', async () => {
    const a = await deliveredOrder();
    const b = await deliveredOrder();
    const ca = ok(await open(a.order.id, a.buyer.auth, { type: 'refund_only', reason: 'A' }), 201);
    const cb = ok(await open(b.order.id, b.buyer.auth, { type: 'refund_only', reason: 'B' }), 201);
    ok(await act(ca.id, 'reject', shop.owner.auth, { note: 'Sent intact' }));
    ok(await act(ca.id, 'escalate', a.buyer.auth));

    expect((await get('/v1/after-sales', a.buyer.auth)).json().data.map((c: { id: string }) => c.id)).toEqual([ca.id]);
    const seller = (await get(`/v1/after-sales?role=seller&shop_id=${shop.shopId}&status=requested`, shop.owner.auth)).json();
    expect(seller.data.map((c: { id: string }) => c.id)).toContain(cb.id);
    expect(seller.data.every((c: { status: string }) => c.status === 'requested')).toBe(true);

    const queue = (await get('/v1/after-sales?role=operator&limit=100', operator.auth)).json();
    const statuses = queue.data.map((c: { status: string }) => c.status);
    expect(statuses[0]).toBe('escalated');
    expect(statuses.lastIndexOf('escalated')).toBeLessThan(statuses.findIndex((s: string) => s !== 'escalated'));
    // Page through one at a time: the same cases in the same order.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/v1/after-sales?role=operator&limit=1${cursor ? `&cursor=${cursor}` : ''}`, operator.auth);
      const pageBody = res.json() as { data: Array<{ id: string }>; next_cursor: string | null };
      seen.push(...pageBody.data.map((c) => c.id));
      cursor = pageBody.next_cursor;
    } while (cursor);
    expect(seen).toEqual(queue.data.map((c: { id: string }) => c.id));
    expect((await get('/v1/after-sales?cursor=nope', operator.auth)).json().error.code).toBe('invalid_cursor');
  });
});
