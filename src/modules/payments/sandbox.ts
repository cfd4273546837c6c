import { createHash, randomUUID } from 'node:crypto';
import type { Clock } from '../../platform/clock.js';
import { AppError, badRequest } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { signWebhook, verifyWebhook, type SignedDelivery } from '../../platform/webhook-signature.js';
import { checkCard } from './cards.js';
import type { CardDetails, ConfirmResult, PaymentIntent, PaymentProvider, WebhookEvent, WebhookEventType } from './provider.js';

export { SIGNATURE_HEADER } from '../../platform/webhook-signature.js';

/** The sandbox's test cards (docs/api.md, Payments). Any other Luhn-valid number succeeds. */
export const SANDBOX_CARDS = {
  succeeds: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  requiresAction: '4000000000003220',
} as const;

const digest = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 24);
const EVENT_TYPES: readonly WebhookEventType[] = ['payment.succeeded', 'payment.failed', 'refund.succeeded'];

/**
 * The built-in provider: deterministic by card number, no network, no state. Intent and refund
 * ids derive from the idempotency key, so the same key always names the same intent or refund
 * (the idempotency contract of provider.ts). It signs its webhooks like a real processor:
 * `loopshop-signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.
 */
export class SandboxProvider implements PaymentProvider {
  constructor(
    private readonly clock: Clock,
    /** The installation's signing secret (configured, or generated at first start: src/platform/installation-secrets.ts). */
    private readonly secret: string,
    /** Its name in the provider map and webhook path; a second sandbox under another name and secret is a second provider. */
    readonly name: string = 'sandbox',
  ) {}

  async createIntent(input: { amount: number; currency: string; metadata: Record<string, string>; idempotencyKey?: string }): Promise<PaymentIntent> {
    if (!Number.isSafeInteger(input.amount) || input.amount <= 0) throw badRequest('invalid_amount', 'An intent needs a positive amount');
    return { id: `pi_sbx_${digest(input.idempotencyKey ?? randomUUID())}`, amount: input.amount, currency: input.currency };
  }

  async confirm(_intentId: string, input: { card: CardDetails }): Promise<ConfirmResult> {
    const digits = checkCard(input.card, this.clock.now());
    const last4 = digits.slice(-4);
    switch (digits) {
      case SANDBOX_CARDS.declined:
        return { status: 'declined', decline_code: 'card_declined', last4 };
      case SANDBOX_CARDS.insufficientFunds:
        return { status: 'declined', decline_code: 'insufficient_funds', last4 };
      case SANDBOX_CARDS.requiresAction:
        return { status: 'requires_action', last4 };
      default:
        return { status: 'succeeded', last4 };
    }
  }

  async completeAction(_intentId: string, input: { challenge: 'pass' | 'fail' }): Promise<ConfirmResult> {
    return input.challenge === 'pass' ? { status: 'succeeded' } : { status: 'declined', decline_code: 'authentication_failed' };
  }

  async capture(_intentId: string): Promise<{ status: 'succeeded' }> {
    return { status: 'succeeded' };
  }

  async refund(intentId: string, amount: number, opts: { idempotencyKey?: string } = {}): Promise<{ refund_id: string }> {
    if (!Number.isSafeInteger(amount) || amount <= 0) throw badRequest('invalid_amount', 'A refund needs a positive amount');
    return { refund_id: `re_sbx_${digest(`${intentId}|${opts.idempotencyKey ?? randomUUID()}`)}` };
  }

  /** A new event of this provider (what the sandbox "sends" after a state change). */
  event(type: WebhookEventType, data: WebhookEvent['data']): WebhookEvent {
    return { id: newId('evt'), type, created: Math.floor(this.clock.now().getTime() / 1000), data };
  }

  /** The raw body and headers of a signed webhook delivery, signed at the clock's time. */
  sign(event: WebhookEvent, at: Date = this.clock.now()): SignedDelivery {
    return this.signBody(JSON.stringify(event), at);
  }

  /** Signs any raw body (tests use it for well-signed but malformed deliveries). */
  signBody(rawBody: string, at: Date = this.clock.now()): SignedDelivery {
    return signWebhook(this.secret, rawBody, at);
  }

  verifyWebhook(rawBody: Buffer | string, headers: Record<string, string | string[] | undefined>): WebhookEvent {
    return parseEvent(verifyWebhook(this.secret, this.clock, rawBody, headers));
  }
}

function parseEvent(e: unknown): WebhookEvent {
  const bad = (what: string) => new AppError('invalid_event', 400, `Webhook event ${what}`);
  if (typeof e !== 'object' || e === null) throw bad('is not an object');
  const ev = e as Record<string, unknown>;
  if (typeof ev.id !== 'string' || ev.id.length === 0 || ev.id.length > 200) throw bad('has no id');
  if (!EVENT_TYPES.includes(ev.type as WebhookEventType)) throw bad('has an unknown type');
  const d = ev.data as Record<string, unknown> | undefined;
  if (typeof d !== 'object' || d === null) throw bad('has no data');
  if (typeof d.intent_id !== 'string' || typeof d.payment_id !== 'string') throw bad('names no intent or payment');
  if (!Number.isSafeInteger(d.amount) || typeof d.currency !== 'string') throw bad('has no amount');
  for (const k of ['last4', 'decline_code', 'refund_id', 'order_id'] as const) {
    if (d[k] !== undefined && typeof d[k] !== 'string') throw bad(`has a malformed ${k}`);
  }
  if (ev.type === 'refund.succeeded' && typeof d.refund_id !== 'string') throw bad('names no refund');
  return ev as unknown as WebhookEvent;
}
