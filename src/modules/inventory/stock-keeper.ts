import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { notFound } from '../../platform/errors.js';
import type { StockInput, StockKeeper } from '../catalog/index.js';
import { addStock, ensureDefaultWarehouse, getAvailability, getWarehouse, setStock } from './service.js';

/** The warehouse a seller's stock input names: the shop's own, or its default one. */
async function warehouseFor(db: Db, clock: Clock, shopId: string, input: StockInput): Promise<string> {
  if (!input.warehouse_id) return (await ensureDefaultWarehouse(db, clock, shopId)).id;
  const wh = await getWarehouse(db, input.warehouse_id).catch(() => null);
  if (!wh || wh.shop_id !== shopId) throw notFound('Warehouse', input.warehouse_id);
  return wh.id;
}

/** Inventory as the catalog needs it (product pages and product create/edit with stock; decision 021). */
export const stockKeeper: StockKeeper = {
  availability: getAvailability,
  async putStock(tx, clock, shopId, items, fresh) {
    const warehouseIds = new Map<string, string>();
    const rows: Array<{ skuId: string; warehouseId: string; onHand: number }> = [];
    for (const { skuId, stock } of items) {
      const key = stock.warehouse_id ?? '';
      if (!warehouseIds.has(key)) warehouseIds.set(key, await warehouseFor(tx, clock, shopId, stock));
      rows.push({ skuId, warehouseId: warehouseIds.get(key)!, onHand: stock.on_hand });
    }
    // New SKUs have no stock rows yet, so one insert sets them all.
    if (fresh) await addStock(tx, clock, rows);
    else for (const r of rows) await setStock(tx, clock, r.skuId, r.warehouseId, r.onHand);
  },
};
