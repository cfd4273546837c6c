import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db.js';
import { runFlow } from '../platform/flow.js';
import { createProduct } from '../modules/catalog/index.js';
import { addStock, ensureDefaultWarehouse, receiveStock, stockKeeper } from '../modules/inventory/index.js';
import {
  acceptedListing,
  countInbound,
  lockExpectedInbound,
  lockOffer,
  markInboundReceived,
  markOfferAccepted,
  platformWarehouse,
  recordManagedSkus,
  retailPrices,
  type AcceptInput,
  type InboundView,
  type OfferView,
  type ReceiveInput,
} from '../modules/managed/index.js';

/**
 * Managed mode's goods in (SPEC §5, decisions 007 and 020): the platform takes a managed shop's
 * goods into its own warehouse and sells them. Both processes run in the caller's transaction
 * (the route's, with its audit entry), whose rollback is the undo of every step; nothing here
 * calls outside the database. Managed keeps its tables' writes; the platform's part of shipping
 * and after-sales is in fulfillment and aftersales, the returns shelf and the supply owed to the
 * shop in managed (`restockReturn`, `supplyOwed`, called by aftersales and the release flow).
 */

/**
 * An operator accepts a submitted offer (else 409 `invalid_state`). Steps: lock the offer and
 * check the retail prices (managed) → the platform warehouse, `warehouse_id` or the default one
 * (inventory) → the listing, live for the shop at the retail prices (catalog, whose rules apply:
 * currency, price range) → each SKU recorded with its supply price (managed) → the SKUs located
 * in the warehouse with nothing on hand until an inbound shipment is received (inventory) → the
 * offer `accepted` (managed).
 */
export async function acceptOffer(tx: Db, clock: Clock, operatorId: string, offerId: string, input: AcceptInput): Promise<OfferView> {
  return runFlow('managed-accept', async (f) => {
    const { offer, prices } = await f.step('check', async () => {
      const offer = await lockOffer(tx, offerId, 'accepted');
      return { offer, prices: retailPrices(offer, input.retail_prices) };
    });
    const wh = await f.step('warehouse', () => (input.warehouse_id ? platformWarehouse(tx, input.warehouse_id) : ensureDefaultWarehouse(tx, clock, null)));
    const product = await f.step('list', () => createProduct(tx, clock, stockKeeper, offer.shopId, acceptedListing(offer, prices)));
    // Variants come back in creation order (monotonic ids), which is the offer's order.
    const skuIds = product.variants.map((v) => v.sku_id);
    await f.step('supply prices', () => recordManagedSkus(tx, clock, offer, product.id, skuIds));
    await f.step('locate stock', () => addStock(tx, clock, skuIds.map((skuId) => ({ skuId, warehouseId: wh.id, onHand: 0 }))));
    return f.step('accept', () => markOfferAccepted(tx, clock, offer, { operatorId, productId: product.id, warehouseId: wh.id, skuIds, prices }));
  });
}

/**
 * An operator counts an expected inbound shipment once (again: 409 `invalid_state`). Steps: lock
 * it and check the count, every announced SKU exactly once (managed) → what arrived added to the
 * platform warehouse's on_hand (inventory) → the shipment `received`, or
 * `received_with_discrepancies` with expected and received per item (managed).
 */
export async function receiveInbound(tx: Db, clock: Clock, operatorId: string, id: string, input: ReceiveInput): Promise<InboundView> {
  return runFlow('managed-receive', async (f) => {
    const { shipment, items } = await f.step('count', async () => {
      const shipment = await lockExpectedInbound(tx, id);
      return { shipment, items: countInbound(shipment, input) };
    });
    await f.step('shelve', () =>
      receiveStock(
        tx,
        clock,
        items.filter((x) => x.received_quantity > 0).map((x) => ({ skuId: x.sku_id, warehouseId: shipment.warehouseId, quantity: x.received_quantity })),
      ),
    );
    return f.step('record', () => markInboundReceived(tx, clock, id, operatorId, items, input.note));
  });
}
