import type { PayeeType } from './schema.js';

/**
 * The payout rail strategy: settlement talks to whatever moves money to payees (a bank transfer
 * API, a wallet, a payment processor's payouts) only through this interface, so a real rail
 * plugs in beside the built-in `sandbox` (docs/decisions/016-payouts-complete.md).
 *
 * Contract every implementation keeps:
 * - `send` is idempotent by `payout.id`: asking again about a payout it has seen never pays it
 *   twice (a worker that died after the rail paid asks again); settlement records only the first
 *   outcome it commits for a payout, so a later, different answer changes nothing;
 * - it answers with the outcome once the money has arrived (`paid`) or come back (`failed`, with
 *   a short machine-readable reason such as `account_closed`), or `in_transit` while the rail has
 *   not reported yet; a transient error (the rail is down) throws. Either way the payout stays in
 *   transit until a later run asks again.
 */
export interface PayoutInstruction {
  /** The payout's id (`pyo_…`): the rail's idempotency key. */
  id: string;
  payee_type: PayeeType;
  payee_id: string;
  /** Positive integer minor units. */
  amount: number;
  currency: string;
}

export type PayoutOutcome = { status: 'paid' } | { status: 'failed'; reason: string } | { status: 'in_transit' };

export interface PayoutRail {
  readonly name: string;
  send(payout: PayoutInstruction): Promise<PayoutOutcome>;
}

/** Reasons a sandbox payout can fail with, named like the returns of real bank rails. */
export const SANDBOX_PAYOUT_FAILURES = ['account_closed', 'invalid_account_number', 'account_frozen'] as const;
export type SandboxPayoutFailure = (typeof SANDBOX_PAYOUT_FAILURES)[number];

/**
 * The built-in rail: no network, no money. It pays every payout, except to payees switched to
 * fail (`failPayee`, or `failing` at construction): their payouts come back with the reason set
 * for them, until `restorePayee`. Deterministic, so tests and simulations can make a payout fail
 * at will; the switch lives in this object, so every process that should see it shares one rail.
 */
export class SandboxPayoutRail implements PayoutRail {
  readonly name = 'sandbox';
  readonly #failing: Map<string, SandboxPayoutFailure>;

  constructor(opts: { failing?: Iterable<[payeeId: string, reason: SandboxPayoutFailure]> } = {}) {
    this.#failing = new Map(opts.failing ?? []);
  }

  /** Every later payout to this payee (shop or user id) fails with `reason`. */
  failPayee(payeeId: string, reason: SandboxPayoutFailure = 'account_closed'): void {
    this.#failing.set(payeeId, reason);
  }

  /** Payouts to this payee are paid again. */
  restorePayee(payeeId: string): void {
    this.#failing.delete(payeeId);
  }

  async send(payout: PayoutInstruction): Promise<PayoutOutcome> {
    const reason = this.#failing.get(payout.payee_id);
    return reason ? { status: 'failed', reason } : { status: 'paid' };
  }
}
