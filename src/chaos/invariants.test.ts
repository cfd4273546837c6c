import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../test/app.js';
import { addToCart, cardBody, checkoutReq, shopWithProduct } from '../modules/orders/index.js';
import { checkInvariants, idempotencyProblems, liveStockProblems, rateLimitProblems, type Ack, type SeenAnswer } from './invariants.js';

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

  it('catch a job that ran twice: a second settlement entry, a payout without its entries, a second cancellation refund, a second ship-by warning, a forked recurring chain', async () => {
    const now = t.clock.now().toISOString();
    await t.db.execute(sql`insert into ledger_entries (id, kind, reference, created_at) values
      ('led_chaos_once_1', 'settlement', ${orderId}, ${now}::timestamptz), ('led_chaos_once_2', 'settlement', ${orderId}, ${now}::timestamptz)`);
    await t.db.execute(sql`insert into payouts (id, payee_type, payee_id, amount, currency, status, created_at, paid_at)
      values ('pyo_chaos_once', 'shop', 'shp_chaos_once', 100, 'USD', 'paid', ${now}::timestamptz, ${now}::timestamptz)`);
    await t.db.execute(sql`insert into refunds (id, payment_id, order_id, amount, currency, reason, provider_ref, created_at) values
      ('rfd_chaos_once_1', ${paymentId}, ${orderId}, 100, 'USD', 'order_cancelled', 'chaos-once-1', ${now}::timestamptz),
      ('rfd_chaos_once_2', ${paymentId}, ${orderId}, 100, 'USD', 'order_cancelled', 'chaos-once-2', ${now}::timestamptz)`);
    await t.db.execute(sql`insert into jobs (id, type, payload, run_at, status, unique_key, created_at) values
      ('job_chaos_once_0', 'chaos.once_chain', '{}'::jsonb, ${now}::timestamptz, 'done', 'recurring:chaos_once_chain', ${now}::timestamptz),
      ('job_chaos_once_1', 'chaos.once_chain', '{}'::jsonb, ${now}::timestamptz, 'queued', null, ${now}::timestamptz),
      ('job_chaos_once_2', 'chaos.once_chain', '{}'::jsonb, ${now}::timestamptz, 'queued', null, ${now}::timestamptz)`);
    await t.db.execute(sql`insert into domain_events (id, name, payload, occurred_at) values
      ('dom_chaos_once_1', 'order.ship_by_near', ${JSON.stringify({ order_id: orderId })}::jsonb, ${now}::timestamptz),
      ('dom_chaos_once_2', 'order.ship_by_near', ${JSON.stringify({ order_id: orderId })}::jsonb, ${now}::timestamptz)`);
    const text = (await checkInvariants(t.db, input())).problems.join('\n');
    expect(text).toContain(`once: order ${orderId} has 2 settlement entries`);
    expect(text).toContain(`once: order ${orderId} has 2 ship-by warnings`);
    expect(text).toContain('once: payout pyo_chaos_once (paid) has 0 payout, 0 payout_paid and 0 payout_failed entries');
    expect(text).toContain(`once: ${orderId} has 2 order_cancelled refunds`);
    expect(text).toContain('once: recurring job chaos.once_chain has 2 runs queued');
  });
});

describe('cross-node checks', () => {
  const answer = (node: number, status: number, body: unknown, replayed = false): SeenAnswer => ({ node, status, body, code: null, replayed });

  it('one Idempotency-Key on two nodes: one run and the same answer, or a problem', () => {
    const paid = { payment: { id: 'pay_1', status: 'succeeded' }, orders: [{ id: 'ord_1' }] };
    expect(idempotencyProblems('k1', [answer(0, 201, paid), answer(1, 201, { orders: [{ id: 'ord_1' }], payment: { status: 'succeeded', id: 'pay_1' } }, true)])).toEqual([]);
    // Still running after the wait, or no answer: says nothing.
    expect(idempotencyProblems('k1', [answer(0, 201, paid), { node: 1, status: 409, code: 'idempotency_in_progress' }])).toEqual([]);
    expect(idempotencyProblems('k1', [answer(0, 201, paid), { node: 1, status: null }])).toEqual([]);
    const twice = idempotencyProblems('k2', [answer(0, 201, paid), answer(1, 201, { ...paid, payment: { id: 'pay_2', status: 'succeeded' } })]);
    expect(twice.join('\n')).toContain('idempotency: key k2 answered differently on node 0');
    expect(twice.join('\n')).toContain('idempotency: key k2 ran 2 times (on nodes 0, 1)');
    expect(idempotencyProblems('k3', [answer(0, 201, paid), answer(1, 402, { error: { code: 'card_declined' } }, true)])).toEqual(['idempotency: key k3 answered 201 on node 0 but 402 on node 1']);
  });

  it('the sign-in budget holds across nodes, or a problem', () => {
    const spread = (statuses: number[]) => statuses.map((status, i) => ({ node: i % 2, status }));
    expect(rateLimitProblems(3, spread([401, 401, 401, 429, 429]))).toEqual([]);
    // Counted per process: each of two nodes lets the budget through.
    const perNode = rateLimitProblems(3, spread([401, 401, 401, 401, 401, 401, 429, 429]));
    expect(perNode.join('\n')).toContain('rate_limit: 6 wrong-password sign-ins for one email were let through across 2 node(s), budget 3 (the 4th on node 1)');
    expect(rateLimitProblems(3, spread([401, 401, 401, 429, 401])).join('\n')).toContain('rate_limit: attempt 5 on node 0 was let through after attempt 4 was refused on node 1');
    expect(rateLimitProblems(3, spread([401, 401, 401, 401]))).toContain('rate_limit: none of 4 attempts was refused (budget 3)');
    expect(rateLimitProblems(3, spread([401, 429, 429, 429]))).toContain('rate_limit: refused after 1 attempts, before the budget 3');
    expect(rateLimitProblems(3, spread([401, 401]))).toContain('rate_limit: the probe made 2 attempts, not more than the budget 3');
    expect(rateLimitProblems(1, [{ node: 0, status: 401 }, { node: 1, status: 500 }])).toContain('rate_limit: attempt 2 on node 1 answered 500 (401 or 429 expected)');
  });

  it('every node shows the database stock of a live room, or a problem', () => {
    const db = { sku_a: 4, sku_b: 0 };
    expect(liveStockProblems('liv_1', [{ node: 0, remaining: { sku_a: 4, sku_b: 0 } }, { node: 1, remaining: { sku_b: 0, sku_a: 4 } }], db)).toEqual([]);
    expect(liveStockProblems('liv_1', [{ node: 0, remaining: { sku_a: 4, sku_b: 0 } }, { node: 1, remaining: { sku_a: 6, sku_b: 0 } }, { node: 2, remaining: null }], db)).toEqual([
      'live_rooms: node 1 shows 6 left of sku_a in liv_1, the database 4',
      'live_rooms: node 2 sent no stock of liv_1',
    ]);
    expect(liveStockProblems('liv_1', [{ node: 0, remaining: { sku_a: 4 } }], db)).toEqual(['live_rooms: node 0 shows nothing left of sku_b in liv_1, the database 0']);
  });
});
