import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rows } from '../../platform/db.js';
import { bulkBuyers, useTestApp } from '../../test/app.js';
import { foldCommittedStock, getAvailability, getHolds } from '../inventory/index.js';
import { reconcile } from '../ledger/index.js';
import { addToCart, checkoutReq } from '../orders/index.js';
import { creatorWithShop, STREAM_URL } from './testing.js';

const LIVE_BUYERS = 300;
const OTHER_BUYERS = 40;
const ON_HAND = 80;
const ALLOTMENT = 50;

describe('flash-sale allotment under concurrency', () => {
  // On PostgreSQL the checkouts really run in parallel over 20 connections; PGlite serializes.
  const t = useTestApp({}, { poolSize: 20 });

  it(`${LIVE_BUYERS} live buyers on an allotment of ${ALLOTMENT} and ${OTHER_BUYERS} ordinary buyers on the rest: nobody takes the other's units`, async () => {
    const f = await creatorWithShop(t, { name: 'Flash', price: 999, stock: [ON_HAND] });
    const sku = f.skuIds[0]!;
    const live = (await t.app.inject({ method: 'POST', url: '/v1/live', headers: f.creator.auth, payload: { title: 'Flash', stream_url: STREAM_URL, product_ids: [f.productId] } })).json();
    expect((await t.app.inject({ method: 'POST', url: `/v1/live/${live.id}/start`, headers: f.creator.auth, payload: { attestation: true } })).statusCode).toBe(200);
    const set = await t.app.inject({ method: 'PUT', url: `/v1/live/${live.id}/allotments`, headers: { ...f.creator.auth, 'idempotency-key': 'allot-1' }, payload: [{ sku_id: sku, quantity: ALLOTMENT }] });
    expect(set.statusCode).toBe(200);

    const buyers = await bulkBuyers(t, LIVE_BUYERS + OTHER_BUYERS, `live-flash-${live.id}`);
    const liveBuyers = buyers.slice(0, LIVE_BUYERS);
    const others = buyers.slice(LIVE_BUYERS);
    for (const auth of liveBuyers) await addToCart(t, auth, sku, 1, { live_id: live.id });
    for (const auth of others) await addToCart(t, auth, sku, 1);

    const all = await Promise.all(buyers.map((auth, i) => checkoutReq(t, auth, undefined, `live-flash-${i}`)));
    const tally = (list: typeof all) => {
      const by: Record<number, number> = {};
      for (const r of list) by[r.statusCode] = (by[r.statusCode] ?? 0) + 1;
      return by;
    };
    expect(tally(all.slice(0, LIVE_BUYERS))).toEqual({ 201: ALLOTMENT, 409: LIVE_BUYERS - ALLOTMENT });
    expect(tally(all.slice(LIVE_BUYERS))).toEqual({ 201: ON_HAND - ALLOTMENT, 409: OTHER_BUYERS - (ON_HAND - ALLOTMENT) });
    expect(all.filter((r) => r.statusCode === 409).every((r) => r.json().error.code === 'out_of_stock')).toBe(true);
    expect(all.filter((r) => r.statusCode === 201).every((r) => r.json().orders[0].status === 'paid')).toBe(true);

    // Every live order drew from the allotment, every other order from general stock.
    const liveOrders = all.slice(0, LIVE_BUYERS).filter((r) => r.statusCode === 201).map((r) => r.json().orders[0].id as string);
    const drawn = await rows<{ pool: string | null; n: number }>(
      t.db,
      sql`select pool, count(*)::int as n from reservations where sku_id = ${sku} and status = 'committed' group by pool order by pool nulls last`,
    );
    expect(drawn).toEqual([
      { pool: live.id, n: ALLOTMENT },
      { pool: null, n: ON_HAND - ALLOTMENT },
    ]);
    const pooled = await rows<{ holder: string }>(t.db, sql`select holder from reservations where pool = ${live.id} and status = 'committed' order by holder`);
    expect(pooled.map((r) => r.holder)).toEqual([...liveOrders].sort());
    expect(await getHolds(t.db, live.id)).toEqual([expect.objectContaining({ quantity: ALLOTMENT, remaining: 0, status: 'open' })]);
    expect((await getAvailability(t.db, [sku])).get(sku)).toBe(0);
    const view = (await t.app.inject({ method: 'GET', url: `/v1/live/${live.id}` })).json();
    expect(view.allotments[0]).toMatchObject({ quantity: ALLOTMENT, remaining: 0, sold: ALLOTMENT });

    // Ending gives nothing back (all sold); the fold leaves the stock row at exactly zero.
    expect((await t.app.inject({ method: 'POST', url: `/v1/live/${live.id}/end`, headers: f.creator.auth })).statusCode).toBe(200);
    expect(await foldCommittedStock(t.db, t.clock)).toBe(ON_HAND);
    const [row] = await rows<{ on_hand: number; reserved: number }>(t.db, sql`select on_hand, reserved from stock where sku_id = ${sku}`);
    expect(row).toEqual({ on_hand: 0, reserved: 0 });
    const report = await reconcile(t.db);
    expect(report.problems).toEqual([]);
  }, 180_000);
});
