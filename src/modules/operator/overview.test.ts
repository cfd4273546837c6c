import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../../platform/clock.js';
import { newId } from '../../platform/ids.js';
import { testApp, type TestApp } from '../../test/app.js';
import { applicationForm } from '../../test/applications.js';
import { fulfillmentFlags, slaBreaches } from '../fulfillment/index.js';
import { addToCart, cardBody, checkoutReq, ordersOfPayment, shopWithProduct, type ShopFixture } from '../orders/index.js';
import { SANDBOX_CARDS } from '../payments/index.js';
import { saveDocument, submitApplication } from '../sellers/index.js';
import { createInvitation } from '../sellers/index.js';
import { shops } from '../sellers/index.js';
import { createShop } from '../sellers/index.js';

type Auth = { authorization: string };
const PDF = Buffer.from('%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
interface Res {
  statusCode: number;
  body: string;
  json(): unknown;
}
interface Overview {
  date: string;
  timezone: string;
  gmv: Array<{ amount: number; currency: string }>;
  orders: number;
  paid_orders: number;
  open_cases: number;
  escalated_cases: number;
  sla_breaches: number;
  flags: number;
  open_flags: number;
  new_applications: number;
  shops: { active: number; suspended: number; frozen: number };
  series: Array<{ date: string; orders: number; paid_orders: number; gmv: Array<{ amount: number; currency: string }> }>;
}

describe('operator overview: one UTC day of figures, the open queues, shops by status', () => {
  let t: TestApp;
  let dir: string;
  let operator: { id: string; auth: Auth };
  let us: ShopFixture;
  let gb: ShopFixture;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'loopshop-overview-'));
    t = await testApp({ dataDir: dir });
    operator = await t.account({ roles: ['operator'] });
    us = await shopWithProduct(t, { name: 'Overview US', variants: [{ price: 1000, onHand: 100 }] });
    gb = await shopWithProduct(t, { name: 'Overview GB', market: 'GB', currency: 'GBP', variants: [{ price: 2000, onHand: 100 }] });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string, auth?: Auth) => t.app.inject({ method: 'GET', url, headers: auth ?? {} });
  const post = (url: string, auth: Auth, payload?: object) => t.app.inject({ method: 'POST', url, headers: auth, ...(payload ? { payload } : {}) });
  const ok = <T>(res: Res, status = 200): T => {
    expect(res.statusCode, res.body).toBe(status);
    return res.json() as T;
  };
  type Placed = { orders: Array<{ id: string; shop_id: string; total: { amount: number; currency: string } }> };
  const buy = async (skuIds: string[], card?: string) => {
    const buyer = await t.account();
    for (const sku of skuIds) await addToCart(t, buyer.auth, sku);
    return { buyer, res: await checkoutReq(t, buyer.auth, cardBody(card)) };
  };
  const breach = (shopId: string, orderId: string, kind: 'late_dispatch' | 'late_pickup', at: Date) =>
    t.db.insert(slaBreaches).values({ id: newId('slb'), shopId, orderId, kind, dueAt: new Date(at.getTime() - HOUR), recordedAt: at });
  const flag = (shopId: string, orderId: string, at: Date, status: 'open' | 'cleared') =>
    t.db.insert(fulfillmentFlags).values({ id: newId('ffl'), shopId, orderId, shipmentId: newId('shp'), rule: 'tracking_reused', status, createdAt: at });

  it('counts what was created that day, in each currency, and keeps earlier days in the series', async () => {
    // Day 1 (2026-03-02 UTC): one paid US order.
    const day1 = ok<Placed>((await buy([us.skuIds[0]!])).res, 201).orders;
    expect(day1).toHaveLength(1);
    const day1Order = day1[0]!;
    await breach(us.shopId, day1Order.id, 'late_dispatch', t.clock.now());
    await flag(us.shopId, day1Order.id, t.clock.now(), 'cleared');

    // Applications: two whose automatic checks fail on day 2 (rejected at once, not waiting), one
    // that passed them yesterday (day 1) and still waits for an operator.
    const applicant = await t.account();
    const inv = await createInvitation(t.db, t.clock, operator.id, { market: 'US', category: 'outdoor', max_uses: 5, expires_at: new Date(t.clock.now().getTime() + 10 * DAY).toISOString() });
    const waiter = await t.account();
    const docs = [];
    for (const kind of ['local_stock_proof', 'sales_statement', 'licence'] as const) docs.push((await saveDocument(t.db, t.clock, dir, waiter.id, kind, PDF)).id);
    const waiting = await submitApplication(t.db, t.clock, waiter.id, applicationForm(inv.code, docs));
    expect(waiting.status).toBe('submitted');

    // Day 2: a paid order in each currency (a cart holds one currency), one declined card.
    t.clock.advance(DAY);
    const { buyer, res } = await buy([us.skuIds[0]!]);
    const day2 = [...ok<Placed>(res, 201).orders, ...ok<Placed>((await buy([gb.skuIds[0]!])).res, 201).orders];
    expect(day2).toHaveLength(2);
    const declined = await buy([us.skuIds[0]!], SANDBOX_CARDS.declined);
    expect(declined.res.statusCode, declined.res.body).toBe(402);
    // The declined attempt's order rows: hidden from its buyer and shop, placed all the same for the operators.
    expect(ok<{ data: unknown[] }>(await get('/v1/orders?role=buyer', declined.buyer.auth)).data).toEqual([]);
    const declinedOrders = (await ordersOfPayment(t.db, declined.res.json().error.details.payment_id)).length;
    expect(declinedOrders).toBe(1);

    // After-sales: both shipped US orders get a case; one is escalated to the operators.
    const usOrder = day2.find((o) => o.shop_id === us.shopId)!;
    for (const o of [day1Order, usOrder]) ok(await post(`/v1/orders/${o.id}/shipments`, us.owner.auth, { carrier: 'sandbox' }), 201);
    const c = ok<{ id: string }>(await post(`/v1/orders/${usOrder.id}/after-sales`, buyer.auth, { type: 'refund_only', reason: 'Arrived broken' }), 201);
    ok(await post(`/v1/after-sales/${c.id}/reject`, us.owner.auth, { note: 'It left us intact' }));
    ok(await post(`/v1/after-sales/${c.id}/escalate`, buyer.auth, { note: 'It did not arrive intact' }));
    const other = await buy([us.skuIds[0]!]);
    const otherOrder = ok<Placed>(other.res, 201).orders[0]!;
    ok(await post(`/v1/orders/${otherOrder.id}/shipments`, us.owner.auth, { carrier: 'sandbox' }), 201);
    ok(await post(`/v1/orders/${otherOrder.id}/after-sales`, other.buyer.auth, { type: 'refund_only', reason: 'Wrong colour' }), 201);

    // Incidents today: two breaches, one open flag (the cleared one was yesterday's).
    await breach(us.shopId, usOrder.id, 'late_dispatch', t.clock.now());
    await breach(us.shopId, usOrder.id, 'late_pickup', t.clock.now());
    await flag(us.shopId, usOrder.id, t.clock.now(), 'open');

    for (let n = 0; n < 2; n++) expect((await submitApplication(t.db, t.clock, applicant.id, applicationForm(inv.code, []))).status).toBe('rejected');

    // Shops by status: two active, one suspended, one frozen.
    for (const status of ['suspended', 'frozen'] as const) {
      const owner = await t.account();
      const s = await createShop(t.db, t.clock, { name: `Shop ${status}`, market: 'US', currency: 'USD', timezone: 'UTC', ownerId: owner.id });
      await t.db.update(shops).set({ status }).where(eq(shops.id, s.id));
    }

    const today = ok<Overview>(await get('/v1/admin/overview', operator.auth));
    const usdToday = usOrder.total.amount + otherOrder.total.amount;
    const gbp = day2.find((o) => o.shop_id === gb.shopId)!.total;
    expect(today).toMatchObject({
      date: '2026-03-03',
      timezone: 'UTC',
      orders: 2 + declinedOrders + 1,
      paid_orders: 3,
      open_cases: 2,
      escalated_cases: 1,
      sla_breaches: 2,
      flags: 1,
      open_flags: 1,
      new_applications: 1,
      shops: { active: 2, suspended: 1, frozen: 1 },
    });
    expect([...today.gmv].sort((a, b) => a.currency.localeCompare(b.currency))).toEqual([gbp, { amount: usdToday, currency: 'USD' }]);
    expect(today.series).toHaveLength(14);
    expect(today.series.at(-1)).toEqual({ date: '2026-03-03', orders: today.orders, paid_orders: 3, gmv: today.gmv });
    expect(today.series.at(-2)).toEqual({ date: '2026-03-02', orders: 1, paid_orders: 1, gmv: [day1Order.total] });
    expect(today.series[0]).toEqual({ date: '2026-02-18', orders: 0, paid_orders: 0, gmv: [] });

    // The figure is the queue it links to: a recount of the applications list filtered to `submitted`.
    const listed: string[] = [];
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      const page: { data: Array<{ id: string; status: string }>; next_cursor: string | null } = ok(
        await get(`/v1/seller-applications?status=submitted&limit=1${cursor ? `&cursor=${cursor}` : ''}`, operator.auth),
      );
      listed.push(...page.data.map((a) => a.id));
      cursor = page.next_cursor;
    }
    expect(listed).toEqual([waiting.id]);
    expect(today.new_applications).toBe(listed.length);

    // An earlier day: its own figures; the queues as they stand now.
    const yesterday = ok<Overview>(await get('/v1/admin/overview?date=2026-03-02', operator.auth));
    expect(yesterday).toMatchObject({ date: '2026-03-02', orders: 1, paid_orders: 1, gmv: [day1Order.total], sla_breaches: 1, flags: 1, open_flags: 1, new_applications: 1, open_cases: 2 });
    expect(yesterday.series.at(-1)!.date).toBe('2026-03-02');
    const empty = ok<Overview>(await get('/v1/admin/overview?date=2025-12-31', operator.auth));
    expect(empty).toMatchObject({ orders: 0, paid_orders: 0, gmv: [], sla_breaches: 0, flags: 0, new_applications: 1 });
  });

  it('is for operators only, and refuses a date that is not a calendar day', async () => {
    const buyer = await t.account();
    expect((await get('/v1/admin/overview')).statusCode).toBe(401);
    const forbidden = await get('/v1/admin/overview', buyer.auth);
    expect(forbidden.statusCode).toBe(403);
    for (const date of ['2026-02-30', '2026-13-01', 'yesterday', '2026-3-1']) {
      const res = await get(`/v1/admin/overview?date=${date}`, operator.auth);
      expect(res.statusCode, date).toBe(400);
      expect((res.json() as { error: { code: string } }).error.code).toMatch(/invalid_date|validation_failed/);
    }
  });
});
