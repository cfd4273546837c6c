import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db.js';
import { AppError, conflict } from '../platform/errors.js';
import { invalidTransition } from '../platform/lifecycle.js';
import { runFlow, type FlowSteps } from '../platform/flow.js';
import { newId } from '../platform/ids.js';
import { market } from '../platform/markets.js';
import { priceCart } from '../modules/cart/index.js';
import { releaseReservations, reserveStock } from '../modules/inventory/index.js';
import { recordServerEvent } from '../modules/analytics/index.js';
import {
  addOrderEvents,
  assertShopsCanSell,
  closeOpenPayment,
  insertCheckout,
  itemsOfOrders,
  ordersOfPayment,
  unpaidPaymentsWithSkus,
  type CheckoutOutcome,
  type ShippingAddress,
} from '../modules/orders/index.js';
import {
  checkCard,
  checkoutProvider,
  findPaymentByKey,
  getPayment,
  getPaymentForBuyer,
  getPayments,
  getProvider,
  lockPayment,
  OPEN_PAYMENT_STATUSES,
  updatePayment,
  type CardDetails,
  type ConfirmResult,
  type PaymentProvider,
  type PaymentRow,
  type Providers,
} from '../modules/payments/index.js';
import { declined, expirePayment, finalizeDecline, finalizeSuccess, SETTLED } from './payment-outcome.js';

/**
 * The checkout flow (decision 005, decision 020): cart pricing → checks → stock reservations →
 * payment and orders written → provider authorize and capture → the outcome recorded
 * (`payment-outcome.ts`: reservations committed, escrow credited by `postCaptures`).
 *
 * Undo: each order's reservation is a step of its own (one statement committed alone, so a
 * flash sale's hot stock row is locked only while it runs) whose undo releases it; a failure of
 * a later reservation or of writing the payment undoes the reservations already taken. After
 * the payment row exists, the payment's own state is the undo: a decline or a provider refusal
 * cancels the orders and releases the stock (`finalizeDecline`), a capture that arrives after
 * the checkout ended is refunded by a durable job (`LATE_CAPTURE_REFUND_JOB`), and an
 * unanswered payment expires (`EXPIRE_PENDING_JOB`). Lock order everywhere: payment row →
 * order rows → stock rows (inventory) → ledger accounts (decisions 005, 006).
 */
export interface CheckoutInput {
  shipping_address: ShippingAddress;
  payment_method: { type: 'card' } & CardDetails;
}

/** The Idempotency-Key made a payment while this attempt reserved: answer that payment. */
class KeyAlreadyUsed extends Error {}

export async function loadOutcome(db: Db, paymentId: string): Promise<CheckoutOutcome> {
  const [payment, list] = await Promise.all([getPayment(db, paymentId), ordersOfPayment(db, paymentId)]);
  return { payment, orders: list };
}

function cleanAddress(a: ShippingAddress): ShippingAddress {
  const out: ShippingAddress = { name: a.name.trim(), line1: a.line1.trim(), city: a.city.trim(), postal_code: a.postal_code.trim(), country: a.country };
  if (a.line2?.trim()) out.line2 = a.line2.trim();
  if (a.region?.trim()) out.region = a.region.trim();
  if (a.phone?.trim()) out.phone = a.phone.trim();
  return out;
}

/**
 * Buys the whole cart: one payment, one order per shop. Every amount comes from `priceCart`
 * (catalog prices, shop shipping fees, market tax); the client sends none.
 *
 * 1. Checks the card (400 `invalid_card`, 402 `card_expired`) and the cart (409 `cart_empty`,
 *    `sku_unavailable`, `payment_awaiting_verification`, `out_of_stock`) before writing anything.
 * 2. The stock reservations (one holder per order, so an order can later be cancelled alone),
 *    each one statement committed on its own, then ONE statement writing the payment `pending`
 *    (carrying the Idempotency-Key), the orders `pending_payment` with items and the expiry job.
 *    If that fails or the key already made a payment, the reservations are released again.
 *    Then analytics records a `checkout` fact per order (a paid order records it again if a crash
 *    lost it: decision 024).
 * 3. The provider confirms the card (outside any transaction), then one transaction records the
 *    outcome: paid (reservations committed, escrow credited) or declined (402 `card_declined`,
 *    everything released and cancelled), or `requires_action` (orders stay pending until
 *    confirmed or expired).
 * With a key already used by this buyer, the existing payment is resumed or reported instead.
 */
export async function checkout(
  db: Db,
  clock: Clock,
  providers: Providers,
  buyerId: string,
  input: CheckoutInput,
  idempotencyKey?: string,
): Promise<CheckoutOutcome> {
  const { type: _type, ...card } = input.payment_method;
  checkCard(card, clock.now());
  const provider = checkoutProvider(providers);
  if (idempotencyKey) {
    const existing = await findPaymentByKey(db, buyerId, idempotencyKey);
    if (existing) return resume(db, clock, providers, existing, card);
  }

  // Attribution proven again as of now, for every line in one statement (cart/attribution.ts).
  const cart = await priceCart(db, buyerId, { attributeAt: clock.now() });
  const lines = cart.shops.flatMap((g) => g.items);
  if (lines.length === 0) throw conflict('cart_empty', 'The cart is empty');
  // Trust & safety (decision 012): suspended or frozen shops, daily order caps; before anything is reserved.
  await assertShopsCanSell(db, clock, cart.shops.map((g) => g.shop.id));
  const unsellable = lines.filter((l) => !l.sellable);
  if (unsellable.length > 0) {
    throw conflict('sku_unavailable', 'Some items are no longer for sale; remove them to check out', { sku_ids: unsellable.map((l) => l.sku_id) });
  }
  await assertNoVerificationPending(db, clock, buyerId, lines.map((l) => l.sku_id));
  // Fast refusal without taking any lock (the reservation below is the real arbiter).
  const short = lines.find((l) => l.quantity > l.available);
  if (short) throw conflict('out_of_stock', 'Not enough stock for this item', { sku_id: short.sku_id, requested: short.quantity, available: short.available });

  const now = clock.now();
  const ttlMs = Math.min(...cart.shops.map((g) => market(g.market).reservationTtlMs));
  const expiresAt = new Date(now.getTime() + ttlMs);
  const paymentId = newId('pay');
  const address = cleanAddress(input.shipping_address);
  const planned = cart.shops.map((g) => ({
    row: {
      id: newId('ord'),
      buyerId,
      shopId: g.shop.id,
      market: g.market,
      paymentId,
      status: 'pending_payment' as const,
      currency: cart.currency,
      subtotal: g.subtotal.amount,
      shippingFee: g.shipping_fee.amount,
      tax: g.tax.amount,
      total: g.total.amount,
      shippingAddress: address,
      createdAt: now,
      updatedAt: now,
    },
    lines: g.items,
  }));
  const items = planned.flatMap(({ row, lines: ls }) =>
    ls.map((l) => ({
      id: newId('oit'),
      orderId: row.id,
      skuId: l.sku_id,
      productId: l.product_id,
      title: l.title,
      optionValues: l.option_values,
      image: l.image,
      unitPrice: l.unit_price.amount,
      quantity: l.quantity,
      lineTotal: l.line_total.amount,
      // Only what the server proved: never the cart line's stored source as such.
      source: l.attribution ?? {},
      affiliateRateBps: l.affiliate_rate_bps,
      category: l.category,
    })),
  );

  let created: PaymentRow;
  try {
    created = await runFlow('checkout.place', async (f) => {
      await reserveForOrders(f, db, clock, planned, ttlMs);
      const made = await f.step('write payment and orders', () =>
        insertCheckout(db, clock, {
          payment: { id: paymentId, buyerId, provider: provider.name, idempotencyKey: idempotencyKey ?? null, amount: cart.total.amount, currency: cart.currency, expiresAt },
          orders: planned.map((p) => p.row),
          items,
        }),
      );
      if (!made) throw new KeyAlreadyUsed();
      return made;
    });
  } catch (e) {
    // The key made a payment meanwhile (a concurrent request with it may even have taken the
    // last units, hence `out_of_stock` here): answer its payment.
    const existing =
      e instanceof KeyAlreadyUsed || (idempotencyKey && e instanceof AppError && e.code === 'out_of_stock') ? await findPaymentByKey(db, buyerId, idempotencyKey!) : undefined;
    if (existing) return resume(db, clock, providers, existing, card);
    throw e;
  }
  // The funnel's checkout stage (analytics): one fact per order written, whatever the payment does.
  const orderFacts = planned.map(({ row: o }) => ({ id: o.id, shopId: o.shopId, buyerId, total: o.total, currency: o.currency }));
  await recordServerEvent(db, clock, { type: 'checkout', orders: orderFacts, items: itemsOfOrders(db, orderFacts.map((o) => o.id)) });
  return pay(db, clock, provider, created, (intentId) => provider.confirm(intentId, { card }));
}

/**
 * An abandoned 3-D-Secure checkout keeps its orders `pending_payment` and its stock held until it
 * expires; the cart keeps its lines (only a capture removes them). A new checkout of the same
 * goods would make a second order: while an unpaid order of the buyer holding any SKU of the cart
 * waits for verification, checkout answers 409 `payment_awaiting_verification` (details:
 * `payment_id`, `order_ids`) and the buyer resumes it (`POST /v1/payments/{id}/confirm`) or
 * cancels it (`POST /v1/payments/{id}/cancel`) first. One whose time ran out is expired here
 * (as its job would) and does not stand in the way.
 */
async function assertNoVerificationPending(db: Db, clock: Clock, buyerId: string, skuIds: string[]): Promise<void> {
  const open = (await getPayments(db, await unpaidPaymentsWithSkus(db, buyerId, skuIds))).filter((p) => p.status === 'requires_action');
  for (const p of open) {
    if (p.expiresAt <= clock.now()) {
      await expirePayment(db, clock, p.id);
      continue;
    }
    const list = await ordersOfPayment(db, p.id);
    throw conflict('payment_awaiting_verification', 'An order of these items is waiting for your card verification: resume or cancel it first', {
      payment_id: p.id,
      order_ids: list.map((o) => o.id),
    });
  }
}

type PlannedOrder = { row: { id: string }; lines: Array<{ sku_id: string; quantity: number; source?: { live_id?: string } }> };

/**
 * Reserves each order's lines (one holder per order), one step each, undone by releasing it. A
 * line from a live session draws from the live's flash-sale allotment when it has one on that
 * SKU (the live id is the stock hold's holder: decision 011).
 */
async function reserveForOrders(f: FlowSteps, db: Db, clock: Clock, planned: PlannedOrder[], ttlMs: number): Promise<void> {
  for (const p of planned) {
    await f.step(
      `reserve ${p.row.id}`,
      () => reserveStock(db, clock, p.row.id, p.lines.map((l) => ({ sku_id: l.sku_id, quantity: l.quantity, ...(l.source?.live_id ? { pool: l.source.live_id } : {}) })), ttlMs),
      () => releaseReservations(db, clock, p.row.id),
    );
  }
}

/** A checkout retried with a key that already made a payment. */
async function resume(db: Db, clock: Clock, providers: Providers, payment: PaymentRow, card: CardDetails): Promise<CheckoutOutcome> {
  if (payment.status === 'pending') {
    // The first attempt stopped before the provider answered: ask again (the provider is
    // idempotent per intent, so this cannot charge twice).
    const provider = getProvider(providers, payment.provider);
    return pay(db, clock, provider, payment, (intentId) => provider.confirm(intentId, { card }));
  }
  if (payment.status === 'declined') throw declined(payment);
  return loadOutcome(db, payment.id);
}

/** Asks the provider (create/reuse the intent, `authorize`, capture) and records the answer. */
async function pay(
  db: Db,
  clock: Clock,
  provider: PaymentProvider,
  payment: PaymentRow,
  authorize: (intentId: string) => Promise<ConfirmResult>,
): Promise<CheckoutOutcome> {
  let intentId = payment.providerRef;
  let result: ConfirmResult;
  try {
    intentId ??= (
      await provider.createIntent({ amount: payment.amount, currency: payment.currency, metadata: { payment_id: payment.id }, idempotencyKey: payment.id })
    ).id;
    result = await authorize(intentId);
    if (result.status === 'succeeded') await provider.capture(intentId);
  } catch (e) {
    if (e instanceof AppError && e.status < 500) {
      // The provider refused the card outright: same as a decline, nothing stays held.
      await finalizeDecline(db, clock, provider, payment.id, { intentId, code: e.code }, true);
      throw e;
    }
    throw new AppError('payment_provider_unavailable', 502, 'The payment provider did not answer; retry with the same Idempotency-Key', {
      payment_id: payment.id,
    });
  }
  const last4 = result.last4 ?? payment.cardLast4;
  if (result.status === 'succeeded') {
    const r = await finalizeSuccess(db, clock, provider, payment.id, { intentId, last4 }, true);
    if (r === 'late') throw conflict('payment_expired', 'The checkout expired before the payment completed; the charge is being refunded', { payment_id: payment.id });
    if (r !== 'noop') return r; // what the transaction wrote: no need to read it back
  } else if (result.status === 'requires_action') {
    await db.transaction(async (tx) => {
      const p = await lockPayment(tx, payment.id);
      if (p?.status !== 'pending') return;
      await updatePayment(tx, clock, p.id, { status: 'requires_action', providerRef: intentId, cardLast4: last4 });
      const list = await ordersOfPayment(tx, p.id);
      await addOrderEvents(tx, clock, list.map((o) => ({ orderId: o.id, type: 'payment_requires_action', data: { payment_id: p.id } })));
    });
  } else {
    await finalizeDecline(db, clock, provider, payment.id, { intentId, last4, code: result.decline_code ?? 'card_declined' }, true);
    throw declined({ id: payment.id, failureCode: result.decline_code ?? 'card_declined' });
  }
  return loadOutcome(db, payment.id);
}

/** The buyer answered the 3-D-Secure-style challenge of a `requires_action` payment. */
export async function confirmPayment(
  db: Db,
  clock: Clock,
  providers: Providers,
  buyerId: string,
  paymentId: string,
  challenge: 'pass' | 'fail',
): Promise<CheckoutOutcome> {
  const payment = await getPaymentForBuyer(db, buyerId, paymentId);
  if (SETTLED.includes(payment.status)) return loadOutcome(db, payment.id);
  if (payment.status === 'declined') throw declined(payment);
  if (payment.status === 'expired' || (payment.status === 'requires_action' && payment.expiresAt <= clock.now())) {
    await expirePayment(db, clock, payment.id);
    throw conflict('payment_expired', 'The checkout expired before it was confirmed; the items were released', { payment_id: payment.id });
  }
  if (payment.status !== 'requires_action') {
    throw conflict('invalid_state', `A ${payment.status} payment has nothing to confirm`, { status: payment.status });
  }
  const provider = getProvider(providers, payment.provider);
  return pay(db, clock, provider, payment, (intentId) => provider.completeAction(intentId, { challenge }));
}

/**
 * The buyer gives up a checkout that was never paid (an abandoned 3-D-Secure verification): the
 * payment `cancelled`, all its unpaid orders cancelled (`cancelled_by_buyer`), their stock
 * released, nothing charged; the cart keeps its lines. Its buyer only (anyone else 404). Already
 * cancelled or expired: answered as it is (one effect). Paid, refunded or declined: 409
 * `invalid_transition` and nothing changes (a paid order is cancelled with a refund through
 * `POST /v1/orders/{id}/cancel`).
 */
export async function cancelPayment(db: Db, clock: Clock, buyerId: string, paymentId: string): Promise<CheckoutOutcome> {
  const payment = await getPaymentForBuyer(db, buyerId, paymentId);
  const status = await db.transaction(async (tx) => {
    const p = (await lockPayment(tx, payment.id))!;
    if (OPEN_PAYMENT_STATUSES.includes(p.status)) await closeOpenPayment(tx, clock, p, 'cancelled', 'cancelled_by_buyer');
    return p.status;
  });
  if (!OPEN_PAYMENT_STATUSES.includes(status) && status !== 'cancelled' && status !== 'expired') throw invalidTransition('payment', status, 'cancel');
  return loadOutcome(db, payment.id);
}
