import { sql } from 'drizzle-orm';
import { createApp, scheduleRecurringJobs } from '../app.js';
import { addCartItem, removeCartSkus } from '../modules/cart/index.js';
import { createProduct } from '../modules/catalog/index.js';
import { createShipment, clearFlag, listFlags } from '../modules/fulfillment/index.js';
import { SandboxCarrier, type Scenario } from '../modules/fulfillment/index.js';
import { signUp } from '../modules/identity/index.js';
import { accounts, getBalance, reconcile, type ReconcileReport } from '../modules/ledger/index.js';
import { insertVideo } from '../modules/content/index.js';
import { checkout } from '../flows/index.js';
import { getOrderForViewer } from '../modules/orders/index.js';
import { SANDBOX_CARDS } from '../modules/payments/index.js';
import { createShop } from '../modules/sellers/index.js';
import { createCommissionRule } from '../modules/settlement/index.js';
import { acceptCase, confirmReceipt, decideCase, escalateCase, getCase, listCases, openCase, rejectCase, shipReturn } from '../modules/aftersales/index.js';
import { DAY, HOUR, SettableClock } from '../platform/clock.js';
import { loadConfig } from '../platform/config.js';
import { openDatabase, rows, type Database } from '../platform/db.js';
import { AppError } from '../platform/errors.js';
import { Random } from './random.js';
import { stockKeeper } from '../modules/inventory/index.js';

/**
 * `loopshop simulate`: buyers, sellers (some late, some faking tracking), the sandbox carrier,
 * after-sales and settlement on a simulated clock, through the real services and jobs. Time moves
 * an hour at a time; each hour the jobs that fell due run (carrier scans, SLA clocks, completion,
 * release, payouts), then the actors act. Same seed, same run.
 */
export interface SimulationOptions {
  orders: number;
  days: number;
  seed: number;
  /** Defaults to a fresh in-memory embedded database. */
  database?: Database;
  /** Progress lines (one per simulated day). */
  log?: (line: string) => void;
}

export interface SimulationSummary {
  seed: number;
  days: number;
  currency: string;
  /** `refused`: checkouts stopped because trust & safety restricted a shop of the cart. */
  orders: { placed: number; declined: number; refused: number; by_status: Record<string, number> };
  sla_breaches: Record<string, number>;
  flags: Record<string, number>;
  cases: Record<string, number>;
  refunds: { count: number; amount: number };
  gmv: number;
  settled_orders: number;
  commission: number;
  creator_commission: number;
  subsidy: number;
  /** Payouts still in transit (amount). */
  payouts: number;
  /** Payouts the rail paid: money that left the platform (amount). */
  payouts_paid: number;
  /** Payouts the rail returned (count); their money went back to the payees' payables. */
  payouts_failed: number;
  escrow_held: number;
  reconcile: ReconcileReport;
  elapsed_ms: number;
}

type Profile = 'prompt' | 'late' | 'faker';
interface SimShop {
  id: string;
  ownerId: string;
  profile: Profile;
  skuIds: string[];
  productIds: string[];
  trackingNumbers: string[];
}

type Action =
  | { kind: 'checkout'; buyerId: string; shop: SimShop }
  | { kind: 'ship'; orderId: string; shop: SimShop; postalCode: string; buyerId: string }
  | { kind: 'open_case'; orderId: string; buyerId: string; shop: SimShop }
  | { kind: 'seller_answer'; caseId: string; shop: SimShop; buyerId: string }
  | { kind: 'buyer_return'; caseId: string; buyerId: string; shop: SimShop }
  | { kind: 'seller_receipt'; caseId: string; shop: SimShop }
  | { kind: 'operator_review' };

const START = new Date('2026-01-05T00:00:00Z');
const CATEGORIES = ['outdoor', 'home', 'beauty', 'tea', 'electronics'];
const SCENARIOS: Record<Scenario, number> = { on_time: 86, delayed: 8, exception_then_delivered: 4, lost: 2 };

/** Checkout refusals of trust & safety (decision 012): a shop suspended, frozen or at its order cap. */
const TRUST_REFUSALS = ['sku_unavailable', 'shop_suspended', 'shop_order_cap_reached'];

/** Lets an expected refusal (one of `codes`) pass as "nothing happened". */
const refusedWith =
  (...codes: string[]) =>
  (e: unknown): null => {
    if (e instanceof AppError && codes.includes(e.code)) return null;
    throw e;
  };

export async function runSimulation(opts: SimulationOptions): Promise<SimulationSummary> {
  const started = Date.now();
  const log = opts.log ?? (() => undefined);
  const rnd = new Random(opts.seed);
  const ownDatabase = !opts.database;
  const database = opts.database ?? (await openDatabase({}));
  const clock = new SettableClock(START);
  try {
    await database.migrate();
    const config = loadConfig({}, { seedDemo: false, webDist: '/nonexistent' });
    const app = await createApp({ database, clock, config, logger: false });
    const { db, jobs } = app.ctx;
    await scheduleRecurringJobs({ db, clock });
    // The app's strategies (src/strategies.ts): the sandbox carrier plays the parcels' scans.
    const { payments: providers, carriers } = app.ctx.strategies;
    const sandbox = carriers.get('sandbox') as SandboxCarrier;
    const user = async (name: string, roles: Array<'buyer' | 'seller' | 'creator' | 'operator'>) =>
      signUp(db, clock, { email: `${name}-${opts.seed}@sim.loopshop.dev`, password: 'simulation-only', name, roles });

    // The cast: shops with a behaviour profile, buyers, creators, one operator.
    const shopCount = Math.min(40, Math.max(4, Math.ceil(opts.orders / 250)));
    const shops: SimShop[] = [];
    for (let i = 0; i < shopCount; i++) {
      const owner = await user(`seller${i}`, ['seller']);
      const profile = rnd.weighted<Profile>({ prompt: 70, late: 15, faker: 15 });
      const shop = await createShop(db, clock, { name: `Sim shop ${i} (${profile})`, market: 'US', currency: 'USD', timezone: 'UTC', shippingFee: rnd.pick([0, 299, 499]), ownerId: owner.id });
      const skuIds: string[] = [];
      const productIds: string[] = [];
      for (let p = 0; p < 3; p++) {
        const product = await createProduct(db, clock, stockKeeper, shop.id, {
          title: `Sim product ${i}.${p}`,
          category: rnd.pick(CATEGORIES),
          affiliate_rate_bps: rnd.pick([0, 500, 1000]),
          status: 'live',
          option_names: ['Size'],
          variants: ['S', 'L'].map((size) => ({ option_values: [size], price: { amount: rnd.int(5, 200) * 100 - 1, currency: 'USD' }, stock: { on_hand: opts.orders * 3 } })),
        });
        skuIds.push(...product.variants.map((v) => v.sku_id));
        productIds.push(product.id);
      }
      shops.push({ id: shop.id, ownerId: owner.id, profile, skuIds, productIds, trackingNumbers: [] });
    }
    const shopById = new Map(shops.map((s) => [s.id, s]));
    const buyers: string[] = [];
    for (let i = 0; i < Math.min(200, Math.max(10, Math.ceil(opts.orders / 50))); i++) buyers.push((await user(`buyer${i}`, ['buyer'])).id);
    const creators: string[] = [];
    for (let i = 0; i < 10; i++) creators.push((await user(`creator${i}`, ['creator'])).id);
    // Each shop's products are shown in one creator's video: the source a buyer's cart line names,
    // and the only way a creator earns (attribution from server facts, issue 14). The simulation
    // has no media pipeline, so the videos are made visible directly.
    const videoOfShop = new Map<string, string>();
    for (const [i, shop] of shops.entries()) {
      const video = await insertVideo(db, clock, { creatorId: creators[i % creators.length]!, caption: `Sim haul ${i}`, productIds: shop.productIds }, { type: 'simulate.no_media', payload: {} });
      await db.execute(sql`update videos set status = 'ready', published_at = ${clock.now()} where id = ${video.id}`);
      videoOfShop.set(shop.id, video.id);
    }
    const operator = await user('operator', ['operator']);
    // The commission rules of the source articles: 8 % by default (seeded), 0 % for new tea shops
    // in their first 90 days with a 3 % ad subsidy, 5 % on electronics.
    await createCommissionRule(db, clock, operator.id, { category: 'tea', rate_bps: 0, new_shop_days: 90, subsidy_bps: 300 });
    await createCommissionRule(db, clock, operator.id, { category: 'electronics', rate_bps: 500 });

    // Orders arrive over the first part of the run, so most of them can finish inside it.
    const hours = opts.days * 24;
    const buckets: Action[][] = Array.from({ length: hours + 1 }, () => []);
    const at = (hour: number, action: Action) => {
      if (hour <= hours) buckets[Math.max(0, Math.floor(hour))]!.push(action);
    };
    const orderWindow = Math.max(1, hours - Math.min(12 * 24, Math.floor(hours / 3)));
    for (let i = 0; i < opts.orders; i++) at(rnd.int(0, orderWindow - 1), { kind: 'checkout', buyerId: rnd.pick(buyers), shop: rnd.pick(shops) });
    for (let d = 0; d < opts.days; d++) at(d * 24 + 10, { kind: 'operator_review' });

    let placed = 0;
    let declined = 0;
    let refused = 0;
    const perform = async (hour: number, a: Action): Promise<void> => {
      if (a.kind === 'checkout') {
        const lines = rnd.chance(0.3) ? 2 : 1;
        try {
          for (let l = 0; l < lines; l++) {
            const source = rnd.chance(0.4) ? { video_id: videoOfShop.get(a.shop.id)! } : undefined;
            await addCartItem(db, clock, a.buyerId, { sku_id: rnd.pick(a.shop.skuIds), quantity: rnd.int(1, 3), ...(source ? { source } : {}) });
          }
          const postalCode = String(rnd.int(10000, 99999));
          const card = rnd.chance(0.03) ? SANDBOX_CARDS.declined : SANDBOX_CARDS.succeeds;
          const outcome = await checkout(db, clock, providers, a.buyerId, {
            shipping_address: { name: 'Sim Buyer', line1: '1 Loop St', city: 'Springfield', postal_code: postalCode, country: 'US' },
            payment_method: { type: 'card', number: card, exp_month: 12, exp_year: START.getUTCFullYear() + 5, cvc: '123' },
          });
          for (const o of outcome.orders) {
            placed++;
            const shop = shopById.get(o.shopId)!;
            const delay = shop.profile === 'late' ? (rnd.chance(0.5) ? rnd.int(75, 95) : null) : rnd.int(2, 40);
            if (delay !== null) at(hour + delay, { kind: 'ship', orderId: o.id, shop, postalCode, buyerId: a.buyerId });
          }
        } catch (e) {
          if (e instanceof AppError && TRUST_REFUSALS.includes(e.code)) {
            // Trust & safety stopped a shop (suspended, frozen, order cap): the buyer empties the cart and moves on.
            refused++;
            await removeCartSkus(db, a.buyerId, shops.flatMap((x) => x.skuIds));
            return;
          }
          if (!(e instanceof AppError && e.code === 'card_declined')) throw e;
          declined++;
        }
      } else if (a.kind === 'ship') {
        const { order } = await getOrderForViewer(db, a.shop.ownerId, a.orderId);
        if (order.status !== 'paid') return; // cancelled meanwhile (auto-cancel)
        const fake = a.shop.profile === 'faker' && rnd.chance(0.5);
        const reuse = fake && a.shop.trackingNumbers.length > 0 && rnd.chance(0.5);
        const tracking = reuse ? rnd.pick(a.shop.trackingNumbers) : fake ? `FAKE${rnd.int(1e8, 9e8)}` : undefined;
        const s = await createShipment(db, clock, carriers, a.shop.ownerId, a.orderId, { carrier: 'sandbox', ...(tracking ? { tracking_number: tracking } : {}) });
        a.shop.trackingNumbers.push(s.trackingNumber);
        const scenario = fake ? 'lost' : rnd.weighted(SCENARIOS);
        if (!fake) await sandbox.simulate(db, s.trackingNumber, scenario, { postalCode: rnd.chance(0.01) ? '00000' : a.postalCode });
        // Buyers whose parcel never comes ask for their money; a few others open a case after delivery.
        if (scenario === 'lost') at(hour + rnd.int(5 * 24, 6 * 24), { kind: 'open_case', orderId: a.orderId, buyerId: a.buyerId, shop: a.shop });
        else if (rnd.chance(0.06)) at(hour + rnd.int(3 * 24, 8 * 24), { kind: 'open_case', orderId: a.orderId, buyerId: a.buyerId, shop: a.shop });
      } else if (a.kind === 'open_case') {
        const { order } = await getOrderForViewer(db, a.buyerId, a.orderId);
        if (order.status !== 'shipped' && order.status !== 'delivered') return; // completed or refunded meanwhile
        const notReceived = order.status === 'shipped';
        const type = notReceived ? 'refund_only' : rnd.weighted({ refund_only: 50, return_and_refund: 40, replacement: 10 });
        const c = await openCase(db, clock, providers, a.buyerId, a.orderId, {
          type,
          reason: notReceived ? 'The parcel never arrived' : 'Not what the video showed',
          reason_code: notReceived ? 'not_received' : rnd.pick(['damaged', 'not_as_described', 'wrong_item', 'changed_mind'] as const),
        }).catch(refusedWith('case_already_open', 'after_sales_window_closed'));
        if (c && c.status === 'requested') {
          // Most sellers answer within a day; a fifth stay silent and the case is accepted for them.
          if (!rnd.chance(0.2)) at(hour + rnd.int(1, 30), { kind: 'seller_answer', caseId: c.id, shop: a.shop, buyerId: a.buyerId });
        }
      } else if (a.kind === 'seller_answer') {
        const c = await getCase(db, a.shop.ownerId, a.caseId);
        if (c.status !== 'requested') return;
        if (rnd.chance(a.shop.profile === 'prompt' ? 0.7 : 0.4)) {
          const accepted = await acceptCase(db, clock, providers, a.shop.ownerId, a.caseId, {});
          if (accepted.status === 'seller_accepted' && rnd.chance(0.9)) at(hour + rnd.int(12, 96), { kind: 'buyer_return', caseId: a.caseId, buyerId: a.buyerId, shop: a.shop });
        } else {
          await rejectCase(db, clock, providers, a.shop.ownerId, a.caseId, { note: 'Item was fine when it left us' });
          if (rnd.chance(0.6)) await escalateCase(db, clock, providers, a.buyerId, a.caseId, { note: 'Please look at my photos' });
        }
      } else if (a.kind === 'buyer_return') {
        const c = await getCase(db, a.buyerId, a.caseId);
        if (c.status !== 'seller_accepted') return;
        await shipReturn(carriers)(db, clock, providers, a.buyerId, a.caseId, { carrier: 'sandbox', tracking_number: `RET${rnd.int(1e8, 9e8)}` });
        if (rnd.chance(0.7)) at(hour + rnd.int(24, 120), { kind: 'seller_receipt', caseId: a.caseId, shop: a.shop });
      } else if (a.kind === 'seller_receipt') {
        const c = await getCase(db, a.shop.ownerId, a.caseId);
        if (c.status === 'return_shipped') await confirmReceipt(db, clock, providers, a.shop.ownerId, a.caseId, {});
      } else {
        // The operator decides escalated disputes: a refund, part of one, or for the seller.
        for (;;) {
          const queue = await listCases(db, operator.id, { role: 'operator', status: 'escalated', limit: 100 });
          if (queue.data.length === 0) break;
          for (const c of queue.data) {
            const outcome = rnd.weighted({ full_refund: 40, partial_refund: 30, reject: 30 });
            await decideCase(db, clock, providers, operator.id, c.id, {
              outcome,
              note: 'Simulation: reviewed the evidence',
              ...(outcome === 'partial_refund' ? { amount: Math.max(1, Math.floor(c.amount.amount / 2)) } : {}),
            });
          }
        }
        // The operator clears flags on parcels the carrier delivered (the buyer has the goods).
        for (const f of await listFlags(db, { status: 'open' })) {
          const { order } = await getOrderForViewer(db, shopById.get(f.shopId)!.ownerId, f.orderId);
          if (order.status === 'delivered' || order.status === 'completed') await clearFlag(db, clock, operator.id, f.id, 'Simulation: delivered, reviewed');
        }
      }
    };

    for (let hour = 0; hour <= hours; hour++) {
      clock.set(new Date(START.getTime() + hour * HOUR));
      await jobs.runDue();
      for (const action of buckets[hour]!) await perform(hour, action);
      buckets[hour] = [];
      if (hour % 24 === 0 && hour > 0) log(`day ${hour / 24}/${opts.days}: ${placed} orders placed, ${declined} declined`);
    }
    clock.set(new Date(START.getTime() + opts.days * DAY));
    await jobs.runDue();
    await app.close();

    // The summary is a read-only report over the whole database, so it counts rows with SQL
    // instead of going through each module's services.
    const count = async (q: ReturnType<typeof sql>) =>
      Object.fromEntries((await rows<{ k: string; n: number }>(db, q)).map((r) => [r.k, Number(r.n)]));
    const [byStatus, breaches, flags, cases, [refunds]] = await Promise.all([
      count(sql`select status as k, count(*) as n from orders group by status order by status`),
      count(sql`select kind as k, count(*) as n from sla_breaches group by kind order by kind`),
      count(sql`select rule as k, count(*) as n from fulfillment_flags group by rule order by rule`),
      count(sql`select status as k, count(*) as n from after_sales_cases group by status order by status`),
      rows<{ n: number; amount: number }>(db, sql`select count(*) as n, coalesce(sum(amount), 0) as amount from refunds`),
    ]);
    const [gmv] = await rows<{ amount: number }>(db, sql`select coalesce(sum(total), 0) as amount from orders where paid_at is not null`);
    const [settled] = await rows<{ n: number }>(db, sql`select count(*) as n from settlements`);
    const creatorEarned = await rows<{ amount: number }>(
      db,
      sql`select coalesce(sum(amount), 0) as amount from ledger_postings where account like 'creator_payable:%' and amount > 0`,
    );
    const escrow = await rows<{ amount: number }>(db, sql`select coalesce(sum(amount), 0) as amount from ledger_postings where account like 'escrow:%'`);
    const [failedPayouts] = await rows<{ n: number }>(db, sql`select count(*) as n from payouts where status = 'failed'`);
    return {
      seed: opts.seed,
      days: opts.days,
      currency: 'USD',
      orders: { placed, declined, refused, by_status: byStatus },
      sla_breaches: breaches,
      flags,
      cases,
      refunds: { count: Number(refunds?.n ?? 0), amount: Number(refunds?.amount ?? 0) },
      gmv: Number(gmv?.amount ?? 0),
      settled_orders: Number(settled?.n ?? 0),
      commission: await getBalance(db, accounts.platformCommission(), 'USD'),
      creator_commission: Number(creatorEarned[0]?.amount ?? 0),
      subsidy: -(await getBalance(db, accounts.platformSubsidy(), 'USD')),
      payouts: await getBalance(db, accounts.payoutsInTransit(), 'USD'),
      payouts_paid: await getBalance(db, accounts.payoutsPaid(), 'USD'),
      payouts_failed: Number(failedPayouts?.n ?? 0),
      escrow_held: Number(escrow[0]?.amount ?? 0),
      reconcile: await reconcile(db),
      elapsed_ms: Date.now() - started,
    };
  } finally {
    if (ownDatabase) await database.close();
  }
}

/** The summary as the CLI prints it. */
export function formatSummary(s: SimulationSummary): string {
  const money = (minor: number) => `${(minor / 100).toFixed(2)} ${s.currency}`;
  const list = (r: Record<string, number>) => Object.entries(r).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
  return [
    `Simulation (seed ${s.seed}, ${s.days} days) finished in ${(s.elapsed_ms / 1000).toFixed(1)} s`,
    `  orders:        ${s.orders.placed} placed, ${s.orders.declined} checkouts declined, ${s.orders.refused} refused (shop restricted)`,
    `  final states:  ${list(s.orders.by_status)}`,
    `  SLA breaches:  ${list(s.sla_breaches)}`,
    `  flags:         ${list(s.flags)}`,
    `  cases:         ${list(s.cases)}`,
    `  refunds:       ${s.refunds.count} for ${money(s.refunds.amount)}`,
    `  GMV:           ${money(s.gmv)}`,
    `  settled:       ${s.settled_orders} orders · commission ${money(s.commission)} · creators ${money(s.creator_commission)} · subsidy ${money(s.subsidy)}`,
    `  payouts:       ${money(s.payouts_paid)} paid · ${money(s.payouts)} in transit · ${s.payouts_failed} failed`,
    `  escrow held:   ${money(s.escrow_held)}`,
    `  reconcile:     ${s.reconcile.balanced ? 'balanced' : `NOT balanced (${s.reconcile.problems.length} problems)`}`,
  ].join('\n');
}
