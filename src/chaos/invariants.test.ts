import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../test/app.js';
import { addToCart, cardBody, checkoutReq, shopWithProduct } from '../modules/orders/testing.js';
import { checkInvariants, type Ack } from './invariants.js';

/** The chaos invariants pass on a healthy database and catch each kind of damage they are for. */
describe('chaos invariants', () => {
  let t: TestApp;
  let skuId: string;
  let orderId: string;
  let paymentId: string;
  const acks: Ack[] = [];
  const input = () => ({ final: true, acks, skus: [{ id: skuId, initial: 10, sets: [], hot: true }], now: t.clock.now() });

  beforeAll(async () => {
    t = await testApp();
    const shop = await shopWithProduct(t, { variants: [{ price: 1500, onHand: 10 }] });
    skuId = shop.skuIds[0]!;
    const buyer = await t.account();
    await addToCart(t, buyer.auth, skuId, 3);
    const res = await checkoutReq(t, buyer.auth, cardBody(), 'invariants-1');
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json() as { payment: { id: string }; orders: Array<{ id: string }> };
    paymentId = body.payment.id;
    orderId = body.orders[0]!.id;
    acks.push({ kind: 'order_paid', id: orderId, ref: paymentId });
  });
  afterAll(async () => t.close());

  it('hold on a consistent database', async () => {
    const report = await checkInvariants(t.db, input());
    expect(report.problems).toEqual([]);
    expect(report.counts).toMatchObject({ orders: 1, paid_orders: 1, payments: 1 });
  });

  it('catch oversold stock, a second release, an unpaid acknowledged order and a failed job', async () => {
    await t.db.execute(sql`update stock set on_hand = on_hand + 1 where sku_id = ${skuId}`);
    await t.db.execute(sql`insert into settlements (id, order_id, shop_id, currency, held, commission, affiliate, subsidy, seller_amount, lines, created_at)
      select 'stl_chaos_test', id, shop_id, currency, total, 0, 0, 0, total, '[]'::jsonb, now() from orders where id = ${orderId}`);
    await t.db.execute(sql`update jobs set status = 'failed', last_error = 'boom' where id = (select id from jobs order by id limit 1)`);
    await t.db.execute(sql`update orders set paid_at = null where id = ${orderId}`);
    const report = await checkInvariants(t.db, input());
    const text = report.problems.join('\n');
    expect(report.ok).toBe(false);
    expect(text).toContain(`oversold: hot SKU ${skuId} started with 10`);
    expect(text).toMatch(/settlement: .*settled but not completed/);
    expect(text).toContain('failed: boom');
    expect(text).toContain(`paid order ${orderId} (${paymentId}) acknowledged to the client is missing`);
    expect(text).toMatch(/capture: .* paid=false has 1 capture/);
  });
});
