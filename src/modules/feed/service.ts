import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { badRequest } from '../../platform/errors.js';
import type { Page, VideoView } from '../content/index.js';
import { FEED_DRAWS, feedIndex, posteriorDraw, type FeedIndex, type IndexVersion, type Viewer } from './ranking-index.js';
import { arrange, drawScores, scoreOrder, type Rng } from './ranking.js';

/**
 * The interest feed: ranks the ready videos for one viewer with the closed-loop signals
 * (ranking.ts: Thompson sampling over Beta posteriors × freshness, watched last, shops spread)
 * over the per-process ranking index (ranking-index.ts). See docs/architecture.md.
 *
 * Stable while scrolling: the first page fixes a snapshot — a seed (from the viewer and the
 * time), the snapshot time and the index version it ranked — that the cursor carries with the
 * position. Every page of the snapshot arranges the same posterior draw of the same version
 * (`posteriorDraw`, kept with the version) with the same watched set (views at or after the
 * snapshot time do not count), and slices it at the position.
 */
export { FEED_CANDIDATES, TOTALS_CACHE_MS, type Viewer } from './ranking-index.js';
export {
  FRESHNESS_HALF_LIFE_DAYS,
  PRIORS,
  freshness,
  posteriors,
  rankCandidates,
  sampleBeta,
  sampledScore,
  seededRng,
  spreadShops,
  type Ranked,
  type Rng,
} from './ranking.js';

// ---------------------------------------------------------------------------------------------
// Cursor and viewer

interface Snapshot {
  seed: number;
  at: Date;
  /** The index version ranked: its build id and clock time. */
  key: number;
  versionAt: number;
  position: number;
}

const encodeCursor = (s: Snapshot) => Buffer.from(`f2.${s.seed}.${s.at.getTime()}.${s.key}.${s.versionAt}.${s.position}`).toString('base64url');

function decodeCursor(cursor: string): Snapshot {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const v2 = /^f2\.(\d{1,10})\.(\d{1,15})\.(\d{1,10})\.(\d{1,15})\.(\d{1,5})$/.exec(text);
  if (v2 && Number(v2[1]) <= 0xffffffff && Number(v2[3]) <= 0xffffffff) {
    return { seed: Number(v2[1]), at: new Date(Number(v2[2])), key: Number(v2[3]), versionAt: Number(v2[4]), position: Number(v2[5]) };
  }
  // Cursors from before the index: their snapshot is rebuilt from SQL for its time.
  const v1 = /^f1\.(\d{1,10})\.(\d{1,15})\.(\d{1,5})$/.exec(text);
  if (v1 && Number(v1[1]) <= 0xffffffff) return { seed: Number(v1[1]), at: new Date(Number(v1[2])), key: 0, versionAt: Number(v1[2]), position: Number(v1[3]) };
  throw badRequest('invalid_cursor', 'Unknown cursor');
}

/** FNV-1a of the viewer and the snapshot time: each viewer's session draws its own ordering. */
export function sessionSeed(viewer: Viewer, at: Date): number {
  const key = `${viewer.userId ?? ''}|${viewer.deviceId ?? ''}|${at.getTime()}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export interface FeedOptions {
  limit?: number;
  cursor?: string | null;
  /** The random source for the ranking; by default seeded from the session's seed. */
  rng?: (seed: number) => Rng;
}

/** The ordering of a snapshot as positions in its version's entries (the same for every page of it). */
async function snapshotOrder(index: FeedIndex, viewer: Viewer, snap: Snapshot, version: IndexVersion, rng?: (seed: number) => Rng): Promise<Int32Array> {
  const atMs = snap.at.getTime();
  const byScore = rng ? scoreOrder(version.table, drawScores(version.table, atMs, rng(snap.seed))) : posteriorDraw(version, snap.seed % FEED_DRAWS);
  // Watched = first viewed (by the user or the device) before the snapshot: views while
  // scrolling do not move later pages.
  const seen = new Uint8Array(version.entries.length);
  for (const first of await index.watched.get(viewer)) {
    for (const [id, firstMs] of first) {
      const i = version.positions.get(id);
      if (i !== undefined && firstMs < atMs) seen[i] = 1;
    }
  }
  return arrange(byScore, seen, version.table.shops);
}

/** `GET /v1/feed`: one page of the viewer's ranked feed. */
export async function listFeed(db: Db, clock: Clock, viewer: Viewer, opts: FeedOptions = {}): Promise<Page<VideoView>> {
  const limit = opts.limit ?? 20;
  const index = feedIndex(db, clock);
  const cursor = opts.cursor != null ? decodeCursor(opts.cursor) : null;
  const current = await index.current();
  let snap: Snapshot;
  let version: IndexVersion;
  if (cursor) {
    snap = cursor;
    version = await index.version(cursor.key, cursor.versionAt);
  } else {
    const at = clock.now();
    snap = { seed: sessionSeed(viewer, at), at, key: current.key, versionAt: current.at, position: 0 };
    version = current;
  }
  const order = await snapshotOrder(index, viewer, snap, version, opts.rng);
  const end = Math.min(order.length, snap.position + limit);
  // Payloads from the newest version; a video it no longer holds (deleted, hidden, shop not
  // active) is left out of the page — unless it is older than all it holds (then from its own).
  const newest = index.newest() ?? current;
  const oldest = newest.entries.at(-1)?.publishedMs ?? -Infinity;
  const data: VideoView[] = [];
  for (let i = snap.position; i < end; i++) {
    const entry = version.entries[order[i]!]!;
    const fresh = newest.positions.get(entry.id);
    if (fresh !== undefined) data.push(newest.entries[fresh]!.view);
    else if (entry.publishedMs < oldest) data.push(entry.view);
  }
  return { data, next_cursor: end < order.length ? encodeCursor({ ...snap, position: end }) : null };
}
