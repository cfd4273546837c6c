/** Reviews (buyers rate delivered items; products show them) and a shop's own health, actions and appeals. */
import { query, request, type Page } from '../api';
import type { ShopAction, ShopHealth } from './operator';

/** A buyer's own review, as the write routes answer it. */
export interface Review {
  id: string;
  order_id: string;
  order_item_id: string;
  product_id: string;
  shop_id: string;
  rating: number;
  text: string;
  /** Until then its author may edit it. */
  editable_until: string;
  created_at: string;
  updated_at: string;
}

/** A review as anyone sees it on the product's page. */
export interface PublicReview {
  id: string;
  rating: number;
  text: string;
  author: { name: string };
  created_at: string;
  updated_at: string;
}

export interface RatingSummary {
  average: number | null;
  count: number;
}

/** Links the market's policy refuses in a text (422 `external_link_forbidden` details). */
export interface LinkSpan {
  start: number;
  end: number;
  text: string;
  url?: string;
}

export const RATINGS = [1, 2, 3, 4, 5] as const;

/** The spans of a 422 `external_link_forbidden` answer, whichever shape its details take. */
export function forbiddenSpans(details: unknown): LinkSpan[] {
  const spans = Array.isArray(details) ? details : (details as { spans?: unknown } | null)?.spans;
  return Array.isArray(spans) ? spans.filter((s): s is LinkSpan => typeof (s as LinkSpan | null)?.text === 'string') : [];
}

export const trust = {
  review: (orderId: string, itemId: string, body: { rating: number; text?: string }) =>
    request<Review>('POST', `/v1/orders/${encodeURIComponent(orderId)}/items/${encodeURIComponent(itemId)}/review`, body),
  editReview: (id: string, body: { rating?: number; text?: string }) => request<Review>('PATCH', `/v1/reviews/${encodeURIComponent(id)}`, body),
  productReviews: (productId: string, p: { limit?: number; cursor?: string | null } = {}) =>
    request<Page<PublicReview>>('GET', `/v1/products/${encodeURIComponent(productId)}/reviews${query({ limit: p.limit, cursor: p.cursor })}`),
  shopHealth: (shopId: string) => request<ShopHealth>('GET', `/v1/shops/${encodeURIComponent(shopId)}/health`),
  shopActions: (shopId: string, p: { limit?: number; cursor?: string | null } = {}) =>
    request<Page<ShopAction>>('GET', `/v1/shops/${encodeURIComponent(shopId)}/actions${query({ limit: p.limit, cursor: p.cursor })}`),
  appeal: (actionId: string, message: string) => request<ShopAction>('POST', `/v1/shop-actions/${encodeURIComponent(actionId)}/appeal`, { message }),
};
