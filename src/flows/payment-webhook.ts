import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db.js';
import { cancelPaidLocked, lockOrder, refundableAmount } from '../modules/orders/index.js';
import { claimWebhookEvent, findPayment, findRefund, getProvider, lockPayment, recordRefund, type PaymentProvider, type Providers, type WebhookEvent } from '../modules/payments/index.js';
import { finalizeDecline, finalizeSuccess, SETTLED } from './payment-outcome.js';

/**
 * Provider webhooks and the undo of a late capture. A verified event is applied with the same
 * idempotent functions as the synchronous checkout (payment-outcome.ts); a refund the provider
 * made on its own of all a paid order holds cancels the order through `cancelPaidLocked`.
 */

/** Applies a verified provider event (the caller has claimed its id). Unknown objects are ignored. */
async function applyEvent(tx: Db, clock: Clock, providers: Providers, provider: PaymentProvider, event: WebhookEvent): Promise<void> {
  const d = event.data;
  const p = await findPayment(tx, d.payment_id);
  if (!p || p.provider !== provider.name || (p.providerRef !== null && p.providerRef !== d.intent_id)) return;
  if (event.type === 'payment.succeeded') {
    if (d.amount !== p.amount || d.currency !== p.currency) return;
    // Settled is final: the usual case (the synchronous answer recorded it first) costs no lock.
    if (SETTLED.includes(p.status)) return;
    await finalizeSuccess(tx, clock, provider, p.id, { intentId: d.intent_id, last4: d.last4 ?? null }, false);
  } else if (event.type === 'payment.failed') {
    await finalizeDecline(tx, clock, provider, p.id, { intentId: d.intent_id, last4: d.last4 ?? null, code: d.decline_code ?? 'card_declined' }, false);
  } else if (event.type === 'refund.succeeded' && d.order_id && d.refund_id) {
    // A refund this platform made (its own webhook) is recorded already; one the provider made on
    // its own of all that a paid order still holds is a cancellation, through the same path.
    if (await findRefund(tx, p.id, d.refund_id)) return;
    const o = await lockOrder(tx, d.order_id);
    if (!o || o.paymentId !== p.id || o.status !== 'paid' || d.currency !== o.currency || d.amount !== (await refundableAmount(tx, o))) return;
    await cancelPaidLocked(tx, clock, providers, o.id, 'refunded_by_provider', d.refund_id);
  }
}

/**
 * `POST /v1/webhooks/payments/{provider}`: verifies the signature (401 `invalid_signature`),
 * then in one transaction claims the event id (a replay is acknowledged and ignored) and applies
 * it with the same functions as the synchronous path.
 */
export async function receiveWebhook(
  db: Db,
  clock: Clock,
  providers: Providers,
  providerName: string,
  rawBody: Buffer | string,
  headers: Record<string, string | string[] | undefined>,
): Promise<{ duplicate: boolean; event_id: string }> {
  const provider = getProvider(providers, providerName);
  const event = provider.verifyWebhook(rawBody, headers);
  return db.transaction(async (tx) => {
    if (!(await claimWebhookEvent(tx, clock, provider.name, event))) return { duplicate: true, event_id: event.id };
    await applyEvent(tx, clock, providers, provider, event);
    return { duplicate: false, event_id: event.id };
  });
}

/** The refund job for a capture that arrived after its checkout had ended. */
export async function refundLateCapture(tx: Db, clock: Clock, providers: Providers, paymentId: string, intentId: string): Promise<void> {
  const p = await lockPayment(tx, paymentId);
  if (!p || p.refundedAmount >= p.amount) return;
  const provider = getProvider(providers, p.provider);
  const amount = p.amount - p.refundedAmount;
  const { refund_id } = await provider.refund(intentId, amount, { idempotencyKey: `late:${p.id}`, metadata: { payment_id: p.id } });
  await recordRefund(tx, clock, { paymentId: p.id, orderId: null, amount, currency: p.currency, reason: 'late_capture', providerRef: refund_id });
}

