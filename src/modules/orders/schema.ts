import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import type { CartSource } from '../cart/schema.js';
import { payments } from '../payments/schema.js';
import { minorUnits, requiredRef, timestamps, timestamptz } from '../../platform/columns.js';

/**
 * Order states (DESIGN.md): pending_payment → paid → shipped → delivered → completed, side exits
 * `cancelled` and `refunded` (fully refunded after payment, outside a cancellation). A partial
 * refund keeps the status and shows in `refunded_amount` (decision 017). Transitions:
 * lifecycle.ts.
 */
export const ORDER_STATUSES = ['pending_payment', 'paid', 'shipped', 'delivered', 'completed', 'cancelled', 'refunded'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface ShippingAddress {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postal_code: string;
  country: string;
  phone?: string;
}

/**
 * One order per shop per checkout. Amounts are minor units of `currency`, computed by the server
 * at checkout and frozen here. `shop_id`, `buyer_id` carry no foreign key into other modules'
 * tables (decision 005: no key-share locks on hot shop rows during a flash sale).
 */
export const orders = pgTable(
  'orders',
  {
    id: text('id').primaryKey(),
    buyerId: text('buyer_id').notNull(),
    shopId: text('shop_id').notNull(),
    /** The shop's market at checkout (tax rate and ship window came from it). */
    market: text('market').notNull(),
    paymentId: requiredRef('payment_id', () => payments.id),
    status: text('status', { enum: ORDER_STATUSES }).notNull(),
    currency: text('currency').notNull(),
    subtotal: minorUnits('subtotal').notNull(),
    shippingFee: minorUnits('shipping_fee').notNull(),
    tax: minorUnits('tax').notNull(),
    total: minorUnits('total').notNull(),
    shippingAddress: jsonb('shipping_address').$type<ShippingAddress>().notNull(),
    shipBy: timestamptz('ship_by'),
    paidAt: timestamptz('paid_at'),
    deliveredAt: timestamptz('delivered_at'),
    completedAt: timestamptz('completed_at'),
    /** Refunded so far (cancellation, after-sales, partial or full: all through refundOrder); escrow holds total − refunded until released. */
    refundedAmount: minorUnits('refunded_amount').notNull().default(0),
    cancelledAt: timestamptz('cancelled_at'),
    /** payment_declined · payment_expired · cancelled_by_buyer · cancelled_by_seller */
    cancelReason: text('cancel_reason'),
    ...timestamps(),
  },
  (t) => [
    index('orders_buyer_idx').on(t.buyerId, t.id),
    index('orders_shop_idx').on(t.shopId, t.id),
    index('orders_payment_idx').on(t.paymentId),
    check('orders_amounts', sql`${t.subtotal} >= 0 and ${t.shippingFee} >= 0 and ${t.tax} >= 0 and ${t.total} = ${t.subtotal} + ${t.shippingFee} + ${t.tax}`),
  ],
);

export const orderItems = pgTable(
  'order_items',
  {
    id: text('id').primaryKey(),
    orderId: requiredRef('order_id', () => orders.id),
    skuId: text('sku_id').notNull(),
    productId: text('product_id').notNull(),
    title: text('title').notNull(),
    optionValues: jsonb('option_values').$type<string[]>().notNull(),
    image: text('image'),
    unitPrice: minorUnits('unit_price').notNull(),
    quantity: integer('quantity').notNull(),
    lineTotal: minorUnits('line_total').notNull(),
    source: jsonb('source').$type<CartSource>().notNull().default({}),
    /** Frozen at checkout from the product: the creator's affiliate rate and the category (settlement). */
    affiliateRateBps: integer('affiliate_rate_bps').notNull().default(0),
    category: text('category'),
  },
  (t) => [
    index('order_items_order_idx').on(t.orderId),
    check('order_items_amounts', sql`${t.quantity} > 0 and ${t.unitPrice} >= 0 and ${t.lineTotal} = ${t.unitPrice} * ${t.quantity}`),
  ],
);

/** The order's timeline. */
export const orderEvents = pgTable(
  'order_events',
  {
    id: text('id').primaryKey(),
    orderId: requiredRef('order_id', () => orders.id),
    type: text('type').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull().default({}),
    at: timestamptz('at').notNull(),
  },
  (t) => [index('order_events_order_idx').on(t.orderId, t.id)],
);
