import type { Clock } from '../platform/clock.js';
import type { JobRunner } from '../platform/jobs.js';
import { EXPIRE_PENDING_JOB } from '../modules/orders/index.js';
import { SANDBOX_WEBHOOK_JOB, SandboxProvider, type Providers, type WebhookEvent } from '../modules/payments/index.js';
import { registerCutoverJobs } from './cutover.js';
import { expirePayment, LATE_CAPTURE_REFUND_JOB } from './payment-outcome.js';
import { receiveWebhook, refundLateCapture } from './payment-webhook.js';
import { registerReleaseJobs } from './release.js';

/**
 * Processes that span modules (decision 020): each a sequence of steps over module services,
 * with the undo of each step a later one can fail after (`runFlow`, platform/flow.ts). Modules
 * never import this directory; the composition root (app.ts) registers the flows' routes and
 * jobs.
 */
export * from './checkout.js';
export * from './cutover.js';
export * from './follow-anchor.js';
export * from './managed-fulfilment.js';
export * from './payment-outcome.js';
export * from './payment-webhook.js';
export * from './release.js';
export * from './trust-freeze.js';

/** Job handlers of all flows (the composition root registers them once). */
export function registerFlowJobs(jobs: JobRunner, clock: Clock, providers: Providers): void {
  registerCheckoutJobs(jobs, clock, providers);
  registerCutoverJobs(jobs, clock);
  registerReleaseJobs(jobs, clock);
}

/** Job handlers of checkout: order expiry, sandbox webhook delivery, refunds of late captures. */
export function registerCheckoutJobs(jobs: JobRunner, clock: Clock, providers: Providers): void {
  jobs.register(EXPIRE_PENDING_JOB, async (tx, payload) => {
    await expirePayment(tx, clock, (payload as { payment_id: string }).payment_id);
  });
  jobs.register(SANDBOX_WEBHOOK_JOB, async (tx, payload) => {
    // `provider`: the sandbox that sent the event (jobs enqueued before it was named: `sandbox`).
    const { provider = 'sandbox', event } = payload as { provider?: string; event: WebhookEvent };
    const sandbox = providers.get(provider);
    if (!(sandbox instanceof SandboxProvider)) return;
    const { rawBody, headers } = sandbox.sign(event);
    await receiveWebhook(tx, clock, providers, sandbox.name, rawBody, headers);
  });
  jobs.register(LATE_CAPTURE_REFUND_JOB, async (tx, payload) => {
    const { payment_id, intent_id } = payload as { payment_id: string; intent_id: string };
    await refundLateCapture(tx, clock, providers, payment_id, intent_id);
  });
}
