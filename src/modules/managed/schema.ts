import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { minorUnits, requiredRef, timestamps, timestamptz } from '../../platform/columns.js';

export const OFFER_STATUSES = ['submitted', 'accepted', 'rejected'] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];

/** One variant a managed shop offers to supply: its option values, supply price and how many it can supply. */
export interface OfferVariant {
  option_values: string[];
  /** Minor units of the offer's currency. */
  supply_price: number;
  quantity_available: number;
  /** Set when the offer is accepted: the listed SKU and its retail price (minor units). */
  sku_id?: string;
  retail_price?: number;
}

/**
 * A managed shop's supply offer (fully-managed mode): the goods and their supply prices. An
 * operator accepts it (sets retail prices; the listing is created under the platform's
 * operation, `product_id`) or rejects it with a note. `shop_id` carries no foreign key into
 * another module's table.
 */
export const supplyOffers = pgTable(
  'supply_offers',
  {
    id: text('id').primaryKey(),
    shopId: text('shop_id').notNull(),
    status: text('status', { enum: OFFER_STATUSES }).notNull(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    category: text('category'),
    images: jsonb('images').$type<string[]>().notNull().default([]),
    optionNames: jsonb('option_names').$type<string[]>().notNull().default([]),
    variants: jsonb('variants').$type<OfferVariant[]>().notNull(),
    currency: text('currency').notNull(),
    productId: text('product_id'),
    /** The platform warehouse the stock is to be sent to (set on acceptance). */
    warehouseId: text('warehouse_id'),
    note: text('note'),
    submittedBy: text('submitted_by').notNull(),
    reviewedBy: text('reviewed_by'),
    reviewedAt: timestamptz('reviewed_at'),
    ...timestamps(),
  },
  (t) => [index('supply_offers_shop_idx').on(t.shopId, t.id), index('supply_offers_status_idx').on(t.status, t.id)],
);

/** A SKU listed from an accepted offer, with the supply price the seller is paid per unit sold. */
export const managedSkus = pgTable(
  'managed_skus',
  {
    skuId: text('sku_id').primaryKey(),
    shopId: text('shop_id').notNull(),
    productId: text('product_id').notNull(),
    offerId: requiredRef('offer_id', () => supplyOffers.id),
    supplyPrice: minorUnits('supply_price').notNull(),
    currency: text('currency').notNull(),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [index('managed_skus_shop_idx').on(t.shopId), check('managed_skus_supply_positive', sql`${t.supplyPrice} > 0`)],
);

export const INBOUND_STATUSES = ['expected', 'received', 'received_with_discrepancies'] as const;
export type InboundStatus = (typeof INBOUND_STATUSES)[number];

/** An item of an inbound shipment: announced quantity, counted quantity once received. */
export interface InboundItem {
  sku_id: string;
  expected_quantity: number;
  received_quantity: number | null;
}

/** A managed shop's advance notice of goods sent to a platform warehouse; operators receive it once. */
export const inboundShipments = pgTable(
  'inbound_shipments',
  {
    id: text('id').primaryKey(),
    shopId: text('shop_id').notNull(),
    warehouseId: text('warehouse_id').notNull(),
    carrier: text('carrier'),
    trackingNumber: text('tracking_number'),
    status: text('status', { enum: INBOUND_STATUSES }).notNull(),
    items: jsonb('items').$type<InboundItem[]>().notNull(),
    note: text('note'),
    createdBy: text('created_by').notNull(),
    receivedBy: text('received_by'),
    receivedAt: timestamptz('received_at'),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [index('inbound_shipments_shop_idx').on(t.shopId, t.id), index('inbound_shipments_status_idx').on(t.status, t.id)],
);

/**
 * Units of a managed order that came back (a received return) and were put back on the platform
 * warehouse's shelf, once per case and item. Settlement pays the seller only for units kept.
 */
export const managedReturns = pgTable(
  'managed_returns',
  {
    caseId: text('case_id').notNull(),
    orderItemId: text('order_item_id').notNull(),
    orderId: text('order_id').notNull(),
    skuId: text('sku_id').notNull(),
    warehouseId: text('warehouse_id').notNull(),
    quantity: integer('quantity').notNull(),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.caseId, t.orderItemId] }),
    index('managed_returns_order_idx').on(t.orderId),
    check('managed_returns_quantity_positive', sql`${t.quantity} > 0`),
  ],
);
