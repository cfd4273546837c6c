/** Money owed to shops and creators: balances and statements (settlement module). */
import { query, request, type Page } from '../api';
import type { Money } from '../i18n/format';

export type PayoutStatus = 'in_transit' | 'paid' | 'failed';

/** A payout: in transit after the batch, then paid or failed (back in available) a day later. */
export interface Payout {
  id: string;
  payee_type: 'shop' | 'creator';
  payee_id: string;
  amount: Money;
  status: PayoutStatus;
  created_at: string;
  paid_at: string | null;
  failed_at: string | null;
  /** Machine-readable, e.g. `account_closed`. */
  failure_reason: string | null;
}

export interface StatementLine {
  at: string;
  kind: 'settlement' | 'commission_subsidy' | 'payout' | 'payout_failed' | string;
  order_id: string | null;
  amount: Money;
  /** The server's English description; the web app shows its own translation of `kind`. */
  description: string;
  breakdown: { held: Money; commission: Money; affiliate: Money; subsidy: Money } | null;
  /** Payout lines (`payout`, `payout_failed`): the payout and where it stands. */
  payout: Payout | null;
}

export interface Balances {
  currency: string;
  /** Still in escrow (creators: estimated). */
  pending: Money;
  available: Money;
  /** Payouts in transit and paid (a failed payout is back in `available`). */
  paid_out: Money;
}

export interface ShopFinance extends Balances {
  payout_hold: boolean;
  statement: Page<StatementLine>;
}

export interface CreatorEarnings extends Balances {
  lines: Page<StatementLine>;
}

type PageParams = { limit?: number; cursor?: string | null };

export const finance = {
  shop: (shopId: string, params: PageParams) => request<ShopFinance>('GET', `/v1/shops/${encodeURIComponent(shopId)}/finance${query(params)}`),
  earnings: (params: PageParams) => request<CreatorEarnings>('GET', `/v1/creators/me/earnings${query(params)}`),
};
