import { SettableClock } from '../platform/clock.js';
import { SandboxProvider } from '../modules/payments/index.js';
import type { WebhookEvent } from '../modules/payments/index.js';
import { signWebhook } from '../platform/webhook-signature.js';
import type { Random } from '../simulate/random.js';
import { describe, isAnswer, type Api, type Outcome } from './http.js';
import type { Ack } from './invariants.js';
import type { Buyer, Seller, World } from './world.js';

/**
 * What the clients know and do, shared by the workload and the crash test: the platform clock as
 * last seen, checkouts and their acknowledged outcomes, orders to ship, the carrier's scans and
 * the payment provider's webhooks (the harness plays both, signing with their secrets), and the
 * list of unexpected answers (a 5xx, or a status the API does not document for the situation).
 */
/**
 * Trust & safety acts on shops by their record (decision 012): a shop with too many flags is
 * suspended, a shop that leaves orders unhandled frozen, others capped. A random workload earns
 * these, so they are expected answers, not failures.
 */
export const TRUST_REFUSALS = ['shop_suspended', 'shop_order_cap_reached', 'listing_limit_reached', 'product_suspended'];

export const CARDS = { ok: '4242424242424242', declined: '4000000000000002', challenge: '4000000000003220' } as const;
const HOUR = 3_600_000;

export interface OrderState {
  id: string;
  paymentId: string;
  total: number;
  buyer: Buyer;
  seller: Seller;
  /** What the client was last told. */
  status: string;
  shipments: string[];
  tracking: string[];
  /** Platform time of the first parcel, and of the last parcel's `delivered` scan (the after-sales window starts then). */
  shippedAt: number | null;
  deliveredAt: number | null;
  caseId: string | null;
  caseType: string | null;
  /** Shipped in part: the rest is still to ship. */
  partial: boolean;
}

export interface Scan {
  id: string;
  tracking_number: string;
  status: string;
  at: string;
  postal_code: string;
  description: string;
}

/** Carrier plans (hours after the parcel is handed over), as the sandbox carrier's scenarios. */
const PLANS: Record<string, Array<[number, string]>> = {
  on_time: [[4, 'picked_up'], [12, 'in_transit'], [40, 'out_for_delivery'], [44, 'delivered']],
  delayed: [[30, 'picked_up'], [40, 'in_transit'], [100, 'out_for_delivery'], [110, 'delivered']],
  exception_then_delivered: [[4, 'picked_up'], [12, 'in_transit'], [30, 'exception'], [50, 'in_transit'], [60, 'out_for_delivery'], [66, 'delivered']],
  lost: [],
};

export class Clients {
  now = 0;
  readonly acks: Ack[] = [];
  readonly orders = new Map<string, OrderState>();
  readonly unexpected: string[] = [];
  /** What the cross-node checks found (idempotency, live rooms, rate limits), each line prefixed with its check. */
  readonly nodeProblems: string[] = [];
  readonly stats: Record<string, number> = {};
  /** Scans not sent yet, and copies kept for a late duplicate. */
  scans: Array<{ scan: Scan; due: number; orderId: string }> = [];
  readonly sentScans: Scan[] = [];
  /** Carrier scenarios by weight. */
  scenarios: Record<string, number> = { on_time: 80, delayed: 8, exception_then_delivered: 8, lost: 4 };
  /** Share of parcels the carrier delivers to another postal code (a fake-tracking flag). */
  wrongPostalRate = 0.02;
  readonly #providerClock = new SettableClock(0);
  readonly #provider: SandboxProvider;
  #keys = 0;

  constructor(
    readonly api: Api,
    readonly world: World,
    readonly secrets: { payments: string; carrier: string },
    readonly tag: string,
  ) {
    this.#provider = new SandboxProvider(this.#providerClock, secrets.payments);
  }

  count(what: string, n = 1): void {
    this.stats[what] = (this.stats[what] ?? 0) + n;
  }

  key(what: string): string {
    return `${this.tag}-${what}-${++this.#keys}`;
  }

  /** An answer that must be one of `ok` statuses, or one of the `expected` error codes. */
  expect<T>(what: string, out: Outcome<T>, ok: number[], expected: string[] = []): Extract<Outcome<T>, { kind: 'answer' }> | null {
    if (out.kind === 'no_answer') {
      this.count(`no_answer:${out.error}`);
      return null;
    }
    if (ok.includes(out.status)) return out;
    if (out.code && expected.includes(out.code)) {
      this.count(`refused:${out.code}`);
      return out;
    }
    this.unexpected.push(`${what}: ${out.status} ${JSON.stringify(out.body).slice(0, 500)}`);
    return out;
  }

  /**
   * The platform clock. Each server process keeps its own simulated clock, so with several nodes
   * the clients move every node to the same time: a node's last reported time is known, and an
   * advance sends each node the difference to the common target (in parallel; each runs the jobs
   * that fall due, spread over the nodes by SKIP LOCKED). Clock moves run one at a time, so two
   * never compute their target from the same stale times.
   */
  async syncClock(): Promise<number> {
    return this.#serial(async () => {
      const nodes = this.#clockNodes();
      const times = await Promise.all(nodes.map((n) => this.#readClock(n)));
      const top = Math.max(...times);
      // Nodes started at slightly different wall-clock times: bring the others up to the latest.
      if (times.some((t) => t !== top)) await this.#moveTo(top, nodes);
      this.now = top;
      return this.now;
    });
  }

  /** Moves the platform clock on every live node by `ms` (each server runs the jobs that fall due before answering). */
  async advance(ms: number): Promise<Outcome<{ now: string; jobs_run: number }>> {
    return this.#serial(async () => {
      const nodes = this.#clockNodes();
      for (const n of nodes) if (!this.#nodeNow.has(n)) await this.#readClock(n).catch(() => undefined);
      const known = nodes.map((n) => this.#nodeNow.get(n)).filter((t): t is number => t !== undefined);
      return this.#moveTo((known.length > 0 ? Math.max(...known) : this.now) + ms, nodes);
    });
  }

  /** Moves every live node (and `also`, e.g. a node just restarted) to at least `target`. */
  async advanceTo(target: number, also: number[] = []): Promise<Outcome<{ now: string; jobs_run: number }>> {
    return this.#serial(async () => {
      const nodes = [...new Set([...this.#clockNodes(), ...also])];
      for (const n of also) this.#nodeNow.delete(n);
      for (const n of nodes) if (!this.#nodeNow.has(n)) await this.#readClock(n);
      return this.#moveTo(Math.max(target, ...nodes.map((n) => this.#nodeNow.get(n)!)), nodes);
    });
  }

  /** Each node's platform time as it last answered (unknown after a failed clock request or a restart). */
  readonly #nodeNow = new Map<number, number>();
  #clockQueue: Promise<unknown> = Promise.resolve();

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#clockQueue.then(fn, fn);
    this.#clockQueue = run.catch(() => undefined);
    return run;
  }

  #clockNodes(): number[] {
    const live = this.api.liveNodes();
    return live.length > 0 ? live : this.api.baseUrls.map((_, i) => i);
  }

  async #readClock(node: number): Promise<number> {
    const c = await this.api.must<{ now: string }>('GET', '/v1/admin/clock', { token: this.world.operator.token, node });
    const ms = new Date(c.now).getTime();
    this.#nodeNow.set(node, ms);
    return ms;
  }

  async #moveTo(target: number, nodes: number[]): Promise<Outcome<{ now: string; jobs_run: number }>> {
    const outs = await Promise.all(
      nodes.map(async (node) => {
        const by = Math.max(0, target - (this.#nodeNow.get(node) ?? target));
        const out = await this.api.request<{ now: string; jobs_run: number }>('POST', '/v1/admin/clock/advance', { token: this.world.operator.token, body: { ms: by }, node });
        if (out.kind === 'answer' && out.status === 200) {
          this.#nodeNow.set(node, new Date(out.body.now).getTime());
          this.count('jobs_run', out.body.jobs_run);
        } else {
          this.#nodeNow.delete(node); // it may or may not have moved: read it again next time
          this.expect('advance clock', out, [200]);
        }
        return out;
      }),
    );
    const known = nodes.map((n) => this.#nodeNow.get(n)).filter((t): t is number => t !== undefined);
    if (known.length > 0) this.now = Math.max(this.now, ...known);
    return outs.find((o) => !(o.kind === 'answer' && o.status === 200)) ?? outs[0]!;
  }

  // ---------------------------------------------------------------------------------------------
  // Buyers
  // ---------------------------------------------------------------------------------------------

  async addToCart(buyer: Buyer, skuId: string, quantity: number, creatorId?: string, liveId?: string): Promise<boolean> {
    const source = { ...(creatorId ? { creator_id: creatorId } : {}), ...(liveId ? { live_id: liveId } : {}) };
    const out = await this.api.request('POST', '/v1/cart/items', {
      token: buyer.token,
      body: { sku_id: skuId, quantity, ...(Object.keys(source).length > 0 ? { source } : {}) },
    });
    // A creator id the server cannot tie to content the buyer came from may be refused (issue 14: attribution from facts only).
    return this.expect('add to cart', out, [201], ['out_of_stock', 'sku_unavailable', 'quantity_limit', 'invalid_attribution', ...TRUST_REFUSALS])?.status === 201;
  }

  async emptyCart(buyer: Buyer): Promise<void> {
    const cart = await this.api.request<{ shops: Array<{ items: Array<{ id: string }> }> }>('GET', '/v1/cart', { token: buyer.token });
    if (!isAnswer(cart, 200)) return;
    for (const g of cart.body.shops) for (const i of g.items) await this.api.request('DELETE', `/v1/cart/items/${i.id}`, { token: buyer.token });
  }

  checkoutBody(buyer: Buyer, card: string) {
    return {
      shipping_address: { name: 'Chaos Buyer', line1: '1 Loop St', city: 'Springfield', postal_code: buyer.postalCode, country: 'US' },
      payment_method: { type: 'card', number: card, exp_month: 12, exp_year: 2099, cvc: '123' },
    };
  }

  /**
   * Checks out the cart with an Idempotency-Key and records what the client was told.
   * Returns the outcome kind: paid, declined, challenge (payment id), sold_out, empty, or no_answer.
   */
  async checkout(buyer: Buyer, card: string, key: string, node?: number): Promise<CheckoutResult> {
    const out = await this.api.request<CheckoutAnswer>('POST', '/v1/checkout', { token: buyer.token, body: this.checkoutBody(buyer, card), idempotencyKey: key, ...(node !== undefined ? { node } : {}) });
    return { ...this.recordCheckout(buyer, out), outcome: out };
  }

  recordCheckout(buyer: Buyer, out: Outcome<CheckoutAnswer>): CheckoutResult {
    const a = this.expect('checkout', out, [200, 201], ['card_declined', 'out_of_stock', 'cart_empty', 'sku_unavailable', 'idempotency_in_progress', 'payment_expired', ...TRUST_REFUSALS]);
    if (!a) return { kind: 'no_answer' };
    if (a.status === 201 || a.status === 200) {
      const body = a.body as CheckoutAnswer;
      if (['succeeded', 'partially_refunded', 'refunded'].includes(body.payment.status)) {
        // A retry that resumed an earlier payment answers its orders as they are now (maybe long shipped).
        for (const o of body.orders) this.recordPaid(buyer, body.payment.id, o);
        this.count(a.replayed ? 'checkout_replayed' : body.payment.status === 'succeeded' ? 'checkout_paid' : `checkout_${body.payment.status}`);
        return { kind: 'paid', paymentId: body.payment.id };
      }
      if (body.payment.status === 'requires_action') return { kind: 'challenge', paymentId: body.payment.id, amount: body.payment.amount.amount };
      this.count(`checkout_${body.payment.status}`);
      return { kind: body.payment.status, paymentId: body.payment.id };
    }
    if (a.code === 'card_declined') {
      const id = (a.body as unknown as { error: { details?: { payment_id?: string } } }).error.details?.payment_id;
      if (id) this.acks.push({ kind: 'payment_declined', id });
      return { kind: 'declined', paymentId: id };
    }
    return { kind: a.code === 'out_of_stock' ? 'sold_out' : (a.code ?? 'error') };
  }

  recordPaid(buyer: Buyer, paymentId: string, o: { id: string; shop_id: string; status: string; total: { amount: number } }): void {
    if (o.status === 'pending_payment') {
      this.unexpected.push(`checkout answered a paid payment ${paymentId} with order ${o.id} ${o.status}`);
      return;
    }
    if (!this.acks.some((a) => a.kind === 'order_paid' && a.id === o.id)) this.acks.push({ kind: 'order_paid', id: o.id, ref: paymentId });
    if (this.orders.has(o.id)) return; // a replayed answer, or an order its seller found first
    const seller = this.world.sellers.find((s) => s.shopId === o.shop_id)!;
    this.orders.set(o.id, { id: o.id, paymentId, total: o.total.amount, buyer, seller, status: o.status, shipments: [], tracking: [], shippedAt: null, deliveredAt: null, caseId: null, caseType: null, partial: false });
  }

  async confirmChallenge(buyer: Buyer, paymentId: string, pass: boolean): Promise<void> {
    const out = await this.api.request<CheckoutAnswer>('POST', `/v1/payments/${paymentId}/confirm`, { token: buyer.token, body: { challenge: pass ? 'pass' : 'fail' }, idempotencyKey: this.key('confirm') });
    const a = this.expect('confirm challenge', out, [200], ['card_declined', 'payment_expired', 'invalid_state', 'out_of_stock']);
    if (a?.status === 200) {
      const body = a.body as CheckoutAnswer;
      if (body.payment.status === 'succeeded') for (const o of body.orders) this.recordPaid(buyer, paymentId, o);
    } else if (a?.code === 'card_declined') this.acks.push({ kind: 'payment_declined', id: paymentId });
  }

  /**
   * The seller's own list of paid orders: it includes orders whose buyer never got an answer
   * (the server died before answering), which the seller must ship all the same.
   */
  async sellerInbox(seller: Seller): Promise<void> {
    const out = await this.api.request<{ data: Array<{ id: string; payment_id: string; buyer: { id: string }; status: string; total: { amount: number } }> }>(
      'GET',
      `/v1/orders?role=seller&shop_id=${seller.shopId}&status=paid&limit=100`,
      { token: seller.token },
    );
    if (this.expect('seller orders', out, [200])?.status !== 200 || !isAnswer(out, 200)) return;
    for (const o of out.body.data) {
      if (this.orders.has(o.id)) continue;
      const buyer = this.world.buyers.find((b) => b.id === o.buyer.id);
      if (!buyer) continue;
      this.count('orders_found_by_seller');
      this.orders.set(o.id, { id: o.id, paymentId: o.payment_id, total: o.total.amount, buyer, seller, status: 'paid', shipments: [], tracking: [], shippedAt: null, deliveredAt: null, caseId: null, caseType: null, partial: false });
    }
  }

  /** After a race on a pending order: the client reads whether it ended paid (then it is an order to ship). */
  async refreshPaid(orderId: string): Promise<void> {
    const known = this.orders.get(orderId);
    if (known) await this.refresh(known);
  }

  async cancel(order: OrderState, by: 'buyer' | 'seller'): Promise<void> {
    const out = await this.api.request<{ status: string }>('POST', `/v1/orders/${order.id}/cancel`, { token: by === 'buyer' ? order.buyer.token : order.seller.token, body: {}, idempotencyKey: this.key('cancel') });
    const a = this.expect(`cancel (${by})`, out, [200], ['invalid_transition']);
    if (a?.status === 200) {
      order.status = 'cancelled';
      this.acks.push({ kind: 'order_cancelled', id: order.id });
      this.count('cancelled');
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Sellers and the carrier
  // ---------------------------------------------------------------------------------------------

  /** Ships the order (all of it, or `part` of its items first) with the sandbox carrier; plans its scans. */
  async ship(order: OrderState, rnd: Random, opts: { reuseTracking?: string; part?: boolean } = {}): Promise<boolean> {
    let items: Array<{ order_item_id: string; quantity: number }> | undefined;
    if (opts.part) {
      const d = await this.api.request<{ items: Array<{ id: string; quantity: number }>; shipments: Array<{ items: Array<{ order_item_id: string; quantity: number }> }> }>('GET', `/v1/orders/${order.id}`, { token: order.seller.token });
      if (isAnswer(d, 200) && d.body.items.length > 1 && d.body.shipments.length === 0) items = [{ order_item_id: d.body.items[0]!.id, quantity: d.body.items[0]!.quantity }];
    }
    const out = await this.api.request<{ id: string; tracking_number: string }>('POST', `/v1/orders/${order.id}/shipments`, {
      token: order.seller.token,
      body: { carrier: 'sandbox', ...(opts.reuseTracking ? { tracking_number: opts.reuseTracking } : {}), ...(items ? { items } : {}) },
      idempotencyKey: this.key('ship'),
    });
    const a = this.expect('ship', out, [201], ['invalid_state', 'nothing_to_ship']);
    if (a?.code === 'nothing_to_ship') order.partial = false;
    if (a?.status !== 201) {
      if (a?.code === 'invalid_state') await this.refresh(order);
      return false;
    }
    const s = a.body as { id: string; tracking_number: string };
    order.status = 'shipped';
    order.partial = items !== undefined;
    order.shippedAt ??= this.now;
    order.shipments.push(s.id);
    order.tracking.push(s.tracking_number);
    this.acks.push({ kind: 'shipment', id: s.id, ref: order.id });
    this.count('shipped');
    if (!opts.reuseTracking) this.planScans(order, s.tracking_number, rnd);
    return true;
  }

  planScans(order: OrderState, tracking: string, rnd: Random): void {
    const scenario = rnd.weighted(this.scenarios);
    const wrongPostal = rnd.chance(this.wrongPostalRate);
    PLANS[scenario]!.forEach(([h, status], i) => {
      const at = this.now + h * HOUR + rnd.int(0, 30) * 60_000;
      this.scans.push({
        orderId: order.id,
        due: at,
        scan: { id: `chaos_${tracking}_${i}`, tracking_number: tracking, status, at: new Date(at).toISOString(), postal_code: wrongPostal && status === 'delivered' ? '00000' : order.buyer.postalCode, description: `${status} (chaos carrier)` },
      });
    });
  }

  /** Signed carrier delivery of `scans`, signed at the platform's time (`skewMs` off it). */
  async postScans(scans: Scan[], skewMs = 0, secret = this.secrets.carrier): Promise<Outcome> {
    const raw = JSON.stringify({ events: scans });
    const { headers } = signWebhook(secret, raw, new Date(this.now + skewMs));
    return this.api.request('POST', '/v1/webhooks/carriers/sandbox', { raw, headers });
  }

  /**
   * Sends the scans that fell due, the way a flaky carrier does: in batches of 1–3, shuffled
   * (reordered), some held back to a later round (delayed), some sent again (duplicated); and now
   * and then a delivery with a stale timestamp or a wrong secret, which must be refused (401).
   */
  async carrierRound(rnd: Random, opts: { all?: boolean } = {}): Promise<void> {
    const due = this.scans.filter((s) => opts.all || s.due <= this.now);
    if (due.length === 0) return;
    const sending: Scan[] = [];
    const kept: typeof this.scans = this.scans.filter((s) => !due.includes(s));
    for (const d of due) {
      if (!opts.all && rnd.chance(0.15)) kept.push(d); // delayed to a later round
      else sending.push(d.scan);
    }
    this.scans = kept;
    for (const s of this.sentScans.length > 0 && rnd.chance(0.5) ? [rnd.pick(this.sentScans)] : []) sending.push(s); // a duplicate of an earlier scan
    shuffle(rnd, sending);
    while (sending.length > 0) {
      const batch = sending.splice(0, rnd.int(1, 3));
      if (rnd.chance(0.05)) {
        const stale = await this.postScans(batch, -10 * 60_000);
        if (!isAnswer(stale, 401)) this.unexpected.push(`carrier webhook with a stale signature answered ${describe(stale)}`);
        const forged = await this.postScans(batch, 0, 'whsec_not_the_carrier');
        if (!isAnswer(forged, 401)) this.unexpected.push(`carrier webhook with a wrong secret answered ${describe(forged)}`);
      }
      const out = await this.postScans(batch);
      if (this.expect('carrier webhook', out, [200])?.status === 200) {
        this.count('scans_sent', batch.length);
        for (const s of batch) {
          if (!this.sentScans.some((x) => x.id === s.id)) this.sentScans.push(s);
          if (s.status === 'delivered') this.markDelivered(s.tracking_number);
        }
      } else if (out.kind === 'no_answer') {
        for (const s of batch) this.scans.push({ scan: s, due: this.now, orderId: '' }); // the carrier retries
      }
    }
  }

  markDelivered(tracking: string): void {
    for (const o of this.orders.values()) if (o.tracking.includes(tracking) && o.deliveredAt === null) o.deliveredAt = this.now;
  }

  // ---------------------------------------------------------------------------------------------
  // The payment provider's webhooks
  // ---------------------------------------------------------------------------------------------

  /**
   * Re-sends a provider event about an order's payment: either the exact event the sandbox sent
   * (same id, from `captured`), or a fresh copy with a new event id (a provider re-sending the
   * same fact). Either way the platform must change nothing: the first is a duplicate by id, the
   * second a fact it already recorded. `cancelled` orders get their refund event re-sent.
   */
  async replayPaymentWebhook(order: OrderState, rnd: Random, captured?: WebhookEvent): Promise<void> {
    this.#providerClock.set(this.now);
    let event = captured;
    if (!event) {
      const intent = await this.#provider.createIntent({ amount: order.total, currency: 'USD', metadata: {}, idempotencyKey: order.paymentId });
      if (order.status === 'cancelled' && rnd.chance(0.5)) {
        const { refund_id } = await this.#provider.refund(intent.id, order.total, { idempotencyKey: `cancel:${order.id}` });
        event = this.#provider.event('refund.succeeded', { intent_id: intent.id, payment_id: order.paymentId, amount: order.total, currency: 'USD', refund_id, order_id: order.id });
      } else {
        const pay = await this.api.request<{ payment: { amount: { amount: number }; card_last4: string | null } }>('GET', `/v1/payments/${order.paymentId}`, { token: order.buyer.token });
        if (!isAnswer(pay, 200)) return;
        event = this.#provider.event('payment.succeeded', {
          intent_id: intent.id,
          payment_id: order.paymentId,
          amount: pay.body.payment.amount.amount,
          currency: 'USD',
          ...(pay.body.payment.card_last4 ? { last4: pay.body.payment.card_last4 } : {}),
        });
      }
    }
    const raw = JSON.stringify(event);
    const { headers } = this.#provider.signBody(raw, new Date(this.now));
    const out = await this.api.request<{ duplicate: boolean }>('POST', '/v1/webhooks/payments/sandbox', { raw, headers });
    if (this.expect('payment webhook', out, [200])?.status === 200) this.count(captured ? 'payment_webhook_replayed' : 'payment_webhook_copy');
    if (rnd.chance(0.1)) {
      const bad = signWebhook('whsec_not_the_provider', raw, new Date(this.now));
      const refused = await this.api.request('POST', '/v1/webhooks/payments/sandbox', { raw, headers: bad.headers });
      if (!isAnswer(refused, 401)) this.unexpected.push(`payment webhook with a wrong secret answered ${describe(refused)}`);
    }
  }

  /**
   * The provider's `payment.succeeded` for a challenge the buyer is passing right now: sent at the
   * same time as the buyer's confirmation, so the webhook may arrive before the synchronous answer.
   */
  async paymentSucceededWebhook(paymentId: string, amount: number): Promise<void> {
    this.#providerClock.set(this.now);
    const intent = await this.#provider.createIntent({ amount, currency: 'USD', metadata: {}, idempotencyKey: paymentId });
    const raw = JSON.stringify(this.#provider.event('payment.succeeded', { intent_id: intent.id, payment_id: paymentId, amount, currency: 'USD' }));
    const { headers } = this.#provider.signBody(raw, new Date(this.now));
    if (this.expect('early payment webhook', await this.api.request('POST', '/v1/webhooks/payments/sandbox', { raw, headers }), [200])?.status === 200) this.count('payment_webhook_early');
  }

  // ---------------------------------------------------------------------------------------------
  // After-sales
  // ---------------------------------------------------------------------------------------------

  async openCase(order: OrderState, rnd: Random, opts: { notReceived?: boolean } = {}): Promise<Outcome> {
    const type = opts.notReceived ? 'refund_only' : rnd.weighted({ refund_only: 50, return_and_refund: 50 });
    const partial = !opts.notReceived && rnd.chance(0.4);
    const out = await this.api.request<{ id: string; status: string }>('POST', `/v1/orders/${order.id}/after-sales`, {
      token: order.buyer.token,
      body: {
        type,
        reason: opts.notReceived ? 'The parcel never arrived' : 'Not what the video showed',
        reason_code: opts.notReceived ? 'not_received' : rnd.pick(['damaged', 'not_as_described', 'wrong_item']),
        ...(partial ? { amount: Math.max(1, Math.floor(order.total / rnd.int(2, 4))) } : {}),
      },
      idempotencyKey: this.key('case'),
    });
    const a = this.expect('open case', out, [201], ['after_sales_window_closed', 'case_already_open', 'invalid_state', 'nothing_to_refund', 'use_cancel', 'amount_exceeds_refundable']);
    if (a?.status === 201) {
      const c = a.body as { id: string; status: string };
      order.caseId = c.id;
      order.caseType = type;
      this.acks.push({ kind: 'case', id: c.id, ref: order.id });
      this.count('cases_opened');
    }
    return out;
  }

  async caseAction(order: OrderState, action: string, as: 'buyer' | 'seller' | 'operator', body: object = {}): Promise<string | null> {
    if (!order.caseId) return null;
    const token = as === 'buyer' ? order.buyer.token : as === 'seller' ? order.seller.token : this.world.operator.token;
    const out = await this.api.request<{ status: string }>('POST', `/v1/after-sales/${order.caseId}/${action}`, { token, body, idempotencyKey: this.key(action) });
    const a = this.expect(`case ${action}`, out, [200], ['invalid_state', 'invalid_transition', 'case_closed', 'refund_exceeds_escrow', 'return_window_closed']);
    if (a?.status === 200) {
      this.count(`case_${action}`);
      return (a.body as { status: string }).status;
    }
    return null;
  }

  async caseStatus(order: OrderState): Promise<string | null> {
    if (!order.caseId) return null;
    const out = await this.api.request<{ status: string }>('GET', `/v1/after-sales/${order.caseId}`, { token: order.buyer.token });
    return isAnswer(out, 200) ? out.body.status : null;
  }

  /** Re-reads an order as its buyer; the client learns what jobs did meanwhile. */
  async refresh(order: OrderState): Promise<string | null> {
    const out = await this.api.request<{ status: string; delivered_at: string | null }>('GET', `/v1/orders/${order.id}`, { token: order.buyer.token });
    if (!isAnswer(out, 200)) {
      this.expect('read order', out, [200]);
      return null;
    }
    order.status = out.body.status;
    if (out.body.delivered_at && order.deliveredAt === null) order.deliveredAt = new Date(out.body.delivered_at).getTime();
    return order.status;
  }

  /** Operator: decide every escalated case, clear flags on parcels that arrived. */
  async operatorRound(rnd: Random, opts: { clearAll?: boolean } = {}): Promise<void> {
    const op = this.world.operator.token;
    const escalated = await this.api.request<{ data: Array<{ id: string; amount: { amount: number }; order_id: string }> }>('GET', '/v1/after-sales?role=operator&status=escalated&limit=50', { token: op });
    if (isAnswer(escalated, 200)) {
      for (const c of escalated.body.data) {
        const outcome = rnd.weighted({ full_refund: 40, partial_refund: 30, reject: 30 });
        const out = await this.api.request('POST', `/v1/after-sales/${c.id}/decide`, {
          token: op,
          body: { outcome, note: 'Chaos operator decision', ...(outcome === 'partial_refund' ? { amount: Math.max(1, Math.floor(c.amount.amount / 2)) } : {}) },
          idempotencyKey: this.key('decide'),
        });
        if (this.expect('decide case', out, [200], ['invalid_transition', 'refund_exceeds_escrow'])?.status === 200) this.count('case_decided');
      }
    }
    const flags = await this.api.request<{ data: Array<{ id: string; order_id: string }> }>('GET', '/v1/admin/fulfillment/flags?status=open&limit=50', { token: op });
    if (isAnswer(flags, 200)) {
      for (const f of flags.body.data) {
        const o = this.orders.get(f.order_id);
        if (!opts.clearAll && !(o?.deliveredAt !== null && rnd.chance(0.5))) continue;
        const out = await this.api.request('POST', `/v1/admin/fulfillment/flags/${f.id}/clear`, { token: op, body: { note: 'Chaos operator: reviewed' } });
        if (this.expect('clear flag', out, [200], ['invalid_state', 'flag_cleared'])?.status === 200) this.count('flags_cleared');
      }
    }
  }

  async reconcileOk(): Promise<string[]> {
    const out = await this.api.request<{ balanced: boolean; problems: Array<{ message: string }> }>('GET', '/v1/admin/ledger/reconcile', { token: this.world.operator.token });
    if (!isAnswer(out, 200)) return [`reconcile: ${describe(out)}`];
    return out.body.balanced ? [] : out.body.problems.map((p) => `reconcile (API): ${p.message}`);
  }
}

export interface CheckoutResult {
  kind: string;
  /** The answer as it came (checkout only). */
  outcome?: Outcome<CheckoutAnswer>;
  paymentId?: string;
  amount?: number;
}

export interface CheckoutAnswer {
  payment: { id: string; status: string; amount: { amount: number; currency: string } };
  orders: Array<{ id: string; shop_id: string; status: string; total: { amount: number } }>;
}

export function shuffle<T>(rnd: Random, list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = rnd.int(0, i);
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

/** A per-round random source: the same seed and round always draw the same decisions. */
export function roundSeed(seed: number, round: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(round + 1, 0x85ebca6b)) >>> 1;
}
