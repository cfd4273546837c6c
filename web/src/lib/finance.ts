/** Money owed to shops and creators: balances and statements (settlement module). */
import { query, request, type Page } from '../api';
import type { Money } from '../i18n/format';

export interface StatementLine {
  at: string;
  kind: 'settlement' | 'commission_subsidy' | 'payout' | string;
  order_id: string | null;
  amount: Money;
  /** The server's English description; the web app shows its own translation of `kind`. */
  description: string;
  breakdown: { held: Money; commission: Money; affiliate: Money; subsidy: Money } | null;
}

export interface Balances {
  currency: string;
  /** Still in escrow (creators: estimated). */
  pending: Money;
  available: Money;
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
