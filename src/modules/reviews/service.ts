import type { Static } from '@sinclair/typebox';
import { and, avg, count, eq, gte, inArray } from 'drizzle-orm';
import { DAY, type Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { badRequest, conflict, notFound } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { pageById } from '../../platform/pagination.js';
import { getProductShopId } from '../catalog/index.js';
import { plainText, textLength } from '../catalog/index.js';
import { getUser } from '../identity/index.js';
import { assertLinkFree } from '../links/index.js';
import { getOrderForViewer, getOrderItems } from '../orders/index.js';
import { reviews } from './schema.js';
import type { PublicReviewOut, ReviewOut } from './views.js';

/**
 * Reviews (issue 8 item 2): the buyer of a delivered order rates each item once (1–5) with an
 * optional text, and may edit it for `EDIT_WINDOW_MS` after writing it. Texts pass the market's
 * link policy. Ratings show on product pages and feed seller health (trust).
 */
export const EDIT_WINDOW_MS = 30 * DAY;
export const MAX_TEXT = 2000;

export type ReviewRow = typeof reviews.$inferSelect;

export type ReviewView = Static<typeof ReviewOut>;

export type PublicReview = Static<typeof PublicReviewOut>;

export interface RatingSummary {
  /** Mean of the ratings, two decimals; null without ratings. */
  average: number | null;
  count: number;
}

const view = (r: ReviewRow): ReviewView => ({
  id: r.id,
  order_id: r.orderId,
  order_item_id: r.orderItemId,
  product_id: r.productId,
  shop_id: r.shopId,
  rating: r.rating,
  text: r.text,
  editable_until: new Date(r.createdAt.getTime() + EDIT_WINDOW_MS).toISOString(),
  created_at: r.createdAt.toISOString(),
  updated_at: r.updatedAt.toISOString(),
});

function cleanRating(rating: unknown): number {
  if (typeof rating !== 'number' || !Number.isInteger(rating) || rating < 1 || rating > 5) {
    throw badRequest('invalid_rating', 'A rating is a whole number from 1 to 5', [{ field: '/rating', rule: 'range' }]);
  }
  return rating;
}

function cleanText(raw: string | undefined): string {
  const text = plainText(raw ?? '', { multiline: true });
  if (textLength(text) > MAX_TEXT) throw badRequest('invalid_text', `A review is at most ${MAX_TEXT} characters of text`, [{ field: '/text', rule: 'maxLength' }]);
  return text;
}

function isUniqueViolation(e: unknown): boolean {
  for (let err = e as { code?: string; cause?: unknown } | undefined; err; err = err.cause as typeof err) {
    if (err.code === '23505') return true;
  }
  return false;
}

/**
 * The buyer reviews one item of their order (anyone else, or an item not in the order: 404). The
 * order must have been delivered (409 `not_delivered`); one review per item (409
 * `already_reviewed`); the text passes the market's link policy (422 `external_link_forbidden`).
 */
export async function createReview(
  db: Db,
  clock: Clock,
  userId: string,
  orderId: string,
  itemId: string,
  input: { rating: number; text?: string },
): Promise<ReviewView> {
  const { order, as } = await getOrderForViewer(db, userId, orderId);
  if (as !== 'buyer') throw notFound('Order', orderId);
  const item = (await getOrderItems(db, orderId)).find((i) => i.id === itemId);
  if (!item) throw notFound('Order item', itemId);
  const rating = cleanRating(input.rating);
  const text = cleanText(input.text);
  if (!order.deliveredAt) throw conflict('not_delivered', 'Items can be reviewed once the order has been delivered', { status: order.status });
  assertLinkFree(order.market, { text: input.text });
  const now = clock.now();
  try {
    const [row] = await db
      .insert(reviews)
      .values({ id: newId('rvw'), orderId, orderItemId: itemId, productId: item.productId, shopId: order.shopId, buyerId: userId, rating, text, createdAt: now, updatedAt: now })
      .onConflictDoNothing()
      .returning();
    if (!row) throw conflict('already_reviewed', 'This item has been reviewed; edit that review instead', await existingOf(db, itemId));
    return view(row);
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict('already_reviewed', 'This item has been reviewed; edit that review instead', await existingOf(db, itemId));
    throw e;
  }
}

async function existingOf(db: Db, itemId: string): Promise<{ review_id: string } | undefined> {
  const [r] = await db.select({ id: reviews.id }).from(reviews).where(eq(reviews.orderItemId, itemId));
  return r ? { review_id: r.id } : undefined;
}

/** Its author edits a review within 30 days of writing it (later: 409 `review_locked`); anyone else 404. */
export async function updateReview(db: Db, clock: Clock, userId: string, reviewId: string, patch: { rating?: number; text?: string }): Promise<ReviewView> {
  const [r] = await db.select().from(reviews).where(eq(reviews.id, reviewId));
  if (!r || r.buyerId !== userId) throw notFound('Review', reviewId);
  if (patch.rating === undefined && patch.text === undefined) {
    throw badRequest('validation_failed', 'Send a rating or a text to change', [{ field: '/', rule: 'minProperties' }]);
  }
  const set: Partial<typeof reviews.$inferInsert> = {};
  if (patch.rating !== undefined) set.rating = cleanRating(patch.rating);
  if (patch.text !== undefined) set.text = cleanText(patch.text);
  const now = clock.now();
  if (now.getTime() >= r.createdAt.getTime() + EDIT_WINDOW_MS) {
    throw conflict('review_locked', 'A review can be edited for 30 days after it was written', { editable_until: view(r).editable_until });
  }
  if (patch.text !== undefined) assertLinkFree((await getOrderForViewer(db, userId, r.orderId)).order.market, { text: patch.text });
  const [row] = await db
    .update(reviews)
    .set({ ...set, updatedAt: now })
    .where(eq(reviews.id, reviewId))
    .returning();
  return view(row!);
}

/** A product's reviews, newest first, for anyone (an unknown product: 404). */
export async function listProductReviews(db: Db, productId: string, opts: { limit?: number; cursor?: string } = {}): Promise<{ data: PublicReview[]; next_cursor: string | null }> {
  await getProductShopId(db, productId);
  const { rows: page, next_cursor } = await pageById(db, reviews, { ...opts, prefix: 'rvw', order: 'newest', where: [eq(reviews.productId, productId)] });
  const authors = new Map<string, string>();
  for (const id of new Set(page.map((r) => r.buyerId))) authors.set(id, (await getUser(db, id).catch(() => null))?.name ?? '');
  return {
    data: page.map((r) => ({
      id: r.id,
      rating: r.rating,
      text: r.text,
      author: { name: authors.get(r.buyerId) ?? '' },
      created_at: r.createdAt.toISOString(),
      updated_at: r.updatedAt.toISOString(),
    })),
    next_cursor,
  };
}

const summary = (row: { average: string | null; count: number } | undefined): RatingSummary => ({
  average: row?.average == null || row.count === 0 ? null : Math.round(Number(row.average) * 100) / 100,
  count: row?.count ?? 0,
});

/** Average and count of a product's ratings. */
export async function productRating(db: Db, productId: string): Promise<RatingSummary> {
  const [row] = await db.select({ average: avg(reviews.rating), count: count() }).from(reviews).where(eq(reviews.productId, productId));
  return summary(row);
}

/** Average and count of the ratings of a shop's items written since `since` (seller health). */
export async function shopRating(db: Db, shopId: string, since: Date): Promise<RatingSummary> {
  const [row] = await db
    .select({ average: avg(reviews.rating), count: count() })
    .from(reviews)
    .where(and(eq(reviews.shopId, shopId), gte(reviews.createdAt, since)));
  return summary(row);
}

/** The reviews of these order items (for the order page): item id → { id, rating, text, editable_until }. */
export async function reviewsOfItems(
  db: Db,
  itemIds: string[],
): Promise<Map<string, { id: string; rating: number; text: string; editable_until: string }>> {
  if (itemIds.length === 0) return new Map();
  const found = await db.select().from(reviews).where(inArray(reviews.orderItemId, itemIds));
  return new Map(
    found.map((r) => {
      const v = view(r);
      return [r.orderItemId, { id: v.id, rating: v.rating, text: v.text, editable_until: v.editable_until }];
    }),
  );
}
