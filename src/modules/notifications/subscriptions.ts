import type { Db } from '../../platform/db.js';
import type { DomainEvents, EventName, EventSubscriptions } from '../../platform/events.js';
import { queueEmail } from './email.js';
import { notify, templated, type NewNotification } from './service.js';

/**
 * What notifications needs of modules above it to find recipients (decision 021); the
 * composition root hands it in.
 */
export interface Recipients {
  /** The user ids of a shop's members. */
  shopMembers: (tx: Db, shopId: string) => Promise<string[]>;
  /** The orders a payment paid (id, shop, amount). */
  ordersOfPayment: (tx: Db, paymentId: string) => Promise<Array<{ id: string; shopId: string; total: number; currency: string }>>;
}

type Rule<N extends EventName> = (tx: Db, event: DomainEvents[N], recipients: Recipients) => Promise<NewNotification[]>;

/** The web app's pages where each person acts (web/src/App.tsx). */
const page = {
  buyerOrder: (orderId: string) => `/orders/${orderId}`,
  sellerOrder: (orderId: string) => `/seller/orders/${orderId}`,
  sellerCase: (caseId: string) => `/seller/after-sales/${caseId}`,
  sellerHealth: '/seller/health',
  sellerFinance: '/seller/finance',
  creator: '/creator',
  apply: '/apply',
  seller: '/seller',
};

const toMembers = async (tx: Db, recipients: Recipients, shopId: string, type: string, params: Record<string, unknown>, link: string) =>
  (await recipients.shopMembers(tx, shopId)).map((userId) => templated(userId, type, params, link));

/**
 * Who is told what, per event (delivered after the fact commits, once: decision 019). Adding a
 * notification is one entry here, with `notifications.inbox` among the event's subscribers in
 * EVENT_CATALOG.
 */
export const NOTIFICATION_RULES: { readonly [N in EventName]?: Rule<N> } = {
  'shop.health_action': async (tx, e, recipients) => {
    const type = { taken: 'shop_action', reversed: 'shop_action_reversed', appeal_denied: 'shop_action_appeal_denied' }[e.change];
    const params = { shop_id: e.shop_id, action_id: e.action_id, action_type: e.action_type, reason: e.reason, ...(e.via ? { via: e.via } : {}), limits: e.limits };
    return toMembers(tx, recipients, e.shop_id, type, params, page.sellerHealth);
  },
  'order.cancelled': async (_tx, e) =>
    e.reason !== 'seller_frozen'
      ? []
      : [templated(e.buyer_id, 'order_cancelled_seller_frozen', { order_id: e.order_id, shop_id: e.shop_id }, page.buyerOrder(e.order_id))],
  'links.cut_over': async (_tx, e) =>
    e.owners.map((o) => ({
      userId: o.user_id,
      type: 'links.cutover',
      title: `External links are off in ${e.market}`,
      body:
        `The ${e.market} market now keeps the whole purchase inside Loopshop. ${o.anchors.length} external link(s) were turned off` +
        (o.flagged_videos.length > 0 ? ` and ${o.flagged_videos.length} caption(s) with links need an edit.` : '.') +
        ' Import your catalog and anchor your products instead.',
      data: { market: e.market, anchors: o.anchors, flagged_videos: o.flagged_videos },
      link: '/notifications',
    })),
  'order.paid': async (tx, e, recipients) => {
    const paid = (await recipients.ordersOfPayment(tx, e.payment_id)).filter((o) => e.order_ids.includes(o.id));
    const perOrder = await Promise.all(
      paid.map((o) => toMembers(tx, recipients, o.shopId, 'order_paid', { order_id: o.id, amount: o.total, currency: o.currency }, page.sellerOrder(o.id))),
    );
    return perOrder.flat();
  },
  'case.opened': async (tx, e, recipients) => toMembers(tx, recipients, e.shop_id, 'case_opened', { case_id: e.case_id, order_id: e.order_id, case_type: e.type }, page.sellerCase(e.case_id)),
  'case.moved': async (tx, e, recipients) => {
    const params = { case_id: e.case_id, order_id: e.order_id };
    const toBuyer = (type: string, extra: Record<string, unknown> = {}) => templated(e.buyer_id, type, { ...params, ...extra }, page.buyerOrder(e.order_id));
    switch (e.status) {
      case 'seller_accepted':
        return [toBuyer('case_accepted')];
      case 'seller_rejected':
        return [toBuyer('case_rejected')];
      case 'escalated':
        return toMembers(tx, recipients, e.shop_id, 'case_escalated', params, page.sellerCase(e.case_id));
      case 'resolved_buyer':
      case 'resolved_seller': {
        const inFavourOf = e.status === 'resolved_buyer' ? 'buyer' : 'seller';
        return [toBuyer('case_decided', { in_favour_of: inFavourOf }), ...(await toMembers(tx, recipients, e.shop_id, 'case_decided', { ...params, in_favour_of: inFavourOf }, page.sellerCase(e.case_id)))];
      }
      default:
        return [];
    }
  },
  'sla.breach_near': async (tx, e, recipients) =>
    toMembers(tx, recipients, e.shop_id, 'case_answer_due', { case_id: e.case_id, order_id: e.order_id, due_at: e.due_at }, page.sellerCase(e.case_id)),
  'order.ship_by_near': async (tx, e, recipients) =>
    toMembers(tx, recipients, e.shop_id, 'ship_by_due', { order_id: e.order_id, due_at: e.ship_by }, page.sellerOrder(e.order_id)),
  'shipment.shipped': async (_tx, e) => [
    templated(
      e.buyer_id,
      'shipment_shipped',
      { order_id: e.order_id, shipment_id: e.shipment_id, carrier: e.carrier, ...(e.carrier_name ? { carrier_name: e.carrier_name } : {}), tracking_number: e.tracking_number },
      page.buyerOrder(e.order_id),
    ),
  ],
  'order.delivered': async (_tx, e) => [templated(e.buyer_id, 'order_delivered', { order_id: e.order_id }, page.buyerOrder(e.order_id))],
  'refund.posted': async (_tx, e) => [
    templated(e.buyer_id, 'refund_posted', { order_id: e.order_id, refund_id: e.refund_id, amount: e.amount, currency: e.currency }, page.buyerOrder(e.order_id)),
  ],
  'order.settled': async (_tx, e) => e.creators.map((c) => templated(c.creator_id, 'earning_settled', { order_id: e.order_id, amount: c.amount, currency: e.currency }, page.creator)),
  'payout.paid': async (tx, e, recipients) => {
    const params = { payout_id: e.payout_id, amount: e.amount, currency: e.currency };
    return e.payee_type === 'shop' ? toMembers(tx, recipients, e.payee_id, 'payout_paid', params, page.sellerFinance) : [templated(e.payee_id, 'payout_paid', params, page.creator)];
  },
  'application.decided': async (_tx, e) => [
    templated(e.applicant_id, `application_${e.decision}`, { application_id: e.application_id, shop_id: e.shop_id }, e.decision === 'approved' ? page.seller : page.apply),
  ],
};

/**
 * Subscribes the inbox to every event that has a rule. With `email` on, each notification written
 * is also queued for the email job (email.ts), after the fact committed. With `inbox: false` the
 * events are delivered to the inbox and dropped.
 */
export function subscribeNotifications(events: EventSubscriptions, recipients: Recipients, opts: { email?: boolean; inbox?: boolean } = {}): void {
  for (const [name, rule] of Object.entries(NOTIFICATION_RULES) as Array<[EventName, Rule<EventName>]>) {
    events.subscribe(name, 'notifications.inbox', async (tx, clock, e, event) => {
      if (opts.inbox === false) return;
      const ids = await notify(tx, clock, await rule(tx, e as never, recipients), event.id);
      if (opts.email) for (const id of ids) await queueEmail(tx, clock, id);
    });
  }
}
