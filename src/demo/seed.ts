import { count, sql } from 'drizzle-orm';
import { DAY, type Clock } from '../platform/clock.js';
import type { Db } from '../platform/db.js';
import { users } from '../modules/identity/index.js';
import { signUp } from '../modules/identity/index.js';
import { createShop, getShop, listShopMemberIds } from '../modules/sellers/index.js';
import { getProduct, getProductsByIds } from '../modules/catalog/index.js';
import { seedDemoCatalog } from './catalog.js';
import { seedDemoVideos } from './videos.js';
import { seedDemoLive } from './live.js';
import { seedDemoHistory, type HistoryWorld } from './history.js';
import { createCommissionRuleAudited } from '../modules/settlement/index.js';
import { createInvitationAudited, saveDocument, submitApplication } from '../modules/sellers/index.js';
import { loadMarkets } from '../platform/markets.js';
import { stockKeeper } from '../modules/inventory/index.js';
import type { Strategies } from '../strategies.js';
import type { JobRunner } from '../platform/jobs.js';
import { renderDemoClips } from './videos.js';

export const DEMO_PASSWORD = 'loopshop-demo';
export const DEMO_INVITATION_CODE = 'LOOPSHOP-DEMO-US';
export const DEMO_ACCOUNTS = [
  { email: 'buyer@demo.loopshop.dev', name: 'Demo Buyer', roles: ['buyer'] as const },
  { email: 'seller@demo.loopshop.dev', name: 'Demo Seller', roles: ['buyer'] as const },
  { email: 'creator@demo.loopshop.dev', name: 'Demo Creator', roles: ['buyer', 'creator'] as const },
  { email: 'operator@demo.loopshop.dev', name: 'Demo Operator', roles: ['operator'] as const },
];

/** Shoppers who placed the demo history's orders (password `loopshop-demo` too). */
export const DEMO_SHOPPERS = 6;

/** With the history: a would-be seller whose application (the demo invitation, checks passed) waits in the operators' queue. */
export const DEMO_APPLICANT = { email: 'applicant@demo.loopshop.dev', name: 'Demo Applicant', company: 'Ridgeline Camping Supply Inc.' };
/** A minimal PDF: the demo applicant's documents. */
const DEMO_DOCUMENT = Buffer.from('%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n', 'latin1');

/**
 * Seeds the demo accounts of API.md (password `loopshop-demo`) and a shop for the seller,
 * only when the database has no users; then (unless `history: false`) 90 days of history before
 * the clock's now (src/demo/history.ts) and a seller application waiting for review. The
 * operator's setup (commission rule, invitation) goes through the audited functions, so the audit
 * log shows it. Returns whether it seeded.
 */
export async function seedDemo(
  db: Db,
  clock: Clock,
  opts: {
    history?: boolean;
    /** The app's strategies on a clock (app.ctx.strategiesOn): the history's orders pay and ship with them. */
    strategiesOn?: (clock: Clock) => Strategies;
    /**
     * The app's job runner (app.ctx.jobs): with the history, the demo clips render first, so the
     * history's buyers click videos that are visible and their orders are attributed to them
     * (attribution is decided from server facts, issue 14: a video still processing earns no one).
     */
    jobs?: Pick<JobRunner, 'runDue'>;
    /** The app's data directory (config.dataDir), where the demo applicant's documents are stored; needed with the history. */
    dataDir?: string;
  } = {},
): Promise<boolean> {
  const world = await db.transaction(async (tx): Promise<HistoryWorld | null> => {
    // Several nodes starting on one empty database: only the first seeds.
    await tx.execute(sql`select pg_advisory_xact_lock(735560802)`);
    const [row] = await tx.select({ n: count() }).from(users);
    if ((row?.n ?? 0) > 0) return null;
    await loadMarkets(tx); // shops and invitations read the market settings (seed-demo runs without an app)
    const created = [];
    for (const a of DEMO_ACCOUNTS) {
      created.push(await signUp(tx, clock, { email: a.email, password: DEMO_PASSWORD, name: a.name, roles: [...a.roles] }));
    }
    const shop = await createShop(tx, clock, {
      name: 'Demo Outdoor Co.',
      market: 'US',
      currency: 'USD',
      timezone: 'America/Los_Angeles',
      shippingFee: 499,
      ownerId: created[1]!.id,
    });
    const catalog = await seedDemoCatalog(tx, clock, { sellerId: created[1]!.id, shopId: shop.id });
    const products = await getProductsByIds(tx, stockKeeper, catalog.productIds);
    const shops = [];
    for (const s of catalog.shops) shops.push({ id: s.id, ownerId: (await listShopMemberIds(tx, s.id))[0]!, timezone: (await getShop(tx, s.id)).timezone });
    const videos = await seedDemoVideos(tx, clock, {
      creatorId: created[2]!.id,
      products,
      timezones: opts.history === false ? undefined : new Map(shops.map((s) => [s.id, s.timezone])),
    });
    // A commission promotion: 0 % for tea shops in their first 90 days, with a 3 % ad subsidy.
    await createCommissionRuleAudited(tx, clock, created[3]!.id, { category: 'tea', rate_bps: 0, new_shop_days: 90, subsidy_bps: 300 });
    // An invitation for trying seller onboarding (README: Demo): US market, category outdoor.
    const expiresAt = new Date(clock.now().getTime() + 5 * 365 * DAY).toISOString();
    await createInvitationAudited(tx, clock, created[3]!.id, { code: DEMO_INVITATION_CODE, market: 'US', category: 'outdoor', max_uses: 1000, expires_at: expiresAt });
    // A scheduled live session for the demo creator (src/demo/live.ts).
    await seedDemoLive(tx, clock, created[2]!.id);
    const buyerIds: string[] = [];
    let applicantId = '';
    if (opts.history !== false) {
      for (let i = 1; i <= DEMO_SHOPPERS; i++) {
        buyerIds.push((await signUp(tx, clock, { email: `shopper${i}@demo.loopshop.dev`, password: DEMO_PASSWORD, name: `Demo Shopper ${i}` })).id);
      }
      applicantId = (await signUp(tx, clock, { email: DEMO_APPLICANT.email, password: DEMO_PASSWORD, name: DEMO_APPLICANT.name })).id;
    }
    const detailed = [];
    for (const p of products) detailed.push(await getProduct(tx, stockKeeper, p.id));
    return {
      applicantId,
      creatorId: created[2]!.id,
      journey: { buyerId: created[0]!.id, shopId: shop.id },
      buyerIds,
      shops,
      products: detailed.map((p) => ({ id: p.id, shopId: p.shop_id, price: p.price_range.min.amount, skuIds: p.variants.map((v) => v.sku_id) })),
      videos,
    };
  });
  if (!world) return false;
  // After the accounts commit: checkouts run their own transactions, and the rollup folds only committed events.
  if (opts.history !== false) {
    if (!opts.strategiesOn || !opts.jobs) throw new Error('The demo history needs the app\'s strategies and job runner (app.ctx.strategiesOn, app.ctx.jobs)');
    if (!opts.dataDir) throw new Error('The demo history needs the app\'s data directory (config.dataDir) for the demo applicant\'s documents');
    await renderDemoClips(opts.jobs);
    await seedDemoHistory(db, clock, world, { strategiesOn: opts.strategiesOn });
    await seedDemoApplication(db, clock, opts.dataDir, world.applicantId);
  }
  return true;
}

/** The demo applicant applies with the demo invitation, every check passing: an application waiting in the operators' queue. */
async function seedDemoApplication(db: Db, clock: Clock, dataDir: string, applicantId: string): Promise<void> {
  const documentIds = [];
  for (const kind of ['local_stock_proof', 'sales_statement', 'licence'] as const) documentIds.push((await saveDocument(db, clock, dataDir, applicantId, kind, DEMO_DOCUMENT)).id);
  const application = await submitApplication(db, clock, applicantId, {
    invitation_code: DEMO_INVITATION_CODE,
    category: 'outdoor',
    mode: 'self_fulfilled',
    company_name: DEMO_APPLICANT.company,
    registration_number: 'DE-7741209',
    tax_id: '84-3120977',
    contact: { name: DEMO_APPLICANT.name, email: DEMO_APPLICANT.email, phone: '+1 303 555 0142' },
    yearly_sales: { amount: 310_000_000, currency: 'USD', marketplace: 'Amazon US' },
    warehouses: [{ name: 'Denver DC', address: { line1: '4800 Dahlia St', city: 'Denver', region: 'CO', postal_code: '80216', country: 'US' } }],
    document_ids: documentIds,
  });
  if (application.status !== 'submitted') throw new Error(`The demo application did not pass its checks: ${JSON.stringify(application.checks)}`);
}
