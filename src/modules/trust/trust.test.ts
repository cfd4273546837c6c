import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../../platform/clock.js';
import { enqueue } from '../../platform/jobs.js';
import { testApp, type TestApp } from '../../test/app.js';
import { shipAndDeliver } from '../../test/delivery.js';
import { listAudit } from '../audit/index.js';
import { videos } from '../content/index.js';
import { insertVideo } from '../content/index.js';
import { scheduleDispatchSweep } from '../fulfillment/index.js';
import { accounts, getBalance, reconcile } from '../ledger/index.js';
import { listNotifications } from '../notifications/index.js';
import { refundOrder } from '../orders/index.js';
import { addToCart, cardBody, checkoutReq, shopWithProduct, type ShopFixture } from '../orders/index.js';
import { payouts } from '../settlement/index.js';
import { runPayouts, scheduleSettlementJobs } from '../settlement/index.js';
import { EVALUATE_JOB, scheduleTrustJobs, type Thresholds } from './service.js';

type Auth = { authorization: string };
type Account = { id: string; auth: Auth };
interface Action {
  id: string;
  shop_id: string;
  type: string;
  status: string;
  source: string;
  reason: string;
  params: Record<string, number>;
  appeal: { status: string; message: string } | null;
}

describe('trust: seller health, rules → actions, enforcement, appeals, the vanished seller', () => {
  let t: TestApp;
  let operator: Account;
  // A fresh database per test: the evaluation job walks every shop, and thresholds are per market.
  beforeEach(async () => {
    t = await testApp();
    operator = await t.account({ roles: ['operator'] });
  });
  afterEach(() => t.close());

  const req = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, auth?: Auth, payload?: object) =>
    t.app.inject({ method, url, headers: auth ?? {}, ...(payload ? { payload } : {}) });
  const ok = <T = Record<string, unknown>>(res: { statusCode: number; body: string; json(): unknown }, status = 200): T => {
    expect(res.statusCode, res.body).toBe(status);
    return res.json() as T;
  };
  const run = () => t.app.ctx.jobs.runDue();
  /** Moves the clock in steps (every recurring job runs at each step). */
  const later = async (ms: number, step = 6 * HOUR) => {
    for (let left = ms; left > 0; left -= step) {
      t.clock.advance(Math.min(step, left));
      await run();
    }
  };
  /** One run of the health evaluation job now. */
  const evaluate = async () => {
    await enqueue(t.db, t.clock, EVALUATE_JOB, {});
    await run();
  };
  const usd = (amount: number) => ({ amount, currency: 'USD' });
  const providers = () => t.app.ctx.strategies.payments;
  const payable = (shopId: string) => getBalance(t.db, accounts.sellerPayable(shopId), 'USD');
  const escrow = (orderId: string) => getBalance(t.db, accounts.escrow(orderId), 'USD');
  const balanced = async () => expect((await reconcile(t.db)).problems).toEqual([]);

  const shop = (name = 'Health Co') => shopWithProduct(t, { name, variants: [{ price: 1000, onHand: 100 }] });

  async function paidOrder(s: ShopFixture) {
    const buyer = await t.account({ name: 'Buyer' });
    await addToCart(t, buyer.auth, s.skuIds[0]!, 1);
    const res = ok<{ orders: Array<{ id: string; total: { amount: number } }> }>(await checkoutReq(t, buyer.auth, cardBody()), 201);
    return { id: res.orders[0]!.id, total: res.orders[0]!.total.amount, buyer };
  }
  async function ship(s: ShopFixture, orderId: string): Promise<string> {
    return ok<{ tracking_number: string }>(await req('POST', `/v1/orders/${orderId}/shipments`, s.owner.auth, { carrier: 'sandbox' }), 201).tracking_number;
  }
  /** Ships and delivers at once (signed sandbox carrier scans). */
  const deliver = (s: ShopFixture, orderId: string) => shipAndDeliver(t, orderId, s.owner.auth);
  const thresholds = async (body: Thresholds) => ok(await req('PUT', '/v1/admin/markets/US/health-thresholds', operator.auth, body));
  /** The market's rules are these, over the default window (30 days; frozen after 5 days away). */
  const rulesAre = (rules: Thresholds['rules']) => thresholds({ window_days: 30, freeze_after_days: 5, rules });
  const health = async (s: ShopFixture) =>
    ok<{ status: string; metrics: Record<string, number | null>; breaches: Array<{ metric: string; action: string }>; actions: Action[] }>(
      await req('GET', `/v1/shops/${s.shopId}/health`, s.owner.auth),
    );
  const activeTypes = async (s: ShopFixture) => (await health(s)).actions.map((a) => a.type).sort();
  const operatorAction = async (s: ShopFixture, body: object) => ok<Action>(await req('POST', `/v1/admin/shops/${s.shopId}/actions`, operator.auth, body), 201);
  const reverse = async (actionId: string, reason = 'Reviewed: fine') => ok<Action>(await req('POST', `/v1/admin/shop-actions/${actionId}/reverse`, operator.auth, { reason }));
  const createProduct = (s: ShopFixture, title: string) =>
    req('POST', `/v1/shops/${s.shopId}/products`, s.owner.auth, { title, status: 'live', variants: [{ price: usd(500), stock: { on_hand: 5 } }] });
  const available = async (s: ShopFixture) => ok<{ available: number }>(await req('GET', `/v1/products/${s.productId}`, s.owner.auth)).available;

  // ---------------------------------------------------------------------------------------------

  it('thresholds are data per market: defaults from the migration, replaced by operators, bad input refused and nothing changed', async () => {
    const before = ok<Thresholds>(await req('GET', '/v1/admin/markets/US/health-thresholds', operator.auth));
    expect(before).toMatchObject({ window_days: 30, freeze_after_days: 5 });
    expect(before.rules).toContainEqual({ metric: 'late_dispatch_rate', threshold: 0.1, min_orders: 20, action: 'warning' });
    expect(before.rules).toContainEqual({ metric: 'fake_tracking_flags', threshold: 5, min_orders: 0, action: 'suspension' });
    const seller = await t.seller();

    expect((await req('GET', '/v1/admin/markets/US/health-thresholds', seller.auth)).statusCode).toBe(403);
    expect((await req('GET', '/v1/admin/markets/ZZ/health-thresholds', operator.auth)).statusCode).toBe(404);
    const bad = [
      { window_days: 0, freeze_after_days: 5, rules: [] },
      { window_days: 30, freeze_after_days: 5, rules: [{ metric: 'mood', threshold: 1, min_orders: 0, action: 'warning' }] },
      { window_days: 30, freeze_after_days: 5, rules: [{ metric: 'refund_rate', threshold: 25, min_orders: 0, action: 'warning' }] },
      { window_days: 30, freeze_after_days: 5, rules: [{ metric: 'refund_rate', threshold: 0.2, min_orders: 0, action: 'freeze' }] },
      { window_days: 30, freeze_after_days: 5, rules: [{ metric: 'refund_rate', threshold: 0.2, min_orders: 0, action: 'warning', params: { reserve_bps: 100 } }] },
    ];
    for (const body of bad) {
      const res = await req('PUT', '/v1/admin/markets/US/health-thresholds', operator.auth, body);
      expect(res.statusCode, res.body).toBe(400);
      expect(['validation_failed', 'invalid_rule']).toContain(res.json().error.code);
    }
    expect((await req('PUT', '/v1/admin/markets/US/health-thresholds', seller.auth, before)).statusCode).toBe(403);
    expect(ok(await req('GET', '/v1/admin/markets/US/health-thresholds', operator.auth))).toEqual(before);

    const next: Thresholds = { window_days: 14, freeze_after_days: 3, rules: [{ metric: 'dispute_losses', threshold: 2, min_orders: 0, action: 'warning' }] };
    expect(await thresholds(next)).toEqual(next);
    expect(ok(await req('GET', '/v1/admin/markets/US/health-thresholds', operator.auth))).toEqual(next);
    expect((await listAudit(t.db, { action: 'health_thresholds.updated' })).data[0]).toMatchObject({ actor_id: operator.id, target_id: 'US' });
  });

  it('health and actions are visible to the shop and operators only; every route that takes an id answers 404 to others', async () => {
    const s = await shop();
    const other = await t.seller({ shopName: 'Other' });
    const buyer = await t.account();
    const h = await health(s);
    expect(h).toMatchObject({ shop_id: s.shopId, status: 'active', window_days: 30, breaches: [], actions: [] });
    expect(h.metrics).toEqual({
      orders: 0,
      late_dispatch_rate: 0,
      cancellation_rate: 0,
      fake_tracking_flags: 0,
      refund_rate: 0,
      not_as_described_cases: 0,
      dispute_losses: 0,
      average_rating: null,
      rating_count: 0,
    });
    expect((await req('GET', `/v1/shops/${s.shopId}/health`, operator.auth)).statusCode).toBe(200);
    expect((await req('GET', `/v1/shops/${s.shopId}/health`)).statusCode).toBe(401);
    for (const auth of [other.auth, buyer.auth]) {
      expect((await req('GET', `/v1/shops/${s.shopId}/health`, auth)).statusCode).toBe(404);
      expect((await req('GET', `/v1/shops/${s.shopId}/actions`, auth)).statusCode).toBe(404);
    }
    const warning = await operatorAction(s, { type: 'warning', reason: 'Late parcels reported' });
    for (const auth of [other.auth, buyer.auth]) {
      const res = await req('POST', `/v1/shop-actions/${warning.id}/appeal`, auth, { message: 'Not us' });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
    // Operator routes: 403 for everyone else.
    for (const [method, url, body] of [
      ['GET', '/v1/admin/shops', undefined],
      ['GET', '/v1/admin/shop-actions', undefined],
      ['POST', `/v1/admin/shops/${s.shopId}/actions`, { type: 'warning', reason: 'x' }],
      ['POST', `/v1/admin/shop-actions/${warning.id}/reverse`, { reason: 'x' }],
      ['POST', `/v1/admin/shop-actions/${warning.id}/appeal-decision`, { decision: 'grant', reason: 'x' }],
    ] as const) {
      expect((await req(method, url, s.owner.auth, body)).statusCode).toBe(403);
    }
    expect((await req('GET', '/v1/shops/shp_00000000000000000000000000/health', operator.auth)).statusCode).toBe(404);
    expect((await req('POST', '/v1/admin/shops/shp_00000000000000000000000000/actions', operator.auth, { type: 'warning', reason: 'x' })).statusCode).toBe(404);
    expect((await req('POST', '/v1/admin/shop-actions/sac_00000000000000000000000000/reverse', operator.auth, { reason: 'x' })).statusCode).toBe(404);
    // The shop's own list and the seller's view.
    const list = ok<{ data: Action[] }>(await req('GET', `/v1/shops/${s.shopId}/actions`, s.owner.auth));
    expect(list.data.map((a) => a.id)).toEqual([warning.id]);
  });

  it('bad input to an action is refused with a stable code and changes nothing', async () => {
    const s = await shop();
    const cases: Array<[object, number, string]> = [
      [{ type: 'warning', reason: '' }, 400, 'validation_failed'],
      [{ type: 'warning', reason: '   ' }, 400, 'invalid_reason'],
      [{ type: 'warning' }, 400, 'validation_failed'],
      [{ type: 'ban', reason: 'x' }, 400, 'validation_failed'],
      [{ type: 'payout_hold', reason: 'x', params: { reserve_bps: 10_001 } }, 400, 'validation_failed'],
      [{ type: 'warning', reason: 'x', params: { max_orders_per_day: 3 } }, 400, 'invalid_params'],
      [{ type: 'order_cap', reason: 'x', extra: 1 }, 400, 'validation_failed'],
    ];
    for (const [body, status, code] of cases) {
      const res = await req('POST', `/v1/admin/shops/${s.shopId}/actions`, operator.auth, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect(res.json().error.code).toBe(code);
    }
    expect((await health(s)).actions).toEqual([]);
    expect(ok<{ data: unknown[] }>(await req('GET', `/v1/shops/${s.shopId}/actions`, s.owner.auth)).data).toEqual([]);
    expect((await listNotifications(t.db, s.owner.id)).data).toEqual([]);
  });

  it('a warning notifies the shop and is logged, nothing else; appeal → grant reverses it; appeals are once, decisions need a pending appeal', async () => {
    const s = await shop();
    const w = await operatorAction(s, { type: 'warning', reason: 'Many complaints about packaging' });
    expect(w).toMatchObject({ shop_id: s.shopId, type: 'warning', status: 'active', source: 'operator', created_by: operator.id, appeal: null });
    await run(); // the notification is delivered after the action commits (decision 019)
    const note = (await listNotifications(t.db, s.owner.id)).data[0]!;
    expect(note).toMatchObject({ type: 'shop_action', data: { shop_id: s.shopId, action_id: w.id, action_type: 'warning' } });
    expect(note.body).toContain('Many complaints about packaging');
    const audit = (await listAudit(t.db, { targetType: 'shop', targetId: s.shopId })).data;
    expect(audit[0]).toMatchObject({ actor_id: operator.id, action: 'shop_action.created', data: { action_id: w.id, type: 'warning', reason: 'Many complaints about packaging' } });
    // Nothing bites: the shop lists and sells as before.
    expect((await health(s)).status).toBe('active');
    expect((await createProduct(s, 'Still listing')).statusCode).toBe(201);
    await paidOrder(s);

    expect((await req('POST', `/v1/admin/shop-actions/${w.id}/appeal-decision`, operator.auth, { decision: 'grant', reason: 'x' })).json().error.code).toBe('no_pending_appeal');
    expect((await req('POST', `/v1/shop-actions/${w.id}/appeal`, s.owner.auth, { message: '' })).statusCode).toBe(400);
    const appealed = ok<Action>(await req('POST', `/v1/shop-actions/${w.id}/appeal`, s.owner.auth, { message: 'We changed our packaging supplier' }));
    expect(appealed.appeal).toMatchObject({ status: 'pending', message: 'We changed our packaging supplier' });
    const again = await req('POST', `/v1/shop-actions/${w.id}/appeal`, s.owner.auth, { message: 'Please' });
    expect([again.statusCode, again.json().error.code]).toEqual([409, 'already_appealed']);
    const queue = ok<{ data: Action[] }>(await req('GET', '/v1/admin/shop-actions?appeal=pending', operator.auth));
    expect(queue.data.map((a) => a.id)).toEqual([w.id]);

    const granted = ok<Action>(await req('POST', `/v1/admin/shop-actions/${w.id}/appeal-decision`, operator.auth, { decision: 'grant', reason: 'Supplier invoice checked' }));
    expect(granted).toMatchObject({ status: 'reversed', reversed_by: operator.id, reverse_reason: 'Supplier invoice checked', appeal: { status: 'granted', decided_by: operator.id } });
    expect((await health(s)).actions).toEqual([]);
    expect(ok<{ data: Action[] }>(await req('GET', '/v1/admin/shop-actions?appeal=pending', operator.auth)).data).toEqual([]);
    const dup = await req('POST', `/v1/admin/shop-actions/${w.id}/reverse`, operator.auth, { reason: 'again' });
    expect([dup.statusCode, dup.json().error.code]).toEqual([409, 'action_not_active']);
    const late = await req('POST', `/v1/shop-actions/${w.id}/appeal`, s.owner.auth, { message: 'x' });
    expect(late.json().error.code).toBe('action_not_active');
    expect((await listAudit(t.db, { targetType: 'shop', targetId: s.shopId })).data.map((a) => a.action)).toEqual([
      'shop_action.reversed',
      'shop_action.appeal_granted',
      'shop_action.appealed',
      'shop_action.created',
    ]);
    await run();
    expect((await listNotifications(t.db, s.owner.id)).data[0]).toMatchObject({ type: 'shop_action_reversed' });
  });

  it('late dispatch over the window → warning, then an order cap that refuses checkout beyond N orders a day with nothing reserved or charged', async () => {
    await rulesAre([
      { metric: 'late_dispatch_rate', threshold: 0.1, min_orders: 3, action: 'warning' },
      { metric: 'late_dispatch_rate', threshold: 0.2, min_orders: 3, action: 'order_cap', params: { max_orders_per_day: 1 } },
    ]);
    const s = await shop();
    const orders = [await paidOrder(s), await paidOrder(s), await paidOrder(s)];
    await ship(s, orders[0]!.id);
    await scheduleDispatchSweep(t.db, t.clock);
    await scheduleTrustJobs(t.db, t.clock);
    await later(3 * DAY);
    expect(await activeTypes(s)).toEqual([]);
    // Ship-by + 1 day grace: the two unshipped orders are cancelled with a late_dispatch breach;
    // the evaluation runs every 6 hours (at 00, 06, 12, 18 UTC; the test starts at 09:00).
    await later(1 * DAY + 3 * HOUR, HOUR);
    const h = await health(s);
    expect(h.metrics).toMatchObject({ orders: 3, late_dispatch_rate: 0.6667, cancellation_rate: 0.6667 });
    expect(h.actions.map((a) => [a.type, a.source]).sort()).toEqual([
      ['order_cap', 'automatic'],
      ['warning', 'automatic'],
    ]);
    expect(h.actions.find((a) => a.type === 'order_cap')!.params).toEqual({ max_orders_per_day: 1 });
    // The evaluation never duplicates.
    await later(12 * HOUR, HOUR);
    expect((await health(s)).actions).toHaveLength(2);

    const first = await paidOrder(s);
    expect(first.total).toBe(1000);
    const buyer = await t.account();
    await addToCart(t, buyer.auth, s.skuIds[0]!, 1);
    const stock = await available(s);
    const refused = await checkoutReq(t, buyer.auth, cardBody());
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'shop_order_cap_reached', details: { shop_id: s.shopId, max_orders_per_day: 1 } });
    expect(await available(s)).toBe(stock);
    expect(ok<{ data: unknown[] }>(await req('GET', '/v1/orders', buyer.auth)).data).toEqual([]);
    // A day later the cap has room again.
    t.clock.advance(DAY + MINUTE);
    ok(await checkoutReq(t, buyer.auth, cardBody()), 201);
    await balanced();
  });

  it('fake-tracking flags → payout hold with a reserve and a suspension: products leave lists, search and the feed and cannot be bought, existing orders go on; appeal → grant lifts the suspension only', async () => {
    await rulesAre([
      { metric: 'fake_tracking_flags', threshold: 2, min_orders: 0, action: 'payout_hold', params: { reserve_bps: 3000 } },
      { metric: 'fake_tracking_flags', threshold: 3, min_orders: 0, action: 'suspension' },
    ]);
    const s = await shop('Ghost Parcels');
    const creator = await t.account({ roles: ['buyer', 'creator'] });
    const v = await insertVideo(t.db, t.clock, { creatorId: creator.id, caption: 'unboxing', productIds: [s.productId] }, { type: 'test.none', payload: {} });
    await t.db.update(videos).set({ status: 'ready', publishedAt: t.clock.now(), mediaPath: `videos/${v.id}.mp4`, posterPath: `posters/${v.id}.jpg`, durationMs: 10_000 }).where(eq(videos.id, v.id));
    const feedIds = async () => ok<{ data: Array<{ id: string }> }>(await req('GET', '/v1/feed?limit=50')).data.map((x) => x.id);
    const listed = async (q = '') => ok<{ data: Array<{ id: string }> }>(await req('GET', `/v1/products${q}`)).data.map((p) => p.id);
    expect(await feedIds()).toContain(v.id);
    expect(await listed()).toContain(s.productId);
    expect(await listed('?q=Ghost')).toContain(s.productId);

    const shipped = [await paidOrder(s), await paidOrder(s), await paidOrder(s)];
    for (const o of shipped) await ship(s, o.id);
    const waiting = await paidOrder(s);
    // A buyer's cart holds the product when the shop is suspended.
    const buyer = await t.account();
    await addToCart(t, buyer.auth, s.skuIds[0]!, 1);
    await scheduleTrustJobs(t.db, t.clock);
    // No carrier scan within 48 h: each parcel is flagged.
    await later(2 * DAY + 3 * HOUR, HOUR);
    const h = await health(s);
    expect(h.status).toBe('suspended');
    expect(h.metrics.fake_tracking_flags).toBe(3);
    expect(h.actions.map((a) => a.type).sort()).toEqual(['payout_hold', 'suspension']);

    expect(await listed()).not.toContain(s.productId);
    expect(await listed('?q=Ghost')).not.toContain(s.productId);
    expect(await feedIds()).not.toContain(v.id);
    expect(ok<{ status: string }>(await req('GET', `/v1/products/${s.productId}`)).status).toBe('suspended');
    const stock = await available(s);
    const res = await checkoutReq(t, buyer.auth, cardBody());
    expect([res.statusCode, res.json().error.code]).toEqual([409, 'shop_suspended']);
    const add = await req('POST', '/v1/cart/items', (await t.account()).auth, { sku_id: s.skuIds[0], quantity: 1 });
    expect([add.statusCode, add.json().error.code]).toEqual([409, 'sku_unavailable']);
    expect(await available(s)).toBe(stock);
    expect((await createProduct(s, 'New thing')).json().error.code).toBe('shop_suspended');
    // Existing orders continue: the waiting order ships, a buyer opens a case on a shipped one.
    await ship(s, waiting.id);
    ok(await req('POST', `/v1/orders/${shipped[0]!.id}/after-sales`, shipped[0]!.buyer.auth, { type: 'refund_only', reason: 'Tracking never moved' }), 201);
    expect(ok<{ payout_hold: boolean }>(await req('GET', `/v1/shops/${s.shopId}/finance`, s.owner.auth)).payout_hold).toBe(true);

    const suspension = h.actions.find((a) => a.type === 'suspension')!;
    ok(await req('POST', `/v1/shop-actions/${suspension.id}/appeal`, s.owner.auth, { message: 'The carrier had an outage; scans are in now' }));
    ok(await req('POST', `/v1/admin/shop-actions/${suspension.id}/appeal-decision`, operator.auth, { decision: 'grant', reason: 'Carrier outage confirmed' }));
    const after = await health(s);
    expect(after.status).toBe('active');
    expect(after.actions.map((a) => a.type)).toEqual(['payout_hold']);
    expect(await listed()).toContain(s.productId);
    expect(await feedIds()).toContain(v.id);
    ok(await checkoutReq(t, buyer.auth, cardBody()), 201);
    // The reserve still applies, the full hold does not.
    expect(ok<{ payout_hold: boolean }>(await req('GET', `/v1/shops/${s.shopId}/finance`, s.owner.auth)).payout_hold).toBe(false);
    // A reversed suspension is not re-created by the next evaluation within the window.
    await later(6 * HOUR, HOUR);
    expect((await health(s)).status).toBe('active');
  });

  it('refund rate → listing limit: products beyond N a day are refused until an operator reverses it', async () => {
    await rulesAre([{ metric: 'refund_rate', threshold: 0.25, min_orders: 2, action: 'listing_limit', params: { max_new_listings_per_day: 1 } }]);
    const s = await shop();
    const a = await paidOrder(s);
    await paidOrder(s);
    await t.db.transaction((tx) => refundOrder(tx, t.clock, providers(), { orderId: a.id, amount: 300, reason: 'after_sales', key: `t:${a.id}` }));
    t.clock.advance(DAY + MINUTE);
    await evaluate();
    const h = await health(s);
    expect(h.metrics).toMatchObject({ orders: 2, refund_rate: 0.5 });
    expect(h.breaches).toEqual([{ metric: 'refund_rate', value: 0.5, threshold: 0.25, action: 'listing_limit', params: { max_new_listings_per_day: 1 } }]);
    const limit = h.actions.find((x) => x.type === 'listing_limit')!;
    expect(limit.source).toBe('automatic');
    expect((await createProduct(s, 'First of the day')).statusCode).toBe(201);
    const refused = await createProduct(s, 'Second of the day');
    expect([refused.statusCode, refused.json().error.code]).toEqual([409, 'listing_limit_reached']);
    expect(ok<{ data: unknown[] }>(await req('GET', `/v1/products?shop_id=${s.shopId}&status=all`, s.owner.auth)).data).toHaveLength(2);
    await reverse(limit.id);
    expect((await createProduct(s, 'Second of the day')).statusCode).toBe(201);
    // Reversed by an operator: the rule does not bring it back within the window.
    await evaluate();
    expect(await activeTypes(s)).toEqual([]);
  });

  it('not-as-described cases → payout hold, dispute losses and low ratings → warnings; health shows the ratings', async () => {
    await rulesAre([
      { metric: 'not_as_described_cases', threshold: 2, min_orders: 0, action: 'payout_hold', params: { reserve_bps: 5000 } },
      { metric: 'dispute_losses', threshold: 1, min_orders: 0, action: 'warning' },
      { metric: 'average_rating', threshold: 3, min_orders: 0, min_ratings: 2, action: 'warning' },
    ]);
    const s = await shop();
    const orders = [await paidOrder(s), await paidOrder(s)];
    for (const o of orders) await deliver(s, o.id);
    const cases = [];
    for (const o of orders) {
      const c = ok<{ id: string }>(
        await req('POST', `/v1/orders/${o.id}/after-sales`, o.buyer.auth, { type: 'refund_only', reason: 'Colour differs from the photos', reason_code: 'not_as_described', amount: 200 }),
        201,
      );
      cases.push(c);
    }
    ok(await req('POST', `/v1/after-sales/${cases[0]!.id}/reject`, s.owner.auth, { note: 'Same colour as shown' }));
    ok(await req('POST', `/v1/after-sales/${cases[0]!.id}/escalate`, orders[0]!.buyer.auth, {}));
    ok(await req('POST', `/v1/after-sales/${cases[0]!.id}/decide`, operator.auth, { outcome: 'full_refund', note: 'Photos prove it' }));
    const items = async (o: { id: string; buyer: Account }) => ok<{ items: Array<{ id: string }> }>(await req('GET', `/v1/orders/${o.id}`, o.buyer.auth)).items;
    for (const [o, rating] of [
      [orders[0]!, 1],
      [orders[1]!, 2],
    ] as const) {
      ok(await req('POST', `/v1/orders/${o.id}/items/${(await items(o))[0]!.id}/review`, o.buyer.auth, { rating, text: 'Not as shown' }), 201);
    }
    await evaluate();
    const h = await health(s);
    expect(h.metrics).toMatchObject({ not_as_described_cases: 2, dispute_losses: 1, average_rating: 1.5, rating_count: 2 });
    expect(h.actions.map((a) => `${a.type}:${(a as Action & { metric: string }).metric}`).sort()).toEqual([
      'payout_hold:not_as_described_cases',
      'warning:average_rating',
      'warning:dispute_losses',
    ]);
    expect(h.status).toBe('active');
    await evaluate();
    expect((await health(s)).actions).toHaveLength(3);
  });

  it('payout hold keeps its reserve on the seller payable while active; reversing it pays the reserve out; the ledger balances', async () => {
    const s = await shop();
    const a = await paidOrder(s);
    await deliver(s, a.id);
    t.clock.advance(DAY);
    const b = await paidOrder(s);
    await deliver(s, b.id);
    const hold = await operatorAction(s, { type: 'payout_hold', reason: 'Chargeback risk', params: { reserve_bps: 3000 } });
    await later(6 * DAY, DAY);
    expect(await escrow(a.id)).toBe(0);
    expect(await payable(s.shopId)).toBe(920);
    expect((await runPayouts(t.db, t.clock)).filter((p) => p.payee_id === s.shopId).map((p) => p.amount)).toEqual([usd(644)]);
    expect(await payable(s.shopId)).toBe(276);
    await later(DAY, DAY);
    expect(await payable(s.shopId)).toBe(276 + 920);
    expect((await runPayouts(t.db, t.clock)).filter((p) => p.payee_id === s.shopId).map((p) => p.amount)).toEqual([usd(644)]);
    expect(await payable(s.shopId)).toBe(552);
    expect(await runPayouts(t.db, t.clock)).toEqual([]);
    await reverse(hold.id, 'Risk cleared');
    expect((await runPayouts(t.db, t.clock)).map((p) => p.amount)).toEqual([usd(552)]);
    expect(await payable(s.shopId)).toBe(0);
    await balanced();
  });

  it('operator actions each bite and reversing lifts only what no other active action imposes', async () => {
    const s = await shop();
    const cap = await operatorAction(s, { type: 'order_cap', reason: 'Capacity check', params: { max_orders_per_day: 1 } });
    const tighter = await operatorAction(s, { type: 'order_cap', reason: 'Second look', params: { max_orders_per_day: 0 } });
    const buyer = await t.account();
    await addToCart(t, buyer.auth, s.skuIds[0]!, 1);
    expect((await checkoutReq(t, buyer.auth, cardBody())).json().error.code).toBe('shop_order_cap_reached');
    await reverse(tighter.id);
    ok(await checkoutReq(t, buyer.auth, cardBody()), 201);
    await addToCart(t, buyer.auth, s.skuIds[0]!, 1);
    expect((await checkoutReq(t, buyer.auth, cardBody())).json().error.code).toBe('shop_order_cap_reached');
    await reverse(cap.id);
    ok(await checkoutReq(t, buyer.auth, cardBody()), 201);

    const susp = await operatorAction(s, { type: 'suspension', reason: 'Counterfeit report' });
    const freeze = await operatorAction(s, { type: 'freeze', reason: 'Seller unreachable' });
    expect((await health(s)).status).toBe('frozen');
    await reverse(freeze.id);
    expect((await health(s)).status).toBe('suspended');
    expect(ok<{ payout_hold: boolean }>(await req('GET', `/v1/shops/${s.shopId}/finance`, s.owner.auth)).payout_hold).toBe(true);
    await reverse(susp.id);
    expect((await health(s)).status).toBe('active');
    expect(ok<{ payout_hold: boolean }>(await req('GET', `/v1/shops/${s.shopId}/finance`, s.owner.auth)).payout_hold).toBe(false);
    const list = ok<{ data: Array<{ id: string; status: string; active_actions: Action[]; health: { metrics: { orders: number } } }> }>(
      await req('GET', '/v1/admin/shops?q=health&status=active', operator.auth),
    );
    expect(list.data.map((x) => x.id)).toEqual([s.shopId]);
    expect(list.data[0]).toMatchObject({ status: 'active', active_actions: [], health: { metrics: { orders: 2 } } });
    expect(ok<{ data: unknown[] }>(await req('GET', '/v1/admin/shops?status=frozen', operator.auth)).data).toEqual([]);
  });

  it('the vanished seller: buyers paid, the seller goes silent, N days later the job freezes the shop — every buyer refunded from escrow, the seller payable never paid out, the ledger balanced', async () => {
    const s = await shop('Vanishing Goods');
    // Before vanishing the seller shipped and delivered one order (its escrow is still in the after-sales window).
    const delivered = await paidOrder(s);
    await deliver(s, delivered.id);
    t.clock.advance(MINUTE);
    const unshipped = [await paidOrder(s), await paidOrder(s)];
    await scheduleDispatchSweep(t.db, t.clock);
    await scheduleSettlementJobs(t.db, t.clock);
    await scheduleTrustJobs(t.db, t.clock);
    // Day 1: the first buyer finds the goods not as described and asks for part of the money back.
    await later(DAY);
    const kase = ok<{ id: string }>(
      await req('POST', `/v1/orders/${delivered.id}/after-sales`, delivered.buyer.auth, {
        type: 'return_and_refund',
        reason: 'Not what the video showed',
        reason_code: 'not_as_described',
        amount: 400,
      }),
      201,
    );
    // Day 3: one more buyer pays; the seller answers nothing and ships nothing.
    await later(2 * DAY);
    const late = await paidOrder(s);
    const newcomer = await t.account();
    await addToCart(t, newcomer.auth, s.skuIds[0]!, 1);
    await later(DAY + 23 * HOUR, HOUR);
    expect((await health(s)).status).toBe('active');
    // Day 5: the shop has ignored orders for freeze_after_days → frozen by the next run of the job (12:00).
    await later(4 * HOUR, HOUR);
    const h = await health(s);
    expect(h.status).toBe('frozen');
    const freeze = h.actions.find((a) => a.type === 'freeze')!;
    expect(freeze).toMatchObject({ source: 'automatic', status: 'active' });

    const orderOf = async (o: { id: string; buyer: Account }) => ok<{ status: string; refunded: { amount: number } }>(await req('GET', `/v1/orders/${o.id}`, o.buyer.auth));
    for (const o of [...unshipped, late]) {
      expect(await orderOf(o)).toMatchObject({ status: 'cancelled', refunded: usd(1000) });
      expect(await escrow(o.id)).toBe(0);
    }
    expect((await orderOf(late)).status).toBe('cancelled');
    expect((await listNotifications(t.db, late.buyer.id)).data.map((n) => n.type)).toContain('order_cancelled_seller_frozen');
    const c = ok<{ status: string; refunded: { amount: number }; decision: { outcome: string } }>(await req('GET', `/v1/after-sales/${kase.id}`, delivered.buyer.auth));
    expect(c).toMatchObject({ status: 'resolved_buyer', refunded: usd(400), decision: { outcome: 'full_refund' } });
    expect((await listNotifications(t.db, s.owner.id)).data[0]).toMatchObject({ type: 'shop_action', data: { action_type: 'freeze' } });
    expect((await listAudit(t.db, { targetType: 'shop', targetId: s.shopId })).data[0]).toMatchObject({
      actor_id: null,
      action: 'shop_action.created',
      data: { type: 'freeze', source: 'automatic', cancelled_orders: [late.id] },
    });
    // New buyers cannot pay the frozen shop.
    expect((await checkoutReq(t, newcomer.auth, cardBody())).json().error.code).toBe('shop_suspended');

    // The delivered order completes and settles to the seller payable; the daily payout job never pays it.
    await later(5 * DAY, 12 * HOUR);
    expect(await escrow(delivered.id)).toBe(0);
    expect(await payable(s.shopId)).toBe(552);
    expect(await t.db.select().from(payouts).where(eq(payouts.payeeId, s.shopId))).toEqual([]);
    expect((await health(s)).actions.filter((a) => a.type === 'freeze')).toHaveLength(1);
    await balanced();
  });
});
