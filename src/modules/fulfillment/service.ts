import type { Static } from '@sinclair/typebox';
import { and, asc, eq, gt, ne, sql } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { AppError, badRequest, conflict, forbidden, notFound } from '../../platform/errors.js';
import { emit } from '../../platform/events.js';
import { newId } from '../../platform/ids.js';
import { enqueue, type JobRunner } from '../../platform/jobs.js';
import { market } from '../../platform/markets.js';
import { plainText } from '../../platform/text.js';
import { cancelPaid } from '../orders/index.js';
import {
  addOrderEvents,
  getOrderForViewer,
  getOrderItems,
  lockOrder,
  paidOrdersShipByBefore,
  transitionOrder,
  type OrderRow,
} from '../orders/index.js';
import type { Providers } from '../payments/index.js';
import { getShop, requireShopMember } from '../sellers/index.js';
import type { Carrier, Carriers, TrackingEvent } from './carriers.js';
import { shipmentLifecycle, transitionShipment } from './lifecycle.js';
import { SANDBOX_CARRIER_EVENT_JOB, SandboxCarrier } from './sandbox-carrier.js';
import { registerShipByWarnings, SHIP_BY_WARNING_DEFAULT_MS, sweepShipByWarnings } from './ship-by.js';
import {
  fulfillmentFlags,
  replacementAllowances,
  shipments,
  slaBreaches,
  trackingEvents,
  type BreachKind,
  type FlagRule,
  type ShipmentItem,
  type ShipmentStatus,
} from './schema.js';
import type { ShipmentOut } from './views.js';

/**
 * Shipments, carrier tracking, SLA clocks and fake-tracking flags. Every time rule runs on the
 * injected clock through durable jobs, so tests and the simulation move time forward.
 */
export type ShipmentRow = typeof shipments.$inferSelect;

export const JOBS = {
  checkPickup: 'fulfillment.check_pickup',
  checkDelivery: 'fulfillment.check_delivery',
  checkScan: 'fulfillment.check_scan',
  complete: 'fulfillment.complete_order',
  dispatchSweep: 'fulfillment.dispatch_sweep',
} as const;
export const DISPATCH_SWEEP_EVERY_MS = 60 * 60_000;

function getCarrier(carriers: Carriers, name: string): Carrier {
  const c = carriers.get(name);
  if (!c) throw notFound('Carrier', name);
  return c;
}

const RANK: Record<ShipmentStatus, number> = { label_created: 0, picked_up: 1, in_transit: 2, out_for_delivery: 3, delivered: 4, exception: -1 };
const normPostal = (s: string | null | undefined) => (s ?? '').replace(/[\s-]/g, '').toUpperCase();
const after = (d: Date, ms: number) => new Date(d.getTime() + ms);

// ---------------------------------------------------------------------------------------------
// Breaches and flags
// ---------------------------------------------------------------------------------------------

export async function recordBreach(
  tx: Db,
  clock: Clock,
  b: { shopId: string; orderId: string; shipmentId: string | null; kind: BreachKind; dueAt: Date },
): Promise<boolean> {
  const res = await tx
    .insert(slaBreaches)
    .values({ id: newId('slb'), ...b, recordedAt: clock.now() })
    .onConflictDoNothing()
    .returning({ id: slaBreaches.id });
  if (res.length === 0) return false;
  await addOrderEvents(tx, clock, [{ orderId: b.orderId, type: 'sla_breached', data: { kind: b.kind, due_at: b.dueAt.toISOString(), shipment_id: b.shipmentId } }]);
  return true;
}

export async function flagShipment(tx: Db, clock: Clock, s: ShipmentRow, rule: FlagRule, details: Record<string, unknown> = {}): Promise<boolean> {
  const res = await tx
    .insert(fulfillmentFlags)
    .values({ id: newId('ffl'), shopId: s.shopId, orderId: s.orderId, shipmentId: s.id, rule, details, status: 'open', createdAt: clock.now() })
    .onConflictDoNothing()
    .returning({ id: fulfillmentFlags.id });
  if (res.length === 0) return false;
  await emit(tx, clock, { name: 'fulfillment.flagged', payload: { flag_id: res[0]!.id, order_id: s.orderId, shipment_id: s.id, rule } });
  await tx
    .update(shipments)
    .set({ flags: sql`(select coalesce(jsonb_agg(distinct f), '[]'::jsonb) from jsonb_array_elements_text(${shipments.flags} || ${JSON.stringify([rule])}::jsonb) f)` })
    .where(eq(shipments.id, s.id));
  await addOrderEvents(tx, clock, [{ orderId: s.orderId, type: 'fulfillment_flagged', data: { rule, shipment_id: s.id, ...details } }]);
  return true;
}

/** True while any fake-tracking flag of the order is open (escrow release must wait). */
export async function hasOpenFlags(db: Db, orderId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: fulfillmentFlags.id })
    .from(fulfillmentFlags)
    .where(and(eq(fulfillmentFlags.orderId, orderId), eq(fulfillmentFlags.status, 'open')))
    .limit(1);
  return row !== undefined;
}

export type FlagRow = typeof fulfillmentFlags.$inferSelect;

export async function listFlags(db: Db, filter: { orderId?: string; shopId?: string; status?: 'open' | 'cleared'; after?: string; limit?: number }): Promise<FlagRow[]> {
  const where = [
    filter.orderId ? eq(fulfillmentFlags.orderId, filter.orderId) : undefined,
    filter.shopId ? eq(fulfillmentFlags.shopId, filter.shopId) : undefined,
    filter.status ? eq(fulfillmentFlags.status, filter.status) : undefined,
    filter.after ? gt(fulfillmentFlags.id, filter.after) : undefined,
  ];
  const q = db.select().from(fulfillmentFlags).where(and(...where)).orderBy(asc(fulfillmentFlags.id));
  return filter.limit ? q.limit(filter.limit) : q;
}

/**
 * An operator reviewed a flag and found the shipment genuine: the flag is cleared with a note and
 * its escrow hold lifted by settlement on `fulfillment.flag_cleared` (the order settles once nothing
 * else holds it). Clearing twice is 409.
 */
export async function clearFlag(db: Db, clock: Clock, operatorId: string, flagId: string, rawNote: string): Promise<FlagRow> {
  const note = plainText(rawNote, { multiline: true });
  return db.transaction(async (tx) => {
    const [f] = await tx.select().from(fulfillmentFlags).where(eq(fulfillmentFlags.id, flagId)).for('update');
    if (!f) throw notFound('Flag', flagId);
    if (f.status !== 'open') throw conflict('invalid_state', 'This flag is already cleared', { status: f.status });
    const now = clock.now();
    const [row] = await tx
      .update(fulfillmentFlags)
      .set({ status: 'cleared', clearedBy: operatorId, clearedAt: now, note })
      .where(eq(fulfillmentFlags.id, flagId))
      .returning();
    await addOrderEvents(tx, clock, [{ orderId: f.orderId, type: 'fulfillment_flag_cleared', data: { flag_id: f.id, rule: f.rule, note } }]);
    await emit(tx, clock, { name: 'fulfillment.flag_cleared', payload: { flag_id: f.id, order_id: f.orderId } });
    return row!;
  });
}

export async function listBreaches(db: Db, filter: { orderId?: string; shopId?: string }) {
  const where = [filter.orderId ? eq(slaBreaches.orderId, filter.orderId) : undefined, filter.shopId ? eq(slaBreaches.shopId, filter.shopId) : undefined];
  return db.select().from(slaBreaches).where(and(...where)).orderBy(asc(slaBreaches.id));
}

// ---------------------------------------------------------------------------------------------
// Shipping
// ---------------------------------------------------------------------------------------------

export interface CreateShipmentInput {
  carrier: string;
  tracking_number?: string;
  items?: ShipmentItem[];
  /** Ships the replacement owed for this after-sales case (its items; the order may be delivered). */
  replacement_case_id?: string;
}

/**
 * After-sales resolved a replacement case for the buyer: the shop now owes these items once more
 * (shipped with `replacement_case_id`). Granting the same case twice is a no-op.
 */
export async function grantReplacement(tx: Db, clock: Clock, g: { caseId: string; orderId: string; items: ShipmentItem[] }): Promise<void> {
  const granted = await tx.insert(replacementAllowances).values({ ...g, createdAt: clock.now() }).onConflictDoNothing().returning({ caseId: replacementAllowances.caseId });
  if (granted.length > 0) await addOrderEvents(tx, clock, [{ orderId: g.orderId, type: 'replacement_owed', data: { case_id: g.caseId, items: g.items } }]);
}

/**
 * The order if the user ships it: a member of its shop; for a managed shop (the platform
 * fulfils) an operator, and its members get 403 `managed_fulfillment`. Anyone else 404.
 */
async function orderToShip(db: Db, userId: string, orderId: string, operator: boolean): Promise<OrderRow> {
  const order = await lockOrder(db, orderId);
  if (!order) throw notFound('Order', orderId);
  const managed = (await getShop(db, order.shopId)).mode === 'managed';
  if (managed && operator) return order;
  await requireShopMember(db, userId, order.shopId).catch((e: unknown) => {
    throw e instanceof AppError && e.code === 'not_found' ? notFound('Order', orderId) : e;
  });
  if (managed) throw forbidden('The platform ships the orders of a managed shop', 'managed_fulfillment');
  return order;
}

/**
 * A shop member (an operator for a managed shop, `opts.operator`) marks (part of) a paid order
 * shipped. Other tenants get 404. Items default to everything not shipped yet; quantities may
 * not exceed what is left. The order becomes `shipped` once every item is in a shipment.
 * Shipping after `ship_by` records `late_dispatch`.
 */
export async function createShipment(
  db: Db,
  clock: Clock,
  carriers: Carriers,
  userId: string,
  orderId: string,
  input: CreateShipmentInput,
  opts: { operator?: boolean } = {},
): Promise<ShipmentRow> {
  const viewed = await orderToShip(db, userId, orderId, opts.operator ?? false);
  const carrier = getCarrier(carriers, input.carrier);
  let tracking = input.tracking_number?.trim();
  const issued = !tracking;
  if (!tracking) {
    const label = await carrier.registerLabel({ orderId, postalCode: viewed.shippingAddress.postal_code });
    if (!label) throw badRequest('tracking_number_required', `Carrier ${carrier.name} needs a tracking number`);
    tracking = label.tracking_number;
  }
  return db.transaction(async (tx) => {
    const order = (await lockOrder(tx, orderId))!;
    const replacementCaseId = input.replacement_case_id ?? null;
    const shippable: OrderRow['status'][] = replacementCaseId ? ['shipped', 'delivered', 'completed'] : ['paid', 'shipped'];
    if (!shippable.includes(order.status)) throw conflict('invalid_state', `A ${order.status} order cannot be shipped`, { status: order.status });
    // One statement at a time: a transaction is one connection (pg 9 refuses overlapping queries).
    const items = await getOrderItems(tx, orderId);
    const existing = await tx.select().from(shipments).where(eq(shipments.orderId, orderId));
    const left = new Map(items.map((i) => [i.id, i.quantity]));
    for (const s of existing) if (s.replacementCaseId === null) for (const it of s.items) left.set(it.order_item_id, (left.get(it.order_item_id) ?? 0) - it.quantity);
    let wanted: ShipmentItem[];
    if (replacementCaseId) {
      const [owed] = await tx
        .select()
        .from(replacementAllowances)
        .where(and(eq(replacementAllowances.caseId, replacementCaseId), eq(replacementAllowances.orderId, orderId)))
        .for('update');
      if (!owed || owed.shipmentId !== null) throw conflict('no_replacement_owed', 'No replacement is owed for this case (or it was already shipped)');
      wanted = owed.items;
    } else if (input.items && input.items.length > 0) {
      const merged = new Map<string, number>();
      for (const it of input.items) merged.set(it.order_item_id, (merged.get(it.order_item_id) ?? 0) + it.quantity);
      wanted = [...merged].map(([order_item_id, quantity]) => ({ order_item_id, quantity }));
      for (const it of wanted) {
        if (!left.has(it.order_item_id)) throw badRequest('unknown_item', `Item ${it.order_item_id} is not in this order`);
        if (it.quantity > left.get(it.order_item_id)!) {
          throw conflict('quantity_exceeds_unshipped', `Only ${left.get(it.order_item_id)} of item ${it.order_item_id} left to ship`, { order_item_id: it.order_item_id });
        }
      }
    } else {
      wanted = [...left].filter(([, q]) => q > 0).map(([order_item_id, quantity]) => ({ order_item_id, quantity }));
    }
    if (wanted.length === 0) throw conflict('nothing_to_ship', 'Every item of this order is already shipped');
    if (existing.some((s) => s.carrier === carrier.name && s.trackingNumber === tracking)) {
      throw conflict('duplicate_tracking', 'This tracking number is already on this order');
    }
    const now = clock.now();
    const [s] = await tx
      .insert(shipments)
      .values({
        id: newId('spm'),
        orderId,
        shopId: order.shopId,
        carrier: carrier.name,
        trackingNumber: tracking,
        status: 'label_created',
        items: wanted,
        destinationPostalCode: order.shippingAddress.postal_code,
        flags: [],
        createdAt: now,
        replacementCaseId,
      })
      .returning();
    const shipment = s!;
    await addOrderEvents(tx, clock, [
      { orderId, type: 'shipment_created', data: { shipment_id: shipment.id, carrier: carrier.name, tracking_number: tracking, items: wanted, replacement_case_id: replacementCaseId } },
    ]);
    if (replacementCaseId) {
      await tx.update(replacementAllowances).set({ shipmentId: shipment.id }).where(eq(replacementAllowances.caseId, replacementCaseId));
    } else {
      // The first parcel makes the order `shipped` (it can no longer be cancelled); it is delivered
      // when every item is in a shipment and every shipment is delivered.
      for (const it of wanted) left.set(it.order_item_id, left.get(it.order_item_id)! - it.quantity);
      const complete = [...left.values()].every((q) => q <= 0);
      await transitionOrder(tx, clock, orderId, 'ship', { type: 'shipped', data: { complete } });
    }
    if (!replacementCaseId && order.shipBy && now > order.shipBy) {
      await recordBreach(tx, clock, { shopId: order.shopId, orderId, shipmentId: shipment.id, kind: 'late_dispatch', dueAt: order.shipBy });
    }
    // Fake tracking: the same tracking number on another order.
    const [reused] = await tx
      .select({ orderId: shipments.orderId })
      .from(shipments)
      .where(and(eq(shipments.carrier, carrier.name), eq(shipments.trackingNumber, tracking), ne(shipments.orderId, orderId)))
      .limit(1);
    if (reused) await flagShipment(tx, clock, shipment, 'tracking_reused', { other_order_id: reused.orderId });
    if (issued) await carrier.labelIssued?.(tx, { trackingNumber: tracking, postalCode: shipment.destinationPostalCode });
    const m = market(order.market);
    await enqueue(tx, clock, JOBS.checkPickup, { shipment_id: shipment.id }, { runAt: after(now, m.pickupWithinMs), uniqueKey: `${JOBS.checkPickup}:${shipment.id}` });
    await enqueue(tx, clock, JOBS.checkScan, { shipment_id: shipment.id }, { runAt: after(now, m.noScanFlagMs), uniqueKey: `${JOBS.checkScan}:${shipment.id}` });
    await emit(tx, clock, {
      name: 'shipment.shipped',
      payload: { shipment_id: shipment.id, order_id: orderId, shop_id: order.shopId, buyer_id: order.buyerId, carrier: carrier.name, carrier_name: { ...carrier.displayName }, tracking_number: tracking },
    });
    const [fresh] = await tx.select().from(shipments).where(eq(shipments.id, shipment.id));
    return fresh!;
  });
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

export type ShipmentView = Static<typeof ShipmentOut>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export async function shipmentView(db: Db, s: ShipmentRow): Promise<ShipmentView> {
  const [events, open] = await Promise.all([
    db.select().from(trackingEvents).where(eq(trackingEvents.shipmentId, s.id)).orderBy(asc(trackingEvents.at), asc(trackingEvents.id)),
    db
      .select({ id: fulfillmentFlags.id })
      .from(fulfillmentFlags)
      .where(and(eq(fulfillmentFlags.shipmentId, s.id), eq(fulfillmentFlags.status, 'open')))
      .limit(1),
  ]);
  return {
    id: s.id,
    order_id: s.orderId,
    shop_id: s.shopId,
    carrier: s.carrier,
    tracking_number: s.trackingNumber,
    status: s.status,
    items: s.items,
    destination_postal_code: s.destinationPostalCode,
    flags: s.flags,
    has_open_flags: open.length > 0,
    created_at: s.createdAt.toISOString(),
    picked_up_at: iso(s.pickedUpAt),
    delivered_at: iso(s.deliveredAt),
    receipt_confirmed_at: iso(s.receiptConfirmedAt),
    timeline: events.map((e) => ({ status: e.status, at: e.at.toISOString(), postal_code: e.postalCode, description: e.description })),
  };
}

/** A shipment for the buyer of its order or a member of its shop; an operator (support, trust & safety) reads any. Others: 404. */
export async function getShipmentForViewer(db: Db, userId: string, shipmentId: string, opts: { operator?: boolean } = {}): Promise<ShipmentView> {
  const [s] = await db.select().from(shipments).where(eq(shipments.id, shipmentId));
  if (!s) throw notFound('Shipment', shipmentId);
  if (opts.operator) return shipmentView(db, s);
  try {
    await getOrderForViewer(db, userId, s.orderId);
  } catch (e) {
    if (e instanceof AppError && e.code === 'not_found') throw notFound('Shipment', shipmentId);
    throw e;
  }
  return shipmentView(db, s);
}

export async function listShipmentsOfOrder(db: Db, orderId: string): Promise<ShipmentRow[]> {
  return db.select().from(shipments).where(eq(shipments.orderId, orderId)).orderBy(asc(shipments.id));
}

// ---------------------------------------------------------------------------------------------
// Carrier webhooks
// ---------------------------------------------------------------------------------------------

/**
 * `POST /v1/webhooks/carriers/{carrier}`: verifies the signature (401, nothing recorded), then in
 * one transaction records each event once per shipment of its tracking number (a replay changes
 * nothing) and applies it. An event older than the shipment's last one is kept in the timeline
 * but never moves the status back.
 */
export async function receiveCarrierWebhook(
  db: Db,
  clock: Clock,
  carriers: Carriers,
  carrierName: string,
  rawBody: Buffer | string,
  headers: Record<string, string | string[] | undefined>,
): Promise<{ received: number; applied: number; duplicates: number }> {
  const carrier = getCarrier(carriers, carrierName);
  const events = carrier.verifyWebhook(rawBody, headers);
  return db.transaction(async (tx) => {
    let applied = 0;
    let duplicates = 0;
    for (const ev of events) {
      const targets = await tx
        .select()
        .from(shipments)
        .where(and(eq(shipments.carrier, carrier.name), eq(shipments.trackingNumber, ev.tracking_number)))
        .orderBy(asc(shipments.id))
        .for('update');
      for (const s of targets) {
        if (await applyTrackingEvent(tx, clock, s, ev)) applied++;
        else duplicates++;
      }
    }
    return { received: events.length, applied, duplicates };
  });
}

async function applyTrackingEvent(tx: Db, clock: Clock, s: ShipmentRow, ev: TrackingEvent): Promise<boolean> {
  const [{ n: before } = { n: 0 }] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(trackingEvents)
    .where(eq(trackingEvents.shipmentId, s.id));
  const inserted = await tx
    .insert(trackingEvents)
    .values({
      id: newId('tev'),
      shipmentId: s.id,
      carrier: s.carrier,
      carrierEventId: ev.event_id,
      status: ev.status,
      at: ev.at,
      postalCode: ev.postal_code,
      description: ev.description,
      receivedAt: clock.now(),
    })
    .onConflictDoNothing()
    .returning({ id: trackingEvents.id });
  if (inserted.length === 0) return false;

  const [order] = await tx.select().from(shipments).where(eq(shipments.id, s.id));
  const cur = order!;
  const orderRow = (await lockOrder(tx, s.orderId))!;
  const m = market(orderRow.market);

  if (before === 0 && ev.at.getTime() < orderRow.createdAt.getTime() - 24 * 3_600_000) {
    await flagShipment(tx, clock, cur, 'first_event_before_order', { event_at: ev.at.toISOString(), order_created_at: orderRow.createdAt.toISOString() });
  }

  // Everything but the status; the status moves only through the lifecycle table.
  const patch: Omit<Partial<typeof shipments.$inferInsert>, 'status'> = {};
  const newer = cur.lastEventAt === null || ev.at > cur.lastEventAt;
  // A newer scan the table allows moves the parcel; the first delivery scan does even when older.
  const moves = (newer || ev.status === 'delivered') && shipmentLifecycle.next(cur.status, ev.status) !== null;
  if (moves) patch.lastEventAt = ev.at;
  let pickedUpAt = cur.pickedUpAt;
  if (ev.status !== 'label_created' && ev.status !== 'exception' && (pickedUpAt === null || ev.at < pickedUpAt) && ev.status === 'picked_up') {
    pickedUpAt = ev.at;
  } else if (pickedUpAt === null && RANK[ev.status] > 1) {
    pickedUpAt = ev.at;
  }
  if (pickedUpAt && pickedUpAt !== cur.pickedUpAt) {
    patch.pickedUpAt = pickedUpAt;
    const pickupDue = after(cur.createdAt, m.pickupWithinMs);
    if (pickedUpAt > pickupDue) await recordBreach(tx, clock, { shopId: cur.shopId, orderId: cur.orderId, shipmentId: cur.id, kind: 'late_pickup', dueAt: pickupDue });
    if (cur.pickedUpAt === null) {
      await enqueue(tx, clock, JOBS.checkDelivery, { shipment_id: cur.id }, { runAt: after(pickedUpAt, m.deliveryWithinMs), uniqueKey: `${JOBS.checkDelivery}:${cur.id}` });
    }
  }
  if (ev.status === 'delivered' && cur.deliveredAt === null) {
    patch.deliveredAt = ev.at;
    await checkDeliveredInTime(tx, clock, cur, orderRow.market, pickedUpAt, ev.at);
    if (ev.postal_code !== null && normPostal(ev.postal_code) !== normPostal(cur.destinationPostalCode)) {
      await flagShipment(tx, clock, cur, 'postal_code_mismatch', { expected: cur.destinationPostalCode, delivered_to: ev.postal_code });
    }
  }
  if (moves) await transitionShipment(tx, cur.id, ev.status, { from: cur.status, set: patch });
  else if (Object.keys(patch).length > 0) await tx.update(shipments).set(patch).where(eq(shipments.id, cur.id));
  // The timeline entry is dated by the scan (when the carrier says it happened), as the shipment's events are.
  await addOrderEvents(tx, clock, [{ orderId: cur.orderId, type: 'tracking', at: ev.at, data: { shipment_id: cur.id, status: ev.status, at: ev.at.toISOString(), description: ev.description } }]);
  if (patch.deliveredAt) await maybeDeliverOrder(tx, clock, orderRow);
  return true;
}

/** The order is delivered when every item is shipped and every shipment delivered; completion is scheduled. */
async function maybeDeliverOrder(tx: Db, clock: Clock, order: OrderRow): Promise<void> {
  if (order.status !== 'shipped') return;
  const parcels = await listShipmentsOfOrder(tx, order.id);
  const items = await getOrderItems(tx, order.id);
  const all = parcels.filter((s) => s.replacementCaseId === null);
  if (all.length === 0 || all.some((s) => s.deliveredAt === null)) return;
  // Delivered when its last parcel was: that scan's own time, not when we heard of it — but never
  // later than now (a carrier's clock ahead of ours must not lengthen the after-sales window) nor
  // before the last label was made (nothing is delivered before it ships).
  const scanned = Math.max(...all.map((s) => s.deliveredAt!.getTime()));
  const labelled = Math.max(...all.map((s) => s.createdAt.getTime()));
  const deliveredAt = new Date(Math.min(clock.now().getTime(), Math.max(scanned, labelled)));
  const shipped = new Map<string, number>();
  for (const s of all) for (const it of s.items) shipped.set(it.order_item_id, (shipped.get(it.order_item_id) ?? 0) + it.quantity);
  if (items.some((i) => (shipped.get(i.id) ?? 0) < i.quantity)) return;
  if (await transitionOrder(tx, clock, order.id, 'deliver', { type: 'delivered' }, deliveredAt)) await orderDelivered(tx, clock, order, deliveredAt);
}

/**
 * The order was just delivered (its last parcel's scan, or the buyer's confirmation): the buyer
 * hears of it (`order.delivered`) and the after-sales window starts at `deliveredAt` (the order's
 * `delivered_at`, which after-sales checks the window against); when it ends the order completes
 * and settlement releases its escrow.
 */
export async function orderDelivered(tx: Db, clock: Clock, order: OrderRow, deliveredAt: Date = clock.now()): Promise<void> {
  await emit(tx, clock, { name: 'order.delivered', payload: { order_id: order.id, shop_id: order.shopId, buyer_id: order.buyerId } });
  const runAt = after(deliveredAt, market(order.market).afterSalesWindowMs);
  await enqueue(tx, clock, JOBS.complete, { order_id: order.id }, { runAt, uniqueKey: `${JOBS.complete}:${order.id}` });
}

/** A `late_delivery` breach when the parcel, picked up, is delivered at `at` after its due time. */
export async function checkDeliveredInTime(tx: Db, clock: Clock, s: ShipmentRow, market_: string, pickedUpAt: Date | null, at: Date): Promise<void> {
  if (!pickedUpAt) return;
  const due = after(pickedUpAt, market(market_).deliveryWithinMs);
  if (at > due) await recordBreach(tx, clock, { shopId: s.shopId, orderId: s.orderId, shipmentId: s.id, kind: 'late_delivery', dueAt: due });
}

// ---------------------------------------------------------------------------------------------
// SLA jobs
// ---------------------------------------------------------------------------------------------

async function lockedShipment(tx: Db, id: string): Promise<ShipmentRow | undefined> {
  const [s] = await tx.select().from(shipments).where(eq(shipments.id, id)).for('update');
  return s;
}

async function checkPickup(tx: Db, clock: Clock, shipmentId: string): Promise<void> {
  const s = await lockedShipment(tx, shipmentId);
  if (!s) return;
  const order = (await lockOrder(tx, s.orderId))!;
  const due = after(s.createdAt, market(order.market).pickupWithinMs);
  // A parcel the buyer confirmed as received without any carrier scan was handed over by then at the latest.
  const handedOver = s.pickedUpAt ?? s.deliveredAt;
  if (handedOver === null || handedOver > due) await recordBreach(tx, clock, { shopId: s.shopId, orderId: s.orderId, shipmentId: s.id, kind: 'late_pickup', dueAt: due });
}

async function checkDelivery(tx: Db, clock: Clock, shipmentId: string): Promise<void> {
  const s = await lockedShipment(tx, shipmentId);
  if (!s || s.pickedUpAt === null) return;
  const order = (await lockOrder(tx, s.orderId))!;
  const due = after(s.pickedUpAt, market(order.market).deliveryWithinMs);
  if (s.deliveredAt === null || s.deliveredAt > due) await recordBreach(tx, clock, { shopId: s.shopId, orderId: s.orderId, shipmentId: s.id, kind: 'late_delivery', dueAt: due });
}

async function checkScan(tx: Db, clock: Clock, shipmentId: string): Promise<void> {
  const s = await lockedShipment(tx, shipmentId);
  // Delivered (the buyer confirmed receipt, if no carrier scanned it): there is nothing to suspect.
  if (!s || s.deliveredAt !== null) return;
  const [ev] = await tx.select({ id: trackingEvents.id }).from(trackingEvents).where(eq(trackingEvents.shipmentId, s.id)).limit(1);
  if (!ev) await flagShipment(tx, clock, s, 'no_scan_48h', { shipped_at: s.createdAt.toISOString() });
}

async function completeOrder(tx: Db, clock: Clock, orderId: string): Promise<void> {
  if (await transitionOrder(tx, clock, orderId, 'complete', { type: 'completed' })) await emit(tx, clock, { name: 'order.completed', payload: { order_id: orderId } });
}

/**
 * Paid orders with no shipment at ship-by + grace are cancelled and refunded
 * (`not_shipped_in_time`) with a `late_dispatch` breach. Runs hourly on the clock.
 */
export async function sweepOverdueDispatch(db: Db, clock: Clock, providers: Providers): Promise<number> {
  const now = clock.now();
  const candidates = await paidOrdersShipByBefore(db, now);
  let cancelled = 0;
  for (const o of candidates) {
    if (!o.shipBy || after(o.shipBy, market(o.market).autoCancelGraceMs) > now) continue;
    const [shipped] = await db.select({ id: shipments.id }).from(shipments).where(eq(shipments.orderId, o.id)).limit(1);
    if (shipped) continue;
    try {
      await db.transaction(async (tx) => {
        await cancelPaid(tx, clock, providers, o.id, 'not_shipped_in_time');
        await recordBreach(tx, clock, { shopId: o.shopId, orderId: o.id, shipmentId: null, kind: 'late_dispatch', dueAt: o.shipBy! });
      });
      cancelled++;
    } catch (e) {
      // Shipped or cancelled meanwhile: nothing to do.
      if (!(e instanceof AppError && e.code === 'invalid_transition')) throw e;
    }
  }
  return cancelled;
}

export async function scheduleDispatchSweep(db: Db, clock: Clock): Promise<void> {
  await enqueue(db, clock, JOBS.dispatchSweep, {}, { uniqueKey: 'recurring:fulfillment_dispatch_sweep' });
}

/**
 * The fulfilment jobs. The hourly dispatch sweep cancels overdue orders and warns of near ship-by
 * times (`shipByWarningMs` before them, default 12 h: LOOPSHOP_SHIP_BY_WARNING_HOURS).
 */
export function registerFulfillmentJobs(jobs: JobRunner, clock: Clock, providers: Providers, carriers: Carriers, opts: { shipByWarningMs?: number } = {}): void {
  const id = (p: unknown) => (p as { shipment_id: string }).shipment_id;
  jobs.register(JOBS.checkPickup, (tx, p) => checkPickup(tx, clock, id(p)));
  jobs.register(JOBS.checkDelivery, (tx, p) => checkDelivery(tx, clock, id(p)));
  jobs.register(JOBS.checkScan, (tx, p) => checkScan(tx, clock, id(p)));
  jobs.register(JOBS.complete, (tx, p) => completeOrder(tx, clock, (p as { order_id: string }).order_id));
  jobs.register(JOBS.dispatchSweep, async (tx) => {
    await sweepOverdueDispatch(tx, clock, providers);
    await sweepShipByWarnings(tx, clock, opts.shipByWarningMs ?? SHIP_BY_WARNING_DEFAULT_MS);
    await enqueue(tx, clock, JOBS.dispatchSweep, {}, { runAt: after(clock.now(), DISPATCH_SWEEP_EVERY_MS) });
  });
  registerShipByWarnings(jobs, clock);
  jobs.register(SANDBOX_CARRIER_EVENT_JOB, async (tx, payload) => {
    // `carrier`: the sandbox that scheduled the scan (jobs enqueued before it was named: `sandbox`).
    const { carrier = 'sandbox', event } = payload as { carrier?: string; event: Parameters<SandboxCarrier['sign']>[0][number] };
    const sandbox = carriers.get(carrier);
    if (!(sandbox instanceof SandboxCarrier)) return;
    const { rawBody, headers } = sandbox.sign([event]);
    await receiveCarrierWebhook(tx, clock, carriers, sandbox.name, rawBody, headers);
  });
}


/** SLA breaches recorded and fake-tracking flags raised in [from, to), and flags still open: the operator overview. */
export async function fulfillmentIncidentCounts(db: Db, from: Date, to: Date): Promise<{ sla_breaches: number; flags: number; open_flags: number }> {
  const within = (col: typeof slaBreaches.recordedAt | typeof fulfillmentFlags.createdAt) =>
    sql`${col} >= ${from.toISOString()}::timestamptz and ${col} < ${to.toISOString()}::timestamptz`;
  const [breaches] = await db.select({ n: sql<number>`count(*)::int` }).from(slaBreaches).where(within(slaBreaches.recordedAt));
  const [flags] = await db
    .select({ raised: sql<number>`(count(*) filter (where ${within(fulfillmentFlags.createdAt)}))::int`, open: sql<number>`(count(*) filter (where ${fulfillmentFlags.status} = 'open'))::int` })
    .from(fulfillmentFlags);
  return { sla_breaches: breaches?.n ?? 0, flags: flags?.raised ?? 0, open_flags: flags?.open ?? 0 };
}
