import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Clock } from './platform/clock.js';
import type { Config } from './platform/config.js';
import type { Database } from './platform/db.js';
import { buildHttpApp, type AppContext } from './platform/http.js';
import { purgeIdempotencyKeys } from './platform/idempotency.js';
import { resolveSandboxSecrets } from './platform/installation-secrets.js';
import { subscribeAll } from './subscriptions.js';
import { enqueue, JobRunner } from './platform/jobs.js';
import { purgeRateLimitCounters } from './platform/rate-limit.js';
import { HOUR } from './platform/clock.js';
import { loadMarkets, startMarketRefresh } from './platform/markets.js';
import { identityRoutes } from './modules/identity/routes.js';
import { resolveSession } from './modules/identity/index.js';
import { ledgerRoutes } from './modules/ledger/routes.js';
import { adminRoutes } from './platform/admin-routes.js';
import { contentRoutes, mediaRoutes } from './modules/content/routes.js';
import { registerContentJobs } from './modules/content/index.js';
import { registerDemoVideoJobs } from './demo/videos.js';
import { catalogRoutes } from './modules/catalog/routes.js';
import { inventoryRoutes } from './modules/inventory/routes.js';
import { createWarehouses, registerInventoryJobs, stockKeeper } from './modules/inventory/index.js';
import { cartRoutes } from './modules/cart/routes.js';
import { ordersRoutes } from './modules/orders/routes.js';
import { checkoutRoutes, paymentFlowRoutes } from './flows/checkout.routes.js';
import { acceptOffer, freezeShop, receiveInbound, registerFlowJobs } from './flows/index.js';
import { fulfillmentRoutes } from './modules/fulfillment/routes.js';
import { registerFulfillmentJobs, scheduleDispatchSweep } from './modules/fulfillment/index.js';
import { aftersalesRoutes } from './modules/aftersales/routes.js';
import { registerAftersalesJobs } from './modules/aftersales/index.js';
import { settlementRoutes } from './modules/settlement/routes.js';
import { sellersRoutes } from './modules/sellers/routes.js';
import { listShopsForUser } from './modules/sellers/index.js';
import { assertUserTextLinkFree } from './modules/links/index.js';
import { confirmReceipt, listShipmentsOfOrder, shipmentView, ShipmentOut } from './modules/fulfillment/index.js';
import { productRating, reviewsOfItems } from './modules/reviews/index.js';
import { registerSettlementJobs, scheduleSettlementJobs } from './modules/settlement/index.js';
import { managedRoutes } from './modules/managed/routes.js';
import { linksRoutes } from './modules/links/routes.js';
import { cutoverRoutes, outRoutes } from './flows/cutover.routes.js';
import { registerNotificationEmail } from './modules/notifications/index.js';
import { notificationsRoutes } from './modules/notifications/routes.js';
import { auditRoutes } from './modules/audit/routes.js';
import { analyticsRoutes } from './modules/analytics/routes.js';
import { registerAnalyticsJobs, scheduleAnalyticsJobs } from './modules/analytics/index.js';
import { importsRoutes } from './modules/imports/routes.js';
import { feedRoutes } from './modules/feed/routes.js';
import { liveRoutes } from './modules/live/routes.js';
import { registerLiveJobs, scheduleLiveJobs } from './modules/live/index.js';
import { operatorRoutes } from './modules/operator/routes.js';
import { registerImportJobs } from './modules/imports/index.js';
import { trustRoutes } from './modules/trust/routes.js';
import { registerTrustJobs, scheduleTrustJobs } from './modules/trust/index.js';
import { reviewsRoutes } from './modules/reviews/routes.js';
import { buildStrategies, type StrategiesOption } from './strategies.js';

/**
 * The composition root: wires every module's routes and job handlers onto one app.
 * Nothing here holds state of its own; any number of these can run over one database.
 */
export interface CreateAppOptions {
  database: Database;
  clock: Clock;
  config: Config;
  logger?: FastifyServerOptions['logger'];
  /** Payment providers, carriers, payout rail, media processor in place of the built-in sandboxes (src/strategies.ts). */
  strategies?: StrategiesOption;
}

export async function createApp(opts: CreateAppOptions): Promise<FastifyInstance> {
  const { database, clock, config } = opts;
  const db = database.db;
  await loadMarkets(db);
  const secrets = await resolveSandboxSecrets(db, clock, config);
  const strategiesOn = (on: Clock) => buildStrategies({ clock: on, secrets, config }, opts.strategies);
  const strategies = strategiesOn(clock);
  const { payments, carriers, payoutRail } = strategies;
  const media = { ...strategies.media, mediaDir: config.mediaDir };
  const jobs = new JobRunner(db, clock);
  // Hourly housekeeping of request bookkeeping: expired Idempotency-Keys and ended rate-limit windows.
  jobs.register('platform.purge_idempotency_keys', async (tx) => {
    await purgeIdempotencyKeys(tx, clock);
    await purgeRateLimitCounters(tx, clock);
    await enqueue(tx, clock, 'platform.purge_idempotency_keys', {}, { runAt: new Date(clock.now().getTime() + HOUR) });
  });
  registerInventoryJobs(jobs, clock);
  registerFlowJobs(jobs, clock, payments);
  registerFulfillmentJobs(jobs, clock, payments, carriers, { shipByWarningMs: config.shipByWarningHours * HOUR });
  registerAftersalesJobs(jobs, clock, payments);
  registerSettlementJobs(jobs, clock, { payoutRail });
  registerAnalyticsJobs(jobs, clock);
  registerContentJobs(jobs, { clock, media });
  registerDemoVideoJobs(jobs, { clock, media });
  registerImportJobs(jobs, { clock, config });
  const freeze = freezeShop(payments);
  registerTrustJobs(jobs, clock, freeze);
  registerLiveJobs(jobs, clock);
  // Durable subscribers and projections of domain events (src/subscriptions.ts), delivered by the job runner.
  subscribeAll({ email: config.smtp !== undefined }).register(jobs, clock);
  if (config.smtp) registerNotificationEmail(jobs, config.smtp, config.publicUrl);
  const ctx: AppContext = { database, db, clock, config, jobs, secrets, strategies, strategiesOn };
  // Lower modules' routes get what they need of higher ones here (module order: decision 021).
  const identity = (app: FastifyInstance) => identityRoutes(app, { shopsOfUser: listShopsForUser, assertTextLinkFree: assertUserTextLinkFree });
  const orders = (app: FastifyInstance) =>
    ordersRoutes(app, {
      shipmentSchema: ShipmentOut,
      shipmentsOf: async (tx, orderId) => Promise.all((await listShipmentsOfOrder(tx, orderId)).map((s) => shipmentView(tx, s))),
      reviewsOfItems,
      confirmReceipt,
    });
  const catalog = (app: FastifyInstance) => catalogRoutes(app, { stock: stockKeeper, rating: productRating });
  const sellers = (app: FastifyInstance) => sellersRoutes(app, { openWarehouses: createWarehouses });
  const trust = (app: FastifyInstance) => trustRoutes(app, { freeze });
  const managed = (app: FastifyInstance) => managedRoutes(app, { acceptOffer, receiveInbound });
  const app = await buildHttpApp({
    ctx,
    logger: opts.logger,
    resolveSession: (token) => resolveSession(db, clock, token),
    routes: [identity, ledgerRoutes, adminRoutes, catalog, inventoryRoutes, contentRoutes, cartRoutes, checkoutRoutes, orders, paymentFlowRoutes, fulfillmentRoutes, settlementRoutes, aftersalesRoutes, managed, sellers, linksRoutes, cutoverRoutes, notificationsRoutes, auditRoutes, analyticsRoutes, importsRoutes, feedRoutes, trust, reviewsRoutes, liveRoutes, operatorRoutes],
    rootRoutes: [mediaRoutes, outRoutes],
  });
  const stopMarketRefresh = startMarketRefresh(db, (err) => app.log.warn({ err }, 'reloading markets failed'));
  app.addHook('onClose', async () => stopMarketRefresh());
  return app;
}

/** Periodic platform jobs, enqueued once per database (unique keys make this idempotent). */
export async function scheduleRecurringJobs(ctx: { db: Database['db']; clock: Clock }): Promise<void> {
  await enqueue(ctx.db, ctx.clock, 'platform.purge_idempotency_keys', {}, { uniqueKey: 'recurring:purge_idempotency_keys' });
  await scheduleDispatchSweep(ctx.db, ctx.clock);
  await scheduleSettlementJobs(ctx.db, ctx.clock);
  await scheduleAnalyticsJobs(ctx.db, ctx.clock);
  await scheduleTrustJobs(ctx.db, ctx.clock);
  await scheduleLiveJobs(ctx.db, ctx.clock);
}
