import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY } from '../../platform/clock.js';
import { rows } from '../../platform/db.js';
import { market } from '../../platform/markets.js';
import { testApp, type TestApp } from '../../test/app.js';
import { sweepOverdueDispatch } from '../fulfillment/index.js';
import { accounts, getBalance, reconcile } from '../ledger/index.js';
import { SandboxProvider } from '../payments/index.js';
import { createOperatorAction } from '../trust/index.js';
import { freezeShop } from '../../flows/index.js';
import { refundOrder } from './refunds.js';
import { shopOrderStats } from './stats.js';
import { addToCart, checkoutReq, shopWithProduct, type ShopFixture } from './testing.js';

type Auth = { authorization: string };

/**
 * One refund path (decision 017): every way an order's money goes back — buyer, shop, SLA
 * auto-cancel, trust freeze, a refund the provider reports, after-sales partial and full — is
 * `refundOrder`, so `orders.refunded_amount`, the refund rows and the ledger's refunds agree.
 */
describe('one refund path', () => {
  let t: TestApp;
  const providers = () => t.app.ctx.strategies.payments;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(() => t.close());

  async function paidOrder(s: ShopFixture, buyer?: { id: string; auth: Auth }): Promise<{ id: string; buyer: { id: string; auth: Auth }; paymentId: string }> {
    const b = buyer ?? (await t.account());
    await addToCart(t, b.auth, s.skuIds[0]!, 1);
    const res = await checkoutReq(t, b.auth);
    if (res.statusCode !== 201) throw new Error(`checkout: ${res.statusCode} ${res.body}`);
    return { id: res.json().orders[0].id, buyer: b, paymentId: res.json().payment.id };
  }
  const cancel = (id: string, auth: Auth) => t.app.inject({ method: 'POST', url: `/v1/orders/${id}/cancel`, headers: auth, payload: {} });
  const order = async (id: string, auth: Auth) => (await t.app.inject({ method: 'GET', url: `/v1/orders/${id}`, headers: auth })).json();

  /** Per order: refunded_amount, the refund rows and the ledger's refunds out of its escrow. */
  async function recount() {
    return rows<{ id: string; status: string; refunded_amount: number; refund_rows: number; ledger_refunds: number }>(
      t.db,
      sql`select o.id, o.status, o.refunded_amount::int as refunded_amount,
                 (select coalesce(sum(r.amount), 0) from refunds r where r.order_id = o.id)::int as refund_rows,
                 (select coalesce(-sum(p.amount), 0) from ledger_postings p join ledger_entries e on e.id = p.entry_id
                   where e.kind = 'refund' and p.account = 'escrow:' || o.id)::int as ledger_refunds
          from orders o order by o.id`,
    );
  }

  it('every path that refunds leaves refunded_amount equal to the ledger refunds and the refund rows; the ledger reconciles', async () => {
    const s = await shopWithProduct(t, { name: 'Refunds', variants: [{ price: 1000, onHand: 100 }] });
    const byBuyer = await paidOrder(s);
    const bySeller = await paidOrder(s);
    const byProvider = await paidOrder(s);
    const partial = await paidOrder(s);
    const partialThenCancel = await paidOrder(s);

    // Buyer and shop cancel.
    expect((await cancel(byBuyer.id, byBuyer.buyer.auth)).statusCode).toBe(200);
    expect((await cancel(bySeller.id, s.owner.auth)).statusCode).toBe(200);

    // The provider reports a refund of everything (made in its dashboard): a cancellation.
    const sandbox = new SandboxProvider(t.clock, t.secrets.payments);
    const [p] = await rows<{ provider_ref: string }>(t.db, sql`select provider_ref from payments where id = ${byProvider.paymentId}`);
    const signed = sandbox.sign(
      sandbox.event('refund.succeeded', { intent_id: p!.provider_ref, payment_id: byProvider.paymentId, amount: 1000, currency: 'USD', refund_id: 're_dashboard_1', order_id: byProvider.id }),
    );
    expect((await t.app.inject({ method: 'POST', url: '/v1/webhooks/payments/sandbox', headers: signed.headers, payload: signed.rawBody })).statusCode).toBe(200);

    // After-sales style refunds: a partial one keeps the status, the rest makes the order refunded.
    await t.db.transaction((tx) => refundOrder(tx, t.clock, providers(), { orderId: partial.id, amount: 300, reason: 'after_sales', key: `a:${partial.id}` }));
    expect(await order(partial.id, partial.buyer.auth)).toMatchObject({ status: 'paid', refunded: { amount: 300, currency: 'USD' } });
    await t.db.transaction((tx) => refundOrder(tx, t.clock, providers(), { orderId: partial.id, amount: 700, reason: 'after_sales', key: `b:${partial.id}` }));
    expect(await order(partial.id, partial.buyer.auth)).toMatchObject({ status: 'refunded', refunded: { amount: 1000, currency: 'USD' } });

    // A partly refunded paid order that is then cancelled: only the rest goes back.
    await t.db.transaction((tx) => refundOrder(tx, t.clock, providers(), { orderId: partialThenCancel.id, amount: 250, reason: 'after_sales', key: `c:${partialThenCancel.id}` }));
    expect((await cancel(partialThenCancel.id, partialThenCancel.buyer.auth)).statusCode).toBe(200);
    const detail = await order(partialThenCancel.id, partialThenCancel.buyer.auth);
    expect(detail).toMatchObject({ status: 'cancelled', refunded: { amount: 1000, currency: 'USD' } });
    expect(detail.timeline.find((e: { type: string }) => e.type === 'cancelled').data).toMatchObject({ refund: { amount: 750, currency: 'USD' } });

    // SLA auto-cancel and trust freeze (another shop, so the freeze has its own paid orders).
    const late = await paidOrder(s);
    const m = market('US');
    t.clock.advance(m.shipWithinMs + m.autoCancelGraceMs + DAY);
    expect(await sweepOverdueDispatch(t.db, t.clock, providers())).toBeGreaterThanOrEqual(1);
    const frozenShop = await shopWithProduct(t, { name: 'Frozen', variants: [{ price: 1000, onHand: 10 }] });
    const frozen = await paidOrder(frozenShop);
    const operator = await t.account({ roles: ['operator'] });
    await createOperatorAction(t.db, t.clock, freezeShop(providers()), operator.id, frozenShop.shopId, { type: 'freeze', reason: 'Stopped answering' });

    for (const o of [byBuyer, bySeller, byProvider, late, frozen, partialThenCancel]) {
      expect(await order(o.id, o.buyer.auth)).toMatchObject({ status: 'cancelled', refunded: { amount: 1000, currency: 'USD' } });
      expect(await getBalance(t.db, accounts.escrow(o.id), 'USD')).toBe(0);
    }
    // The sandbox's refund.succeeded webhooks of all these refunds arrive: nothing is refunded twice.
    await t.app.ctx.jobs.runDue();

    const counted = await recount();
    expect(counted.length).toBeGreaterThanOrEqual(7);
    for (const r of counted) expect({ id: r.id, refund_rows: r.refund_rows, ledger_refunds: r.ledger_refunds }).toEqual({ id: r.id, refund_rows: r.refunded_amount, ledger_refunds: r.refunded_amount });
    const refunded = counted.filter((r) => r.refunded_amount > 0).map((r) => r.id).sort();
    expect(refunded).toEqual([byBuyer.id, bySeller.id, byProvider.id, partial.id, partialThenCancel.id, late.id, frozen.id].sort());
    expect((await reconcile(t.db)).problems).toEqual([]);
    // Trust's rates: a cancellation's refund counts as a cancellation, not also as a refund.
    expect(await shopOrderStats(t.db, s.shopId, new Date(0))).toEqual({ orders: 6, cancelled: 5, refunded: 1 });
  });

  it('the same refund twice at once refunds once; two cancels at once: one cancels and refunds, the other 409 invalid_transition', async () => {
    const s = await shopWithProduct(t, { name: 'Twice', variants: [{ price: 1000, onHand: 10 }] });
    const o = await paidOrder(s);
    const once = () => t.db.transaction((tx) => refundOrder(tx, t.clock, providers(), { orderId: o.id, amount: 400, reason: 'after_sales', key: `same:${o.id}` }));
    const results = await Promise.all([once(), once()]);
    expect(results.filter((r) => r.refund !== null)).toHaveLength(1);
    expect(await getBalance(t.db, accounts.escrow(o.id), 'USD')).toBe(600);
    expect((await recount()).find((r) => r.id === o.id)).toMatchObject({ refunded_amount: 400, refund_rows: 400, ledger_refunds: 400, status: 'paid' });

    const c = await paidOrder(s);
    const [a, b] = await Promise.all([cancel(c.id, c.buyer.auth), cancel(c.id, s.owner.auth)]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    expect([a, b].find((r) => r.statusCode === 409)!.json().error).toMatchObject({ code: 'invalid_transition', details: { entity: 'order', from: 'cancelled', event: 'cancel' } });
    expect((await recount()).find((r) => r.id === c.id)).toMatchObject({ refunded_amount: 1000, refund_rows: 1000, ledger_refunds: 1000, status: 'cancelled' });
    expect((await reconcile(t.db)).problems).toEqual([]);
  });

  it('an order that is not paid cannot be cancelled through the refund path and nothing changes', async () => {
    const s = await shopWithProduct(t, { name: 'Refused', variants: [{ price: 1000, onHand: 10 }] });
    const o = await paidOrder(s);
    await t.db.transaction((tx) => refundOrder(tx, t.clock, providers(), { orderId: o.id, amount: 1000, reason: 'after_sales', key: `full:${o.id}` }));
    const before = (await recount()).find((r) => r.id === o.id);
    expect(before).toMatchObject({ status: 'refunded', refunded_amount: 1000 });
    const res = await cancel(o.id, o.buyer.auth);
    expect([res.statusCode, res.json().error.code]).toEqual([409, 'invalid_transition']);
    expect((await recount()).find((r) => r.id === o.id)).toEqual(before);
  });
});
