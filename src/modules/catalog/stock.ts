import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';

/** A variant's stock as sellers give it: on hand in a warehouse of the shop (default: its default warehouse). */
export interface StockInput {
  warehouse_id?: string;
  on_hand: number;
}

/**
 * What the catalog needs of inventory, which sits above it in the module order (decision 021):
 * the callers of the functions that show or set stock hand in inventory's `stockKeeper`.
 */
export interface StockKeeper {
  /** Units that can be sold now, by SKU id (a SKU without stock may be absent). */
  availability(db: Db, skuIds: string[]): Promise<Map<string, number>>;
  /**
   * Sets what a shop's SKUs have on hand, each in the given warehouse of the shop or in the
   * shop's default one (404 `not_found` for a warehouse of another shop). `fresh`: the SKUs are
   * new, so none has a stock row yet.
   */
  putStock(tx: Db, clock: Clock, shopId: string, items: Array<{ skuId: string; stock: StockInput }>, fresh: boolean): Promise<void>;
}
