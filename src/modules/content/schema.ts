import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../identity/schema.js';
import { requiredRef, timestamptz } from '../../platform/columns.js';

export const VIDEO_STATUSES = ['processing', 'ready', 'failed'] as const;
export type VideoStatus = (typeof VIDEO_STATUSES)[number];

/**
 * A short video posted by a creator (or a seller). `processing` until the media job has made a
 * web-safe MP4 and a poster; `failed` (with a reason) when the upload cannot be used.
 * Paths are relative to the media directory.
 */
export const videos = pgTable(
  'videos',
  {
    id: text('id').primaryKey(),
    creatorId: requiredRef('creator_id', () => users.id),
    caption: text('caption').notNull().default(''),
    status: text('status', { enum: VIDEO_STATUSES }).notNull().default('processing'),
    failureReason: text('failure_reason'),
    durationMs: integer('duration_ms'),
    width: integer('width'),
    height: integer('height'),
    sizeBytes: bigint('size_bytes', { mode: 'number' }),
    mediaPath: text('media_path'),
    posterPath: text('poster_path'),
    publishedAt: timestamptz('published_at'),
    createdAt: timestamptz('created_at').notNull(),
    /** Set by a link-policy cut-over when the caption carries an external link; cleared by an edit without one. */
    captionFlaggedAt: timestamptz('caption_flagged_at'),
  },
  (t) => [
    index('videos_feed_idx').on(t.status, t.publishedAt, t.id),
    index('videos_creator_idx').on(t.creatorId, t.id),
  ],
);

export const ANCHOR_TYPES = ['product', 'external'] as const;
export type AnchorType = (typeof ANCHOR_TYPES)[number];

/**
 * What a video points at: an in-platform product, or an external link with a title (markets in
 * the `semi_closed` link policy; buyers reach it through `/out/<anchor id>`). Position orders
 * the anchors on the video.
 */
export const videoAnchors = pgTable(
  'video_anchors',
  {
    id: text('id').primaryKey(),
    videoId: requiredRef('video_id', () => videos.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    type: text('type', { enum: ANCHOR_TYPES }).notNull(),
    productId: text('product_id'),
    url: text('url'),
    title: text('title'),
    /** An external anchor turned off by a link-policy cut-over (or by replacing it with a product). */
    deactivatedAt: timestamptz('deactivated_at'),
    /** An external anchor its seller replaced with this in-platform product (anchored on the same video). */
    replacedByProductId: text('replaced_by_product_id'),
  },
  (t) => [
    uniqueIndex('video_anchors_position_idx').on(t.videoId, t.position),
    index('video_anchors_product_idx').on(t.productId),
    check(
      'video_anchors_kind_check',
      sql`(${t.type} = 'product' and ${t.productId} is not null) or (${t.type} = 'external' and ${t.url} is not null)`,
    ),
  ],
);

/** The products a creator shows on their profile, in order. */
export const creatorShowcase = pgTable(
  'creator_showcase',
  {
    creatorId: requiredRef('creator_id', () => users.id),
    productId: text('product_id').notNull(),
    position: integer('position').notNull(),
    addedAt: timestamptz('added_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.creatorId, t.productId] })],
);

/**
 * External links on a creator's profile showcase (semi-closed markets), e.g. the seller's own
 * store. Ids share the `anc_` prefix with video anchors: both are reached through `/out/<id>`.
 */
export const showcaseLinks = pgTable(
  'showcase_links',
  {
    id: text('id').primaryKey(),
    creatorId: requiredRef('creator_id', () => users.id),
    position: integer('position').notNull(),
    url: text('url').notNull(),
    title: text('title'),
    createdAt: timestamptz('created_at').notNull(),
    deactivatedAt: timestamptz('deactivated_at'),
    /** A link its seller replaced with this in-platform product (added to the same showcase). */
    replacedByProductId: text('replaced_by_product_id'),
  },
  (t) => [index('showcase_links_creator_idx').on(t.creatorId, t.position)],
);
