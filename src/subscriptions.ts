import { EventSubscriptions } from './platform/events.js';
import { subscribeAnalytics } from './modules/analytics/index.js';
import { subscribeNotifications } from './modules/notifications/index.js';
import { itemsOfOrders, ordersOfPayment } from './modules/orders/index.js';
import { memberIdsOfShop } from './modules/sellers/index.js';
import { subscribeSettlement } from './modules/settlement/index.js';

/**
 * Every durable subscriber and projection of the domain events (decision 019), wired in one
 * place: the application (src/app.ts) and the demo history, which runs its own job runner on a
 * clock of its own, both call this and then `register` it on their runner. Lower modules get
 * what they need of higher ones here (module order: decision 021). `email` queues an email for
 * each notification (SMTP configured); `inbox: false` keeps the inbox subscribed but silent — the
 * demo's synthetic past is nobody's news.
 */
export function subscribeAll(opts: { email?: boolean; inbox?: boolean } = {}): EventSubscriptions {
  const events = new EventSubscriptions();
  subscribeSettlement(events);
  subscribeAnalytics(events, async (tx, paymentId, orderIds) => ({
    orders: (await ordersOfPayment(tx, paymentId)).filter((o) => orderIds.includes(o.id)),
    items: itemsOfOrders(tx, orderIds),
  }));
  subscribeNotifications(events, { shopMembers: memberIdsOfShop, ordersOfPayment }, opts);
  return events;
}
