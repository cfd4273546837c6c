import type { Db } from '../../platform/db.js';
import type { DomainEvents, EventName, EventSubscriptions } from '../../platform/events.js';
import { notify, type NewNotification } from './service.js';

/**
 * What notifications needs of modules above it to find recipients (decision 021); the
 * composition root hands it in.
 */
export interface Recipients {
  /** The user ids of a shop's members. */
  shopMembers: (tx: Db, shopId: string) => Promise<string[]>;
}

type Rule<N extends EventName> = (tx: Db, event: DomainEvents[N], recipients: Recipients) => Promise<NewNotification[]>;

type HealthAction = DomainEvents['shop.health_action'];

const TITLES: Record<HealthAction['action_type'], string> = {
  warning: 'Warning about your shop’s health',
  listing_limit: 'New listings are limited',
  order_cap: 'Daily orders are capped',
  payout_hold: 'Payouts are held back',
  suspension: 'Your shop is suspended',
  freeze: 'Your shop is frozen',
};

function effectText(e: HealthAction): string {
  switch (e.action_type) {
    case 'warning':
      return 'No restriction yet; further breaches lead to limits.';
    case 'listing_limit':
      return `You may create at most ${e.limits.max_new_listings_per_day} products per day.`;
    case 'order_cap':
      return `Your shop takes at most ${e.limits.max_orders_per_day} orders per day.`;
    case 'payout_hold':
      return `${e.limits.reserve_bps / 100}% of what you earn stays in reserve and is not paid out while the hold is active.`;
    case 'suspension':
      return 'Your products are off sale and payouts are held; open orders and after-sales continue.';
    case 'freeze':
      return 'Your shop stopped answering: open orders were cancelled and refunded, open cases decided for the buyers, and payouts are held.';
  }
}

function healthNotice(e: HealthAction): Pick<NewNotification, 'type' | 'title' | 'body'> {
  switch (e.change) {
    case 'taken':
      return { type: 'shop_action', title: TITLES[e.action_type], body: `${e.reason} ${effectText(e)} You can appeal this decision.` };
    case 'reversed':
      return { type: 'shop_action_reversed', title: `Lifted: ${TITLES[e.action_type].toLowerCase()}`, body: `An operator reversed this action${e.via === 'appeal' ? ' on your appeal' : ''}: ${e.reason}` };
    case 'appeal_denied':
      return { type: 'shop_action_appeal_denied', title: 'Your appeal was denied', body: e.reason };
  }
}

/**
 * Who is told what, per event (delivered after the fact commits, once: decision 019). Adding a
 * notification is one entry here, with `notifications.inbox` among the event's subscribers in
 * EVENT_CATALOG.
 */
export const NOTIFICATION_RULES: { readonly [N in EventName]?: Rule<N> } = {
  'shop.health_action': async (tx, e, recipients) => {
    const notice = healthNotice(e);
    return (await recipients.shopMembers(tx, e.shop_id)).map((userId) => ({ userId, ...notice, data: { shop_id: e.shop_id, action_id: e.action_id, action_type: e.action_type } }));
  },
  'order.cancelled': async (_tx, e) =>
    e.reason !== 'seller_frozen'
      ? []
      : [
          {
            userId: e.buyer_id,
            type: 'order_cancelled_seller_frozen',
            title: 'Your order was cancelled and refunded',
            body: 'The shop stopped answering, so the platform cancelled your order and refunded you in full.',
            data: { order_id: e.order_id, shop_id: e.shop_id },
          },
        ],
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
    })),
};

/** Subscribes the inbox to every event that has a rule. */
export function subscribeNotifications(events: EventSubscriptions, recipients: Recipients): void {
  for (const [name, rule] of Object.entries(NOTIFICATION_RULES) as Array<[EventName, Rule<EventName>]>) {
    events.subscribe(name, 'notifications.inbox', async (tx, clock, e) => notify(tx, clock, await rule(tx, e as never, recipients)));
  }
}
