import { and, type SQL } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { Db } from '../../platform/db.js';
import { applyTransition, defineLifecycle, statusMayTake, tryTransition, type TransitionOptions } from '../../platform/lifecycle.js';
import { ORDER_STATUSES, orders, type OrderStatus } from './schema.js';

/**
 * The order lifecycle (DESIGN.md "State machines"): the ONE table of allowed order transitions.
 * Every order status write goes through `applyOrderTransition` / `tryOrderTransition` (one
 * conditional update with the from-state in the WHERE), or, for checkout's set-based statements
 * over all orders of a payment, through a WHERE built by `orderMayTake` from this table.
 *
 * A partial refund changes no status (the order keeps its state and `refunded_amount` shows the
 * refund); `refunded` is a full refund after payment outside a cancellation (decision 017).
 */
export const ORDER_EVENTS = ['pay', 'decline', 'expire', 'cancel', 'ship', 'deliver', 'confirm_receipt', 'complete', 'refund'] as const;
export type OrderEvent = (typeof ORDER_EVENTS)[number];

export const orderLifecycle = defineLifecycle({
  name: 'order',
  states: ORDER_STATUSES,
  events: ORDER_EVENTS,
  initial: ['pending_payment'],
  transitions: [
    { from: 'pending_payment', event: 'pay', to: 'paid', guard: 'the payment was captured while its stock was still held' },
    { from: 'pending_payment', event: 'decline', to: 'cancelled', guard: 'the provider declined the card' },
    { from: 'pending_payment', event: 'expire', to: 'cancelled', guard: 'the stock hold ran out before the payment completed' },
    { from: ['pending_payment', 'paid'], event: 'cancel', to: 'cancelled', guard: 'unpaid: its buyer (the shop never sees it); paid: buyer, shop, SLA sweep, trust freeze, provider refund: refundOrder of what escrow holds + restock' },
    { from: 'paid', event: 'ship', to: 'shipped', guard: 'the first parcel of the order was handed to a carrier' },
    { from: 'shipped', event: 'deliver', to: 'delivered', guard: 'every item is in a shipment and every shipment is delivered' },
    { from: 'shipped', event: 'confirm_receipt', to: 'delivered', guard: 'the buyer confirmed receipt and every item is in a shipment' },
    { from: 'delivered', event: 'complete', to: 'completed', guard: 'the after-sales window has passed' },
    { from: ['paid', 'shipped', 'delivered', 'completed'], event: 'refund', to: 'refunded', guard: 'everything captured is back with the buyer (refundOrder)' },
  ],
});

/** Timestamps written with the status, by event. */
function stampsOf(event: OrderEvent, now: Date): PgUpdateSetSource<typeof orders> {
  switch (event) {
    case 'pay':
      return { paidAt: now };
    case 'deliver':
    case 'confirm_receipt':
      return { deliveredAt: now };
    case 'complete':
      return { completedAt: now };
    case 'decline':
    case 'expire':
    case 'cancel':
      return { cancelledAt: now };
    default:
      return {};
  }
}

const target = { table: orders, id: orders.id, status: orders.status };

export interface OrderTransitionOptions extends Omit<TransitionOptions, 'set'> {
  /** When it happens (the injected clock's now): `updated_at` and the event's timestamp. */
  now: Date;
  /** When the fact happened when that is not now (the carrier's delivery scan): the event's timestamp only. */
  happenedAt?: Date;
  /** Other columns written in the same update (e.g. `cancelReason`, `shipBy`, `refundedAmount`). */
  set?: PgUpdateSetSource<typeof orders>;
}

const optionsOf = (event: OrderEvent, opts: OrderTransitionOptions): TransitionOptions => ({
  ...(opts.from !== undefined ? { from: opts.from } : {}),
  ...(opts.where ? { where: opts.where } : {}),
  set: { updatedAt: opts.now, ...stampsOf(event, opts.happenedAt ?? opts.now), ...(opts.set ?? {}) },
});

/**
 * Applies `event` to order `id` (one conditional update, the from-state in the WHERE), writing
 * `updated_at` and the event's timestamp; 404 for an unknown order, 409 `invalid_transition`
 * (nothing written) when the table does not allow the event in the order's state.
 */
export async function applyOrderTransition(db: Db, id: string, event: OrderEvent, opts: OrderTransitionOptions): Promise<{ from: OrderStatus; to: OrderStatus }> {
  return applyTransition(db, orderLifecycle, target, id, event, optionsOf(event, opts));
}

/** `applyOrderTransition`, but null instead of an error when the order is missing or may not take the event. */
export async function tryOrderTransition(db: Db, id: string, event: OrderEvent, opts: OrderTransitionOptions): Promise<{ from: OrderStatus; to: OrderStatus } | null> {
  return tryTransition(db, orderLifecycle, target, id, event, optionsOf(event, opts));
}

/**
 * For set-based statements over many orders: `status IN (states that may take event)` from the
 * table, ANDed with `where`, and the columns the event writes (status, `updated_at`, timestamp).
 */
export function orderMayTake(event: OrderEvent, where: SQL | undefined, now: Date): { where: SQL; set: PgUpdateSetSource<typeof orders> } {
  const to = new Set(orderLifecycle.rules.filter((r) => r.event === event).map((r) => r.to));
  if (to.size !== 1) throw new Error(`order: "${event}" leads to more than one state; apply it per order`);
  const [status] = [...to] as [OrderStatus];
  return {
    where: and(statusMayTake(orderLifecycle, orders.status, event), where)!,
    set: { status, updatedAt: now, ...stampsOf(event, now) },
  };
}
