import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { rows } from '../../platform/db.js';
import { bulkBuyers, useTestApp } from '../../test/app.js';
import { foldCommittedStock, getReservations, getStockLevels } from '../inventory/index.js';
import { accounts, getBalance, reconcile } from '../ledger/index.js';
import { addToCart, checkoutReq, shopWithProduct } from './testing.js';

const BUYERS = 300;
const STOCK = 50;
const PRICE = 1999;

describe('flash sale: concurrent checkouts on one SKU', () => {
  // On PostgreSQL the requests really run in parallel over 20 connections; PGlite serializes.
  const t = useTestApp({}, { poolSize: 20 });

  it(`${BUYERS} concurrent checkouts against stock ${STOCK}: exactly ${STOCK} paid, nothing oversold or left reserved`, async () => {
    const shop = await shopWithProduct(t, { name: 'Flash', variants: [{ price: PRICE, onHand: STOCK }] });
    const skuId = shop.skuIds[0]!;
    const buyers = await bulkBuyers(t, BUYERS, `flash-${shop.shopId}`);
    for (const auth of buyers) await addToCart(t, auth, skuId, 1);

    const results = await Promise.all(buyers.map((auth, i) => checkoutReq(t, auth, undefined, `flash-${i}`)));
    const byStatus = new Map<number, number>();
    for (const r of results) byStatus.set(r.statusCode, (byStatus.get(r.statusCode) ?? 0) + 1);
    expect(Object.fromEntries(byStatus)).toEqual({ 201: STOCK, 409: BUYERS - STOCK });
    expect(results.filter((r) => r.statusCode === 409).every((r) => r.json().error.code === 'out_of_stock')).toBe(true);

    const paid = results.filter((r) => r.statusCode === 201).map((r) => r.json());
    expect(paid.every((b) => b.payment.status === 'succeeded' && b.orders.length === 1 && b.orders[0].status === 'paid')).toBe(true);
    const levels = await getStockLevels(t.db, skuId);
    expect(levels.reduce((s, l) => s + l.on_hand, 0)).toBe(0);
    expect(levels.reduce((s, l) => s + l.reserved, 0)).toBe(0);
    expect(levels.every((l) => l.on_hand >= 0 && l.reserved >= 0)).toBe(true);
    // The payments left the stock row alone (decision 006); the fold brings it to the same figures.
    expect(await foldCommittedStock(t.db, t.clock)).toBe(STOCK);
    const [row] = await rows<{ on_hand: number; reserved: number }>(t.db, sql`select on_hand, reserved from stock where sku_id = ${skuId}`);
    expect(row).toEqual({ on_hand: 0, reserved: 0 });

    // Every paid order committed its reservation; none is left active.
    const orderIds: string[] = paid.map((b) => b.orders[0].id);
    const held = (await Promise.all(orderIds.map((id) => getReservations(t.db, id)))).flat();
    expect(held).toHaveLength(STOCK);
    expect(held.every((r) => r.status === 'committed')).toBe(true);

    // The seller sees exactly the paid orders; escrow holds exactly what was captured.
    let sellerOrders = 0;
    for (let cursor: string | null = null; ; ) {
      const url: string = `/v1/orders?role=seller&limit=100${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await t.app.inject({ method: 'GET', url, headers: shop.owner.auth })).json();
      sellerOrders += page.data.filter((o: { status: string }) => o.status === 'paid').length;
      cursor = page.next_cursor;
      if (!cursor) break;
    }
    expect(sellerOrders).toBe(STOCK);
    const escrow = await Promise.all(orderIds.map((id) => getBalance(t.db, accounts.escrow(id), 'USD')));
    expect(escrow.reduce((a, b) => a + b, 0)).toBe(STOCK * PRICE);
    const report = await reconcile(t.db);
    expect(report.problems).toEqual([]);
    expect(report.balanced).toBe(true);
  });
});
