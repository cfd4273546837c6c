import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE, SettableClock } from '../../platform/clock.js';
import { rows, type Database, type Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { JobRunner } from '../../platform/jobs.js';
import { freshDatabase } from '../../test/db.js';
import { createProduct } from '../catalog/index.js';
import { signUp } from '../identity/index.js';
import { createShop } from '../sellers/index.js';
import { reservations } from './schema.js';
import {
  commitReservations,
  createWarehouse,
  ensureDefaultWarehouse,
  getAvailability,
  getReservations,
  getStockLevels,
  foldCommittedStock,
  registerInventoryJobs,
  releaseReservations,
  reserveStock,
  restockCommitted,
  scheduleFold,
  setStock,
} from './service.js';
import { refused } from '../../test/expect.js';
import { stockKeeper } from './stock-keeper.js';

const clock = new SettableClock('2026-03-02T09:00:00Z');


describe('inventory service', () => {
  let database: Database;
  let db: Db;
  let shopId: string;
  let n = 0;
  const holder = () => `chk_test_${++n}`;

  /** A live product with one variant per entry of `onHands`, stocked in the default warehouse. */
  async function skusWith(...onHands: number[]): Promise<string[]> {
    const p = await createProduct(db, clock, stockKeeper, shopId, {
      title: `Thing ${randomBytes(3).toString('hex')}`,
      option_names: ['Size'],
      status: 'live',
      variants: onHands.map((on_hand, i) => ({ option_values: [`S${i}`], price: { amount: 1000, currency: 'USD' }, stock: { on_hand } })),
    });
    return p.variants.map((v) => v.sku_id);
  }

  /** The stock row as stored: committed quantities not yet folded are still in on_hand and reserved. */
  const raw = async (skuId: string) => {
    const [r] = await rows<{ on_hand: number; reserved: number; pending: number }>(
      db,
      sql`select coalesce(sum(on_hand), 0)::int as on_hand, coalesce(sum(reserved), 0)::int as reserved,
                 (select coalesce(sum(quantity), 0)::int from reservations where fold_pending and sku_id = ${skuId}) as pending
          from stock where sku_id = ${skuId}`,
    );
    return r!;
  };
  /** The stock as it is once folded (what getStockLevels reports); checks the stored row too. */
  const levels = async (skuId: string) => {
    const r = await raw(skuId);
    expect(0 <= r.reserved - r.pending && r.reserved <= r.on_hand).toBe(true);
    return { on_hand: r.on_hand - r.pending, reserved: r.reserved - r.pending };
  };
  const reserve = (h: string, items: Array<{ sku_id: string; quantity: number }>, ttl = 15 * MINUTE) =>
    db.transaction((tx) => reserveStock(tx, clock, h, items, ttl));

  beforeAll(async () => {
    database = await freshDatabase({ poolSize: 20 });
    db = database.db;
    const owner = await signUp(db, clock, { email: `inv-${randomBytes(4).toString('hex')}@test.loopshop.dev`, password: 'correct horse battery', name: 'Owner' });
    shopId = (await createShop(db, clock, { name: 'Inventory Shop', market: 'US', currency: 'USD', timezone: 'UTC', ownerId: owner.id })).id;
  });
  afterAll(() => database.close());

  it('creates one default warehouse per shop, even when asked concurrently', async () => {
    const all = await Promise.all(Array.from({ length: 5 }, () => ensureDefaultWarehouse(db, clock, shopId)));
    expect(new Set(all.map((w) => w.id)).size).toBe(1);
    expect(all[0]).toMatchObject({ shop_id: shopId, is_default: true });
  });

  it('reserves, commits and releases with exact arithmetic', async () => {
    const [a, b] = await skusWith(10, 5);
    const h1 = holder();
    await reserve(h1, [{ sku_id: a!, quantity: 3 }, { sku_id: b!, quantity: 2 }, { sku_id: a!, quantity: 1 }]);
    expect(await levels(a!)).toEqual({ on_hand: 10, reserved: 4 });
    expect(await levels(b!)).toEqual({ on_hand: 5, reserved: 2 });
    expect(await getAvailability(db, [a!, b!, 'sku_unknown'])).toEqual(new Map([[a!, 6], [b!, 3], ['sku_unknown', 0]]));
    const held = await getReservations(db, h1);
    expect(held.map((r) => [r.sku_id, r.quantity, r.status])).toEqual(expect.arrayContaining([[a, 4, 'active'], [b, 2, 'active']]));
    expect(held[0]!.expires_at).toBe(new Date(clock.now().getTime() + 15 * MINUTE).toISOString());

    expect(await db.transaction((tx) => commitReservations(tx, clock, h1))).toBe(2);
    expect(await levels(a!)).toEqual({ on_hand: 6, reserved: 0 });
    expect(await levels(b!)).toEqual({ on_hand: 3, reserved: 0 });
    // The commit did not touch the stock rows; the fold does, leaving available as it was.
    expect(await raw(a!)).toEqual({ on_hand: 10, reserved: 4, pending: 4 });
    expect(await getAvailability(db, [a!])).toEqual(new Map([[a!, 6]]));
    expect(await foldCommittedStock(db, clock)).toBe(6);
    expect(await raw(a!)).toEqual({ on_hand: 6, reserved: 0, pending: 0 });
    expect(await raw(b!)).toEqual({ on_hand: 3, reserved: 0, pending: 0 });
    expect(await commitReservations(db, clock, h1)).toBe(0); // nothing active any more
    expect(await releaseReservations(db, clock, h1)).toBe(0); // committed stock is not released

    const h2 = holder();
    await reserve(h2, [{ sku_id: a!, quantity: 6 }]);
    expect(await levels(a!)).toEqual({ on_hand: 6, reserved: 6 });
    expect(await releaseReservations(db, clock, h2)).toBe(1);
    expect(await releaseReservations(db, clock, h2)).toBe(0); // idempotent
    expect(await levels(a!)).toEqual({ on_hand: 6, reserved: 0 });
    expect((await getReservations(db, h2))[0]!.status).toBe('released');

    // Cancelled after payment: committed quantities go back on the shelf, once.
    expect(await restockCommitted(db, clock, h1)).toBe(2);
    expect(await restockCommitted(db, clock, h1)).toBe(0);
    expect(await levels(a!)).toEqual({ on_hand: 10, reserved: 0 });
    expect(await levels(b!)).toEqual({ on_hand: 5, reserved: 0 });
  });

  it('is all or nothing: one short item refuses the whole reservation with details', async () => {
    const [a, b] = await skusWith(10, 2);
    const h = holder();
    const err = await refused(reserve(h, [{ sku_id: a!, quantity: 5 }, { sku_id: b!, quantity: 3 }]), 'out_of_stock');
    expect(err.status).toBe(409);
    expect(err.details).toEqual({ sku_id: b, requested: 3, available: 2 });
    expect(await levels(a!)).toEqual({ on_hand: 10, reserved: 0 });
    expect(await getReservations(db, h)).toEqual([]);
    await refused(reserve(holder(), [{ sku_id: 'sku_does_not_exist', quantity: 1 }]), 'out_of_stock');
    await refused(reserve(holder(), [{ sku_id: a!, quantity: 0 }]), 'invalid_quantity');
    await refused(reserve(holder(), [{ sku_id: a!, quantity: 1.5 }]), 'invalid_quantity');
  });

  it('takes each item from the warehouse with the most available', async () => {
    const [a] = await skusWith(3);
    const second = await createWarehouse(db, clock, shopId, { name: 'East', address: { line1: '1 Dock St', city: 'Newark', country: 'US' } });
    await setStock(db, clock, a!, second.id, 8);
    const h = holder();
    await reserve(h, [{ sku_id: a!, quantity: 5 }]);
    expect((await getReservations(db, h))[0]!.warehouse_id).toBe(second.id);
    // 3 + 3 left, but no single warehouse has 4.
    const err = await refused(reserve(holder(), [{ sku_id: a!, quantity: 4 }]), 'out_of_stock');
    expect(err.details).toEqual({ sku_id: a, requested: 4, available: 3 });
    await reserve(holder(), [{ sku_id: a!, quantity: 3 }]);
    await reserve(holder(), [{ sku_id: a!, quantity: 3 }]);
    expect(await getAvailability(db, [a!])).toEqual(new Map([[a!, 0]]));
    await refused(setStock(db, clock, a!, second.id, 7), 'stock_below_reserved');
    expect((await getStockLevels(db, a!)).find((l) => l.warehouse_id === second.id)).toMatchObject({ on_hand: 8, reserved: 8, available: 0 });
  });

  it('expires reservations on the clock through the job', async () => {
    const jobs = new JobRunner(db, clock);
    registerInventoryJobs(jobs, clock);
    const [a] = await skusWith(5);
    const early = holder();
    await reserve(early, [{ sku_id: a!, quantity: 2 }], 10 * MINUTE);
    const late = holder();
    await reserve(late, [{ sku_id: a!, quantity: 1 }], 30 * MINUTE);
    await jobs.runDue();
    expect(await levels(a!)).toEqual({ on_hand: 5, reserved: 3 });
    clock.advance(10 * MINUTE);
    expect(await jobs.runDue()).toBe(1);
    expect(await levels(a!)).toEqual({ on_hand: 5, reserved: 1 });
    expect((await getReservations(db, early))[0]!.status).toBe('expired');
    expect((await getReservations(db, late))[0]!.status).toBe('active');
    expect(await commitReservations(db, clock, early)).toBe(0); // too late to pay for it
    clock.advance(20 * MINUTE);
    await jobs.runDue();
    expect(await levels(a!)).toEqual({ on_hand: 5, reserved: 0 });
    expect((await getReservations(db, late))[0]!.settled_at).toBe(clock.now().toISOString());
  });

  it('never oversells: 300 concurrent reservations of 1 against 50 in stock', async () => {
    const [a] = await skusWith(50);
    const holders = Array.from({ length: 300 }, () => holder());
    const results = await Promise.allSettled(holders.map((h) => reserve(h, [{ sku_id: a!, quantity: 1 }])));
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const refusals = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(refusals.every((e) => e instanceof AppError && e.code === 'out_of_stock')).toBe(true);
    expect(ok).toBe(50);
    expect(await levels(a!)).toEqual({ on_hand: 50, reserved: 50 });
    const active = await db.select().from(reservations).where(eq(reservations.skuId, a!));
    expect(active).toHaveLength(50);
    const committed = await Promise.all(holders.map((h) => db.transaction((tx) => commitReservations(tx, clock, h))));
    expect(committed.reduce((x, y) => x + y, 0)).toBe(50);
    expect(await levels(a!)).toEqual({ on_hand: 0, reserved: 0 });
    await foldCommittedStock(db, clock);
    expect(await raw(a!)).toEqual({ on_hand: 0, reserved: 0, pending: 0 });
  });

  it('deferred fold: concurrent reservations, commits, releases and fold runs keep on_hand exact and never negative', async () => {
    const [a] = await skusWith(40);
    const holders = Array.from({ length: 120 }, () => holder());
    const folds: Array<Promise<number>> = [];
    const outcome = await Promise.all(
      holders.map(async (h, i) => {
        if (i % 10 === 0) folds.push(foldCommittedStock(db, clock));
        const ok = await reserve(h, [{ sku_id: a!, quantity: 1 }]).then(() => true, () => false);
        if (!ok) return 'refused';
        // Two in three pay, the rest give the unit back (available again for the others).
        if (i % 3 === 2) return (await releaseReservations(db, clock, h)) === 1 ? 'released' : 'lost';
        return (await db.transaction((tx) => commitReservations(tx, clock, h))) === 1 ? 'paid' : 'lost';
      }),
    );
    const total = (await Promise.all(folds)).reduce((x, y) => x + y, 0) + (await foldCommittedStock(db, clock));
    const paid = outcome.filter((o) => o === 'paid').length;
    expect(outcome).not.toContain('lost');
    expect(total).toBe(paid);
    expect(paid).toBeLessThanOrEqual(40);
    expect(await raw(a!)).toEqual({ on_hand: 40 - paid, reserved: 0, pending: 0 });
    // Everything available was sold or is still on the shelf: available = on_hand.
    expect(await getAvailability(db, [a!])).toEqual(new Map([[a!, (await raw(a!)).on_hand]]));
  });

  it('deferred fold: a cancelled paid order restocks right before, after, or during the fold', async () => {
    const [a] = await skusWith(10);
    const [before, after, racing] = [holder(), holder(), holder()];
    for (const h of [before, after, racing]) {
      await reserve(h, [{ sku_id: a!, quantity: 2 }]);
      expect(await commitReservations(db, clock, h)).toBe(1);
    }
    expect(await levels(a!)).toEqual({ on_hand: 4, reserved: 0 });
    // Restocked while still fold-pending: only reserved drops (on_hand still counted it).
    expect(await restockCommitted(db, clock, before)).toBe(1);
    expect(await raw(a!)).toEqual({ on_hand: 10, reserved: 4, pending: 4 });
    expect(await levels(a!)).toEqual({ on_hand: 6, reserved: 0 });
    // Restock of `racing` and a fold at once, then `after` restocked once folded.
    const [, folded] = await Promise.all([restockCommitted(db, clock, racing), foldCommittedStock(db, clock)]);
    expect([2, 4]).toContain(folded); // `racing` is skipped while the restock holds it
    await foldCommittedStock(db, clock);
    expect(await raw(a!)).toEqual({ on_hand: 8, reserved: 0, pending: 0 });
    expect(await restockCommitted(db, clock, after)).toBe(1);
    expect(await raw(a!)).toEqual({ on_hand: 10, reserved: 0, pending: 0 });
    expect(await restockCommitted(db, clock, after)).toBe(0);
  });

  it('deferred fold: expiry and a seller recount interleaved with pending folds', async () => {
    const jobs = new JobRunner(db, clock);
    registerInventoryJobs(jobs, clock);
    const [a] = await skusWith(6);
    const [paid, unpaid] = [holder(), holder()];
    await reserve(paid, [{ sku_id: a!, quantity: 2 }], 10 * MINUTE);
    await reserve(unpaid, [{ sku_id: a!, quantity: 3 }], 10 * MINUTE);
    expect(await commitReservations(db, clock, paid)).toBe(1);
    clock.advance(10 * MINUTE);
    await jobs.runDue(); // expires `unpaid`, leaves the committed (pending) one alone
    expect((await getReservations(db, unpaid))[0]!.status).toBe('expired');
    expect(await raw(a!)).toEqual({ on_hand: 6, reserved: 2, pending: 2 });
    expect(await levels(a!)).toEqual({ on_hand: 4, reserved: 0 });
    // The seller counts 9 unsold units: the pending fold is applied first, then the count.
    const wh = (await getStockLevels(db, a!))[0]!.warehouse_id;
    expect(await setStock(db, clock, a!, wh, 9)).toMatchObject({ on_hand: 9, reserved: 0, available: 9 });
    expect(await raw(a!)).toEqual({ on_hand: 9, reserved: 0, pending: 0 });
  });

  it('the fold job folds everything pending', async () => {
    const jobs = new JobRunner(db, clock);
    registerInventoryJobs(jobs, clock);
    const [a, b] = await skusWith(5, 5);
    const h = holder();
    await reserve(h, [{ sku_id: a!, quantity: 1 }, { sku_id: b!, quantity: 2 }]);
    expect(await commitReservations(db, clock, h)).toBe(2);
    await scheduleFold(db, clock);
    clock.advance(2000);
    await jobs.runDue();
    expect(await raw(a!)).toEqual({ on_hand: 4, reserved: 0, pending: 0 });
    expect(await raw(b!)).toEqual({ on_hand: 3, reserved: 0, pending: 0 });
  });

  it('property: random reserve/commit/release/restock keeps 0 <= reserved <= on_hand and on_hand = initial - committed', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('reserve' as const), sku: fc.nat(1), qty: fc.integer({ min: 1, max: 6 }) }),
      fc.record({ kind: fc.constantFrom('commit' as const, 'release' as const, 'restock' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('fold' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const initial = [7, 4];
        const skuIds = await skusWith(...initial);
        const open: string[] = [];
        const paid: string[] = [];
        const model = skuIds.map((_, i) => ({ onHand: initial[i]!, reserved: 0 }));
        const heldBy = new Map<string, Array<{ i: number; q: number }>>();
        for (const o of ops) {
          if (o.kind === 'reserve') {
            const h = holder();
            const m = model[o.sku]!;
            const ok = await reserve(h, [{ sku_id: skuIds[o.sku]!, quantity: o.qty }]).then(
              () => true,
              (e: AppError) => {
                expect(e.code).toBe('out_of_stock');
                return false;
              },
            );
            expect(ok).toBe(m.onHand - m.reserved >= o.qty);
            if (ok) {
              m.reserved += o.qty;
              open.push(h);
              heldBy.set(h, [{ i: o.sku, q: o.qty }]);
            }
          } else if (o.kind === 'fold') {
            await foldCommittedStock(db, clock); // changes nothing visible
          } else if (o.kind === 'restock') {
            if (paid.length === 0) continue;
            const h = paid.splice(o.pick % paid.length, 1)[0]!;
            expect(await restockCommitted(db, clock, h)).toBe(1);
            for (const { i, q } of heldBy.get(h)!) model[i]!.onHand += q;
          } else {
            if (open.length === 0) continue;
            const h = open.splice(o.pick % open.length, 1)[0]!;
            const moved = o.kind === 'commit' ? await commitReservations(db, clock, h) : await releaseReservations(db, clock, h);
            expect(moved).toBe(1);
            for (const { i, q } of heldBy.get(h)!) {
              model[i]!.reserved -= q;
              if (o.kind === 'commit') {
                model[i]!.onHand -= q;
                paid.push(h);
              }
            }
          }
          for (const [i, id] of skuIds.entries()) {
            const l = await levels(id);
            expect(l).toEqual({ on_hand: model[i]!.onHand, reserved: model[i]!.reserved });
            expect(0 <= l.reserved && l.reserved <= l.on_hand).toBe(true);
          }
        }
      }),
      { numRuns: 15 },
    );
  });
});
