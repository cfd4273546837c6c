import type { Static } from '@sinclair/typebox';
import { existsSync, mkdirSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { and, asc, desc, eq, gt, inArray, isNull, ne, sql, type SQL } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import { rows, type Db } from '../../platform/db.js';
import { pageById } from '../../platform/pagination.js';
import { AppError, badRequest, conflict, notFound, unprocessable } from '../../platform/errors.js';
import { emit } from '../../platform/events.js';
import { isId, newId } from '../../platform/ids.js';
import { enqueue, latestJobFor, type JobRunner } from '../../platform/jobs.js';
import { ffmpeg, MediaToolError, probe, sniffVideo, type MediaTools, type ProbeResult } from '../../platform/media.js';
import { getProductsByIds } from '../catalog/index.js';
import { plainText, textLength } from '../catalog/index.js';
import { getUser, userNames } from '../identity/index.js';
import { assertLinkFree, checkExternalAnchor, externalLinks, userMarket } from '../links/index.js';
import { creatorShowcase, showcaseLinks, videoAnchors, videos, type VideoStatus } from './schema.js';
import { stockKeeper } from '../inventory/index.js';
import type { Anchor, ExternalLink, ProductSummary as ProductSummarySchema, Video } from './views.js';

export const MAX_CAPTION_CHARS = 2200;
export const MAX_ANCHORS = 5;
export const MAX_SHOWCASE = 50;
export const MAX_DURATION_MS = 10 * 60_000;
export const PROCESS_VIDEO_JOB = 'content.process_video';
const PROCESS_ATTEMPTS = 3;

/** What the media pipeline needs: the media processor (the composition root's, src/strategies.ts) and where the files live. */
export type MediaConfig = MediaTools & Pick<Config, 'mediaDir'>;

// ---------------------------------------------------------------------------------------------
// Views

export type ProductSummary = Static<typeof ProductSummarySchema>;

/** An external link (semi-closed markets): buyers open `out_url`, which records the click and redirects. */
export type ExternalAnchorView = Static<typeof ExternalLink>;

export type AnchorView = Static<typeof Anchor>;

const externalView = (a: { id: string; url: string; title: string | null; deactivatedAt: Date | null }): ExternalAnchorView => ({
  id: a.id,
  url: a.url,
  title: a.title,
  out_url: `/out/${a.id}`,
  active: a.deactivatedAt === null,
});

export type VideoView = Static<typeof Video>;

type VideoRow = typeof videos.$inferSelect;

type CatalogProduct = Awaited<ReturnType<typeof getProductsByIds>>[number];

function toSummary(p: CatalogProduct): ProductSummary {
  return {
    id: p.id,
    shop_id: p.shop_id,
    title: p.title,
    status: p.status,
    images: p.images,
    category: p.category,
    option_names: p.option_names,
    price_range: p.price_range,
    available: p.available,
  };
}

async function productsById(db: Db, ids: string[]): Promise<Map<string, CatalogProduct>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  return new Map((await getProductsByIds(db, stockKeeper, unique)).map((p) => [p.id, p]));
}

/**
 * Videos as the API shows them. A product anchor shows only while its product is live, except
 * to the video's creator, who also sees anchors to products that went draft or suspended.
 */
async function toViews(db: Db, rows: VideoRow[], viewerId: string | null): Promise<VideoView[]> {
  if (rows.length === 0) return [];
  const anchors = await db
    .select()
    .from(videoAnchors)
    .where(inArray(videoAnchors.videoId, rows.map((r) => r.id)))
    .orderBy(asc(videoAnchors.videoId), asc(videoAnchors.position));
  const [products, names] = await Promise.all([
    productsById(db, anchors.flatMap((a) => (a.productId ? [a.productId] : []))),
    userNames(db, rows.map((r) => r.creatorId)),
  ]);
  return rows.map((r) => {
    const own = viewerId === r.creatorId;
    const views: AnchorView[] = [];
    for (const a of anchors) {
      if (a.videoId !== r.id) continue;
      if (a.type === 'external' && a.url && (own || !a.deactivatedAt)) views.push({ type: 'external', ...externalView({ ...a, url: a.url }) });
      const p = a.productId ? products.get(a.productId) : undefined;
      if (a.type === 'product' && p && (own || p.status === 'live')) views.push({ type: 'product', product: toSummary(p) });
    }
    return {
      id: r.id,
      caption: r.caption,
      caption_flagged: own && r.captionFlaggedAt !== null,
      status: r.status,
      failure_reason: r.failureReason,
      can_retry: own && r.status === 'failed' && RETRYABLE_FAILURES.has(r.failureReason ?? ''),
      media_url: r.status === 'ready' && r.mediaPath ? `/media/${r.mediaPath}` : null,
      poster_url: r.status === 'ready' && r.posterPath ? `/media/${r.posterPath}` : null,
      duration_ms: r.durationMs,
      width: r.width,
      height: r.height,
      creator: { id: r.creatorId, name: names.get(r.creatorId) ?? '' },
      anchors: views,
      created_at: r.createdAt.toISOString(),
      published_at: r.publishedAt?.toISOString() ?? null,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Media files

const dirs = (mediaDir: string) => ({
  uploads: path.join(mediaDir, 'uploads'),
  tmp: path.join(mediaDir, 'tmp'),
  videos: path.join(mediaDir, 'videos'),
  posters: path.join(mediaDir, 'posters'),
  failed: path.join(mediaDir, 'failed'),
});

/** Creates the media directory layout (uploads, tmp, videos, posters, failed). */
export function ensureMediaDirs(mediaDir: string): void {
  for (const d of Object.values(dirs(mediaDir))) mkdirSync(d, { recursive: true });
}

/** Where an upload waits for its processing job. */
export const uploadFile = (mediaDir: string, videoId: string): string => path.join(dirs(mediaDir).uploads, videoId);

/** Where the upload of a video that failed on our side waits for its owner's retry (retryVideo). */
const keptFile = (mediaDir: string, videoId: string): string => path.join(dirs(mediaDir).failed, videoId);

/** A fresh path for receiving an upload (the caller streams into it, then calls createVideo). */
export const incomingFile = (mediaDir: string): string => path.join(dirs(mediaDir).uploads, `${newId('med')}.part`);

const mediaRel = (videoId: string) => `videos/${videoId}.mp4`;
const posterRel = (videoId: string) => `posters/${videoId}.jpg`;

async function removeFiles(mediaDir: string, videoId: string, opts: { upload: boolean }): Promise<void> {
  const d = dirs(mediaDir);
  const files = [
    path.join(mediaDir, mediaRel(videoId)),
    path.join(mediaDir, posterRel(videoId)),
    path.join(d.tmp, `${videoId}.mp4`),
    path.join(d.tmp, `${videoId}.jpg`),
  ];
  if (opts.upload) files.push(uploadFile(mediaDir, videoId), keptFile(mediaDir, videoId));
  await Promise.all(files.map((f) => rm(f, { force: true })));
}

// ---------------------------------------------------------------------------------------------
// Validation

function validationError(field: string, rule: string, message: string, params: Record<string, unknown>): AppError {
  return badRequest('validation_failed', message, [{ field, rule, message, params }]);
}

/** Caption as stored: HTML stripped to plain text (line breaks kept), at most 2,200 characters. */
export function cleanCaption(caption: string): string {
  const text = plainText(caption, { multiline: true });
  if (textLength(text) > MAX_CAPTION_CHARS) {
    throw validationError('body/caption', 'maxLength', `caption must have at most ${MAX_CAPTION_CHARS} characters`, { limit: MAX_CAPTION_CHARS });
  }
  return text;
}

/** The given products, deduplicated in order; all must exist and be live. */
async function liveProducts(db: Db, productIds: string[], code: string, what: string): Promise<string[]> {
  const ids = [...new Set(productIds)];
  const found = await productsById(db, ids.filter((id) => isId(id, 'prd')));
  const bad = ids.filter((id) => found.get(id)?.status !== 'live');
  if (bad.length > 0) throw unprocessable(code, `${what} must be live products: ${bad.join(', ')}`, { product_ids: bad });
  return ids;
}

async function anchorProducts(db: Db, productIds: string[]): Promise<string[]> {
  const ids = [...new Set(productIds)];
  if (ids.length < 1 || ids.length > MAX_ANCHORS) {
    throw unprocessable('invalid_anchor', `A video anchors 1 to ${MAX_ANCHORS} products`, { product_ids: ids, min: 1, max: MAX_ANCHORS });
  }
  return liveProducts(db, ids, 'invalid_anchor', 'Anchors');
}

// ---------------------------------------------------------------------------------------------
// Videos

export interface CreateVideoInput {
  creatorId: string;
  caption: string;
  productIds: string[];
  /** The uploaded file (from `incomingFile`); moved into the media directory or deleted. */
  file: string;
}

/**
 * Accepts an upload: validates caption and anchors, sniffs the content with ffprobe (a file that
 * is not a video → 415 `unsupported_media`), stores the video `processing` and enqueues the job
 * that makes it playable. The upload file is consumed either way.
 */
export async function createVideo(db: Db, clock: Clock, media: MediaConfig, input: CreateVideoInput): Promise<VideoView> {
  let upload = input.file;
  try {
    const caption = cleanCaption(input.caption);
    assertLinkFree(await userMarket(db, input.creatorId), { caption: input.caption });
    const productIds = await anchorProducts(db, input.productIds);
    if ((await sniffVideo(media, upload)) === 'not_video') {
      throw new AppError('unsupported_media', 415, 'The file is not a video this platform can read');
    }
    const id = newId('vid');
    const target = uploadFile(media.mediaDir, id);
    await rename(upload, target);
    upload = target;
    const row = await insertVideo(db, clock, { id, creatorId: input.creatorId, caption, productIds }, { type: PROCESS_VIDEO_JOB, payload: { video_id: id } });
    const [view] = await toViews(db, [row], input.creatorId);
    return view!;
  } catch (err) {
    await rm(upload, { force: true });
    throw err;
  }
}

/**
 * Inserts a `processing` video with its product anchors and the job that will make its media, in
 * one transaction (no checks: callers validate). Used by uploads and by the demo seed.
 */
export async function insertVideo(
  db: Db,
  clock: Clock,
  input: { id?: string; creatorId: string; caption: string; productIds: string[]; /** Posted back then (demo history): kept when the media is ready. */ publishedAt?: Date },
  job: { type: string; payload: Record<string, unknown> },
): Promise<VideoRow> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(videos)
      .values({ id: input.id ?? newId('vid'), creatorId: input.creatorId, caption: input.caption, status: 'processing', publishedAt: input.publishedAt ?? null, createdAt: input.publishedAt ?? clock.now() })
      .returning();
    if (input.productIds.length > 0) {
      await tx.insert(videoAnchors).values(
      input.productIds.map((productId, position) => ({ id: newId('anc'), videoId: row!.id, position, type: 'product' as const, productId })),
      );
    }
    await enqueue(tx, clock, job.type, { ...job.payload, video_id: row!.id }, { maxAttempts: PROCESS_ATTEMPTS });
    return row!;
  });
}

/** One video; a video that is not ready is visible only to its creator (others: 404). */
export async function getVideo(db: Db, videoId: string, viewerId: string | null): Promise<VideoView> {
  const [row] = await db.select().from(videos).where(eq(videos.id, videoId));
  if (!row || (row.status !== 'ready' && row.creatorId !== viewerId)) throw notFound('Video', videoId);
  const [view] = await toViews(db, [row], viewerId);
  return view!;
}

/**
 * Affiliate attribution (the cart and checkout): an SQL expression for the creator of video
 * `videoId` while it is visible (ready; a deleted video has no row) and has a product anchor on
 * `productId`, else null. The arguments are SQL, typically columns of the caller's rows, so one
 * statement resolves every cart line.
 */
export function videoAttributionSql(videoId: SQL, productId: SQL): SQL {
  return sql`(select v.creator_id from ${videos} v where v.id = ${videoId} and v.status = 'ready'
    and exists (select 1 from ${videoAnchors} a where a.video_id = v.id and a.type = 'product' and a.product_id = ${productId}))`;
}

/** Id, creator, caption, status and publish time of videos — of the given ids, or all of one creator's (for analytics). */
export async function videoFacts(
  db: Db,
  filter: { ids: string[] } | { creatorId: string },
): Promise<Array<{ id: string; creator_id: string; caption: string; status: VideoStatus; published_at: Date | null }>> {
  if ('ids' in filter && filter.ids.length === 0) return [];
  return db
    .select({ id: videos.id, creator_id: videos.creatorId, caption: videos.caption, status: videos.status, published_at: videos.publishedAt })
    .from(videos)
    .where('ids' in filter ? inArray(videos.id, filter.ids) : eq(videos.creatorId, filter.creatorId))
    .orderBy(desc(videos.id));
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** A creator's videos, newest first: ready ones, and to the creator also processing and failed ones. */
export async function listCreatorVideos(
  db: Db,
  creatorId: string,
  viewerId: string | null,
  opts: { limit?: number; cursor?: string | null } = {},
): Promise<Page<VideoView>> {
  await getUser(db, creatorId);
  if (opts.cursor != null && !isId(opts.cursor, 'vid')) throw badRequest('invalid_cursor', 'Unknown cursor');
  const shown = and(eq(videos.creatorId, creatorId), viewerId === creatorId ? undefined : eq(videos.status, 'ready'));
  const { rows: page, next_cursor } = await pageById(db, videos, { limit: opts.limit, cursor: opts.cursor ?? undefined, prefix: 'vid', order: 'newest', where: [shown] });
  return { data: await toViews(db, page, viewerId), next_cursor };
}

/** Where a page of `feedVideos` ended: the last ready video it read (its publish time as PostgreSQL prints it: microseconds). */
export interface FeedPageAfter {
  publishedAt: string;
  id: string;
}

/**
 * One page of what the feed may show: of the next `limit` ready videos published at or before
 * `publishedBefore` (newest first; after `after` when given), those that anchor at least one live
 * product or active external link, as anyone sees them (caption, media, creator, anchors with
 * product summaries), and where the page ended (null when no ready video is left). Nothing
 * processing or failed ever shows. Ranking lives in the feed module.
 */
export async function feedVideos(
  db: Db,
  opts: { publishedBefore: Date; limit: number; after?: FeedPageAfter | null },
): Promise<{ videos: VideoView[]; next: FeedPageAfter | null }> {
  const after = opts.after ? sql` and (${videos.publishedAt}, ${videos.id}) < (${opts.after.publishedAt}::timestamptz, ${opts.after.id})` : sql``;
  const batch = await db
    .select({ video: videos, publishedKey: sql<string>`${videos.publishedAt}::text` })
    .from(videos)
    .where(and(eq(videos.status, 'ready'), sql`${videos.publishedAt} <= ${opts.publishedBefore}${after}`))
    .orderBy(desc(videos.publishedAt), desc(videos.id))
    .limit(opts.limit);
  const last = batch.at(-1);
  const next = batch.length === opts.limit && last ? { publishedAt: last.publishedKey, id: last.video.id } : null;
  const shown = (await toViews(db, batch.map((b) => b.video), null)).filter((v) => v.anchors.length > 0);
  return { videos: shown, next };
}

/** Deletes a video and its media; only its creator may (others: 404). */
export async function deleteVideo(db: Db, clock: Clock, media: Pick<MediaConfig, 'mediaDir'>, videoId: string, userId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const deleted = await tx
      .delete(videos)
      .where(and(eq(videos.id, videoId), eq(videos.creatorId, userId)))
      .returning({ id: videos.id, caption: videos.caption });
    if (deleted.length === 0) throw notFound('Video', videoId);
    await emit(tx, clock, { name: 'video.removed', payload: { video_id: videoId, caption: deleted[0]!.caption } });
  });
  await removeFiles(media.mediaDir, videoId, { upload: true });
}

// ---------------------------------------------------------------------------------------------
// External anchors and caption edits (link policy)

export interface ExternalAnchorInput {
  url: string;
  title?: string | null;
}

const MAX_ANCHOR_TITLE = 200;

/** External anchors as stored: each checked against the creator's market policy and cleaned. */
async function externalAnchors(db: Db, creatorId: string, anchors: ExternalAnchorInput[], field: string, ownHosts: readonly string[]) {
  const market = await userMarket(db, creatorId);
  return anchors.map((a, i) => {
    const title = a.title ? plainText(a.title).slice(0, MAX_ANCHOR_TITLE) : null;
    return { url: checkExternalAnchor(market, `${field}/${i}/url`, a.url, ownHosts), title: title || null };
  });
}

async function ownVideo(db: Db, videoId: string, userId: string): Promise<VideoRow> {
  const [row] = await db.select().from(videos).where(and(eq(videos.id, videoId), eq(videos.creatorId, userId)));
  if (!row) throw notFound('Video', videoId);
  return row;
}

/**
 * Replaces a video's external anchors (its creator only; others 404). Allowed only in a
 * semi-closed market (422 `external_link_forbidden`); product and external anchors together
 * stay at most 5. An empty list removes them.
 */
export async function setVideoExternalAnchors(
  db: Db,
  clock: Clock,
  videoId: string,
  userId: string,
  anchors: ExternalAnchorInput[],
  /** The host(s) the request came on: never an external anchor's target. */
  ownHosts: readonly string[] = [],
): Promise<VideoView> {
  const row = await ownVideo(db, videoId, userId);
  const links = anchors.length > 0 ? await externalAnchors(db, userId, anchors, 'body/anchors', ownHosts) : [];
  await db.transaction(async (tx) => {
    await tx.delete(videoAnchors).where(and(eq(videoAnchors.videoId, videoId), eq(videoAnchors.type, 'external')));
    const products = await tx.select({ position: videoAnchors.position }).from(videoAnchors).where(eq(videoAnchors.videoId, videoId));
    if (products.length + links.length > MAX_ANCHORS) {
      throw unprocessable('invalid_anchor', `A video has at most ${MAX_ANCHORS} anchors`, { max: MAX_ANCHORS });
    }
    const next = Math.max(-1, ...products.map((p) => p.position)) + 1;
    if (links.length > 0) {
      await tx.insert(videoAnchors).values(links.map((l, i) => ({ id: newId('anc'), videoId, position: next + i, type: 'external' as const, url: l.url, title: l.title })));
    }
    await emit(tx, clock, { name: 'video.changed', payload: { video_id: videoId, what: 'anchors' } });
  });
  const [view] = await toViews(db, [row], userId);
  return view!;
}

/** Edits a caption (its creator only); in a closed market a link is refused. Clears the cut-over flag once no link is left. */
export async function updateVideoCaption(db: Db, clock: Clock, videoId: string, userId: string, caption: string): Promise<VideoView> {
  await ownVideo(db, videoId, userId);
  const text = cleanCaption(caption);
  assertLinkFree(await userMarket(db, userId), { caption });
  const row = await db.transaction(async (tx) => {
    const [updated] = await tx
      .update(videos)
      .set({ caption: text, captionFlaggedAt: externalLinks(text).length > 0 ? sql`${videos.captionFlaggedAt}` : null })
      .where(eq(videos.id, videoId))
      .returning();
    await emit(tx, clock, { name: 'video.changed', payload: { video_id: videoId, what: 'caption' } });
    return updated;
  });
  const [view] = await toViews(db, [row!], userId);
  return view!;
}

/** An external anchor of a video or a showcase, active or not. */
export interface ExternalAnchor {
  id: string;
  kind: 'video_anchor' | 'showcase_link';
  ownerId: string;
  videoId: string | null;
  url: string;
  title: string | null;
  active: boolean;
}

/** The columns of a video's external anchor, with its owner (the video's creator); replacement.ts adds its own. */
export const videoExternal = {
  id: videoAnchors.id,
  ownerId: videos.creatorId,
  videoId: videoAnchors.videoId,
  url: sql<string>`${videoAnchors.url}`,
  title: videoAnchors.title,
  deactivatedAt: videoAnchors.deactivatedAt,
};

const toExternal = (kind: ExternalAnchor['kind']) => (r: { id: string; ownerId: string; videoId?: string; url: string; title: string | null; deactivatedAt: Date | null }): ExternalAnchor => ({
  id: r.id,
  kind,
  ownerId: r.ownerId,
  videoId: r.videoId ?? null,
  url: r.url,
  title: r.title,
  active: r.deactivatedAt === null,
});

/** One external anchor by id (video anchor or showcase link); 404 for anything else. */
export async function getExternalAnchor(db: Db, id: string): Promise<ExternalAnchor> {
  const [video] = await db
    .select(videoExternal)
    .from(videoAnchors)
    .innerJoin(videos, eq(videos.id, videoAnchors.videoId))
    .where(and(eq(videoAnchors.id, id), eq(videoAnchors.type, 'external')));
  if (video) return toExternal('video_anchor')(video);
  const [link] = await db.select().from(showcaseLinks).where(eq(showcaseLinks.id, id));
  if (link) return toExternal('showcase_link')({ ...link, ownerId: link.creatorId });
  throw notFound('Anchor', id);
}

/** Every external anchor still active, of the given owners. */
export async function listActiveExternalAnchors(db: Db, ownerIds: string[]): Promise<ExternalAnchor[]> {
  if (ownerIds.length === 0) return [];
  const [onVideos, onShowcases] = await Promise.all([
    db
      .select(videoExternal)
      .from(videoAnchors)
      .innerJoin(videos, eq(videos.id, videoAnchors.videoId))
      .where(and(eq(videoAnchors.type, 'external'), isNull(videoAnchors.deactivatedAt), inArray(videos.creatorId, ownerIds)))
      .orderBy(asc(videoAnchors.id)),
    db
      .select()
      .from(showcaseLinks)
      .where(and(isNull(showcaseLinks.deactivatedAt), inArray(showcaseLinks.creatorId, ownerIds)))
      .orderBy(asc(showcaseLinks.id)),
  ]);
  return [...onVideos.map(toExternal('video_anchor')), ...onShowcases.map((l) => toExternal('showcase_link')({ ...l, ownerId: l.creatorId }))];
}

/** Owners (creators) of anything a link-policy cut-over may touch: active external anchors or captions not yet flagged. */
export async function listLinkOwners(db: Db): Promise<string[]> {
  const found = await rows<{ owner: string }>(db, sql`
    select v.creator_id as owner from ${videoAnchors} a join ${videos} v on v.id = a.video_id
      where a.type = 'external' and a.deactivated_at is null
    union select creator_id from ${showcaseLinks} where deactivated_at is null
    union select creator_id from ${videos} where caption_flagged_at is null and caption <> ''`);
  return found.map((r) => r.owner);
}

/** Turns external anchors off (those already off stay as they are); returns the ids it turned off. */
export async function deactivateExternalAnchors(db: Db, clock: Clock, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const now = clock.now();
  return db.transaction(async (tx) => {
    const a = await tx
      .update(videoAnchors)
      .set({ deactivatedAt: now })
      .where(and(inArray(videoAnchors.id, ids), isNull(videoAnchors.deactivatedAt)))
      .returning({ id: videoAnchors.id, videoId: videoAnchors.videoId });
    const b = await tx.update(showcaseLinks).set({ deactivatedAt: now }).where(and(inArray(showcaseLinks.id, ids), isNull(showcaseLinks.deactivatedAt))).returning({ id: showcaseLinks.id });
    for (const videoId of new Set(a.map((r) => r.videoId))) await emit(tx, clock, { name: 'video.changed', payload: { video_id: videoId, what: 'anchors' } });
    return [...a, ...b].map((r) => r.id);
  });
}

/**
 * Flags the captions of these creators' videos that carry an external link (the text is kept
 * for its owner to edit); returns the flagged videos. Already flagged ones are left alone.
 */
export async function flagLinkedCaptions(db: Db, clock: Clock, creatorIds: string[]): Promise<Array<{ id: string; creatorId: string }>> {
  const flagged: Array<{ id: string; creatorId: string }> = [];
  let after = '';
  for (;;) {
    if (creatorIds.length === 0) return flagged;
    const batch = await db
      .select({ id: videos.id, creatorId: videos.creatorId, caption: videos.caption })
      .from(videos)
      .where(and(inArray(videos.creatorId, creatorIds), isNull(videos.captionFlaggedAt), ne(videos.caption, ''), gt(videos.id, after)))
      .orderBy(asc(videos.id))
      .limit(500);
    const hits = batch.filter((v) => externalLinks(v.caption).length > 0);
    if (hits.length > 0) await db.update(videos).set({ captionFlaggedAt: clock.now() }).where(inArray(videos.id, hits.map((v) => v.id)));
    flagged.push(...hits.map(({ id, creatorId }) => ({ id, creatorId })));
    if (batch.length < 500) return flagged;
    after = batch[batch.length - 1]!.id;
  }
}

// ---------------------------------------------------------------------------------------------
// Processing

type Prepared = { failure: string } | { durationMs: number; width: number; height: number; sizeBytes: number };

const SCALE_720 = "scale=w='if(gt(iw,ih),-2,trunc(min(iw,720)/2)*2)':h='if(gt(iw,ih),trunc(min(ih,720)/2)*2,-2)'";

const isWebSafe = (p: ProbeResult) =>
  p.formatName.split(',').includes('mp4') &&
  p.video?.codec === 'h264' &&
  (p.video.pixFmt === 'yuv420p' || p.video.pixFmt === 'yuvj420p') &&
  (p.audio === null || p.audio.codec === 'aac');

/** Maps a tool failure on a user's file to a failure reason; infrastructure problems rethrow. */
function failureOf(err: unknown, onExit: string): { failure: string } {
  if (err instanceof MediaToolError && err.kind === 'exit') return { failure: onExit };
  if (err instanceof MediaToolError && err.kind === 'timeout') return { failure: 'processing_timeout' };
  throw err;
}

/**
 * The media work, without the database: probe the upload (unreadable or truncated →
 * `corrupt_file`, no picture → `no_video_stream`, over 10 minutes → `too_long`), write a
 * web-safe MP4 with faststart (remux when already H.264/AAC in MP4, else transcode to H.264/AAC
 * capped at 720p) and a JPEG poster. Rerunnable: a retry after the upload was consumed finishes
 * from the MP4 already made.
 */
async function prepareMedia(media: MediaConfig, videoId: string): Promise<Prepared> {
  const d = dirs(media.mediaDir);
  const src = uploadFile(media.mediaDir, videoId);
  const mp4 = path.join(media.mediaDir, mediaRel(videoId));
  if (existsSync(src)) {
    let info: ProbeResult;
    try {
      info = await probe(media, src, { countPackets: true, timeoutMs: 60_000 });
    } catch (err) {
      return failureOf(err, 'corrupt_file');
    }
    if (!info.video) return { failure: 'no_video_stream' };
    const { frames, readPackets } = info.video;
    if (frames !== null && readPackets !== null && readPackets < frames - Math.max(2, frames * 0.01)) return { failure: 'corrupt_file' };
    if (info.durationMs !== null && info.durationMs > MAX_DURATION_MS) return { failure: 'too_long' };
    const tmp = path.join(d.tmp, `${videoId}.mp4`);
    const streams = ['-map', '0:v:0', '-map', '0:a:0?'];
    const args = isWebSafe(info)
      ? ['-i', src, ...streams, '-c', 'copy']
      : ['-i', src, ...streams, '-vf', `${SCALE_720},format=yuv420p`, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23',
         '-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-max_muxing_queue_size', '1024'];
    try {
      await ffmpeg(media, [...args, '-movflags', '+faststart', '-f', 'mp4', tmp], isWebSafe(info) ? 120_000 : 240_000);
    } catch (err) {
      return failureOf(err, 'transcode_failed');
    }
    await rename(tmp, mp4);
  } else if (!existsSync(mp4)) {
    return { failure: 'upload_missing' };
  }
  let out: ProbeResult;
  try {
    out = await probe(media, mp4);
  } catch (err) {
    return failureOf(err, 'transcode_failed');
  }
  if (!out.video || out.durationMs === null) return { failure: 'transcode_failed' };
  if (out.durationMs > MAX_DURATION_MS) return { failure: 'too_long' };
  const jpg = path.join(d.tmp, `${videoId}.jpg`);
  const at = out.durationMs >= 1500 ? '1' : '0';
  try {
    await ffmpeg(media, ['-ss', at, '-i', mp4, '-frames:v', '1', '-vf', SCALE_720, '-q:v', '3', '-f', 'image2', jpg], 30_000);
  } catch (err) {
    return failureOf(err, 'poster_failed');
  }
  await rename(jpg, path.join(media.mediaDir, posterRel(videoId)));
  return { durationMs: out.durationMs, width: out.video.width, height: out.video.height, sizeBytes: (await stat(mp4)).size };
}

/**
 * The `content.process_video` job: makes the media, then marks the video `ready` (published
 * now) or `failed` with a reason. Unexpected errors (ffmpeg missing, disk full) rethrow so the
 * job retries; on the last attempt the video fails with `processing_error`.
 */
export async function processVideo(
  db: Db,
  clock: Clock,
  media: MediaConfig,
  videoId: string,
  opts: { lastAttempt?: boolean; /** Makes the source file when there is none yet (demo videos). */ render?: (file: string) => Promise<void> } = {},
): Promise<void> {
  const [video] = await db.select({ status: videos.status }).from(videos).where(eq(videos.id, videoId));
  if (!video || video.status !== 'processing') {
    await rm(uploadFile(media.mediaDir, videoId), { force: true });
    return;
  }
  ensureMediaDirs(media.mediaDir);
  let result: Prepared;
  try {
    const src = uploadFile(media.mediaDir, videoId);
    if (opts.render && !existsSync(src) && !existsSync(path.join(media.mediaDir, mediaRel(videoId)))) await opts.render(src);
    result = await prepareMedia(media, videoId);
  } catch (err) {
    if (!(opts.lastAttempt ?? true)) throw err;
    result = { failure: 'processing_error' };
  }
  const processing = and(eq(videos.id, videoId), eq(videos.status, 'processing'));
  if ('failure' in result) {
    const failed = await db.update(videos).set({ status: 'failed', failureReason: result.failure }).where(processing).returning({ id: videos.id });
    const src = uploadFile(media.mediaDir, videoId);
    // Our side failed, not the file: keep it for the owner's retry.
    if (failed.length > 0 && RETRYABLE_FAILURES.has(result.failure) && existsSync(src)) await rename(src, keptFile(media.mediaDir, videoId));
    await removeFiles(media.mediaDir, videoId, { upload: false });
    await rm(src, { force: true });
    return;
  }
  const updated = await db.transaction(async (tx) => {
    const ready = await tx
      .update(videos)
      .set({
        status: 'ready',
        durationMs: result.durationMs,
        width: result.width,
        height: result.height,
        sizeBytes: result.sizeBytes,
        mediaPath: mediaRel(videoId),
        posterPath: posterRel(videoId),
        publishedAt: sql`coalesce(${videos.publishedAt}, ${clock.now()})`,
      })
      .where(processing)
      .returning({ id: videos.id });
    if (ready.length > 0) await emit(tx, clock, { name: 'video.published', payload: { video_id: videoId } });
    return ready;
  });
  if (updated.length === 0) await removeFiles(media.mediaDir, videoId, { upload: true }); // deleted meanwhile
  else await rm(uploadFile(media.mediaDir, videoId), { force: true });
}

/** Failures on our side (tools missing or overloaded): the owner may retry; a bad file needs a new upload. */
export const RETRYABLE_FAILURES: ReadonlySet<string> = new Set(['processing_error', 'processing_timeout']);

/**
 * The owner's retry of a video that failed on our side: back to `processing`, and its processing
 * job (the same type and payload: an upload's or a demo clip's) enqueued again with its bounded
 * attempts and backoff. Someone else's or unknown: 404; not failed (twice, or already retried):
 * 409 `video_not_failed`; failed because of the file: 409 `video_not_retryable`.
 */
export async function retryVideo(db: Db, clock: Clock, media: Pick<MediaConfig, 'mediaDir'>, videoId: string, userId: string): Promise<VideoView> {
  const [row] = await db.select().from(videos).where(eq(videos.id, videoId));
  if (!row || row.creatorId !== userId) throw notFound('Video', videoId);
  if (row.status !== 'failed') throw conflict('video_not_failed', `The video is ${row.status}; only a failed video can be retried`);
  if (!RETRYABLE_FAILURES.has(row.failureReason ?? '')) throw conflict('video_not_retryable', 'The file itself could not be used; upload it again', { failure_reason: row.failureReason });
  const job = await latestJobFor(db, 'content.', 'video_id', videoId);
  if (!job) throw conflict('video_not_retryable', 'Nothing is left to process; upload it again', { failure_reason: row.failureReason });
  // The kept upload goes back first, so the job never runs without it.
  const kept = keptFile(media.mediaDir, videoId);
  if (existsSync(kept)) {
    ensureMediaDirs(media.mediaDir);
    await rename(kept, uploadFile(media.mediaDir, videoId));
  }
  await db.transaction(async (tx) => {
    const retried = await tx
      .update(videos)
      .set({ status: 'processing', failureReason: null })
      .where(and(eq(videos.id, videoId), eq(videos.status, 'failed')))
      .returning({ id: videos.id });
    if (retried.length === 0) throw conflict('video_not_failed', 'The video is already being processed again');
    await enqueue(tx, clock, job.type, job.payload, { maxAttempts: PROCESS_ATTEMPTS });
  });
  return getVideo(db, videoId, userId);
}

export function registerContentJobs(jobs: JobRunner, ctx: { clock: Clock; media: MediaConfig }): void {
  jobs.register(PROCESS_VIDEO_JOB, async (db, payload, job) => {
    const { video_id } = payload as { video_id: string };
    await processVideo(db, ctx.clock, ctx.media, video_id, { lastAttempt: job.attempts >= PROCESS_ATTEMPTS });
  }, { transaction: false, lane: 'media' }); // long ffmpeg work: no transaction, own polling loop
}

// ---------------------------------------------------------------------------------------------
// Creator showcase

export interface Showcase {
  creator: { id: string; name: string };
  products: ProductSummary[];
  /** External links (semi-closed markets), active ones. */
  links: ExternalAnchorView[];
}

/** A creator's showcase: their chosen products in order, live ones only. */
export async function getShowcase(db: Db, creatorId: string): Promise<Showcase> {
  const user = await getUser(db, creatorId);
  const rows = await db
    .select({ productId: creatorShowcase.productId })
    .from(creatorShowcase)
    .where(eq(creatorShowcase.creatorId, creatorId))
    .orderBy(asc(creatorShowcase.position));
  const products = await productsById(db, rows.map((r) => r.productId));
  const links = await db
    .select()
    .from(showcaseLinks)
    .where(and(eq(showcaseLinks.creatorId, creatorId), isNull(showcaseLinks.deactivatedAt)))
    .orderBy(asc(showcaseLinks.position));
  return {
    creator: { id: user.id, name: user.name },
    links: links.map(externalView),
    products: rows.flatMap((r) => {
      const p = products.get(r.productId);
      return p && p.status === 'live' ? [toSummary(p)] : [];
    }),
  };
}

/** Replaces a creator's showcase (at most 50 live products, duplicates dropped). */
export async function setShowcase(db: Db, clock: Clock, creatorId: string, productIds: string[]): Promise<Showcase> {
  const ids = [...new Set(productIds)];
  if (ids.length > MAX_SHOWCASE) {
    throw validationError('body/product_ids', 'maxItems', `product_ids must have at most ${MAX_SHOWCASE} items`, { limit: MAX_SHOWCASE });
  }
  await liveProducts(db, ids, 'invalid_product', 'Showcase products');
  await db.transaction(async (tx) => {
    await tx.delete(creatorShowcase).where(eq(creatorShowcase.creatorId, creatorId));
    if (ids.length > 0) {
      const now = clock.now();
      await tx.insert(creatorShowcase).values(ids.map((productId, position) => ({ creatorId, productId, position, addedAt: now })));
    }
  });
  return getShowcase(db, creatorId);
}

/**
 * Replaces a creator's external showcase links (at most 10). Allowed only in a semi-closed
 * market (422 `external_link_forbidden`); an empty list removes them. Turned-off links stay on
 * record.
 */
export async function setShowcaseLinks(db: Db, clock: Clock, creatorId: string, input: ExternalAnchorInput[], ownHosts: readonly string[] = []): Promise<Showcase> {
  const links = input.length > 0 ? await externalAnchors(db, creatorId, input, 'body/links', ownHosts) : [];
  await db.transaction(async (tx) => {
    await tx.delete(showcaseLinks).where(and(eq(showcaseLinks.creatorId, creatorId), isNull(showcaseLinks.deactivatedAt)));
    if (links.length > 0) {
      const now = clock.now();
      await tx.insert(showcaseLinks).values(links.map((l, position) => ({ id: newId('anc'), creatorId, position, url: l.url, title: l.title, createdAt: now })));
    }
  });
  return getShowcase(db, creatorId);
}
