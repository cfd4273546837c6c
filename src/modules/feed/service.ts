import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { DAY, type Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { badRequest } from '../../platform/errors.js';
import { videoTotals, watchedVideoIds, type VideoTotals } from '../analytics/service.js';
import { feedCandidates, feedVideoViews, type FeedCandidate, type Page, type VideoView } from '../content/service.js';

/**
 * The interest feed: ranks the ready videos for one viewer with the closed-loop signals.
 *
 *   score = freshness · Σ_m w_m · θ_m / μ_m,   θ_m ~ Beta(α_m + successes_m, β_m + failures_m)
 *
 * over three Beta-Bernoulli rates per video — completion (completed views / views), product
 * click (product clicks / views) and conversion (orders / views) — each drawn once from its
 * posterior (Thompson sampling: a video with little data has a wide posterior, so it sometimes
 * draws high and gets shown), divided by its prior mean μ_m = α_m / (α_m + β_m) so the terms are
 * comparable, weighted by w_m. freshness = 0.5^(age days / FRESHNESS_HALF_LIFE_DAYS). Videos the
 * viewer already watched come after all unwatched ones; then a greedy pass makes sure no two
 * neighbours come from one shop (when any other video is left). See docs/architecture.md.
 *
 * Stable while scrolling: the first page fixes a snapshot — a seed (from the viewer and the
 * time) and the snapshot time — that the cursor carries with the position. Every page recomputes
 * the same ordering from inputs frozen at the snapshot: candidates published by then, rollup
 * buckets before its hour, views before it; and slices it at the position.
 */
export const FEED_CANDIDATES = 2000;
export const FRESHNESS_HALF_LIFE_DAYS = 3;
/** Beta priors (α, β) and blend weights per rate. */
export const PRIORS = {
  completion: { alpha: 3, beta: 7, weight: 0.3 },
  click: { alpha: 1, beta: 19, weight: 0.3 },
  conversion: { alpha: 1, beta: 99, weight: 0.4 },
} as const;

/** A random source: uniform in [0, 1). */
export type Rng = () => number;

/** A seeded, reproducible random source (pure-rand's xoroshiro128+). */
export function seededRng(seed: number): Rng {
  const gen = xoroshiro128plus(seed);
  return () => uniformFloat64(gen);
}

function normal(rng: Rng): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Gamma(shape, 1) by Marsaglia–Tsang (shape < 1 boosted by U^(1/shape)). */
function gamma(rng: Rng, shape: number): number {
  if (shape < 1) return gamma(rng, shape + 1) * Math.pow(1 - rng(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** One draw from Beta(a, b). */
export function sampleBeta(rng: Rng, a: number, b: number): number {
  const x = gamma(rng, a);
  const y = gamma(rng, b);
  return x / (x + y);
}

const NONE: VideoTotals = { impressions: 0, views: 0, completed_views: 0, product_clicks: 0, orders: 0 };

/** The posterior (α, β) of each rate given a video's counters (successes capped at the trials). */
export function posteriors(t: VideoTotals): Record<keyof typeof PRIORS, { a: number; b: number }> {
  const post = (p: { alpha: number; beta: number }, successes: number, trials: number) => {
    const s = Math.min(successes, trials);
    return { a: p.alpha + s, b: p.beta + trials - s };
  };
  return {
    completion: post(PRIORS.completion, t.completed_views, t.views),
    click: post(PRIORS.click, t.product_clicks, t.views),
    conversion: post(PRIORS.conversion, t.orders, t.views),
  };
}

/** The sampled blended score of one video (before freshness). */
export function sampledScore(rng: Rng, t: VideoTotals): number {
  const post = posteriors(t);
  let score = 0;
  for (const m of ['completion', 'click', 'conversion'] as const) {
    const p = PRIORS[m];
    score += (p.weight * sampleBeta(rng, post[m].a, post[m].b)) / (p.alpha / (p.alpha + p.beta));
  }
  return score;
}

export const freshness = (ageMs: number) => Math.pow(0.5, Math.max(0, ageMs) / DAY / FRESHNESS_HALF_LIFE_DAYS);

/**
 * Reorders greedily so no two neighbours share a shop: at each place the best-ranked video of
 * another shop than the previous one. O(n), plus a fix-up for what is left over at the end.
 */
export function spreadShops<T>(ranked: T[], shopOf: (item: T) => string): T[] {
  const out: T[] = [];
  let held: T[] = []; // all of one shop: the last one placed
  let i = 0;
  let last: string | null = null;
  while (out.length < ranked.length) {
    if (held.length > 0 && shopOf(held[0]!) !== last) {
      out.push(held.shift()!);
    } else if (i < ranked.length) {
      const next = ranked[i++]!;
      if (shopOf(next) === last) {
        held.push(next);
        continue;
      }
      out.push(next);
    } else {
      // Left over, all of the last shop: each goes into the latest gap between two other shops.
      for (const item of held) {
        const shop = shopOf(item);
        let j = out.length - 1;
        while (j > 0 && (shopOf(out[j]!) === shop || shopOf(out[j - 1]!) === shop)) j--;
        if (j > 0) out.splice(j, 0, item);
        else if (out.length > 0 && shopOf(out[0]!) !== shop) out.unshift(item);
        else out.push(item);
      }
      held = [];
      break;
    }
    last = shopOf(out[out.length - 1]!);
  }
  return out;
}

export interface Ranked {
  id: string;
  score: number;
  watched: boolean;
}

/** Ranks candidates: sampled score × freshness, unwatched first, then shops spread. Pure given `rng`. */
export function rankCandidates(candidates: FeedCandidate[], stats: Map<string, VideoTotals>, watched: Set<string>, now: Date, rng: Rng): Ranked[] {
  const scored = candidates.map((c) => ({
    id: c.id,
    shop: c.shop_id ?? `creator:${c.creator_id}`,
    watched: watched.has(c.id),
    score: sampledScore(rng, stats.get(c.id) ?? NONE) * freshness(now.getTime() - c.published_at.getTime()),
  }));
  scored.sort((a, b) => Number(a.watched) - Number(b.watched) || b.score - a.score || (a.id < b.id ? 1 : -1));
  return spreadShops(scored, (s) => s.shop).map(({ id, score, watched: w }) => ({ id, score, watched: w }));
}

// ---------------------------------------------------------------------------------------------
// Cursor and viewer

export interface Viewer {
  userId: string | null;
  deviceId: string | null;
}

interface Snapshot {
  seed: number;
  at: Date;
  position: number;
}

const encodeCursor = (s: Snapshot) => Buffer.from(`f1.${s.seed}.${s.at.getTime()}.${s.position}`).toString('base64url');

function decodeCursor(cursor: string): Snapshot {
  const m = /^f1\.(\d{1,10})\.(\d{1,15})\.(\d{1,5})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const seed = Number(m?.[1]);
  if (!m || seed > 0xffffffff) throw badRequest('invalid_cursor', 'Unknown cursor');
  return { seed, at: new Date(Number(m[2])), position: Number(m[3]) };
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

/** The ranked ordering of a snapshot (the same for every page of it). */
export async function rankFeed(db: Db, viewer: Viewer, snapshot: { seed: number; at: Date }, rng: (seed: number) => Rng = seededRng): Promise<Ranked[]> {
  const candidates = await feedCandidates(db, { publishedBefore: snapshot.at, limit: FEED_CANDIDATES });
  const ids = candidates.map((c) => c.id);
  const [stats, watched] = await Promise.all([videoTotals(db, ids, snapshot.at), watchedVideoIds(db, viewer, snapshot.at)]);
  return rankCandidates(candidates, stats, watched, snapshot.at, rng(snapshot.seed));
}

/** `GET /v1/feed`: one page of the viewer's ranked feed. */
export async function listFeed(db: Db, clock: Clock, viewer: Viewer, opts: FeedOptions = {}): Promise<Page<VideoView>> {
  const limit = opts.limit ?? 20;
  let snap: Snapshot;
  if (opts.cursor != null) {
    snap = decodeCursor(opts.cursor);
  } else {
    const at = clock.now();
    snap = { seed: sessionSeed(viewer, at), at, position: 0 };
  }
  const ranked = await rankFeed(db, viewer, snap, opts.rng);
  const slice = ranked.slice(snap.position, snap.position + limit);
  const end = snap.position + slice.length;
  return {
    data: await feedVideoViews(db, slice.map((r) => r.id)),
    next_cursor: end < ranked.length ? encodeCursor({ ...snap, position: end }) : null,
  };
}
