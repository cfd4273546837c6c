/**
 * The payment provider strategy (Vendure-style): checkout talks to a provider only through this
 * interface, so a real card processor plugs in beside the built-in `sandbox`.
 *
 * Contract every implementation keeps:
 * - calls carrying an `idempotencyKey` are idempotent at the provider: the same key returns the
 *   same intent or refund and never charges or refunds twice (checkout passes the payment id,
 *   cancellation `cancel:<order id>`), so a retried or resumed request is safe;
 * - `verifyWebhook` authenticates the raw request body and refuses stale timestamps; the caller
 *   dedupes by `event.id`.
 */
export interface CardDetails {
  number: string;
  exp_month: number;
  exp_year: number;
  cvc: string;
}

export type ConfirmStatus = 'succeeded' | 'requires_action' | 'declined';

export interface ConfirmResult {
  status: ConfirmStatus;
  /** Set when declined, e.g. `card_declined`, `insufficient_funds`, `authentication_failed`. */
  decline_code?: string;
  /** Last four digits of the card (unknown when completing an action). */
  last4?: string;
}

export interface PaymentIntent {
  id: string;
  amount: number;
  currency: string;
}

export type WebhookEventType = 'payment.succeeded' | 'payment.failed' | 'refund.succeeded';

export interface WebhookEvent {
  /** The provider's event id; a replay carries the same id. */
  id: string;
  type: WebhookEventType;
  /** Unix seconds. */
  created: number;
  data: {
    intent_id: string;
    /** Our payment id, from the intent's metadata. */
    payment_id: string;
    amount: number;
    currency: string;
    last4?: string;
    decline_code?: string;
    refund_id?: string;
    /** Our order id, from the refund's metadata. */
    order_id?: string;
  };
}

export interface PaymentProvider {
  readonly name: string;
  createIntent(input: { amount: number; currency: string; metadata: Record<string, string>; idempotencyKey?: string }): Promise<PaymentIntent>;
  /** Authorizes the card for the intent. `requires_action` is completed by `completeAction`. */
  confirm(intentId: string, input: { card: CardDetails }): Promise<ConfirmResult>;
  /** Completes a 3-D-Secure-style challenge the buyer answered. */
  completeAction(intentId: string, input: { challenge: 'pass' | 'fail' }): Promise<ConfirmResult>;
  /** Captures an authorized intent. */
  capture(intentId: string): Promise<{ status: 'succeeded' }>;
  refund(
    intentId: string,
    amount: number,
    opts?: { idempotencyKey?: string; metadata?: Record<string, string> },
  ): Promise<{ refund_id: string }>;
  /** Authenticates a webhook; throws AppError 401 `invalid_signature` (or 400 for a malformed body). */
  verifyWebhook(rawBody: Buffer | string, headers: Record<string, string | string[] | undefined>): WebhookEvent;
}
