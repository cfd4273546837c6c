import type { Static } from '@sinclair/typebox';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { badRequest, conflict, notFound } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { money, type Money } from '../../platform/money.js';
import { checkIdCursor, pageById, pageOf, rowById } from '../../platform/pagination.js';
import { createProduct, LIMITS, type CreateProductInput } from '../catalog/index.js';
import { plainText } from '../catalog/index.js';
import { ensureDefaultWarehouse, getReservations, getWarehouse, listWarehouses, receiveStock, type Warehouse, stockKeeper } from '../inventory/index.js';
import type { OrderStatus } from '../orders/index.js';
import { getOrderItems, listOrdersByStatus, type OrderRow } from '../orders/index.js';
import { getShop } from '../sellers/index.js';
import {
  inboundShipments,
  managedReturns,
  managedSkus,
  supplyOffers,
  type InboundItem,
  type InboundStatus,
  type OfferStatus,
  type OfferVariant,
} from './schema.js';
import type { InboundOut, OfferOut } from './views.js';

/**
 * Fully-managed mode (SPEC §5, issue 5 item 4). A managed shop only supplies goods: it submits
 * supply offers (supply price per variant); an operator accepts one with retail prices, which
 * lists the product live under the platform's operation, its stock in a platform warehouse; the
 * shop announces inbound shipments to a platform warehouse and operators receive them (counted
 * quantities, discrepancies kept, stock added). The platform ships managed orders and answers
 * their after-sales cases (fulfillment, aftersales); a received return goes back on the platform
 * warehouse's shelf (`restockReturn`); settlement pays the shop the supply price of every unit
 * sold and kept (`supplyOwed`). Accepting an offer and receiving an inbound shipment span
 * catalog and inventory: they are the flows in `flows/managed-fulfilment.ts`, built from the
 * steps here.
 */

export type OfferRow = typeof supplyOffers.$inferSelect;
export type InboundRow = typeof inboundShipments.$inferSelect;

const MAX_QUANTITY = 1_000_000;
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** True for a shop in the `managed` mode: the platform lists, ships and answers for it. */
export async function isManagedShop(db: Db, shopId: string): Promise<boolean> {
  return (await getShop(db, shopId)).mode === 'managed';
}

async function managedShop(db: Db, shopId: string) {
  const shop = await getShop(db, shopId);
  if (shop.mode !== 'managed') throw conflict('not_managed', 'Only a shop in the managed mode supplies goods to the platform');
  return shop;
}

/** A platform warehouse (no shop), else 404 as for a missing one. */
export async function platformWarehouse(db: Db, warehouseId: string): Promise<Warehouse> {
  const wh = await getWarehouse(db, warehouseId);
  if (wh.shop_id !== null) throw notFound('Warehouse', warehouseId);
  return wh;
}

/** The platform's warehouses, oldest first; the default one is created on first use. */
export async function listPlatformWarehouses(db: Db, clock: Clock, page: { limit?: number; cursor?: string }) {
  await ensureDefaultWarehouse(db, clock, null);
  return listWarehouses(db, null, page);
}

// ---------------------------------------------------------------------------------------------
// Supply offers
// ---------------------------------------------------------------------------------------------

export interface OfferInput {
  title: string;
  description?: string;
  category?: string | null;
  images?: string[];
  option_names?: string[];
  variants: Array<{ option_values?: string[]; supply_price: Money; quantity_available: number }>;
}

export type OfferView = Static<typeof OfferOut>;

export function offerView(o: OfferRow): OfferView {
  return {
    id: o.id,
    shop_id: o.shopId,
    status: o.status,
    title: o.title,
    description: o.description,
    category: o.category,
    images: o.images,
    option_names: o.optionNames,
    variants: o.variants.map((v, index) => ({
      index,
      option_values: v.option_values,
      supply_price: money(v.supply_price, o.currency),
      quantity_available: v.quantity_available,
      sku_id: v.sku_id ?? null,
      retail_price: v.retail_price === undefined ? null : money(v.retail_price, o.currency),
    })),
    product_id: o.productId,
    warehouse_id: o.warehouseId,
    note: o.note,
    reviewed_at: iso(o.reviewedAt),
    created_at: o.createdAt.toISOString(),
    updated_at: o.updatedAt.toISOString(),
  };
}

/** The catalog listing an offer becomes, at these prices (one per variant, in order). */
const listingOf = (o: Pick<OfferInput, 'title' | 'description' | 'category' | 'images' | 'option_names'>, variants: Array<{ option_values: string[]; price: number }>, currency: string, status: 'draft' | 'live'): CreateProductInput => ({
  title: o.title,
  description: o.description,
  category: o.category,
  images: o.images,
  option_names: o.option_names,
  status,
  variants: variants.map((v) => ({ option_values: v.option_values, price: { amount: v.price, currency } })),
});

const DRY_RUN = new Error('dry run');

/**
 * A member of a managed shop offers goods (409 `not_managed` for other shops). Supply prices are
 * whole minor units from 1 (400 `invalid_supply_price`) in the shop's currency; the rest is
 * checked exactly as the catalog will check the listing (a rolled-back trial listing), so an
 * accepted offer always lists.
 */
export async function submitOffer(db: Db, clock: Clock, userId: string, shopId: string, input: OfferInput): Promise<OfferView> {
  const shop = await managedShop(db, shopId);
  if (!Array.isArray(input.variants) || input.variants.length < 1 || input.variants.length > LIMITS.variants) {
    throw badRequest('validation_failed', `An offer has 1–${LIMITS.variants} variants`, [{ field: '/variants', rule: 'length' }]);
  }
  const variants: OfferVariant[] = input.variants.map((v, i) => {
    const field = `/variants/${i}`;
    if (v.supply_price.currency !== shop.currency) {
      throw badRequest('currency_mismatch', `Prices of this shop are in ${shop.currency}`, [{ field: `${field}/supply_price/currency`, rule: 'currency', expected: shop.currency }]);
    }
    const amount = v.supply_price.amount;
    if (!Number.isSafeInteger(amount) || amount < 1 || amount > LIMITS.maxPrice) {
      throw badRequest('invalid_supply_price', `A supply price is a whole number of minor units from 1 to ${LIMITS.maxPrice}`, [{ field: `${field}/supply_price/amount`, rule: 'range' }]);
    }
    if (!Number.isSafeInteger(v.quantity_available) || v.quantity_available < 0 || v.quantity_available > MAX_QUANTITY) {
      throw badRequest('validation_failed', `quantity_available is a whole number from 0 to ${MAX_QUANTITY}`, [{ field: `${field}/quantity_available`, rule: 'range' }]);
    }
    return { option_values: (v.option_values ?? []).map((x) => plainText(x)), supply_price: amount, quantity_available: v.quantity_available };
  });
  const trial = listingOf(input, variants.map((v) => ({ option_values: v.option_values, price: v.supply_price })), shop.currency, 'draft');
  await db
    .transaction(async (tx) => {
      await createProduct(tx, clock, stockKeeper, shopId, trial);
      throw DRY_RUN;
    })
    .catch((e: unknown) => {
      if (e !== DRY_RUN) throw e;
    });
  const now = clock.now();
  const [row] = await db
    .insert(supplyOffers)
    .values({
      id: newId('sof'),
      shopId,
      status: 'submitted',
      title: plainText(input.title),
      description: plainText(input.description ?? '', { multiline: true }),
      category: input.category?.trim().toLowerCase() || null,
      images: input.images ?? [],
      optionNames: (input.option_names ?? []).map((n) => plainText(n)),
      variants,
      currency: shop.currency,
      submittedBy: userId,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return offerView(row!);
}

/** The offer (any shop), else 404. Callers check who may see it. */
export const getOffer = (db: Db, offerId: string): Promise<OfferRow> => rowById(db, supplyOffers, offerId, 'Supply offer');

/** A page of a shop object table (offers, inbound shipments), newest first by id; narrowed to a shop and/or a status. */
function pageOfShopObjects<T extends typeof supplyOffers | typeof inboundShipments>(db: Db, table: T, prefix: 'sof' | 'inb', q: { shopId?: string; status?: OfferStatus | InboundStatus; limit?: number; cursor?: string }) {
  const where = [q.shopId ? eq(table.shopId, q.shopId) : undefined, q.status ? eq(table.status, q.status) : undefined];
  return pageById(db, table, { limit: q.limit, cursor: q.cursor, prefix, order: 'newest', where });
}

/** Offers, newest first, paginated by id; narrowed to a shop and/or a status. */
export async function listOffers(db: Db, q: { shopId?: string; status?: OfferStatus; limit?: number; cursor?: string }) {
  const { rows, next_cursor } = await pageOfShopObjects(db, supplyOffers, 'sof', q);
  return { data: rows.map(offerView), next_cursor };
}

/** The offer locked for a decision, if still `submitted` (else 409 `invalid_state`; 404 unknown). */
export async function lockOffer(tx: Db, offerId: string, action: string): Promise<OfferRow> {
  const [o] = await tx.select().from(supplyOffers).where(eq(supplyOffers.id, offerId)).for('update');
  if (!o) throw notFound('Supply offer', offerId);
  if (o.status !== 'submitted') throw conflict('invalid_state', `A ${o.status} offer cannot be ${action}`, { status: o.status });
  return o;
}

export interface AcceptInput {
  retail_prices: Array<{ variant_index: number; price: Money }>;
  warehouse_id?: string;
}

/** One retail price per variant, in variant order: each variant exactly once, never below its supply price. */
export function retailPrices(o: OfferRow, input: AcceptInput['retail_prices']): number[] {
  const prices: Array<number | undefined> = o.variants.map(() => undefined);
  input.forEach((r, i) => {
    const field = `/retail_prices/${i}`;
    if (!Number.isInteger(r.variant_index) || r.variant_index < 0 || r.variant_index >= prices.length || prices[r.variant_index] !== undefined) {
      throw badRequest('invalid_retail_prices', 'Give each variant of the offer exactly one retail price', [{ field: `${field}/variant_index`, rule: 'unique' }]);
    }
    if (r.price.currency !== o.currency) {
      throw badRequest('currency_mismatch', `Prices of this shop are in ${o.currency}`, [{ field: `${field}/price/currency`, rule: 'currency', expected: o.currency }]);
    }
    const supply = o.variants[r.variant_index]!.supply_price;
    if (r.price.amount < supply) {
      throw badRequest('retail_below_supply', 'The retail price is at least the supply price', [{ field: `${field}/price/amount`, rule: 'minimum', minimum: supply }]);
    }
    prices[r.variant_index] = r.price.amount;
  });
  const missing = prices.findIndex((p) => p === undefined);
  if (missing >= 0) throw badRequest('invalid_retail_prices', `Variant ${missing} has no retail price`, [{ field: '/retail_prices', rule: 'required', variant_index: missing }]);
  return prices as number[];
}

/** The catalog listing an accepted offer becomes: live, at the retail prices (one per variant, in order). */
export function acceptedListing(o: OfferRow, prices: number[]): CreateProductInput {
  const listing = { title: o.title, description: o.description, category: o.category, images: o.images, option_names: o.optionNames };
  return listingOf(listing, o.variants.map((v, i) => ({ option_values: v.option_values, price: prices[i]! })), o.currency, 'live');
}

/** Records each SKU of an accepted offer's listing with its supply price (in the offer's variant order). */
export async function recordManagedSkus(tx: Db, clock: Clock, o: OfferRow, productId: string, skuIds: string[]): Promise<void> {
  const now = clock.now();
  await tx.insert(managedSkus).values(
    o.variants.map((v, i) => ({ skuId: skuIds[i]!, shopId: o.shopId, productId, offerId: o.id, supplyPrice: v.supply_price, currency: o.currency, createdAt: now })),
  );
}

/** The offer `accepted`, with its product, warehouse, SKUs and retail prices. */
export async function markOfferAccepted(
  tx: Db,
  clock: Clock,
  o: OfferRow,
  a: { operatorId: string; productId: string; warehouseId: string; skuIds: string[]; prices: number[] },
): Promise<OfferView> {
  const now = clock.now();
  const [row] = await tx
    .update(supplyOffers)
    .set({
      status: 'accepted',
      productId: a.productId,
      warehouseId: a.warehouseId,
      variants: o.variants.map((v, i) => ({ ...v, sku_id: a.skuIds[i]!, retail_price: a.prices[i]! })),
      reviewedBy: a.operatorId,
      reviewedAt: now,
      updatedAt: now,
    })
    .where(eq(supplyOffers.id, o.id))
    .returning();
  return offerView(row!);
}

/** An operator rejects a submitted offer with a note for the seller (else 409 `invalid_state`). */
export async function rejectOffer(db: Db, clock: Clock, operatorId: string, offerId: string, note: string): Promise<OfferView> {
  const text = plainText(note, { multiline: true });
  if (text.length < 1 || text.length > 2000) throw badRequest('validation_failed', 'The note is 1–2000 characters of text', [{ field: '/note', rule: 'length' }]);
  return db.transaction(async (tx) => {
    await lockOffer(tx, offerId, 'rejected');
    const now = clock.now();
    const [row] = await tx
      .update(supplyOffers)
      .set({ status: 'rejected', note: text, reviewedBy: operatorId, reviewedAt: now, updatedAt: now })
      .where(eq(supplyOffers.id, offerId))
      .returning();
    return offerView(row!);
  });
}

// ---------------------------------------------------------------------------------------------
// Inbound shipments
// ---------------------------------------------------------------------------------------------

export interface InboundInput {
  warehouse_id: string;
  carrier?: string;
  tracking_number?: string;
  items: Array<{ sku_id: string; quantity: number }>;
}

export type InboundView = Static<typeof InboundOut>;

export const inboundView = (s: InboundRow): InboundView => ({
  id: s.id,
  shop_id: s.shopId,
  warehouse_id: s.warehouseId,
  carrier: s.carrier,
  tracking_number: s.trackingNumber,
  status: s.status,
  items: s.items.map((i) => ({ ...i, discrepancy: i.received_quantity === null ? null : i.received_quantity - i.expected_quantity })),
  note: s.note,
  received_at: iso(s.receivedAt),
  created_at: s.createdAt.toISOString(),
});

/**
 * A member of a managed shop announces goods on their way to a platform warehouse (404 for a
 * warehouse that is not the platform's). Every SKU must be one of the shop's managed listings
 * (400 `unknown_sku`); lines of the same SKU are merged.
 */
export async function createInbound(db: Db, clock: Clock, userId: string, shopId: string, input: InboundInput): Promise<InboundView> {
  await managedShop(db, shopId);
  await platformWarehouse(db, input.warehouse_id);
  const expected = new Map<string, number>();
  for (const it of input.items) {
    if (!Number.isSafeInteger(it.quantity) || it.quantity < 1 || it.quantity > MAX_QUANTITY) {
      throw badRequest('invalid_quantity', `Quantities are whole numbers from 1 to ${MAX_QUANTITY}`, { sku_id: it.sku_id });
    }
    expected.set(it.sku_id, (expected.get(it.sku_id) ?? 0) + it.quantity);
  }
  if (expected.size === 0) throw badRequest('validation_failed', 'An inbound shipment has at least one item', [{ field: '/items', rule: 'minItems' }]);
  const listed = await db
    .select({ skuId: managedSkus.skuId })
    .from(managedSkus)
    .where(and(eq(managedSkus.shopId, shopId), inArray(managedSkus.skuId, [...expected.keys()])));
  const unknown = [...expected.keys()].find((id) => !listed.some((l) => l.skuId === id));
  if (unknown) throw badRequest('unknown_sku', `SKU ${unknown} is not a managed listing of this shop`, { sku_id: unknown });
  const [row] = await db
    .insert(inboundShipments)
    .values({
      id: newId('inb'),
      shopId,
      warehouseId: input.warehouse_id,
      carrier: input.carrier?.trim() || null,
      trackingNumber: input.tracking_number?.trim() || null,
      status: 'expected',
      items: [...expected].map(([sku_id, q]) => ({ sku_id, expected_quantity: q, received_quantity: null })),
      createdBy: userId,
      createdAt: clock.now(),
    })
    .returning();
  return inboundView(row!);
}

export const getInbound = (db: Db, id: string): Promise<InboundRow> => rowById(db, inboundShipments, id, 'Inbound shipment');

/** Inbound shipments, newest first, paginated by id; narrowed to a shop and/or a status. */
export async function listInbound(db: Db, q: { shopId?: string; status?: InboundStatus; limit?: number; cursor?: string }) {
  const { rows, next_cursor } = await pageOfShopObjects(db, inboundShipments, 'inb', q);
  return { data: rows.map(inboundView), next_cursor };
}

export interface ReceiveInput {
  items: Array<{ sku_id: string; received_quantity: number }>;
  note?: string;
}

/** The inbound shipment locked for its count, if still `expected` (else 409 `invalid_state`; 404 unknown). */
export async function lockExpectedInbound(tx: Db, id: string): Promise<InboundRow> {
  const [s] = await tx.select().from(inboundShipments).where(eq(inboundShipments.id, id)).for('update');
  if (!s) throw notFound('Inbound shipment', id);
  if (s.status !== 'expected') throw conflict('invalid_state', 'This inbound shipment was received already', { status: s.status });
  return s;
}

/**
 * The operator's count of an inbound shipment: every announced SKU counted exactly once (400
 * `count_missing`, `unknown_sku`, `duplicate_sku`, `invalid_quantity`); the items with expected
 * and received quantities.
 */
export function countInbound(s: InboundRow, input: ReceiveInput): Array<InboundItem & { received_quantity: number }> {
  const counted = new Map<string, number>();
  for (const it of input.items) {
    if (!s.items.some((x) => x.sku_id === it.sku_id)) throw badRequest('unknown_sku', `SKU ${it.sku_id} is not in this inbound shipment`, { sku_id: it.sku_id });
    if (counted.has(it.sku_id)) throw badRequest('duplicate_sku', `SKU ${it.sku_id} is counted twice`, { sku_id: it.sku_id });
    if (!Number.isSafeInteger(it.received_quantity) || it.received_quantity < 0 || it.received_quantity > MAX_QUANTITY) {
      throw badRequest('invalid_quantity', `Counted quantities are whole numbers from 0 to ${MAX_QUANTITY}`, { sku_id: it.sku_id });
    }
    counted.set(it.sku_id, it.received_quantity);
  }
  const missing = s.items.find((x) => !counted.has(x.sku_id));
  if (missing) throw badRequest('count_missing', `SKU ${missing.sku_id} was announced but not counted (send 0 if none arrived)`, { sku_id: missing.sku_id });
  return s.items.map((x) => ({ ...x, received_quantity: counted.get(x.sku_id)! }));
}

/**
 * Records the count (the flow `flows/managed-fulfilment.ts` put the goods on the shelf first):
 * `received`, or `received_with_discrepancies` when any count differs from the notice.
 */
export async function markInboundReceived(tx: Db, clock: Clock, id: string, operatorId: string, items: InboundItem[], noteText: string | undefined): Promise<InboundView> {
  const status: InboundStatus = items.every((x) => x.received_quantity === x.expected_quantity) ? 'received' : 'received_with_discrepancies';
  const note = noteText === undefined ? null : plainText(noteText, { multiline: true }) || null;
  const [row] = await tx
    .update(inboundShipments)
    .set({ status, items, note, receivedBy: operatorId, receivedAt: clock.now() })
    .where(eq(inboundShipments.id, id))
    .returning();
  return inboundView(row!);
}

// ---------------------------------------------------------------------------------------------
// Orders, returns and settlement of managed shops
// ---------------------------------------------------------------------------------------------

/**
 * Orders of managed shops in `status` (default `paid`: the platform's queue to ship), oldest
 * first, paginated by id.
 */
export async function listManagedOrders(db: Db, q: { status?: OrderStatus; limit?: number; cursor?: string }): Promise<{ data: OrderRow[]; next_cursor: string | null }> {
  const limit = q.limit ?? 20;
  checkIdCursor(q.cursor, 'ord');
  const shops = await db.selectDistinct({ shopId: managedSkus.shopId }).from(managedSkus).orderBy(asc(managedSkus.shopId));
  const pages = await Promise.all(
    shops.map(({ shopId }) => listOrdersByStatus(db, { statuses: [q.status ?? 'paid'], shopId, afterId: q.cursor, limit: limit + 1 })),
  );
  const { rows, next_cursor } = pageOf(pages.flat().sort((a, b) => (a.id < b.id ? -1 : 1)), limit);
  return { data: rows, next_cursor };
}

/**
 * A return of a managed order arrived (aftersales, `return_and_refund`): the returned units go
 * back on the shelf of the platform warehouse they were sold from (default: the platform's
 * default warehouse), once per case and item. `orderItemId` null: the whole order came back.
 */
export async function restockReturn(
  tx: Db,
  clock: Clock,
  r: { caseId: string; orderId: string; orderItemId: string | null; quantity: number | null },
): Promise<void> {
  const items = (await getOrderItems(tx, r.orderId)).filter((i) => r.orderItemId === null || i.id === r.orderItemId);
  if (items.length === 0) return;
  const soldFrom = new Map((await getReservations(tx, r.orderId)).filter((res) => res.status === 'committed').map((res) => [res.sku_id, res.warehouse_id]));
  const fallback = items.every((i) => soldFrom.has(i.skuId)) ? null : (await ensureDefaultWarehouse(tx, clock, null)).id;
  const now = clock.now();
  const back = await tx
    .insert(managedReturns)
    .values(
      items.map((i) => ({
        caseId: r.caseId,
        orderItemId: i.id,
        orderId: r.orderId,
        skuId: i.skuId,
        warehouseId: soldFrom.get(i.skuId) ?? fallback!,
        quantity: Math.min(r.orderItemId !== null && r.quantity !== null ? r.quantity : i.quantity, i.quantity),
        createdAt: now,
      })),
    )
    .onConflictDoNothing()
    .returning();
  await receiveStock(tx, clock, back.map((b) => ({ skuId: b.skuId, warehouseId: b.warehouseId, quantity: b.quantity })));
}

/**
 * What a managed order owes its shop per order item: the SKU's supply price × the units sold and
 * not returned (settlement bounds the total by what escrow still holds).
 */
export async function supplyOwed(db: Db, orderId: string): Promise<Map<string, number>> {
  const items = await getOrderItems(db, orderId);
  if (items.length === 0) return new Map();
  const [prices, returned] = await Promise.all([
    db.select({ skuId: managedSkus.skuId, price: managedSkus.supplyPrice }).from(managedSkus).where(inArray(managedSkus.skuId, items.map((i) => i.skuId))),
    db
      .select({ orderItemId: managedReturns.orderItemId, quantity: sql<number>`sum(${managedReturns.quantity})::int` })
      .from(managedReturns)
      .where(eq(managedReturns.orderId, orderId))
      .groupBy(managedReturns.orderItemId),
  ]);
  const priceOf = new Map(prices.map((p) => [p.skuId, p.price]));
  const back = new Map(returned.map((r) => [r.orderItemId, Number(r.quantity)]));
  return new Map(items.map((i) => [i.id, (priceOf.get(i.skuId) ?? 0) * Math.max(0, i.quantity - (back.get(i.id) ?? 0))]));
}
