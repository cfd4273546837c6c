import fc from 'fast-check';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../../platform/clock.js';
import { newId } from '../../platform/ids.js';
import { enqueue, JobRunner } from '../../platform/jobs.js';
import { jobs } from '../../platform/schema.js';
import { testApp, type TestApp } from '../../test/app.js';
import { shipAndDeliver } from '../../test/delivery.js';
import { accounts, getBalance, listEntriesByReference, postCaptures, postSettlement, reconcile } from '../ledger/index.js';
import { addToCart, cardBody, checkoutReq, shopWithProduct, type ShopFixture, videoAnchoring } from '../orders/index.js';
import { SandboxPayoutRail, type PayoutRail } from './payout-rail.js';
import { payouts, type PayeeType } from './schema.js';
import { PAYOUT_SETTLE_JOB, PAYOUT_SETTLE_MS, registerSettlementJobs, runPayouts, scheduleSettlementJobs, settleDuePayouts, type PayoutView } from './service.js';

type Auth = { authorization: string };
const usd = (amount: number) => ({ amount, currency: 'USD' });

/** Sums of the payouts table by status, for some payees (all when none given). */
async function payoutSums(t: TestApp, payeeIds?: string[]) {
  const found = await t.db
    .select()
    .from(payouts)
    .where(payeeIds ? inArray(payouts.payeeId, payeeIds) : undefined);
  const sum = (status: string) => found.filter((p) => p.status === status).reduce((n, p) => n + p.amount, 0);
  return { found, in_transit: sum('in_transit'), paid: sum('paid'), failed: sum('failed') };
}

/** The sum of one account's postings in USD that belong to entries of `kind` referring to `payoutIds`. */
async function postedFor(t: TestApp, payoutIds: string[], kind: string, account: string): Promise<number> {
  let total = 0;
  for (const id of payoutIds) {
    for (const e of await listEntriesByReference(t.db, id)) {
      if (e.kind === kind) total += e.postings.filter((p) => p.account === account).reduce((n, p) => n + p.amount, 0);
    }
  }
  return total;
}

describe('payouts complete: the hourly job settles each payout through the sandbox rail a day after the batch', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(() => t.close());

  const req = (method: 'GET' | 'POST' | 'PUT', url: string, auth?: Auth) => t.app.inject({ method, url, headers: auth ?? {} });
  const later = async (ms: number) => {
    t.clock.advance(ms);
    await t.app.ctx.jobs.runDue();
  };

  async function completedOrder(s: ShopFixture, creatorId: string) {
    const buyer = await t.account({ name: 'Buyer' });
    await addToCart(t, buyer.auth, s.skuIds[0]!, 1, { video_id: await videoAnchoring(t, creatorId, [s.productId]) });
    const res = await checkoutReq(t, buyer.auth, cardBody());
    expect(res.statusCode, res.body).toBe(201);
    const orderId = res.json().orders[0].id as string;
    await shipAndDeliver(t, orderId, s.owner.auth);
    // The buyer hears of the parcel and of the delivery, each with the order's page.
    await t.app.ctx.jobs.runDue();
    const told = (await t.app.inject({ method: 'GET', url: '/v1/notifications', headers: buyer.auth })).json().data as Array<{ type: string; link: string }>;
    expect(told.map((n) => [n.type, n.link])).toEqual([
      ['order_delivered', `/orders/${orderId}`],
      ['shipment_shipped', `/orders/${orderId}`],
    ]);
    return orderId;
  }

  it('batch → in transit for a day, nothing changes before → paid: paid_at, payouts_paid entry, in transit back to 0, paid out unchanged, ledger balanced', async () => {
    const operator = await t.account({ roles: ['operator'] });
    const creator = await t.account({ roles: ['creator'] });
    const s = await shopWithProduct(t, { name: 'Pays Out', variants: [{ price: 1000, onHand: 10 }] });
    const patched = await t.app.inject({ method: 'PATCH', url: `/v1/products/${s.productId}`, headers: s.owner.auth, payload: { affiliate_rate_bps: 500 } });
    expect(patched.statusCode, patched.body).toBe(200);
    await completedOrder(s, creator.id);
    await later(7 * DAY);
    expect(await getBalance(t.db, accounts.sellerPayable(s.shopId), 'USD')).toBe(870);

    const run = await req('POST', '/v1/admin/payouts/run', operator.auth);
    expect(run.statusCode, run.body).toBe(200);
    const made = run.json().data as PayoutView[];
    expect(made.map((p) => [p.payee_type, p.payee_id, p.amount.amount, p.status, p.paid_at, p.failed_at, p.failure_reason])).toEqual([
      ['shop', s.shopId, 870, 'in_transit', null, null, null],
      ['creator', creator.id, 50, 'in_transit', null, null, null],
    ]);
    const batchAt = t.clock.now().getTime();
    expect(await getBalance(t.db, accounts.payoutsInTransit(), 'USD')).toBe(920);

    // The hourly job runs all day long; before a payout is a day in transit, nothing changes.
    await scheduleSettlementJobs(t.db, t.clock);
    for (let h = 1; h < 24; h++) await later(HOUR);
    expect(await settleDuePayouts(t.db, t.clock, new SandboxPayoutRail())).toEqual({ paid: [], failed: [] });
    expect(await payoutSums(t)).toMatchObject({ in_transit: 920, paid: 0, failed: 0 });
    expect(await getBalance(t.db, accounts.payoutsInTransit(), 'USD')).toBe(920);
    expect(await getBalance(t.db, accounts.payoutsPaid(), 'USD')).toBe(0);

    await later(HOUR);
    const { found } = await payoutSums(t);
    expect(found.map((p) => [p.payeeId, p.status, p.failedAt, p.failureReason])).toEqual(
      expect.arrayContaining([
        [s.shopId, 'paid', null, null],
        [creator.id, 'paid', null, null],
      ]),
    );
    for (const p of found) {
      expect(p.paidAt!.getTime()).toBeGreaterThanOrEqual(batchAt + PAYOUT_SETTLE_MS);
      expect(p.paidAt!.getTime()).toBeLessThan(batchAt + PAYOUT_SETTLE_MS + HOUR);
      const entries = await listEntriesByReference(t.db, p.id);
      expect(entries.map((e) => e.kind)).toEqual(['payout', 'payout_paid']);
      expect(entries[1]!.postings.map((x) => [x.account, x.currency, x.amount])).toEqual([
        [accounts.payoutsInTransit(), 'USD', -p.amount],
        [accounts.payoutsPaid(), 'USD', p.amount],
      ]);
    }
    expect(await getBalance(t.db, accounts.payoutsInTransit(), 'USD')).toBe(0);
    expect(await getBalance(t.db, accounts.payoutsPaid(), 'USD')).toBe(920);

    const finance = (await req('GET', `/v1/shops/${s.shopId}/finance`, s.owner.auth)).json();
    expect(finance).toMatchObject({ available: usd(0), paid_out: usd(870) });
    const line = finance.statement.data.find((l: { kind: string }) => l.kind === 'payout');
    expect(line).toMatchObject({ amount: usd(-870), payout: { payee_id: s.shopId, amount: usd(870), status: 'paid', paid_at: expect.any(String), failed_at: null, failure_reason: null } });
    expect(finance.statement.data.find((l: { kind: string }) => l.kind === 'settlement').payout).toBeNull();
    const earnings = (await req('GET', '/v1/creators/me/earnings', creator.auth)).json();
    expect(earnings).toMatchObject({ available: usd(0), paid_out: usd(50) });
    expect(earnings.lines.data.find((l: { kind: string }) => l.kind === 'payout').payout).toMatchObject({ status: 'paid' });

    // The creator is told of the settled earning and the payout, the shop's owner of its payout, each with the page to look at.
    await t.app.ctx.jobs.runDue();
    const told = async (auth: Auth) => ((await req('GET', '/v1/notifications', auth)).json().data as Array<{ type: string; title: string; link: string }>).map((n) => [n.type, n.title, n.link]);
    expect(await told(creator.auth)).toEqual([
      ['payout_paid', 'Payout paid: $0.50', '/creator'],
      ['earning_settled', 'You earned $0.50', '/creator'],
    ]);
    expect((await told(s.owner.auth)).filter(([type]) => type === 'payout_paid')).toEqual([['payout_paid', 'Payout paid: $8.70', '/seller/finance']]);
    expect((await told(s.owner.auth)).map(([type]) => type)).not.toContain('earning_settled');

    // Later runs find nothing to settle again.
    await later(DAY);
    expect(await getBalance(t.db, accounts.payoutsPaid(), 'USD')).toBe(920);
    expect(await postedFor(t, found.map((p) => p.id), 'payout_paid', accounts.payoutsPaid())).toBe(920);
    expect((await reconcile(t.db)).problems).toEqual([]);
  });
});

describe('payouts complete: failing payees, exactly once, random histories', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(() => t.close());

  /** Money for a payee as a settled order brings it: captured into escrow, released to the payable. */
  async function credit(account: string, amount: number) {
    const orderId = newId('ord');
    await postCaptures(t.db, t.clock, [{ orderId, amount, currency: 'USD' }]);
    const [type, id] = account.split(':') as [string, string];
    await postSettlement(t.db, t.clock, {
      orderId,
      currency: 'USD',
      held: amount,
      platform: { account: 'platform_commission', amount: 0 },
      creators: type === 'creator_payable' ? [{ creatorId: id, amount }] : [],
      seller: { shopId: id, amount: type === 'seller_payable' ? amount : 0 },
    });
  }
  const payable = (type: PayeeType, id: string) => (type === 'shop' ? accounts.sellerPayable(id) : accounts.creatorPayable(id));
  /** The rest of the settle chain the job leaves queued (so no later run of the app's own worker picks it up). */
  const dropQueuedSettleJobs = () => t.db.delete(jobs).where(and(eq(jobs.type, PAYOUT_SETTLE_JOB), eq(jobs.status, 'queued')));

  it('a failing payee: failed (failed_at, failure_reason), the money back on the payable and not paid out; the next batch pays it again', async () => {
    const shop = await t.seller();
    const creator = await t.account({ roles: ['creator'] });
    await credit(accounts.sellerPayable(shop.shopId), 5000);
    await credit(accounts.creatorPayable(creator.id), 300);
    const rail = new SandboxPayoutRail({ failing: [[shop.shopId, 'account_closed']] });

    const batch = await runPayouts(t.db, t.clock);
    const shopPayout = batch.find((p) => p.payee_id === shop.shopId)!;
    t.clock.advance(PAYOUT_SETTLE_MS - 1);
    expect(await settleDuePayouts(t.db, t.clock, rail)).toEqual({ paid: [], failed: [] });
    t.clock.advance(1);
    const settled = await settleDuePayouts(t.db, t.clock, rail);
    expect(settled.paid.map((p) => [p.payee_id, p.status])).toEqual([[creator.id, 'paid']]);
    const at = t.clock.now().toISOString();
    expect(settled.failed).toEqual([{ ...shopPayout, status: 'failed', failed_at: at, failure_reason: 'account_closed' }]);
    expect((await listEntriesByReference(t.db, shopPayout.id)).map((e) => [e.kind, e.postings.map((p) => [p.account, p.amount])])).toEqual([
      ['payout', [[accounts.sellerPayable(shop.shopId), -5000], [accounts.payoutsInTransit(), 5000]]],
      ['payout_failed', [[accounts.payoutsInTransit(), -5000], [accounts.sellerPayable(shop.shopId), 5000]]],
    ]);
    expect(await getBalance(t.db, accounts.sellerPayable(shop.shopId), 'USD')).toBe(5000);
    expect(await getBalance(t.db, accounts.payoutsInTransit(), 'USD')).toBe(0);

    const finance = async () => {
      const res = await t.app.inject({ method: 'GET', url: `/v1/shops/${shop.shopId}/finance`, headers: shop.auth });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const f = await finance();
    expect(f).toMatchObject({ available: usd(5000), paid_out: usd(0) });
    expect(f.statement.data.map((l: { kind: string; amount: { amount: number }; payout: PayoutView | null }) => [l.kind, l.amount.amount, l.payout?.status, l.payout?.failure_reason])).toEqual([
      ['settlement', 5000, undefined, undefined],
      ['payout', -5000, 'failed', 'account_closed'],
      ['payout_failed', 5000, 'failed', 'account_closed'],
    ]);
    expect(f.statement.data[2].payout).toMatchObject({ id: shopPayout.id, failed_at: at, paid_at: null });

    // Still failing: the next batch tries again and it fails again; once the account is fixed it is paid.
    const again = (await runPayouts(t.db, t.clock)).filter((p) => p.payee_id === shop.shopId);
    expect(again.map((p) => p.amount.amount)).toEqual([5000]);
    t.clock.advance(PAYOUT_SETTLE_MS);
    expect((await settleDuePayouts(t.db, t.clock, rail)).failed.map((p) => p.id)).toEqual([again[0]!.id]);
    rail.restorePayee(shop.shopId);
    const third = (await runPayouts(t.db, t.clock)).filter((p) => p.payee_id === shop.shopId);
    t.clock.advance(PAYOUT_SETTLE_MS);
    expect((await settleDuePayouts(t.db, t.clock, rail)).paid.map((p) => [p.id, p.amount.amount])).toEqual([[third[0]!.id, 5000]]);
    expect(await finance()).toMatchObject({ available: usd(0), paid_out: usd(5000) });
    expect(await getBalance(t.db, accounts.sellerPayable(shop.shopId), 'USD')).toBe(0);
    const sums = await payoutSums(t, [shop.shopId]);
    expect(sums).toMatchObject({ in_transit: 0, paid: 5000, failed: 10_000 });
    expect((await reconcile(t.db)).problems).toEqual([]);
  });

  it('the job run twice, and by two workers at once, settles every payout exactly once; a rail that cannot answer leaves its payout for the next run', async () => {
    const rail = new SandboxPayoutRail();
    // Two processes: two workers, each with its own copy of the job, claiming one job at a time.
    const workers = [1, 2].map((n) => {
      const runner = new JobRunner(t.db, t.clock, { workerId: `payout-worker-${n}`, batchSize: 1 });
      registerSettlementJobs(runner, t.clock, { payoutRail: rail });
      return runner;
    });
    const rounds: Array<() => Promise<unknown>> = [
      // Two job runs at once, on two workers.
      async () => {
        await enqueue(t.db, t.clock, PAYOUT_SETTLE_JOB, {});
        await enqueue(t.db, t.clock, PAYOUT_SETTLE_JOB, {});
        await Promise.all(workers.map((w) => w.runDue()));
      },
      // Two runs of the job's work at once, in one process.
      () => Promise.all([settleDuePayouts(t.db, t.clock, rail), settleDuePayouts(t.db, t.clock, rail)]),
      // The job twice, one run after the other.
      async () => {
        for (const _ of [1, 2]) {
          await enqueue(t.db, t.clock, PAYOUT_SETTLE_JOB, {});
          await workers[0]!.runDue();
        }
      },
    ];
    for (const round of rounds) {
      const payees: Array<Awaited<ReturnType<TestApp['seller']>>> = [];
      for (let i = 0; i < 4; i++) payees.push(await t.seller());
      for (const [i, p] of payees.entries()) await credit(accounts.sellerPayable(p.shopId), 1000 * (i + 1));
      rail.failPayee(payees[3]!.shopId, 'invalid_account_number');
      const batch = (await runPayouts(t.db, t.clock)).filter((p) => payees.some((x) => x.shopId === p.payee_id));
      expect(batch).toHaveLength(4);
      const ids = batch.map((p) => p.id);
      t.clock.advance(PAYOUT_SETTLE_MS);
      await round();

      const rows = await t.db.select().from(payouts).where(inArray(payouts.id, ids));
      expect(rows.map((p) => [p.payeeId, p.status]).sort()).toEqual(
        [
          [payees[0]!.shopId, 'paid'],
          [payees[1]!.shopId, 'paid'],
          [payees[2]!.shopId, 'paid'],
          [payees[3]!.shopId, 'failed'],
        ].sort(),
      );
      for (const id of ids) {
        const kinds = (await listEntriesByReference(t.db, id)).map((e) => e.kind);
        expect(kinds.filter((k) => k === 'payout_paid' || k === 'payout_failed'), id).toHaveLength(1);
      }
      const paid = rows.filter((p) => p.status === 'paid');
      expect(await postedFor(t, ids, 'payout_paid', accounts.payoutsPaid())).toBe(6000);
      expect(await postedFor(t, paid.map((p) => p.id), 'payout_paid', accounts.payoutsPaid())).toBe(paid.reduce((n, p) => n + p.amount, 0));
      expect(await postedFor(t, ids, 'payout_failed', accounts.sellerPayable(payees[3]!.shopId))).toBe(4000);
      expect(await getBalance(t.db, accounts.sellerPayable(payees[3]!.shopId), 'USD')).toBe(4000);
      expect(await getBalance(t.db, accounts.payoutsInTransit(), 'USD')).toBe(0);
      rail.restorePayee(payees[3]!.shopId);
      // Settle the returned money now, so the next round's batch holds only its own payees.
      await runPayouts(t.db, t.clock);
      t.clock.advance(PAYOUT_SETTLE_MS);
      await settleDuePayouts(t.db, t.clock, rail);
    }
    const settleJobs = await t.db.select().from(jobs).where(eq(jobs.type, PAYOUT_SETTLE_JOB));
    expect(settleJobs.filter((j) => j.status !== 'queued').map((j) => [j.status, j.lastError])).toEqual(settleJobs.filter((j) => j.status !== 'queued').map(() => ['done', null]));
    await dropQueuedSettleJobs();

    // A rail that is down for one payee: that payout stays in transit, the others settle, the run reports it.
    const shaky = await t.seller();
    const steady = await t.seller();
    await credit(accounts.sellerPayable(shaky.shopId), 700);
    await credit(accounts.sellerPayable(steady.shopId), 800);
    const down: PayoutRail = {
      name: 'flaky',
      send: async (p) => {
        if (p.payee_id === shaky.shopId) throw new Error('rail timed out');
        return { status: 'paid' };
      },
    };
    await runPayouts(t.db, t.clock);
    t.clock.advance(PAYOUT_SETTLE_MS);
    await expect(settleDuePayouts(t.db, t.clock, down)).rejects.toThrow(/settling 1 payout\(s\) failed: pyo_\w+: rail timed out/);
    expect((await payoutSums(t, [shaky.shopId, steady.shopId])).found.map((p) => [p.payeeId, p.status]).sort()).toEqual(
      [
        [shaky.shopId, 'in_transit'],
        [steady.shopId, 'paid'],
      ].sort(),
    );
    // A rail with no outcome yet leaves it in transit without an error.
    const pending: PayoutRail = { name: 'slow', send: async () => ({ status: 'in_transit' }) };
    expect(await settleDuePayouts(t.db, t.clock, pending)).toEqual({ paid: [], failed: [] });
    expect((await payoutSums(t, [shaky.shopId])).in_transit).toBe(700);
    expect((await settleDuePayouts(t.db, t.clock, rail)).paid.map((p) => p.payee_id)).toEqual([shaky.shopId]);

    // Many payouts due at once, some at the same instant: every page is settled, oldest first, each once.
    const many: string[] = [];
    for (let i = 0; i < 7; i++) {
      const s = await t.seller();
      await credit(accounts.sellerPayable(s.shopId), 100 + i);
      many.push(s.shopId);
      if (i % 3 === 2) {
        await runPayouts(t.db, t.clock);
        t.clock.advance(1);
      }
    }
    await runPayouts(t.db, t.clock);
    t.clock.advance(PAYOUT_SETTLE_MS);
    const pages = await settleDuePayouts(t.db, t.clock, down, { pageSize: 2 });
    expect(pages.paid.map((p) => p.payee_id).sort()).toEqual([...many].sort());
    const created = pages.paid.map((p) => `${p.created_at} ${p.id}`);
    expect(created).toEqual([...created].sort());
    expect(await getBalance(t.db, accounts.payoutsInTransit(), 'USD')).toBe(0);
    expect(await getBalance(t.db, accounts.payoutsInTransit(), 'USD')).toBe(0);
    expect((await reconcile(t.db)).problems).toEqual([]);
  });

  it('property: over random credits, batches, clock moves, settle runs (some concurrent) and failing payees, money is never lost or doubled', async () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('credit' as const), payee: fc.nat(2), amount: fc.integer({ min: 1, max: 100_000 }) }),
      fc.record({ kind: fc.constant('batch' as const) }),
      fc.record({ kind: fc.constant('tick' as const), ms: fc.constantFrom(HOUR, 6 * HOUR, PAYOUT_SETTLE_MS - 1, PAYOUT_SETTLE_MS) }),
      fc.record({ kind: fc.constant('settle' as const), concurrent: fc.boolean() }),
      fc.record({ kind: fc.constant('toggle' as const), payee: fc.nat(2) }),
    );
    const rail = new SandboxPayoutRail();
    await fc.assert(
      fc.asyncProperty(fc.subarray([0, 1, 2]), fc.array(step, { minLength: 1, maxLength: 20 }), async (failingAtStart, steps) => {
        const payees: Array<{ type: PayeeType; id: string }> = [
          { type: 'shop', id: newId('shp') },
          { type: 'shop', id: newId('shp') },
          { type: 'creator', id: newId('usr') },
        ];
        const ids = payees.map((p) => p.id);
        const credited = [0, 0, 0];
        const failing = new Set(failingAtStart);
        for (const i of failing) rail.failPayee(ids[i]!);
        for (const s of steps) {
          if (s.kind === 'credit') {
            await credit(payable(payees[s.payee]!.type, ids[s.payee]!), s.amount);
            credited[s.payee]! += s.amount;
          } else if (s.kind === 'batch') {
            await runPayouts(t.db, t.clock);
          } else if (s.kind === 'tick') {
            t.clock.advance(s.ms);
          } else if (s.kind === 'toggle') {
            if (failing.delete(s.payee)) rail.restorePayee(ids[s.payee]!);
            else {
              failing.add(s.payee);
              rail.failPayee(ids[s.payee]!, 'account_frozen');
            }
          } else {
            const runs = await Promise.all((s.concurrent ? [1, 2] : [1]).map(() => settleDuePayouts(t.db, t.clock, rail)));
            const settled: PayoutView[] = runs.flatMap((r) => [...r.paid, ...r.failed]).filter((p) => ids.includes(p.payee_id));
            // Each payout is settled by one run only, as the rail said for its payee.
            expect(new Set(settled.map((p) => p.id)).size).toBe(settled.length);
            for (const p of settled) expect([p.payee_id, p.status]).toEqual([p.payee_id, failing.has(ids.indexOf(p.payee_id)) ? 'failed' : 'paid']);
            // Nothing due is left in transit.
            const due = t.clock.now().getTime() - PAYOUT_SETTLE_MS;
            const left = (await payoutSums(t, ids)).found.filter((p) => p.status === 'in_transit' && p.createdAt.getTime() <= due);
            expect(left).toEqual([]);
          }
          const sums = await payoutSums(t, ids);
          for (const [i, p] of payees.entries()) {
            const mine = sums.found.filter((x) => x.payeeId === p.id);
            const of = (status: string) => mine.filter((x) => x.status === status).reduce((n, x) => n + x.amount, 0);
            const balance = await getBalance(t.db, payable(p.type, p.id), 'USD');
            expect(balance).toBeGreaterThanOrEqual(0);
            expect(balance + of('in_transit') + of('paid')).toBe(credited[i]);
          }
          // The two payout accounts are exactly the payouts in transit and the payouts paid (every payee's).
          const all = await payoutSums(t);
          expect(await getBalance(t.db, accounts.payoutsInTransit(), 'USD')).toBe(all.in_transit);
          expect(await getBalance(t.db, accounts.payoutsPaid(), 'USD')).toBe(all.paid);
        }
        const mine = (await payoutSums(t, ids)).found;
        for (const p of mine) {
          const kinds = (await listEntriesByReference(t.db, p.id)).map((e) => e.kind);
          expect(kinds).toEqual(p.status === 'in_transit' ? ['payout'] : ['payout', p.status === 'paid' ? 'payout_paid' : 'payout_failed']);
        }
        expect(await postedFor(t, mine.map((p) => p.id), 'payout_paid', accounts.payoutsPaid())).toBe(mine.filter((p) => p.status === 'paid').reduce((n, p) => n + p.amount, 0));
        for (const i of failing) rail.restorePayee(ids[i]!);
        expect((await reconcile(t.db)).problems).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });
});
