import type { SQLWrapper } from 'drizzle-orm';
import type { Db } from '../../platform/db.js';
import type { EventSubscriptions } from '../../platform/events.js';
import { recordServerEvent, type PaidOrderFact } from './service.js';

/**
 * What analytics needs of the orders module, which sits above it (decision 021): the paid orders
 * of a payment with their items (a query over order items: order_id, product_id, sku_id,
 * quantity, line_total, affiliate_rate_bps, source). The composition root hands it in.
 */
export type PaidOrdersOf = (tx: Db, paymentId: string, orderIds: string[]) => Promise<{ orders: PaidOrderFact[]; items: SQLWrapper }>;

/**
 * Analytics records the order, refund and video-removal facts as projections (decision 019): in the fact's own
 * transaction, so the dashboards equal a recount the moment the payment or refund commits.
 */
export function subscribeAnalytics(events: EventSubscriptions, paidOrdersOf: PaidOrdersOf): void {
  events.project('order.paid', 'analytics.facts', async (tx, clock, e) =>
    recordServerEvent(tx, clock, { type: 'order_paid', ...(await paidOrdersOf(tx, e.payment_id, e.order_ids)) }),
  );
  events.project('refund.posted', 'analytics.facts', (tx, clock, e) =>
    recordServerEvent(tx, clock, { type: 'refund', refundId: e.refund_id, orderId: e.order_id, shopId: e.shop_id, buyerId: e.buyer_id, amount: e.amount, currency: e.currency }),
  );
  events.project('video.removed', 'analytics.facts', (tx, clock, e) => recordServerEvent(tx, clock, { type: 'video_removed', videoId: e.video_id, caption: e.caption }));
}
