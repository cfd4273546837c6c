import { DAY, HOUR, MINUTE, SettableClock, type Clock } from '../platform/clock.js';
import type { Db } from '../platform/db.js';
import { JobRunner } from '../platform/jobs.js';
import { appendHistory, rollupEvents, type HistoricEvent } from '../modules/analytics/index.js';
import { escalateCase, openCase, rejectCase } from '../modules/aftersales/index.js';
import { addCartItem } from '../modules/cart/index.js';
import { createShipment, registerFulfillmentJobs, SandboxCarrier, type Scenario } from '../modules/fulfillment/index.js';
import { getAvailability, getStockLevels, receiveStock, registerInventoryJobs } from '../modules/inventory/index.js';
import { checkout, registerCheckoutJobs, registerReleaseJobs } from '../flows/index.js';
import { getOrderItems } from '../modules/orders/index.js';
import { SANDBOX_CARDS } from '../modules/payments/index.js';
import { createReview } from '../modules/reviews/index.js';
import { registerSettlementJobs } from '../modules/settlement/index.js';
import { Random } from '../simulate/random.js';
import type { Strategies } from '../strategies.js';
import { subscribeAll } from '../subscriptions.js';
import { seedDemoStoreLinks } from './links.js';
import { isTutorial, localSlot, type SeededDemoVideo } from './videos.js';

/**
 * Demo history: 90 days of synthetic app traffic and real orders before the clock's now, so the
 * dashboards and the feed are alive on first start. Deterministic for a seed (the simulator's
 * PRNG); placed relative to now, so the exact counts shift a little with the weekday it runs on.
 *
 * - Events (impressions, views with watch time, product clicks, add-to-carts, checkouts) go in
 *   with a few multi-row inserts (analytics `appendHistory`).
 * - Orders are real: cart → checkout with the sandbox card (ledger entries, stock, the
 *   `order_paid` fact at its time) → shipped by the seller → the sandbox carrier's scans → the
 *   order completes and its escrow is released, with the jobs of those modules run on a clock
 *   that walks through the history. Orders from the last day or two are still waiting to ship.
 * - The patterns to find: tutorials (`#tutorial` in the caption) posted on Friday at 20:00 in
 *   their shop's time zone complete and convert best; products whose lowest price is in the
 *   SWEET_SPOT band are put in carts most often.
 * - The demo buyer's own orders in the demo seller's shop, one in each state a person acts on
 *   (JOURNEY): completed and reviewed, delivered and reviewable, delivered with an open case the
 *   seller must answer, shipped and in transit, paid and waiting to ship. Their timings are fixed
 *   (no draws from the PRNG), so the rest of the history is the same with or without them.
 * - External store links on a few of the demo creator's videos and on the creator's and seller's
 *   profiles, with their click-outs (src/demo/links.ts): the semi-closed loop before a cut-over.
 * - What sold is restocked at the end, so the catalog's stock is what the seed gave it.
 * Then the rollup job folds everything in.
 */
export const HISTORY_DAYS = 90;
export const HISTORY_SEED = 20_210_912;
/** Lowest-price band (minor units, [min, max)) with the highest add-to-cart rate. */
export const SWEET_SPOT = { min: 2500, max: 5000 };
/** Publish slot (ISO weekday, hour in the shop's time zone) where tutorials do best. */
export const PRIME_SLOT = { weekday: 5, hour: 20 };

export interface HistoryWorld {
  /** The demo applicant (with the history; '' without). */
  applicantId: string;
  creatorId: string;
  /** The demo buyer and the demo seller's shop: the buyer's JOURNEY orders are placed there. */
  journey: { buyerId: string; shopId: string };
  buyerIds: string[];
  shops: Array<{ id: string; ownerId: string; timezone: string }>;
  /** price: the lowest variant price (minor units). */
  products: Array<{ id: string; shopId: string; price: number; skuIds: string[] }>;
  videos: SeededDemoVideo[];
}

export interface HistorySummary {
  events: number;
  orders: number;
  shipped: number;
  /** Click-outs through the demo's external store links. */
  clickOuts: number;
  elapsedMs: number;
}

/** Add-to-cart probability of a product click by the product's lowest price. */
function cartRate(price: number): number {
  if (price >= SWEET_SPOT.min && price < SWEET_SPOT.max) return 0.42;
  if (price < SWEET_SPOT.min) return 0.16;
  return price < 10_000 ? 0.12 : 0.06;
}

/**
 * The demo buyer's orders, by hours before now: when it was placed, when the seller shipped it
 * (on time: delivered 44 h later), and what the buyer did after delivery. `product` indexes the
 * demo shop's products. At start they read: completed (reviewed), delivered (reviewable), delivered
 * with a case waiting for the seller's answer, delivered with a case the seller rejected and the
 * buyer escalated to the operators (`escalateH`: rejected an hour before), in transit, paid (ship
 * by in ~3 days).
 */
export const JOURNEY: ReadonlyArray<{ product: number; orderedH: number; shippedH?: number; reviewH?: number; caseH?: number; escalateH?: number }> = [
  { product: 2, orderedH: 30 * 24, shippedH: 30 * 24 - 6, reviewH: 27 * 24 },
  { product: 3, orderedH: 96, shippedH: 90 },
  { product: 0, orderedH: 120, shippedH: 114, caseH: 6 },
  { product: 4, orderedH: 140, shippedH: 134, caseH: 40, escalateH: 30 },
  { product: 5, orderedH: 26, shippedH: 20 },
  { product: 6, orderedH: 3 },
];
const JOURNEY_ADDRESS = { name: 'Demo Buyer', line1: '500 Howard St', city: 'San Francisco', postal_code: '94105', country: 'US' };

type Action =
  | { at: number; kind: 'order'; buyerId: string; productId: string; source: { video_id?: string }; journey?: (typeof JOURNEY)[number] }
  | { at: number; kind: 'ship'; orderId: string; ownerId: string; postalCode: string; scenario: Scenario }
  | { at: number; kind: 'review'; orderId: string; buyerId: string }
  | { at: number; kind: 'case'; orderId: string; buyerId: string; escalate?: { ownerId: string; at: number } }
  | { at: number; kind: 'reject'; caseId: string; ownerId: string }
  | { at: number; kind: 'escalate'; caseId: string; buyerId: string };

export async function seedDemoHistory(db: Db, clock: Clock, world: HistoryWorld, opts: { strategiesOn: (clock: Clock) => Strategies; days?: number; seed?: number }): Promise<HistorySummary> {
  const started = Date.now();
  const days = opts.days ?? HISTORY_DAYS;
  const rnd = new Random(opts.seed ?? HISTORY_SEED);
  const now = clock.now().getTime();
  const begin = now - days * DAY;
  const u = () => rnd.int(0, 999_999) / 1_000_000;
  const between = (a: number, b: number) => a + Math.floor(u() * (b - a));
  const products = new Map(world.products.map((p) => [p.id, p]));
  const events: HistoricEvent[] = [];
  const actions: Action[] = [];
  let n = 0;
  const devices = Array.from({ length: 600 }, (_, i) => `demo-viewer-${String(i).padStart(3, '0')}`);
  const push = (e: Omit<HistoricEvent, 'event_id'>) => events.push({ event_id: `h${(n++).toString(36)}`, ...e });

  /** A product click at `at` (from a video or browsing), and what may follow: cart, checkout, a real order. */
  const click = (at: number, device: string, productId: string, video: { id: string; prime: boolean } | null) => {
    const p = products.get(productId)!;
    const refs = { shop_id: p.shopId, product_id: p.id, ...(video ? { video_id: video.id, creator_id: world.creatorId } : {}) };
    push({ device_id: device, type: 'product_click', at: new Date(at), ...refs });
    if (!rnd.chance(Math.min(0.6, cartRate(p.price) * (video?.prime ? 1.3 : 1)))) return;
    const carted = at + between(20_000, 5 * MINUTE);
    push({ device_id: device, type: 'add_to_cart', at: new Date(carted), ...refs });
    if (!rnd.chance(0.6)) return;
    const checkedOut = carted + between(MINUTE, 20 * MINUTE);
    if (checkedOut >= now) return;
    push({ device_id: device, type: 'checkout_started', at: new Date(checkedOut), shop_id: p.shopId });
    if (!rnd.chance(video?.prime ? 0.55 : 0.2)) return;
    // The video the buyer came from: the server attributes the line to its creator while it is visible (issue 14).
    const source = video ? { video_id: video.id } : {};
    actions.push({ at: checkedOut + between(10_000, 2 * MINUTE), kind: 'order', buyerId: rnd.pick(world.buyerIds), productId, source });
  };

  // Video traffic: daily views that fade with age, impressions around them, clicks on the anchors.
  world.videos.forEach((v, index) => {
    const shop = world.shops.find((s) => s.id === v.shopId)!;
    const published = (v.publishedAt ?? new Date(begin)).getTime();
    const slot = localSlot(new Date(published), shop.timezone);
    const tutorial = isTutorial(v.caption);
    const prime = tutorial && slot.weekday === PRIME_SLOT.weekday && slot.hour === PRIME_SLOT.hour;
    const completion = prime ? 0.6 : tutorial ? 0.36 : 0.2 + 0.05 * (index % 3);
    const clickRate = prime ? 0.13 : tutorial ? 0.08 : 0.06;
    const daily = prime ? 24 : tutorial ? 15 : 12;
    for (let day = Math.max(published, begin); day < now; day += DAY) {
      const age = (day - published) / DAY;
      const count = Math.floor(daily * (0.45 + 0.55 * Math.exp(-age / 14)) * (0.6 + 0.8 * u()));
      for (let i = 0; i < count; i++) {
        const at = day + Math.floor(u() * DAY);
        if (at >= now) continue;
        const device = rnd.pick(devices);
        const refs = { shop_id: v.shopId, video_id: v.id, creator_id: world.creatorId };
        push({ device_id: device, type: 'impression', at: new Date(at - 2000), ...refs });
        const completed = rnd.chance(completion);
        const watched = completed ? v.durationMs : Math.floor(v.durationMs * (0.1 + 0.8 * u()));
        push({ device_id: device, type: 'view', at: new Date(at), ...refs, watched_ms: watched, duration_ms: v.durationMs, completed });
        if (rnd.chance(0.7)) push({ device_id: rnd.pick(devices), type: 'impression', at: new Date(at + 1000), ...refs });
        if (rnd.chance(clickRate)) click(at + between(2000, v.durationMs + 2000), device, rnd.pick(v.productIds), { id: v.id, prime });
      }
    }
  });
  // Browsing: product pages reached from search and shop pages.
  for (const p of world.products) {
    for (let day = begin; day < now; day += DAY) {
      if (rnd.chance(0.5)) click(day + Math.floor(u() * DAY), rnd.pick(devices), p.id, null);
    }
  }
  const shopProducts = world.products.filter((p) => p.shopId === world.journey.shopId);
  for (const j of JOURNEY) {
    const p = shopProducts[j.product % shopProducts.length]!;
    const video = world.videos.find((v) => v.productIds.includes(p.id) && v.publishedAt && v.publishedAt.getTime() < now - j.orderedH * HOUR);
    actions.push({ at: now - j.orderedH * HOUR, kind: 'order', buyerId: world.journey.buyerId, productId: p.id, source: video ? { video_id: video.id } : {}, journey: j });
  }
  const kept = events.filter((e) => e.at.getTime() < now).sort((a, b) => a.at.getTime() - b.at.getTime());
  const added = await appendHistory(db, kept);

  // The orders, walked through in time with the jobs that fall due in between.
  const history = new SettableClock(begin);
  // The app's strategies on the history's clock; parcels go with its sandbox carrier, which plays their scans.
  const { payments: providers, carriers, payoutRail } = opts.strategiesOn(history);
  const sandbox = [...carriers.values()].find((c): c is SandboxCarrier => c instanceof SandboxCarrier);
  if (!sandbox) throw new Error('The demo history needs a sandbox carrier among the configured carriers');
  const jobs = new JobRunner(db, history);
  registerInventoryJobs(jobs, history);
  registerCheckoutJobs(jobs, history, providers);
  registerFulfillmentJobs(jobs, history, providers, carriers);
  registerSettlementJobs(jobs, history, { payoutRail });
  registerReleaseJobs(jobs, history);
  // The synthetic past is nobody's news: the inbox hears nothing of it.
  subscribeAll({ inbox: false }).register(jobs, history);
  const stock = new Map<string, { orig: number }>();
  const skuStock = async (skuId: string) => {
    if (!stock.has(skuId)) stock.set(skuId, { orig: (await getAvailability(db, [skuId])).get(skuId) ?? 0 });
    return stock.get(skuId)!;
  };
  const restock = async (skuId: string, quantity: number) => {
    const [level] = await getStockLevels(db, skuId);
    if (level && quantity > 0) await receiveStock(db, history, [{ skuId, warehouseId: level.warehouse_id, quantity }]);
  };
  actions.sort((a, b) => a.at - b.at);
  let orders = 0;
  let shipped = 0;
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i]!;
    /** Schedules a follow-up among the actions still to come, in time order. */
    const later = (f: Action) => {
      let k = i + 1;
      while (k < actions.length && actions[k]!.at <= f.at) k++;
      actions.splice(k, 0, f);
    };
    history.set(a.at);
    await jobs.runDue();
    if (a.kind === 'order' && a.journey) {
      const j = a.journey;
      const p = products.get(a.productId)!;
      await skuStock(p.skuIds[0]!);
      await addCartItem(db, history, a.buyerId, { sku_id: p.skuIds[0]!, quantity: 1, ...(a.source.video_id ? { source: a.source } : {}) });
      const outcome = await checkout(db, history, providers, a.buyerId, {
        shipping_address: JOURNEY_ADDRESS,
        payment_method: { type: 'card', number: SANDBOX_CARDS.succeeds, exp_month: 12, exp_year: new Date(now).getUTCFullYear() + 4, cvc: '123' },
      });
      orders += outcome.orders.length;
      const order = outcome.orders[0]!;
      const owner = world.shops.find((x) => x.id === order.shopId)!.ownerId;
      if (j.shippedH !== undefined) later({ at: now - j.shippedH * HOUR, kind: 'ship', orderId: order.id, ownerId: owner, postalCode: JOURNEY_ADDRESS.postal_code, scenario: 'on_time' });
      if (j.reviewH !== undefined) later({ at: now - j.reviewH * HOUR, kind: 'review', orderId: order.id, buyerId: a.buyerId });
      if (j.caseH !== undefined) {
        const escalate = j.escalateH !== undefined ? { ownerId: owner, at: now - j.escalateH * HOUR } : undefined;
        later({ at: now - j.caseH * HOUR, kind: 'case', orderId: order.id, buyerId: a.buyerId, ...(escalate ? { escalate } : {}) });
      }
    } else if (a.kind === 'review') {
      const [item] = await getOrderItems(db, a.orderId);
      await createReview(db, history, a.buyerId, a.orderId, item!.id, { rating: 5, text: 'Arrived quickly and works as shown in the video. Would buy again.' });
    } else if (a.kind === 'case' && a.escalate) {
      // The case the operators decide: the seller rejects it, the buyer escalates it.
      const c = await openCase(db, history, providers, a.buyerId, a.orderId, {
        type: 'refund_only',
        reason_code: 'damaged',
        reason: 'The buckle snapped on the first day. I would like my money back.',
      });
      later({ at: a.escalate.at - HOUR, kind: 'reject', caseId: c.id, ownerId: a.escalate.ownerId });
      later({ at: a.escalate.at, kind: 'escalate', caseId: c.id, buyerId: a.buyerId });
    } else if (a.kind === 'case') {
      await openCase(db, history, providers, a.buyerId, a.orderId, {
        type: 'return_and_refund',
        reason_code: 'not_as_described',
        reason: 'The colour is much darker than in the video. I would like to return it.',
      });
    } else if (a.kind === 'reject') {
      await rejectCase(db, history, providers, a.ownerId, a.caseId, { note: 'The buckle was checked before it left us; it breaks only when forced.' });
    } else if (a.kind === 'escalate') {
      await escalateCase(db, history, providers, a.buyerId, a.caseId, { note: 'I did not force it. Please look at the case.' });
    } else if (a.kind === 'order') {
      const p = products.get(a.productId)!;
      const skuId = rnd.pick(p.skuIds);
      const s = await skuStock(skuId);
      const available = (await getAvailability(db, [skuId])).get(skuId) ?? 0;
      if (available < 3) await restock(skuId, s.orig - available); // the seller restocks before it runs out
      await addCartItem(db, history, a.buyerId, { sku_id: skuId, quantity: 1, ...(a.source.video_id ? { source: a.source } : {}) });
      const postalCode = String(10_000 + rnd.int(0, 89_999));
      const outcome = await checkout(db, history, providers, a.buyerId, {
        shipping_address: { name: 'Demo Shopper', line1: `${rnd.int(1, 999)} Market St`, city: 'San Francisco', postal_code: postalCode, country: 'US' },
        payment_method: { type: 'card', number: SANDBOX_CARDS.succeeds, exp_month: 12, exp_year: new Date(now).getUTCFullYear() + 4, cvc: '123' },
      });
      orders += outcome.orders.length;
      for (const o of outcome.orders) {
        const shop = world.shops.find((x) => x.id === o.shopId)!;
        const at = a.at + between(3 * HOUR, 40 * HOUR);
        const scenario = rnd.weighted<Scenario>({ on_time: 90, delayed: 7, exception_then_delivered: 3, lost: 0 });
        if (at < now) {
          later({ at, kind: 'ship', orderId: o.id, ownerId: shop.ownerId, postalCode, scenario });
        }
      }
    } else {
      const s = await createShipment(db, history, carriers, a.ownerId, a.orderId, { carrier: sandbox.name });
      await sandbox.simulate(db, s.trackingNumber, a.scenario, { postalCode: a.postalCode });
      shipped++;
    }
  }
  history.set(now);
  await jobs.runDue();
  for (const [skuId, s] of stock) {
    const available = (await getAvailability(db, [skuId])).get(skuId) ?? 0;
    await restock(skuId, s.orig - available);
  }
  const links = await seedDemoStoreLinks(db, world, { begin, now });
  await db.transaction((tx) => rollupEvents(tx, clock));
  return { events: added, orders, shipped, clickOuts: links.clicks, elapsedMs: Date.now() - started };
}
