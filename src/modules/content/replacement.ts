import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { newId } from '../../platform/ids.js';
import { creatorShowcase, showcaseLinks, videoAnchors, videos } from './schema.js';
import { MAX_ANCHORS, MAX_SHOWCASE, videoExternal } from './service.js';

/**
 * Content's side of replacing external anchors with in-platform products (issue 6, migration):
 * listing a set of owners' external anchors, active or not, and swapping one for a product
 * anchor on the same video (or a product on the same showcase). Which product replaces which
 * anchor, and who may ask, is decided by the imports module (imports/anchors.ts).
 */

export type AnchorKind = 'video' | 'showcase';

/** An external anchor of a video or a showcase link, active or not. */
export interface ExternalAnchorRecord {
  id: string;
  kind: AnchorKind;
  ownerId: string;
  videoId: string | null;
  url: string;
  title: string | null;
  active: boolean;
  /** The product it was replaced with, if it was. */
  replacedByProductId: string | null;
}

const videoCols = {
  ...videoExternal,
  replacedByProductId: videoAnchors.replacedByProductId,
};

type VideoRow = { id: string; ownerId: string; videoId: string; url: string; title: string | null; deactivatedAt: Date | null; replacedByProductId: string | null };
type LinkRow = typeof showcaseLinks.$inferSelect;

const fromVideo = (r: VideoRow): ExternalAnchorRecord => ({
  id: r.id,
  kind: 'video',
  ownerId: r.ownerId,
  videoId: r.videoId,
  url: r.url,
  title: r.title,
  active: r.deactivatedAt === null,
  replacedByProductId: r.replacedByProductId,
});
const fromLink = (r: LinkRow): ExternalAnchorRecord => ({
  id: r.id,
  kind: 'showcase',
  ownerId: r.creatorId,
  videoId: null,
  url: r.url,
  title: r.title,
  active: r.deactivatedAt === null,
  replacedByProductId: r.replacedByProductId,
});

/** The external anchors of these owners (videos and showcases, active or not), by id, after `after`. */
export async function listExternalAnchorsOf(
  db: Db,
  ownerIds: string[],
  opts: { after?: string | null; limit: number },
): Promise<{ data: ExternalAnchorRecord[]; next_cursor: string | null }> {
  if (ownerIds.length === 0) return { data: [], next_cursor: null };
  const after = opts.after ?? '';
  const [onVideos, onShowcases] = await Promise.all([
    db
      .select(videoCols)
      .from(videoAnchors)
      .innerJoin(videos, eq(videos.id, videoAnchors.videoId))
      .where(and(eq(videoAnchors.type, 'external'), inArray(videos.creatorId, ownerIds), gt(videoAnchors.id, after)))
      .orderBy(asc(videoAnchors.id))
      .limit(opts.limit + 1),
    db
      .select()
      .from(showcaseLinks)
      .where(and(inArray(showcaseLinks.creatorId, ownerIds), gt(showcaseLinks.id, after)))
      .orderBy(asc(showcaseLinks.id))
      .limit(opts.limit + 1),
  ]);
  const merged = [...onVideos.map(fromVideo), ...onShowcases.map(fromLink)].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const data = merged.slice(0, opts.limit);
  return { data, next_cursor: merged.length > opts.limit ? data[data.length - 1]!.id : null };
}

/** External anchors by id, locked for update (in the caller's transaction); unknown ids are left out. */
export async function lockExternalAnchors(tx: Db, ids: string[]): Promise<Map<string, ExternalAnchorRecord>> {
  const unique = [...new Set(ids)].sort();
  if (unique.length === 0) return new Map();
  const onVideos = await tx
    .select(videoCols)
    .from(videoAnchors)
    .innerJoin(videos, eq(videos.id, videoAnchors.videoId))
    .where(and(inArray(videoAnchors.id, unique), eq(videoAnchors.type, 'external')))
    .orderBy(asc(videoAnchors.id))
    .for('update', { of: videoAnchors });
  const onShowcases = await tx.select().from(showcaseLinks).where(inArray(showcaseLinks.id, unique)).orderBy(asc(showcaseLinks.id)).for('update');
  return new Map([...onVideos.map(fromVideo), ...onShowcases.map(fromLink)].map((a) => [a.id, a]));
}

export interface ReplacementItem {
  /** The choice's index in the request, for problems. */
  index: number;
  anchor: ExternalAnchorRecord;
  productId: string;
}

export interface ReplacementProblem {
  index: number;
  reason: 'already_replaced' | 'too_many_anchors' | 'showcase_full';
  message: string;
}

export interface ReplacementResult {
  index: number;
  anchorId: string;
  /** The external anchor was turned off now (false: it already was). */
  deactivated: boolean;
  /** The product was anchored now (false: the video or showcase already had it). */
  attached: boolean;
  /** Anything changed (false: this replacement had been applied before). */
  changed: boolean;
}

/**
 * Replaces external anchors with products: the product is anchored on the same video (after its
 * other anchors) or added to the same showcase, and the external anchor is turned off and marked
 * replaced. Checks first, for every item: an anchor already replaced by another product, a video
 * that would carry more than 5 visible anchors, a showcase over 50 products. With problems,
 * nothing is written. Re-applying the same replacement changes nothing. Call it in a transaction
 * that locked the anchors (`lockExternalAnchors`).
 */
export async function replaceExternalAnchors(
  tx: Db,
  clock: Clock,
  items: ReplacementItem[],
  opts: { write: boolean },
): Promise<{ problems: ReplacementProblem[]; results: ReplacementResult[] }> {
  const problems: ReplacementProblem[] = [];
  const videoIds = [...new Set(items.flatMap((i) => (i.anchor.videoId ? [i.anchor.videoId] : [])))].sort();
  const ownerIds = [...new Set(items.filter((i) => i.anchor.kind === 'showcase').map((i) => i.anchor.ownerId))].sort();
  // Serialize replacements per video (anchor positions) and read what each video and showcase holds.
  if (videoIds.length > 0) await tx.select({ id: videos.id }).from(videos).where(inArray(videos.id, videoIds)).orderBy(asc(videos.id)).for('update');
  const onVideos =
    videoIds.length === 0
      ? []
      : await tx
          .select({ videoId: videoAnchors.videoId, type: videoAnchors.type, productId: videoAnchors.productId, deactivatedAt: videoAnchors.deactivatedAt, position: videoAnchors.position })
          .from(videoAnchors)
          .where(inArray(videoAnchors.videoId, videoIds));
  const onShowcases =
    ownerIds.length === 0
      ? []
      : await tx.select({ creatorId: creatorShowcase.creatorId, productId: creatorShowcase.productId, position: creatorShowcase.position }).from(creatorShowcase).where(inArray(creatorShowcase.creatorId, ownerIds));

  interface Holder {
    products: Set<string>;
    /** Visible anchors (products, active external ones) or showcase products. */
    count: number;
    limit: number;
    adding: ReplacementItem[];
  }
  const holders = new Map<string, Holder>();
  for (const v of videoIds) {
    const rows = onVideos.filter((a) => a.videoId === v);
    holders.set(`video:${v}`, {
      products: new Set(rows.flatMap((a) => (a.type === 'product' && a.productId ? [a.productId] : []))),
      count: rows.filter((a) => a.type === 'product' || a.deactivatedAt === null).length,
      limit: MAX_ANCHORS,
      adding: [],
    });
  }
  for (const o of ownerIds) {
    const rows = onShowcases.filter((p) => p.creatorId === o);
    holders.set(`showcase:${o}`, { products: new Set(rows.map((p) => p.productId)), count: rows.length, limit: MAX_SHOWCASE, adding: [] });
  }
  const holderOf = (a: ExternalAnchorRecord) => holders.get(a.kind === 'video' ? `video:${a.videoId}` : `showcase:${a.ownerId}`)!;

  for (const item of items) {
    const { anchor, productId } = item;
    if (anchor.replacedByProductId !== null && anchor.replacedByProductId !== productId) {
      problems.push({ index: item.index, reason: 'already_replaced', message: `This anchor was already replaced by product ${anchor.replacedByProductId}` });
      continue;
    }
    const holder = holderOf(anchor);
    if (anchor.active && anchor.kind === 'video') holder.count -= 1;
    if (!holder.products.has(productId)) {
      holder.products.add(productId);
      holder.count += 1;
      holder.adding.push(item);
    }
  }
  for (const holder of holders.values()) {
    if (holder.count <= holder.limit) continue;
    for (const item of holder.adding) {
      problems.push(
        item.anchor.kind === 'video'
          ? { index: item.index, reason: 'too_many_anchors', message: `The video would carry more than ${MAX_ANCHORS} anchors` }
          : { index: item.index, reason: 'showcase_full', message: `The showcase would hold more than ${MAX_SHOWCASE} products` },
      );
    }
  }
  problems.sort((a, b) => a.index - b.index);
  if (problems.length > 0 || !opts.write) return { problems, results: [] };

  const now = clock.now();
  const adding = new Set([...holders.values()].flatMap((h) => h.adding));
  const nextVideoPosition = new Map(videoIds.map((v) => [v, Math.max(-1, ...onVideos.filter((a) => a.videoId === v).map((a) => a.position)) + 1]));
  const nextShowcasePosition = new Map(ownerIds.map((o) => [o, Math.max(-1, ...onShowcases.filter((p) => p.creatorId === o).map((p) => p.position)) + 1]));
  const results: ReplacementResult[] = [];
  for (const item of items) {
    const { anchor, productId } = item;
    const attached = adding.has(item);
    if (attached && anchor.kind === 'video') {
      const position = nextVideoPosition.get(anchor.videoId!)!;
      nextVideoPosition.set(anchor.videoId!, position + 1);
      await tx.insert(videoAnchors).values({ id: newId('anc'), videoId: anchor.videoId!, position, type: 'product', productId });
    } else if (attached) {
      const position = nextShowcasePosition.get(anchor.ownerId)!;
      nextShowcasePosition.set(anchor.ownerId, position + 1);
      await tx.insert(creatorShowcase).values({ creatorId: anchor.ownerId, productId, position, addedAt: now }).onConflictDoNothing();
    }
    const marked = anchor.replacedByProductId === null;
    if (marked || anchor.active) {
      const table = anchor.kind === 'video' ? videoAnchors : showcaseLinks;
      await tx
        .update(table)
        .set({ replacedByProductId: productId, deactivatedAt: sql`coalesce(${table.deactivatedAt}, ${now})` })
        .where(eq(table.id, anchor.id));
    }
    results.push({ index: item.index, anchorId: anchor.id, deactivated: anchor.active, attached, changed: attached || marked || anchor.active });
  }
  return { problems: [], results };
}
