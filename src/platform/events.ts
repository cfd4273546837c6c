import { eq, sql } from 'drizzle-orm';
import type { Clock } from './clock.js';
import type { Db } from './db.js';
import { rows } from './db.js';
import { newId } from './ids.js';
import type { JobRunner } from './jobs.js';
import { enqueue } from './jobs.js';
import { domainEvents, eventDeliveries } from './schema.js';

/**
 * Domain events (decision 019): a module tells others about a fact without importing them.
 *
 * - `emit(tx, clock, event)` writes the event into the outbox (`domain_events`) in the caller's
 *   transaction, with one delivery job per durable subscriber the catalog names: a rolled-back
 *   fact delivers nothing, a committed one is never lost.
 * - Delivery runs on the durable jobs (`FOR UPDATE SKIP LOCKED`, retried with backoff), so it is
 *   spread over every server process and at least once. Each delivery writes a record
 *   (`event_deliveries`, one per event and subscriber) in the transaction of its handler: a second
 *   delivery of the same event to the same subscriber changes nothing.
 * - Projections (`EventSubscriptions.project`) run inside `emit`, in the fact's transaction: a
 *   record that must be exact the moment the fact commits (analytics' order and refund facts,
 *   which dashboards recount right after a checkout or refund). They commit or roll back with it.
 * - In-process listeners (`onEvent`) are told synchronously when the event is emitted in this
 *   process, before the transaction commits. They are for caches only (the feed's index), which
 *   must tolerate a fact that commits a moment later or not at all.
 * - `notify(event)` tells in-process listeners only, for notices whose record already is their
 *   own table (view events: `analytics_events`).
 */

/** The catalog: every event's name and payload, checked at compile time. Payloads are JSON. */
export interface DomainEvents {
  /** A seller or an operator changed a product's status (draft, live, suspended). */
  'product.status_changed': { product_id: string; status: string };
  /** A video became ready and is published. */
  'video.published': { video_id: string };
  /** A video was deleted by its creator (with its caption: analytics still names it). */
  'video.removed': { video_id: string; caption: string };
  /** A video's caption or anchors changed. */
  'video.changed': { video_id: string; what: 'caption' | 'anchors' };
  /** Trust & safety set a shop's status and limits (decision 012). */
  'shop.restrictions_changed': { shop_id: string; status: string };
  /** View events were stored for a sender (`u:<user id>` or `d:<device id>`); a notice only. */
  'views.recorded': { actor: string; views: Array<{ videoId: string; at: number }> };
  /** A checkout's payment was captured: its orders are paid. */
  'order.paid': { order_ids: string[]; payment_id: string };
  /** An order was completed (its after-sales window closed). */
  'order.completed': { order_id: string };
  /** A fulfilment flag (fake tracking) was raised on a shipment. */
  'fulfillment.flagged': { flag_id: string; order_id: string; shipment_id: string; rule: string };
  /** An operator cleared a fulfilment flag. */
  'fulfillment.flag_cleared': { flag_id: string; order_id: string };
  /** A buyer opened an after-sales case. */
  'case.opened': { case_id: string; order_id: string; type: string; shop_id: string; buyer_id: string };
  /** An after-sales case moved (the seller answered, it was escalated or decided, …): its new `status`. */
  'case.moved': { case_id: string; order_id: string; shop_id: string; buyer_id: string; status: string };
  /** A deadline of a shop is near and nothing was done yet (`case_answer`: an after-sales case unanswered). */
  'sla.breach_near': { shop_id: string; kind: 'case_answer'; case_id: string; order_id: string; due_at: string };
  /** A paid order is not shipped yet and its ship-by deadline (`ship_by`) is near; emitted once per order. */
  'order.ship_by_near': { order_id: string; shop_id: string; ship_by: string };
  /** A parcel of an order was handed to its carrier (a shipment was created). */
  'shipment.shipped': {
    shipment_id: string;
    order_id: string;
    shop_id: string;
    buyer_id: string;
    carrier: string;
    /** The carrier's name as people read it, by language (absent in events written before it was added). */
    carrier_name?: { en: string; 'zh-CN': string };
    tracking_number: string;
  };
  /** Every item of an order is delivered: the order is `delivered`. */
  'order.delivered': { order_id: string; shop_id: string; buyer_id: string };
  /** An order's escrow was settled; `creators`: each attributed creator's earning from it. */
  'order.settled': { order_id: string; shop_id: string; currency: string; creators: Array<{ creator_id: string; amount: number }> };
  /** A payout reached its payee (the rail reported it paid). */
  'payout.paid': { payout_id: string; payee_type: 'shop' | 'creator'; payee_id: string; amount: number; currency: string };
  /** A seller application was decided: approved (with its shop), rejected (by an operator or the automatic checks) or sent back with questions. */
  'application.decided': { application_id: string; applicant_id: string; decision: 'approved' | 'rejected' | 'needs_info'; shop_id: string | null };
  /** Money went back to an order's buyer (a refund recorded once per provider refund). */
  'refund.posted': { refund_id: string; order_id: string; shop_id: string; buyer_id: string; amount: number; currency: string };
  /** A paid order was cancelled (and what escrow held refunded); `reason` as on the order. */
  'order.cancelled': { order_id: string; shop_id: string; buyer_id: string; reason: string };
  /**
   * Trust & safety took, reversed or upheld (appeal denied) an action on a shop. `reason` is the
   * action's reason (taken), the operator's (reversed) or the decision's text (appeal denied);
   * `limits` are the action's effective parameters.
   */
  'shop.health_action': {
    shop_id: string;
    action_id: string;
    action_type: 'warning' | 'listing_limit' | 'order_cap' | 'payout_hold' | 'suspension' | 'freeze';
    change: 'taken' | 'reversed' | 'appeal_denied';
    reason: string;
    via?: 'operator' | 'appeal';
    limits: { max_new_listings_per_day: number; max_orders_per_day: number; reserve_bps: number };
  };
  /** A market cut over to the closed loop: per link owner, the external links turned off and captions flagged. */
  'links.cut_over': {
    market: string;
    owners: Array<{ user_id: string; anchors: Array<{ id: string; kind: string; video_id: string | null; url: string; title: string | null }>; flagged_videos: string[] }>;
  };
}

export type EventName = keyof DomainEvents;
export type DomainEvent<N extends EventName = EventName> = { [K in N]: { name: K; payload: DomainEvents[K] } }[N];

/**
 * Who emits each event and which durable subscribers receive it (`<module>.<purpose>`). A
 * subscriber named here gets a delivery job for every emitted event; `subscribe` accepts only
 * the names listed here. `projections` run in the emitting transaction; `project` accepts only
 * those listed. Cache listeners (`onEvent`) are listed under `listeners` for the docs.
 */
export const EVENT_CATALOG: {
  readonly [N in EventName]: { emittedBy: string; subscribers: readonly string[]; projections?: readonly string[]; listeners?: readonly string[]; localOnly?: true };
} = {
  'product.status_changed': { emittedBy: 'catalog', subscribers: [], listeners: ['feed'] },
  'video.published': { emittedBy: 'content', subscribers: [], listeners: ['feed'] },
  'video.removed': { emittedBy: 'content', subscribers: [], projections: ['analytics.facts'], listeners: ['feed'] },
  'video.changed': { emittedBy: 'content', subscribers: [], listeners: ['feed'] },
  'shop.restrictions_changed': { emittedBy: 'sellers', subscribers: [], listeners: ['feed'] },
  'views.recorded': { emittedBy: 'analytics', subscribers: [], listeners: ['feed'], localOnly: true },
  'order.paid': { emittedBy: 'orders', subscribers: ['notifications.inbox'], projections: ['analytics.facts'] },
  'order.completed': { emittedBy: 'fulfillment', subscribers: ['settlement.release'] },
  'fulfillment.flagged': { emittedBy: 'fulfillment', subscribers: ['settlement.hold'] },
  'fulfillment.flag_cleared': { emittedBy: 'fulfillment', subscribers: ['settlement.hold'] },
  'case.opened': { emittedBy: 'aftersales', subscribers: ['notifications.inbox'] },
  'case.moved': { emittedBy: 'aftersales', subscribers: ['notifications.inbox'] },
  'sla.breach_near': { emittedBy: 'aftersales', subscribers: ['notifications.inbox'] },
  'order.ship_by_near': { emittedBy: 'fulfillment', subscribers: ['notifications.inbox'] },
  'shipment.shipped': { emittedBy: 'fulfillment', subscribers: ['notifications.inbox'] },
  'order.delivered': { emittedBy: 'fulfillment', subscribers: ['notifications.inbox'] },
  'order.settled': { emittedBy: 'settlement', subscribers: ['notifications.inbox'] },
  'payout.paid': { emittedBy: 'settlement', subscribers: ['notifications.inbox'] },
  'application.decided': { emittedBy: 'sellers', subscribers: ['notifications.inbox'] },
  'refund.posted': { emittedBy: 'orders', subscribers: ['notifications.inbox'], projections: ['analytics.facts'] },
  'order.cancelled': { emittedBy: 'orders', subscribers: ['notifications.inbox'] },
  'shop.health_action': { emittedBy: 'trust', subscribers: ['notifications.inbox'] },
  'links.cut_over': { emittedBy: 'flows/cutover', subscribers: ['notifications.inbox'] },
};

export const DELIVER_EVENT_JOB = 'events.deliver';

export type EventHandler<N extends EventName> = (tx: Db, clock: Clock, payload: DomainEvents[N], event: { id: string; occurredAt: Date }) => Promise<void>;
type Listener<N extends EventName> = (payload: DomainEvents[N]) => void;

const listeners = new Map<EventName, Set<Listener<never>>>();
/**
 * Projection handlers by `<event> <projection>`. Process-wide, because `emit` has only the
 * transaction: wiring a projection again (another application in this process) replaces it.
 */
const projectionHandlers = new Map<string, EventHandler<EventName>>();

/** Writes the event in the caller's transaction and queues its deliveries; tells local listeners. */
export async function emit<N extends EventName>(tx: Db, clock: Clock, event: DomainEvent<N>): Promise<string> {
  const entry = EVENT_CATALOG[event.name];
  if (entry.localOnly) throw new Error(`event "${event.name}" is a local notice: use notify()`);
  const id = newId('dom');
  const now = clock.now();
  await tx.insert(domainEvents).values({ id, name: event.name, payload: event.payload as object, occurredAt: now });
  for (const projection of entry.projections ?? []) {
    const handler = projectionHandlers.get(`${event.name} ${projection}`);
    if (!handler) throw new Error(`projection "${projection}" of "${event.name}" is not wired (createApp wires it)`);
    await handler(tx, clock, event.payload as never, { id, occurredAt: now });
  }
  for (const subscriber of entry.subscribers) {
    await enqueue(tx, clock, DELIVER_EVENT_JOB, { event_id: id, subscriber }, { runAt: now, uniqueKey: `${DELIVER_EVENT_JOB}:${id}:${subscriber}`, maxAttempts: 10 });
  }
  tellListeners(event);
  return id;
}

/** Tells this process's listeners only (nothing is stored). */
export function notify<N extends EventName>(event: DomainEvent<N>): void {
  tellListeners(event);
}

function tellListeners<N extends EventName>(event: DomainEvent<N>): void {
  for (const listener of listeners.get(event.name) ?? []) (listener as Listener<N>)(event.payload);
}

/** Listens in this process to events emitted in this process; returns the unsubscribe function. */
export function onEvent<N extends EventName>(name: N, listener: Listener<N>): () => void {
  const set = listeners.get(name) ?? new Set();
  listeners.set(name, set);
  set.add(listener as Listener<never>);
  return () => void set.delete(listener as Listener<never>);
}

/**
 * The durable subscribers of one application, wired in the composition root: `subscribe` each
 * handler, then `register` the delivery job on the application's job runner.
 */
export class EventSubscriptions {
  readonly #handlers = new Map<string, EventHandler<EventName>>();

  subscribe<N extends EventName>(name: N, subscriber: string, handler: EventHandler<N>): this {
    if (!EVENT_CATALOG[name].subscribers.includes(subscriber)) throw new Error(`"${subscriber}" is not a subscriber of "${name}" in EVENT_CATALOG`);
    const key = `${name} ${subscriber}`;
    if (this.#handlers.has(key)) throw new Error(`"${subscriber}" subscribed to "${name}" twice`);
    this.#handlers.set(key, handler as EventHandler<EventName>);
    return this;
  }

  /** Runs `handler` inside every `emit` of `name`, in the fact's transaction (catalog: `projections`). */
  project<N extends EventName>(name: N, projection: string, handler: EventHandler<N>): this {
    if (!(EVENT_CATALOG[name].projections ?? []).includes(projection)) throw new Error(`"${projection}" is not a projection of "${name}" in EVENT_CATALOG`);
    projectionHandlers.set(`${name} ${projection}`, handler as EventHandler<EventName>);
    return this;
  }

  /** Every subscriber and projection the catalog names must have a handler here. */
  register(jobs: JobRunner, clock: Clock): void {
    for (const [name, entry] of Object.entries(EVENT_CATALOG)) {
      for (const subscriber of entry.subscribers) {
        if (!this.#handlers.has(`${name} ${subscriber}`)) throw new Error(`no handler for "${subscriber}" of "${name}"`);
      }
      for (const projection of entry.projections ?? []) {
        if (!projectionHandlers.has(`${name} ${projection}`)) throw new Error(`no handler for projection "${projection}" of "${name}"`);
      }
    }
    jobs.register(DELIVER_EVENT_JOB, async (tx, p) => {
      const { event_id, subscriber } = p as { event_id: string; subscriber: string };
      await this.deliver(tx, clock, event_id, subscriber);
    });
  }

  /** Runs one subscriber on one event, once: false when it was delivered before. */
  async deliver(tx: Db, clock: Clock, eventId: string, subscriber: string): Promise<boolean> {
    const [event] = await tx.select().from(domainEvents).where(eq(domainEvents.id, eventId));
    if (!event) throw new Error(`domain event ${eventId} not found`);
    const handler = this.#handlers.get(`${event.name} ${subscriber}`);
    if (!handler) throw new Error(`no handler for "${subscriber}" of "${event.name}"`);
    const first = await rows<{ event_id: string }>(
      tx,
      sql`insert into ${eventDeliveries} (event_id, subscriber, delivered_at) values (${eventId}, ${subscriber}, ${clock.now()})
          on conflict do nothing returning event_id`,
    );
    if (first.length === 0) return false;
    await handler(tx, clock, event.payload as never, { id: event.id, occurredAt: event.occurredAt });
    return true;
  }
}
