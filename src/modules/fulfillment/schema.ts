import { sql } from 'drizzle-orm';
import { check, index, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { requiredRef, timestamptz } from '../../platform/columns.js';

/** Shipment states (DESIGN.md): label_created → picked_up → in_transit → out_for_delivery → delivered, exception. */
export const SHIPMENT_STATUSES = ['label_created', 'picked_up', 'in_transit', 'out_for_delivery', 'delivered', 'exception'] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

export const BREACH_KINDS = ['late_dispatch', 'late_pickup', 'late_delivery'] as const;
export type BreachKind = (typeof BREACH_KINDS)[number];

export const FLAG_RULES = ['no_scan_48h', 'tracking_reused', 'first_event_before_order', 'postal_code_mismatch'] as const;
export type FlagRule = (typeof FLAG_RULES)[number];

export interface ShipmentItem {
  order_item_id: string;
  quantity: number;
}

/**
 * One parcel of an order. `order_id`, `shop_id` carry no foreign key into other modules' tables.
 * The same (carrier, tracking number) may appear on several orders: that is what the
 * `tracking_reused` rule flags, so it is unique only per order.
 */
export const shipments = pgTable(
  'shipments',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull(),
    shopId: text('shop_id').notNull(),
    carrier: text('carrier').notNull(),
    trackingNumber: text('tracking_number').notNull(),
    status: text('status', { enum: SHIPMENT_STATUSES }).notNull(),
    items: jsonb('items').$type<ShipmentItem[]>().notNull(),
    destinationPostalCode: text('destination_postal_code').notNull(),
    flags: jsonb('flags').$type<string[]>().notNull().default([]),
    /** When the seller marked it shipped (the label). */
    createdAt: timestamptz('created_at').notNull(),
    pickedUpAt: timestamptz('picked_up_at'),
    deliveredAt: timestamptz('delivered_at'),
    /** When the buyer confirmed receipt, delivering it before (or without) the carrier's delivery scan. */
    receiptConfirmedAt: timestamptz('receipt_confirmed_at'),
    /** Carrier time of the event that set `status` (older events never move it back). */
    lastEventAt: timestamptz('last_event_at'),
    /** Set on a replacement parcel: the after-sales case it answers (not part of the order's own delivery). */
    replacementCaseId: text('replacement_case_id'),
  },
  (t) => [
    uniqueIndex('shipments_tracking_order_idx').on(t.carrier, t.trackingNumber, t.orderId),
    index('shipments_order_idx').on(t.orderId),
    index('shipments_shop_idx').on(t.shopId, t.id),
  ],
);

/**
 * A replacement the shop owes (granted by after-sales when a replacement case resolves for the
 * buyer); the shop ships it once with `replacement_case_id`.
 */
export const replacementAllowances = pgTable(
  'replacement_allowances',
  {
    caseId: text('case_id').primaryKey(),
    orderId: text('order_id').notNull(),
    items: jsonb('items').$type<ShipmentItem[]>().notNull(),
    shipmentId: text('shipment_id'),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [index('replacement_allowances_order_idx').on(t.orderId)],
);

/** Carrier scans as received; applied once per (carrier event, shipment). */
export const trackingEvents = pgTable(
  'tracking_events',
  {
    id: text('id').primaryKey(),
    shipmentId: requiredRef('shipment_id', () => shipments.id),
    carrier: text('carrier').notNull(),
    carrierEventId: text('carrier_event_id').notNull(),
    status: text('status', { enum: SHIPMENT_STATUSES }).notNull(),
    at: timestamptz('at').notNull(),
    postalCode: text('postal_code'),
    description: text('description').notNull().default(''),
    receivedAt: timestamptz('received_at').notNull(),
  },
  (t) => [
    uniqueIndex('tracking_events_carrier_event_idx').on(t.carrier, t.carrierEventId, t.shipmentId),
    index('tracking_events_shipment_idx').on(t.shipmentId, t.at),
  ],
);

/** SLA breaches counted against a shop, at most one per order and kind. */
export const slaBreaches = pgTable(
  'sla_breaches',
  {
    id: text('id').primaryKey(),
    shopId: text('shop_id').notNull(),
    orderId: text('order_id').notNull(),
    shipmentId: text('shipment_id'),
    kind: text('kind', { enum: BREACH_KINDS }).notNull(),
    dueAt: timestamptz('due_at').notNull(),
    recordedAt: timestamptz('recorded_at').notNull(),
  },
  (t) => [uniqueIndex('sla_breaches_order_kind_idx').on(t.orderId, t.kind), index('sla_breaches_shop_idx').on(t.shopId, t.id)],
);

/** Fake-tracking flags: block escrow release while open, count against the shop. */
export const fulfillmentFlags = pgTable(
  'fulfillment_flags',
  {
    id: text('id').primaryKey(),
    shopId: text('shop_id').notNull(),
    orderId: text('order_id').notNull(),
    shipmentId: text('shipment_id').notNull(),
    rule: text('rule', { enum: FLAG_RULES }).notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    status: text('status', { enum: ['open', 'cleared'] }).notNull().default('open'),
    createdAt: timestamptz('created_at').notNull(),
    /** The operator who cleared it, when, and why. */
    clearedBy: text('cleared_by'),
    clearedAt: timestamptz('cleared_at'),
    note: text('note'),
  },
  (t) => [
    uniqueIndex('fulfillment_flags_shipment_rule_idx').on(t.shipmentId, t.rule),
    index('fulfillment_flags_order_idx').on(t.orderId),
    index('fulfillment_flags_shop_idx').on(t.shopId, t.id),
    check('fulfillment_flags_status', sql`${t.status} in ('open', 'cleared')`),
  ],
);
