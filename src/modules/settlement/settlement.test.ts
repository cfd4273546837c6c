import fc from 'fast-check';
import { and, count, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { DAY, HOUR, MINUTE } from '../../platform/clock.js';
import { rows } from '../../platform/db.js';
import { useFreshAccount, useTestApp } from '../../test/app.js';
import { shipAndDeliver } from '../../test/delivery.js';
import { createSession } from '../identity/index.js';
import { accounts, getBalance, listEntriesByReference, reconcile } from '../ledger/index.js';
import { refundOrder } from '../orders/index.js';
import { addToCart, cardBody, checkoutReq, shopWithProduct, type ShopFixture, videoAnchoring } from '../orders/index.js';
import { jobs } from '../../platform/schema.js';
import { orderItems } from '../orders/index.js';
import { hasHolds, liftHold, placeHold, RELEASE_ORDER_JOB, requestRelease } from './holds.js';
import { commissionRules } from './schema.js';
import { releaseOrder } from '../../flows/index.js';
import { earningsOfCreator, getSettlement, planSettlement, runPayouts, scheduleSettlementJobs, sweepUnsettled, type SettlementItem } from './service.js';

type Auth = { authorization: string };
type Account = { id: string; auth: Auth };

describe('settlement: commission, affiliate split, escrow release, payouts, finance views', () => {
  const t = useTestApp();
  // Sessions last 30 days and these tests move the clock by months: a fresh operator per test.
  const operator = useFreshAccount(t, { roles: ['operator'] });

  const req = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, auth?: Auth, payload?: object) =>
    t.app.inject({ method, url, headers: auth ?? {}, ...(payload ? { payload } : {}) });
  const run = () => t.app.ctx.jobs.runDue();
  const later = async (ms: number) => {
    t.clock.advance(ms);
    await run();
  };
  const usd = (amount: number) => ({ amount, currency: 'USD' });
  const escrow = (orderId: string) => getBalance(t.db, accounts.escrow(orderId), 'USD');
  const settlementEntries = async (orderId: string) => (await listEntriesByReference(t.db, orderId)).filter((e) => e.kind === 'settlement');
  const providers = () => t.app.ctx.strategies.payments;

  /** A shop whose one product has these variants, affiliate rate and category. */
  async function shop(opts: { prices?: number[]; affiliate?: number; category?: string } = {}): Promise<ShopFixture> {
    const s = await shopWithProduct(t, { name: 'Settles', variants: (opts.prices ?? [1000, 2000]).map((price) => ({ price, onHand: 1000 })) });
    const patch = { affiliate_rate_bps: opts.affiliate ?? 0, ...(opts.category ? { category: opts.category } : {}) };
    const res = await req('PATCH', `/v1/products/${s.productId}`, s.owner.auth, patch);
    expect(res.statusCode, res.body).toBe(200);
    return s;
  }

  /** A paid order: `lines` are [variant index, quantity, attributed creator?]. */
  async function paidOrder(s: ShopFixture, lines: Array<[number, number, string?]>) {
    const buyer = await t.account({ name: 'Buyer' });
    // The creator's video anchors the product: the fact attribution comes from (issue 14).
    for (const [i, q, creator] of lines) await addToCart(t, buyer.auth, s.skuIds[i]!, q, creator ? { video_id: await videoAnchoring(t, creator, [s.productId]) } : undefined);
    const res = await checkoutReq(t, buyer.auth, cardBody());
    expect(res.statusCode, res.body).toBe(201);
    const o = res.json().orders[0] as { id: string; total: { amount: number } };
    return { id: o.id, total: o.total.amount, buyer };
  }

  /** Ships the order and delivers it at once (signed sandbox carrier scan): completion is due in 7 days. */
  const deliver = (s: ShopFixture, orderId: string) => shipAndDeliver(t, orderId, s.owner.auth);
  const status = async (o: { id: string; buyer: Account }) => (await req('GET', `/v1/orders/${o.id}`, o.buyer.auth)).json().status as string;
  const finance = async (s: ShopFixture, query = '') => {
    const res = await req('GET', `/v1/shops/${s.shopId}/finance${query}`, s.owner.auth);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  it('on-time delivery → completed → settled once: 8 % commission, the creator’s affiliate share, the rest to the seller', async () => {
    const s = await shop({ affiliate: 1000 });
    const creator = await t.account({ roles: ['buyer', 'creator'] });
    const order = await paidOrder(s, [
      [0, 2, creator.id],
      [1, 1],
    ]);
    expect(order.total).toBe(4000);
    expect(await finance(s)).toMatchObject({ currency: 'USD', pending: usd(4000), available: usd(0), paid_out: usd(0), payout_hold: false, statement: { data: [], next_cursor: null } });
    const earnings = await req('GET', '/v1/creators/me/earnings', creator.auth);
    expect(earnings.json()).toMatchObject({ currency: 'USD', pending: usd(200), available: usd(0), paid_out: usd(0), lines: { data: [] } });

    await deliver(s, order.id);
    await later(7 * DAY - HOUR);
    expect(await status(order)).toBe('delivered');
    expect(await escrow(order.id)).toBe(4000);
    await later(HOUR);
    expect(await status(order)).toBe('completed');

    expect(await getSettlement(t.db, order.id)).toMatchObject({ held: 4000, commission: 320, affiliate: 200, subsidy: 0, sellerAmount: 3480 });
    expect(await escrow(order.id)).toBe(0);
    expect(await getBalance(t.db, accounts.sellerPayable(s.shopId), 'USD')).toBe(3480);
    expect(await getBalance(t.db, accounts.creatorPayable(creator.id), 'USD')).toBe(200);
    const [entry] = await settlementEntries(order.id);
    expect(entry!.postings.map((p) => [p.account, p.amount])).toEqual([
      [accounts.escrow(order.id), -4000],
      ['platform_commission', 320],
      [accounts.creatorPayable(creator.id), 200],
      [accounts.sellerPayable(s.shopId), 3480],
    ]);

    const f = await finance(s);
    expect(f).toMatchObject({ pending: usd(0), available: usd(3480), paid_out: usd(0) });
    expect(f.statement.data).toEqual([
      {
        at: t.clock.now().toISOString(),
        kind: 'settlement',
        order_id: order.id,
        amount: usd(3480),
        description: expect.any(String),
        breakdown: { held: usd(4000), commission: usd(320), affiliate: usd(200), subsidy: usd(0) },
        payout: null,
      },
    ]);
    const e = (await req('GET', '/v1/creators/me/earnings', creator.auth)).json();
    expect(e).toMatchObject({ pending: usd(0), available: usd(200) });
    expect(e.lines.data).toMatchObject([{ kind: 'settlement', order_id: order.id, amount: usd(200) }]);
    const r = await reconcile(t.db);
    expect(r.problems).toEqual([]);
  });

  it("the creator sees their own commission: it equals a recount of their ledger lines, without the seller's escrow breakdown", async () => {
    const s = await shop({ affiliate: 1000 });
    const creator = await t.account({ roles: ['buyer', 'creator'] });
    const a = await paidOrder(s, [[0, 2, creator.id]]);
    const b = await paidOrder(s, [
      [1, 1, creator.id],
      [0, 1],
    ]);
    // A partial refund before settlement lowers what the creator earns on that order.
    await t.db.transaction((tx) => refundOrder(tx, t.clock, providers(), { orderId: b.id, amount: 600, reason: 'test', key: `r-${b.id}` }));
    await deliver(s, a.id);
    await deliver(s, b.id);
    await later(7 * DAY);
    await later(HOUR);
    const e = (await req('GET', '/v1/creators/me/earnings', creator.auth)).json();
    const [recount] = await rows<{ n: number }>(
      t.db,
      sql`select coalesce(sum(p.amount), 0)::int as n from ledger_postings p join ledger_entries e on e.id = p.entry_id
          where p.account = ${accounts.creatorPayable(creator.id)} and e.kind not in ('payout', 'payout_failed')`,
    );
    expect(recount!.n).toBe(200 + Math.floor((Math.floor((2000 * 2400) / 3000) * 1000) / 10_000));
    expect(e.commission).toEqual(usd(recount!.n));
    expect(e.lines.data).toHaveLength(2);
    expect(e.lines.data.reduce((sum: number, l: { amount: { amount: number } }) => sum + l.amount.amount, 0)).toBe(e.available.amount);
    for (const l of e.lines.data) expect(l).toMatchObject({ kind: 'settlement', breakdown: null, description: 'Your commission on this order' });
    // The seller's own statement keeps the breakdown of each order's escrow.
    expect((await finance(s)).statement.data.map((l: { breakdown: unknown }) => l.breakdown !== null)).toEqual([true, true]);
  });

  it("the seller's statement has a line for every movement, refunds included, and closing = opening + lines", async () => {
    const s = await shop({ affiliate: 1000 });
    const creator = await t.account({ roles: ['buyer', 'creator'] });
    const start = t.clock.now();
    const a = await paidOrder(s, [[0, 2, creator.id]]); // 2000
    const b = await paidOrder(s, [[1, 1]]); // 2000
    await t.db.transaction((tx) => refundOrder(tx, t.clock, providers(), { orderId: a.id, amount: 500, reason: 'test', key: `r-${a.id}` }));
    expect((await req('POST', `/v1/orders/${b.id}/cancel`, b.buyer.auth, {})).statusCode).toBe(200);
    t.clock.advance(HOUR);
    const middle = t.clock.now();
    await deliver(s, a.id);
    await later(7 * DAY);
    await later(HOUR);
    expect(await status(a)).toBe('completed');
    const settled = (await getSettlement(t.db, a.id))!;
    await runPayouts(t.db, t.clock);
    t.clock.advance(MINUTE);

    const statementOf = async (query: string) => {
      const res = await req('GET', `/v1/shops/${s.shopId}/finance/statement${query}`, s.owner.auth);
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { opening: { amount: number }; closing: { amount: number }; lines: Array<{ kind: string; bucket: string; order_id: string | null; amount: { amount: number }; balance: { amount: number } }> };
    };
    const all = await statementOf(`?from=${start.toISOString()}`);
    expect(all.opening.amount).toBe(0);
    expect(all.lines.map((l) => [l.kind, l.bucket, l.order_id, l.amount.amount])).toEqual([
      ['sale', 'escrow', a.id, 2000],
      ['sale', 'escrow', b.id, 2000],
      ['refund', 'escrow', a.id, -500],
      ['refund', 'escrow', b.id, -2000],
      ['platform_commission', 'escrow', a.id, -settled.commission],
      ['creator_commission', 'escrow', a.id, -settled.affiliate],
      ['release', 'escrow', a.id, -settled.sellerAmount],
      ['release', 'available', a.id, settled.sellerAmount],
      ['payout', 'available', null, -settled.sellerAmount],
    ]);
    expect(settled.commission + settled.affiliate + settled.sellerAmount).toBe(1500);
    // Every posting on the shop's accounts is a line (the settlement's escrow posting split three ways).
    const [postings] = await rows<{ n: number }>(
      t.db,
      sql`select count(*)::int as n from ledger_postings where account = ${accounts.sellerPayable(s.shopId)} or account in (${accounts.escrow(a.id)}, ${accounts.escrow(b.id)})`,
    );
    expect(all.lines.length).toBe(postings!.n + 2);
    const sum = (lines: typeof all.lines) => lines.reduce((n, l) => n + l.amount.amount, 0);
    expect(all.closing.amount).toBe(all.opening.amount + sum(all.lines));
    expect(all.lines.at(-1)!.balance).toEqual(all.closing);
    const f = await finance(s);
    expect(all.closing.amount).toBe(f.pending.amount + f.available.amount);

    // A range that starts midway opens with what the earlier lines left.
    const later2 = await statementOf(`?from=${middle.toISOString()}`);
    expect(later2.opening.amount).toBe(1500);
    expect(later2.closing.amount).toBe(later2.opening.amount + sum(later2.lines));
    expect(later2.closing).toEqual(all.closing);

    // Another shop's member gets 404; a bad range 400 and nothing else.
    const other = await shop();
    expect((await req('GET', `/v1/shops/${s.shopId}/finance/statement`, other.owner.auth)).statusCode).toBe(404);
    const bad = await req('GET', `/v1/shops/${s.shopId}/finance/statement?from=${t.clock.now().toISOString()}&to=${start.toISOString()}`, s.owner.auth);
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'invalid_range']);
  });

  it('defence in depth (issue 14): settlement never pays affiliate to the buyer or to a member of the selling shop', async () => {
    const s = await shop({ affiliate: 1000 });
    const creator = await t.account({ roles: ['buyer', 'creator'] });
    const order = await paidOrder(s, [
      [0, 1, creator.id],
      [1, 1, creator.id],
    ]);
    // Items written before the fix (or by any other path) naming the buyer and the shop's owner.
    const forge = (skuId: string, creatorId: string) =>
      t.db.update(orderItems).set({ source: { creator_id: creatorId } }).where(and(eq(orderItems.orderId, order.id), eq(orderItems.skuId, skuId)));
    await forge(s.skuIds[0]!, order.buyer.id);
    await forge(s.skuIds[1]!, s.owner.id);
    for (const who of [order.buyer.id, s.owner.id]) expect((await earningsOfCreator(t.db, who)).pending).toEqual(usd(0));
    await deliver(s, order.id);
    await later(7 * DAY);
    expect(await getSettlement(t.db, order.id)).toMatchObject({ held: 3000, commission: 240, affiliate: 0, sellerAmount: 2760 });
    expect(await getBalance(t.db, accounts.creatorPayable(order.buyer.id), 'USD')).toBe(0);
    expect(await getBalance(t.db, accounts.creatorPayable(s.owner.id), 'USD')).toBe(0);
    expect(await getBalance(t.db, accounts.sellerPayable(s.shopId), 'USD')).toBe(2760);
    expect((await reconcile(t.db)).problems).toEqual([]);
  });

  it('a hold (open case or flag) blocks release until lifted; release happens exactly once however often it is asked for', async () => {
    const s = await shop();
    const order = await paidOrder(s, [[0, 1]]);
    await placeHold(t.db, t.clock, order.id, 'case', `case-${order.id}`);
    await deliver(s, order.id);
    await later(7 * DAY);
    expect(await status(order)).toBe('completed');
    await requestRelease(t.db, t.clock, order.id);
    expect(await sweepUnsettled(t.db, t.clock)).toBe(0);
    await later(HOUR);
    expect(await escrow(order.id)).toBe(1000);
    expect(await getSettlement(t.db, order.id)).toBeNull();
    expect((await finance(s)).pending).toEqual(usd(1000));

    await t.db.transaction((tx) => liftHold(tx, t.clock, 'case', `case-${order.id}`));
    expect(await hasHolds(t.db, order.id)).toBe(false);
    await run();
    expect(await escrow(order.id)).toBe(0);
    expect(await getSettlement(t.db, order.id)).toMatchObject({ held: 1000, commission: 80, sellerAmount: 920 });

    await requestRelease(t.db, t.clock, order.id);
    t.clock.advance(1);
    await requestRelease(t.db, t.clock, order.id);
    expect(await sweepUnsettled(t.db, t.clock)).toBe(0);
    await scheduleSettlementJobs(t.db, t.clock);
    await later(2 * HOUR);
    expect(await t.db.transaction((tx) => releaseOrder(tx, t.clock, order.id))).toBeNull();
    expect(await settlementEntries(order.id)).toHaveLength(1);
    expect(await getBalance(t.db, accounts.sellerPayable(s.shopId), 'USD')).toBe(920);
  });

  it('the hourly sweep settles a completed order whose release request was lost; racing releases settle once', async () => {
    const s = await shop();
    const a = await paidOrder(s, [[0, 1]]);
    const b = await paidOrder(s, [[1, 1]]);
    for (const id of [a.id, b.id]) await placeHold(t.db, t.clock, id, 'flag', `flag-${id}`);
    await deliver(s, a.id);
    await deliver(s, b.id);
    await later(7 * DAY);
    for (const id of [a.id, b.id]) await t.db.transaction((tx) => liftHold(tx, t.clock, 'flag', `flag-${id}`));
    // The release requests get lost (e.g. a worker died and the job failed for good).
    await t.db.delete(jobs).where(and(eq(jobs.type, RELEASE_ORDER_JOB), eq(jobs.status, 'queued')));
    await run();
    expect(await getSettlement(t.db, a.id)).toBeNull();

    // Two releases race on b (separate transactions): one settles, the other finds it settled.
    const results = await Promise.all([1, 2].map(() => t.db.transaction((tx) => releaseOrder(tx, t.clock, b.id))));
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect(await settlementEntries(b.id)).toHaveLength(1);

    await scheduleSettlementJobs(t.db, t.clock);
    await later(HOUR);
    expect(await getSettlement(t.db, a.id)).toMatchObject({ held: 1000 });
    expect(await settlementEntries(a.id)).toHaveLength(1);
    expect(await settlementEntries(b.id)).toHaveLength(1);
    expect(await sweepUnsettled(t.db, t.clock)).toBe(0);
  });

  it('partial refund → the rest is settled: item shares scaled by what escrow still holds; the order keeps its status', async () => {
    const s = await shop({ affiliate: 1000 });
    const creator = await t.account({ roles: ['creator'] });
    const order = await paidOrder(s, [
      [0, 2, creator.id],
      [1, 1],
    ]);
    await deliver(s, order.id);
    await t.db.transaction((tx) => refundOrder(tx, t.clock, providers(), { orderId: order.id, amount: 1000, reason: 'after_sales', key: `r-${order.id}` }));
    expect(await status(order)).toBe('delivered');
    expect((await finance(s)).pending).toEqual(usd(3000));
    expect((await req('GET', '/v1/creators/me/earnings', creator.auth)).json().pending).toEqual(usd(150));
    await later(7 * DAY);
    // Shares 1500 + 1500: commission 120 + 120, affiliate 10 % of 1500, the seller the rest.
    expect(await getSettlement(t.db, order.id)).toMatchObject({ held: 3000, commission: 240, affiliate: 150, sellerAmount: 2610 });
    expect(await escrow(order.id)).toBe(0);
    expect(await getBalance(t.db, accounts.creatorPayable(creator.id), 'USD')).toBe(150);
    expect((await reconcile(t.db)).balanced).toBe(true);
  });

  it('commission rules at payment time: category and new-shop promotion (with ad subsidy) override the default; later rules do not apply', async () => {
    const oldLuxury = await shop({ prices: [10_000], category: 'luxury' });
    const oldCamping = await shop({ prices: [10_000], category: 'camping' });
    t.clock.advance(91 * DAY);
    // Sessions last 30 days: sign the old shops' owners and the operator in again.
    for (const o of [oldLuxury.owner, oldCamping.owner, operator]) o.auth.authorization = `Bearer ${(await createSession(t.db, t.clock, o.id, 30)).token}`;
    const rule = async (body: object) => {
      const res = await req('POST', '/v1/admin/commission-rules', operator.auth, body);
      expect(res.statusCode, res.body).toBe(201);
      return res.json() as { id: string };
    };
    const rules = [
      await rule({ category: 'luxury', rate_bps: 1500 }),
      await rule({ category: 'luxury', rate_bps: 0, new_shop_days: 90, subsidy_bps: 300 }),
      await rule({ rate_bps: 500, new_shop_days: 90 }),
    ];
    const newLuxury = await shop({ prices: [10_000], category: 'luxury' });
    const newCamping = await shop({ prices: [10_000], category: 'camping' });
    const cases = [
      { s: newLuxury, commission: 0, subsidy: 300 },
      { s: newCamping, commission: 500, subsidy: 0 },
      { s: oldLuxury, commission: 1500, subsidy: 0 },
      { s: oldCamping, commission: 800, subsidy: 0 },
    ];
    const orders = [];
    for (const c of cases) orders.push(await paidOrder(c.s, [[0, 1]]));
    // Added or ended after payment: no effect on these orders.
    t.clock.advance(MINUTE);
    rules.push(await rule({ category: 'camping', rate_bps: 200 }));
    t.clock.advance(MINUTE);
    for (const r of rules) {
      const ended = await req('PATCH', `/v1/admin/commission-rules/${r.id}`, operator.auth, { effective_to: t.clock.now().toISOString() });
      expect(ended.statusCode, ended.body).toBe(200);
    }
    for (const [i, c] of cases.entries()) await deliver(c.s, orders[i]!.id);
    await later(7 * DAY);
    for (const [i, c] of cases.entries()) {
      const id = orders[i]!.id;
      expect(await getSettlement(t.db, id), c.s.shopId).toMatchObject({ held: 10_000, commission: c.commission, subsidy: c.subsidy, sellerAmount: 10_000 - c.commission });
      expect(await getBalance(t.db, accounts.sellerPayable(c.s.shopId), 'USD')).toBe(10_000 - c.commission + c.subsidy);
    }
    const subsidy = (await listEntriesByReference(t.db, orders[0]!.id)).find((e) => e.kind === 'commission_subsidy');
    expect(subsidy!.postings.map((p) => [p.account, p.amount])).toEqual([
      ['platform_subsidy', -300],
      [accounts.sellerPayable(newLuxury.shopId), 300],
    ]);
    const lines = (await finance(newLuxury)).statement.data;
    expect(lines.map((l: { kind: string; amount: { amount: number } }) => [l.kind, l.amount.amount])).toEqual([
      ['settlement', 10_000],
      ['commission_subsidy', 300],
    ]);
    expect((await reconcile(t.db)).balanced).toBe(true);
  });

  it('payouts move available seller and creator balances to payouts in transit, skipping shops on payout hold', async () => {
    const creator = await t.account({ roles: ['creator'] });
    const free = await shop({ affiliate: 500 });
    const held = await shop();
    const o1 = await paidOrder(free, [[0, 1, creator.id]]);
    const o2 = await paidOrder(held, [[0, 1]]);
    await deliver(free, o1.id);
    await deliver(held, o2.id);
    await later(7 * DAY);
    const hold = await req('PUT', `/v1/admin/shops/${held.shopId}/payout-hold`, operator.auth, { hold: true, reason: 'health review' });
    expect(hold.json()).toMatchObject({ shop_id: held.shopId, hold: true, reason: 'health review' });
    const transitBefore = await getBalance(t.db, accounts.payoutsInTransit(), 'USD');

    const res = await req('POST', '/v1/admin/payouts/run', operator.auth);
    expect(res.statusCode, res.body).toBe(200);
    const made = res.json().data as Array<{ payee_type: string; payee_id: string; amount: { amount: number } }>;
    const mine = made.filter((p) => [free.shopId, held.shopId, creator.id].includes(p.payee_id)).map((p) => [p.payee_type, p.payee_id, p.amount.amount]);
    expect(mine).toEqual([
      ['shop', free.shopId, 870],
      ['creator', creator.id, 50],
    ]);
    expect(await getBalance(t.db, accounts.sellerPayable(free.shopId), 'USD')).toBe(0);
    expect(await getBalance(t.db, accounts.creatorPayable(creator.id), 'USD')).toBe(0);
    expect(await getBalance(t.db, accounts.sellerPayable(held.shopId), 'USD')).toBe(920);
    expect(await getBalance(t.db, accounts.payoutsInTransit(), 'USD')).toBe(transitBefore + made.reduce((n, p) => n + p.amount.amount, 0));
    expect((await finance(free)).statement.data.map((l: { kind: string; amount: { amount: number } }) => [l.kind, l.amount.amount])).toEqual([
      ['settlement', 870],
      ['payout', -870],
    ]);
    expect(await finance(free)).toMatchObject({ available: usd(0), paid_out: usd(870) });
    expect(await finance(held)).toMatchObject({ available: usd(920), paid_out: usd(0), payout_hold: true });
    expect((await req('GET', '/v1/creators/me/earnings', creator.auth)).json()).toMatchObject({ available: usd(0), paid_out: usd(50) });

    // Nothing left to pay twice; after the hold is cleared the daily batch pays the held shop.
    expect((await req('POST', '/v1/admin/payouts/run', operator.auth)).json().data.filter((p: { payee_id: string }) => p.payee_id === free.shopId)).toEqual([]);
    await req('PUT', `/v1/admin/shops/${held.shopId}/payout-hold`, operator.auth, { hold: false });
    await scheduleSettlementJobs(t.db, t.clock);
    await later(DAY);
    expect(await finance(held)).toMatchObject({ available: usd(0), paid_out: usd(920), payout_hold: false });
    expect((await reconcile(t.db)).balanced).toBe(true);
  });

  it('authorization: another shop’s finance is 404, earnings need the creator role, admin routes need an operator', async () => {
    const s = await shop();
    const other = await shop();
    const buyer = await t.account();
    expect((await req('GET', `/v1/shops/${s.shopId}/finance`, other.owner.auth)).statusCode).toBe(404);
    expect((await req('GET', `/v1/shops/${s.shopId}/finance`, buyer.auth)).json().error.code).toBe('not_found');
    expect((await req('GET', `/v1/shops/shp_00000000000000000000000000/finance`, operator.auth)).statusCode).toBe(404);
    expect((await req('GET', `/v1/shops/${s.shopId}/finance`)).statusCode).toBe(401);
    expect((await req('GET', `/v1/shops/${s.shopId}/finance?cursor=bogus`, s.owner.auth)).statusCode).toBe(400);
    expect((await req('GET', '/v1/creators/me/earnings', buyer.auth)).statusCode).toBe(403);
    const [rule] = (await req('GET', '/v1/admin/commission-rules?limit=100', operator.auth)).json().data.slice(-1);
    for (const who of [s.owner.auth, buyer.auth]) {
      expect((await req('GET', '/v1/admin/commission-rules', who)).statusCode).toBe(403);
      expect((await req('POST', '/v1/admin/commission-rules', who, { rate_bps: 0 })).statusCode).toBe(403);
      expect((await req('PATCH', `/v1/admin/commission-rules/${rule.id}`, who, { effective_to: t.clock.now().toISOString() })).statusCode).toBe(403);
      expect((await req('POST', '/v1/admin/payouts/run', who)).statusCode).toBe(403);
      expect((await req('PUT', `/v1/admin/shops/${s.shopId}/payout-hold`, who, { hold: true })).statusCode).toBe(403);
    }
    expect((await req('PUT', '/v1/admin/shops/shp_00000000000000000000000000/payout-hold', operator.auth, { hold: true })).statusCode).toBe(404);
    expect((await req('PATCH', '/v1/admin/commission-rules/cmr_00000000000000000000000001', operator.auth, { effective_to: t.clock.now().toISOString() })).statusCode).toBe(404);
    expect(await finance(s)).toMatchObject({ payout_hold: false });
  });

  it('commission rules: the default 8 % exists on a fresh database; bad input is refused and changes nothing', async () => {
    const list = (await req('GET', '/v1/admin/commission-rules?limit=100', operator.auth)).json();
    expect(list.data.at(-1)).toMatchObject({ id: 'cmr_00000000000000000000000000', category: null, rate_bps: 800, new_shop_days: null, subsidy_bps: 0, effective_to: null });
    const rulesCount = async () => (await t.db.select({ n: count() }).from(commissionRules))[0]!.n;
    const before = await rulesCount();
    const now = t.clock.now().getTime();
    const at = (ms: number) => new Date(now + ms).toISOString();
    const cases: Array<[object, string]> = [
      [{ rate_bps: 10_001 }, 'validation_failed'],
      [{ rate_bps: -1 }, 'validation_failed'],
      [{ rate_bps: 12.5 }, 'validation_failed'],
      [{ rate_bps: '800' }, 'validation_failed'],
      [{ rate_bps: 800, subsidy_bps: 10_001 }, 'validation_failed'],
      [{ rate_bps: 800, new_shop_days: 0 }, 'validation_failed'],
      [{ rate_bps: 800, surprise: true }, 'validation_failed'],
      [{ rate_bps: 800, category: 'Not A Slug!' }, 'invalid_category'],
      [{ rate_bps: 800, effective_from: at(2 * DAY), effective_to: at(DAY) }, 'invalid_effective_to'],
      [{ rate_bps: 800, effective_from: at(DAY), effective_to: at(DAY) }, 'invalid_effective_to'],
      [{ rate_bps: 800, effective_from: at(-DAY) }, 'invalid_effective_from'],
      [{ rate_bps: 800, effective_from: 'yesterday' }, 'validation_failed'],
    ];
    for (const [body, code] of cases) {
      const res = await req('POST', '/v1/admin/commission-rules', operator.auth, body);
      expect({ body, status: res.statusCode, code: res.json().error?.code }).toEqual({ body, status: 400, code });
    }
    expect(await rulesCount()).toBe(before);

    const made = (await req('POST', '/v1/admin/commission-rules', operator.auth, { category: 'books', rate_bps: 600, effective_from: at(DAY) })).json();
    expect(made).toMatchObject({ category: 'books', rate_bps: 600, subsidy_bps: 0, effective_from: at(DAY), effective_to: null, created_by: operator.id });
    const patches: Array<[object, number, string]> = [
      [{ effective_to: at(DAY) }, 400, 'invalid_effective_to'],
      [{ effective_to: at(HOUR) }, 400, 'invalid_effective_to'],
      [{ effective_to: at(2 * DAY), rate_bps: 1 }, 400, 'validation_failed'],
      [{}, 400, 'validation_failed'],
    ];
    for (const [body, st, code] of patches) {
      const res = await req('PATCH', `/v1/admin/commission-rules/${made.id}`, operator.auth, body);
      expect({ body, status: res.statusCode, code: res.json().error?.code }).toEqual({ body, status: st, code });
    }
    const ended = await req('PATCH', `/v1/admin/commission-rules/${made.id}`, operator.auth, { effective_to: at(2 * DAY) });
    expect(ended.json()).toMatchObject({ id: made.id, rate_bps: 600, effective_to: at(2 * DAY) });
    t.clock.advance(3 * DAY);
    const again = await req('PATCH', `/v1/admin/commission-rules/${made.id}`, operator.auth, { effective_to: at(10 * DAY) });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('rule_ended');
    const page1 = (await req('GET', '/v1/admin/commission-rules?limit=1', operator.auth)).json();
    expect(page1.data.map((r: { id: string }) => r.id)).toEqual([made.id]);
    const page2 = (await req('GET', `/v1/admin/commission-rules?limit=1&cursor=${page1.next_cursor}`, operator.auth)).json();
    expect(page2.data).toHaveLength(1);
    expect(page2.data[0].id < made.id).toBe(true);
  });

  it('property: the parts of a settlement add up to what escrow held, none negative, the affiliate never beyond the share', () => {
    const rule = (rate: number, subsidy: number) => ({ id: 'cmr_x', category: null, rateBps: rate, newShopDays: null, subsidyBps: subsidy, effectiveFrom: new Date(0), effectiveTo: null, createdBy: 'x', createdAt: new Date(0) });
    const item = fc.record({
      lineTotal: fc.integer({ min: 1, max: 10_000_000 }),
      affiliateRateBps: fc.integer({ min: 0, max: 5000 }),
      creator: fc.boolean(),
      rate: fc.integer({ min: 0, max: 10_000 }),
      subsidy: fc.integer({ min: 0, max: 10_000 }),
    });
    fc.assert(
      fc.property(fc.array(item, { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 50_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (items, extra, kept) => {
        const total = items.reduce((n, i) => n + i.lineTotal, 0) + extra;
        const held = Math.floor(total * kept);
        const plan = planSettlement(
          held,
          total,
          items.map((i, k): SettlementItem => ({ id: `i${k}`, lineTotal: i.lineTotal, category: null, affiliateRateBps: i.affiliateRateBps, creatorId: i.creator ? 'usr_c' : null, rule: rule(i.rate, i.subsidy) })),
        );
        expect(plan.commission + plan.affiliate + plan.seller).toBe(held);
        expect(plan.seller).toBeGreaterThanOrEqual(0);
        for (const l of plan.lines) {
          expect(l.commission + l.affiliate).toBeLessThanOrEqual(l.base);
          expect(Math.min(l.commission, l.affiliate, l.subsidy)).toBeGreaterThanOrEqual(0);
        }
        expect(plan.lines.reduce((n, l) => n + l.base, 0)).toBeLessThanOrEqual(held);
      }),
      { numRuns: 300 },
    );
  });

  it('property: over random lifecycles the ledger balances, escrow = captured − refunded − released ≥ 0, and every completed unheld order is settled exactly once', async () => {
    const lifecycle = fc.record({
      prices: fc.array(fc.integer({ min: 1, max: 50_000 }), { minLength: 1, maxLength: 3 }),
      quantities: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 3, maxLength: 3 }),
      attributed: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      affiliate: fc.integer({ min: 0, max: 5000 }),
      refund: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
      hold: fc.constantFrom('none', 'lifted', 'kept'),
      releaseTwice: fc.boolean(),
    });
    const creator = await t.account({ roles: ['creator'] });
    const seen: Array<{ id: string; total: number; expectSettled: boolean }> = [];
    await fc.assert(
      fc.asyncProperty(lifecycle, async (l) => {
        const s = await shop({ prices: l.prices, affiliate: l.affiliate });
        const order = await paidOrder(
          s,
          l.prices.map((_, i) => [i, l.quantities[i]!, l.attributed[i] ? creator.id : undefined]),
        );
        if (l.hold !== 'none') await placeHold(t.db, t.clock, order.id, 'case', `prop-${order.id}`);
        await deliver(s, order.id);
        const refund = Math.floor(order.total * l.refund);
        if (refund > 0) {
          await t.db.transaction((tx) => refundOrder(tx, t.clock, providers(), { orderId: order.id, amount: refund, reason: 'after_sales', key: `p-${order.id}` }));
        }
        await later(7 * DAY);
        if (l.hold === 'lifted') await t.db.transaction((tx) => liftHold(tx, t.clock, 'case', `prop-${order.id}`));
        if (l.releaseTwice) {
          await requestRelease(t.db, t.clock, order.id);
          await sweepUnsettled(t.db, t.clock);
        }
        await later(HOUR);
        const full = refund === order.total;
        seen.push({ id: order.id, total: order.total, expectSettled: !full && l.hold !== 'kept' });
        for (const o of seen) {
          const settlement = await getSettlement(t.db, o.id);
          const refunded = (await listEntriesByReference(t.db, o.id)).filter((e) => e.kind === 'refund').flatMap((e) => e.postings).filter((p) => p.account === accounts.escrow(o.id)).reduce((n, p) => n - p.amount, 0);
          const balance = await escrow(o.id);
          expect(refunded).toBeLessThanOrEqual(o.total);
          expect(balance).toBeGreaterThanOrEqual(0);
          expect(balance).toBe(o.total - refunded - (settlement?.held ?? 0));
          expect(await settlementEntries(o.id)).toHaveLength(o.expectSettled ? 1 : 0);
          if (settlement) expect(settlement.commission + settlement.affiliate + settlement.sellerAmount).toBe(settlement.held);
        }
        const r = await reconcile(t.db);
        expect(r.problems).toEqual([]);
      }),
      { numRuns: 10 },
    );
  }, 90_000); // ten whole order lifecycles; ~10 s alone, slower on a loaded 2-core machine
});
