import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Clock } from './platform/clock.js';
import type { Config } from './platform/config.js';
import type { Database } from './platform/db.js';
import { buildHttpApp, type AppContext } from './platform/http.js';
import { purgeIdempotencyKeys } from './platform/idempotency.js';
import { resolveSandboxSecrets } from './platform/installation-secrets.js';
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
import { registerInventoryJobs } from './modules/inventory/index.js';
import { cartRoutes } from './modules/cart/routes.js';
import { ordersRoutes } from './modules/orders/routes.js';
import { checkoutRoutes, paymentFlowRoutes } from './flows/checkout.routes.js';
import { registerFlowJobs } from './flows/index.js';
import { createPaymentProviders } from './modules/payments/index.js';
import { fulfillmentRoutes } from './modules/fulfillment/routes.js';
import { createCarriers, registerFulfillmentJobs, scheduleDispatchSweep } from './modules/fulfillment/index.js';
import { aftersalesRoutes } from './modules/aftersales/routes.js';
import { registerAftersalesJobs } from './modules/aftersales/index.js';
import { settlementRoutes } from './modules/settlement/routes.js';
import { sellersRoutes } from './modules/sellers/routes.js';
import { registerSettlementJobs, scheduleSettlementJobs } from './modules/settlement/index.js';
import { managedRoutes } from './modules/managed/routes.js';
import { linksRoutes } from './modules/links/routes.js';
import { cutoverRoutes, outRoutes } from './flows/cutover.routes.js';
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

/**
 * The composition root: wires every module's routes and job handlers onto one app.
 * Nothing here holds state of its own; any number of these can run over one database.
 */
export interface CreateAppOptions {
  database: Database;
  clock: Clock;
  config: Config;
  logger?: FastifyServerOptions['logger'];
}

export async function createApp(opts: CreateAppOptions): Promise<FastifyInstance> {
  const { database, clock, config } = opts;
  const db = database.db;
  await loadMarkets(db);
  const secrets = await resolveSandboxSecrets(db, clock, config);
  const jobs = new JobRunner(db, clock);
  // Hourly housekeeping of request bookkeeping: expired Idempotency-Keys and ended rate-limit windows.
  jobs.register('platform.purge_idempotency_keys', async (tx) => {
    await purgeIdempotencyKeys(tx, clock);
    await purgeRateLimitCounters(tx, clock);
    await enqueue(tx, clock, 'platform.purge_idempotency_keys', {}, { runAt: new Date(clock.now().getTime() + HOUR) });
  });
  registerInventoryJobs(jobs, clock);
  registerFlowJobs(jobs, clock, createPaymentProviders(clock, secrets));
  registerFulfillmentJobs(jobs, clock, createPaymentProviders(clock, secrets), createCarriers(clock, secrets));
  registerAftersalesJobs(jobs, clock, createPaymentProviders(clock, secrets));
  registerSettlementJobs(jobs, clock);
  registerAnalyticsJobs(jobs, clock);
  registerContentJobs(jobs, { clock, config });
  registerDemoVideoJobs(jobs, { clock, config });
  registerImportJobs(jobs, { clock, config });
  registerTrustJobs(jobs, clock, createPaymentProviders(clock, secrets));
  registerLiveJobs(jobs, clock);
  const ctx: AppContext = { database, db, clock, config, jobs, secrets };
  const app = await buildHttpApp({
    ctx,
    logger: opts.logger,
    resolveSession: (token) => resolveSession(db, clock, token),
    routes: [identityRoutes, ledgerRoutes, adminRoutes, catalogRoutes, inventoryRoutes, contentRoutes, cartRoutes, checkoutRoutes, ordersRoutes, paymentFlowRoutes, fulfillmentRoutes, settlementRoutes, aftersalesRoutes, managedRoutes, sellersRoutes, linksRoutes, cutoverRoutes, notificationsRoutes, auditRoutes, analyticsRoutes, importsRoutes, feedRoutes, trustRoutes, reviewsRoutes, liveRoutes, operatorRoutes],
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
