/** Money owed to shops and creators: balances and statements (settlement module). */
import { client, data } from '../api/client';
import type { ResponseOf } from '../api/types';

export type ShopFinance = ResponseOf<'/v1/shops/{id}/finance'>;
export type CreatorEarnings = ResponseOf<'/v1/creators/me/earnings'>;
export type StatementLine = ShopFinance['statement']['data'][number];
/** A payout: in transit after the batch, then paid or failed (back in available) a day later. */
export type Payout = NonNullable<StatementLine['payout']>;
export type PayoutStatus = Payout['status'];
export type Balances = Pick<ShopFinance, 'currency' | 'pending' | 'available' | 'paid_out'>;
export type ShopStatement = ResponseOf<'/v1/shops/{id}/finance/statement'>;
export type MovementLine = ShopStatement['lines'][number];

type PageParams = { limit?: number; cursor?: string | null };
const page = (p: PageParams) => ({ limit: p.limit, cursor: p.cursor ?? undefined });

export const finance = {
  shop: (shopId: string, params: PageParams) => data(client.GET('/v1/shops/{id}/finance', { params: { path: { id: shopId }, query: page(params) } })),
  statement: (shopId: string, range: { from: string; to: string }) => data(client.GET('/v1/shops/{id}/finance/statement', { params: { path: { id: shopId }, query: range } })),
  earnings: (params: PageParams) => data(client.GET('/v1/creators/me/earnings', { params: { query: page(params) } })),
};
