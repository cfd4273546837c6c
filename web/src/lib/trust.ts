/** Reviews (buyers rate delivered items; products show them) and a shop's own health, actions and appeals. */
import { client, data } from '../api/client';
import type { ItemOf, ResponseOf } from '../api/types';

/** A buyer's own review, as the write routes answer it. */
export type Review = ResponseOf<'/v1/orders/{order_id}/items/{item_id}/review', 'post'>;

/** A review as anyone sees it on the product's page. */
export type PublicReview = ItemOf<'/v1/products/{id}/reviews'>;

/** A product's average rating and review count. */
export type RatingSummary = NonNullable<ResponseOf<'/v1/products/{id}'>['rating']>;

/** Links the market's policy refuses in a text (422 `external_link_forbidden` details). */
export type LinkSpan = ResponseOf<'/v1/links/check', 'post'>['spans'][number];

export const RATINGS = [1, 2, 3, 4, 5] as const;

/** The spans of a 422 `external_link_forbidden` answer, whichever shape its details take. */
export function forbiddenSpans(details: unknown): LinkSpan[] {
  const spans = Array.isArray(details) ? details : (details as { spans?: unknown } | null)?.spans;
  return Array.isArray(spans) ? spans.filter((s): s is LinkSpan => typeof (s as LinkSpan | null)?.text === 'string') : [];
}

type PageParams = { limit?: number; cursor?: string | null };

export const trust = {
  review: (orderId: string, itemId: string, body: { rating: number; text?: string }) =>
    data(client.POST('/v1/orders/{order_id}/items/{item_id}/review', { params: { path: { order_id: orderId, item_id: itemId } }, body })),
  editReview: (id: string, body: { rating?: number; text?: string }) => data(client.PATCH('/v1/reviews/{id}', { params: { path: { id } }, body })),
  productReviews: (productId: string, p: PageParams = {}) =>
    data(client.GET('/v1/products/{id}/reviews', { params: { path: { id: productId }, query: { limit: p.limit, cursor: p.cursor ?? undefined } } })),
  shopHealth: (shopId: string) => data(client.GET('/v1/shops/{id}/health', { params: { path: { id: shopId } } })),
  shopActions: (shopId: string, p: PageParams = {}) =>
    data(client.GET('/v1/shops/{id}/actions', { params: { path: { id: shopId }, query: { limit: p.limit, cursor: p.cursor ?? undefined } } })),
  appeal: (actionId: string, message: string) => data(client.POST('/v1/shop-actions/{id}/appeal', { params: { path: { id: actionId } }, body: { message } })),
};
