import { DAY } from '../../platform/clock.js';
import type { VideoTotals } from '../analytics/index.js';

/**
 * The feed's ranking, pure given a random source (see docs/architecture.md, "Feed ranking"):
 *
 *   score = freshness · Σ_m w_m · θ_m / μ_m,   θ_m ~ Beta(α_m + successes_m, β_m + failures_m)
 *
 * over three Beta-Bernoulli rates per video — completion (completed views / views), product
 * click (product clicks / views) and conversion (orders / views) — each drawn once from its
 * posterior (Thompson sampling: a video with little data has a wide posterior, so it sometimes
 * draws high and gets shown), divided by its prior mean μ_m = α_m / (α_m + β_m) so the terms are
 * comparable, weighted by w_m. freshness = 0.5^(age days / FRESHNESS_HALF_LIFE_DAYS). Videos the
 * viewer already watched come after all unwatched ones; then a greedy pass within each of the two
 * groups makes sure no two neighbours come from one shop (when any other video is left).
 */
export const FRESHNESS_HALF_LIFE_DAYS = 3;
/** Beta priors (α, β) and blend weights per rate. */
export const PRIORS = {
  completion: { alpha: 3, beta: 7, weight: 0.3 },
  click: { alpha: 1, beta: 19, weight: 0.3 },
  conversion: { alpha: 1, beta: 99, weight: 0.4 },
} as const;
const RATES = ['completion', 'click', 'conversion'] as const;
/** w_m / μ_m per rate, in RATES order. */
const SCALE = RATES.map((m) => PRIORS[m].weight / (PRIORS[m].alpha / (PRIORS[m].alpha + PRIORS[m].beta)));

/** A random source: uniform in [0, 1). */
export type Rng = () => number;

/**
 * A seeded, reproducible random source: sfc32 (Chris Doty-Humphrey's small fast counter
 * generator, 128 bits of state) seeded from the 32-bit seed by splitmix32; 32-bit resolution.
 */
export function seededRng(seed: number): Rng {
  let z = seed >>> 0;
  const mix = () => {
    z = (z + 0x9e3779b9) | 0;
    let t = z ^ (z >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) | 0;
  };
  let a = mix();
  let b = mix();
  let c = mix();
  let d = 1;
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

// Ziggurat tables for standard normals (Marsaglia & Tsang 2000, 128 layers).
const ZIG_R = 3.442619855899;
const kn = new Float64Array(128);
const wn = new Float64Array(128);
const fn = new Float64Array(128);
{
  const m1 = 2147483648;
  const vn = 9.91256303526217e-3;
  let dn = ZIG_R;
  let tn = dn;
  const q = vn / Math.exp(-0.5 * dn * dn);
  kn[0] = (dn / q) * m1;
  kn[1] = 0;
  wn[0] = q / m1;
  wn[127] = dn / m1;
  fn[0] = 1;
  fn[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    kn[i + 1] = (dn / tn) * m1;
    tn = dn;
    fn[i] = Math.exp(-0.5 * dn * dn);
    wn[i] = dn / m1;
  }
}

/** A standard normal by the ziggurat: one 32-bit draw and a multiply for ~99 % of draws. */
function normal(rng: Rng): number {
  for (;;) {
    const hz = (rng() * 4294967296) | 0;
    const iz = hz & 127;
    if (Math.abs(hz) < kn[iz]!) return hz * wn[iz]!;
    const x = hz * wn[iz]!;
    if (iz === 0) {
      // The tail beyond R.
      let t: number;
      let y: number;
      do {
        t = -Math.log(1 - rng()) / ZIG_R;
        y = -Math.log(1 - rng());
      } while (y + y < t * t);
      return hz > 0 ? ZIG_R + t : -ZIG_R - t;
    }
    if (fn[iz]! + rng() * (fn[iz - 1]! - fn[iz]!) < Math.exp(-0.5 * x * x)) return x;
  }
}

/** Gamma(shape, 1) by Marsaglia–Tsang with its squeeze (no logarithm for ~98 % of draws); shape < 1 boosted by U^(1/shape). */
function gamma(rng: Rng, shape: number): number {
  if (shape < 1) return gamma(rng, shape + 1) * Math.pow(1 - rng(), 1 / shape);
  const d = shape - 1 / 3;
  return gammaDc(rng, d, 1 / Math.sqrt(9 * d));
}

/** Marsaglia–Tsang for shape ≥ 1, given d = shape − 1/3 and c = 1 / √(9d). */
function gammaDc(rng: Rng, d: number, c: number): number {
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Draws from Beta distributions off one random source: Beta(a, b) = X / (X + Y), X ~ Gamma(a), Y ~ Gamma(b). */
export function betaSampler(rng: Rng): (a: number, b: number) => number {
  return (a, b) => {
    const x = gamma(rng, a);
    return x / (x + gamma(rng, b));
  };
}

/** One draw from Beta(a, b). */
export function sampleBeta(rng: Rng, a: number, b: number): number {
  return betaSampler(rng)(a, b);
}

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

/** The posteriors of a video as [a, b] per rate in a flat array (what the ranking loop reads). */
export function posteriorParams(t: VideoTotals): Float64Array {
  const p = posteriors(t);
  return Float64Array.from(RATES.flatMap((m) => [p[m].a, p[m].b]));
}

/** The sampled blended score of one video (before freshness), from `posteriorParams`. */
function drawScore(beta: (a: number, b: number) => number, params: Float64Array): number {
  return SCALE[0]! * beta(params[0]!, params[1]!) + SCALE[1]! * beta(params[2]!, params[3]!) + SCALE[2]! * beta(params[4]!, params[5]!);
}

/** The sampled blended score of one video (before freshness). */
export function sampledScore(rng: Rng, t: VideoTotals): number {
  return drawScore(betaSampler(rng), posteriorParams(t));
}

export const freshness = (ageMs: number) => Math.pow(0.5, Math.max(0, ageMs) / DAY / FRESHNESS_HALF_LIFE_DAYS);

/**
 * Reorders greedily so no two neighbours share a shop: at each place the best-ranked video of
 * another shop than the previous one. O(n), plus a fix-up for what is left over at the end.
 */
export function spreadShops<T, K = string>(ranked: T[], shopOf: (item: T) => K): T[] {
  const out: T[] = [];
  let held: T[] = []; // all of one shop: the last one placed
  let i = 0;
  let last: K | null = null;
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

/** The candidates of a ranking, column-wise (built once per index version). */
export interface RankTable {
  ids: readonly string[];
  /** A number per shop (equal numbers: same shop). */
  shops: Int32Array;
  publishedMs: Float64Array;
  /** `posteriorParams` of each candidate, 6 numbers each. */
  params: Float64Array;
  /** Per shape (6 per candidate) Marsaglia–Tsang's d and c, 12 numbers per candidate; null when a shape is below 1. */
  dc: Float64Array | null;
  /** The newest publish time, and each candidate's freshness at it (a later time multiplies them all by one factor). */
  newestMs: number;
  freshAtNewest: Float64Array;
}

/** A table from candidates (id, shop key, publish time, counters). */
export function rankTable(items: ReadonlyArray<{ id: string; shop: string; publishedMs: number; params: Float64Array }>): RankTable {
  const shopNumbers = new Map<string, number>();
  const table: RankTable = { ids: items.map((c) => c.id), shops: new Int32Array(items.length), publishedMs: new Float64Array(items.length), params: new Float64Array(items.length * 6), dc: null, newestMs: -Infinity, freshAtNewest: new Float64Array(items.length) };
  items.forEach((c, i) => {
    let shop = shopNumbers.get(c.shop);
    if (shop === undefined) shopNumbers.set(c.shop, (shop = shopNumbers.size));
    table.shops[i] = shop;
    table.publishedMs[i] = c.publishedMs;
    table.params.set(c.params, i * 6);
  });
  table.newestMs = Math.max(-Infinity, ...table.publishedMs);
  table.publishedMs.forEach((p, i) => void (table.freshAtNewest[i] = freshness(table.newestMs - p)));
  if (table.params.every((shape) => shape >= 1)) {
    const dc = new Float64Array(items.length * 12);
    table.params.forEach((shape, j) => {
      const d = shape - 1 / 3;
      dc[j * 2] = d;
      dc[j * 2 + 1] = 1 / Math.sqrt(9 * d);
    });
    table.dc = dc;
  }
  return table;
}

/**
 * The ordering of a table's candidates (their positions): sampled score × freshness at `nowMs`,
 * unwatched (`watched[i]` 0) first, each group by score descending (ties: the greater id first),
 * then shops spread. Draws in table order, so it is reproducible given `rng`; also returns the scores.
 */
export function rankPositions(table: RankTable, watched: Uint8Array, nowMs: number, rng: Rng): { order: Int32Array; scores: Float64Array } {
  const scores = drawScores(table, nowMs, rng);
  return { order: arrange(scoreOrder(table, scores), watched, table.shops), scores };
}

/** One Thompson draw of every candidate's blended score × freshness at `nowMs`, in table order. */
export function drawScores(table: RankTable, nowMs: number, rng: Rng): Float64Array {
  const n = table.ids.length;
  const scores = new Float64Array(n);
  const dc = table.dc;
  if (dc) {
    // The same draws as betaSampler's, with d and c of each shape computed once per table.
    const [s0, s1, s2] = SCALE as [number, number, number];
    // freshness(now − p) = freshness(now − newest) · freshness(newest − p) for p ≤ newest ≤ now.
    const later = nowMs >= table.newestMs ? freshness(nowMs - table.newestMs) : NaN;
    for (let i = 0; i < n; i++) {
      const o = i * 12;
      const x0 = gammaDc(rng, dc[o]!, dc[o + 1]!);
      const b0 = x0 / (x0 + gammaDc(rng, dc[o + 2]!, dc[o + 3]!));
      const x1 = gammaDc(rng, dc[o + 4]!, dc[o + 5]!);
      const b1 = x1 / (x1 + gammaDc(rng, dc[o + 6]!, dc[o + 7]!));
      const x2 = gammaDc(rng, dc[o + 8]!, dc[o + 9]!);
      const b2 = x2 / (x2 + gammaDc(rng, dc[o + 10]!, dc[o + 11]!));
      scores[i] = (s0 * b0 + s1 * b1 + s2 * b2) * (later === later ? later * table.freshAtNewest[i]! : freshness(nowMs - table.publishedMs[i]!));
    }
  } else {
    const beta = betaSampler(rng);
    const p = table.params;
    for (let i = 0; i < n; i++) {
      const o = i * 6;
      const draw = SCALE[0]! * beta(p[o]!, p[o + 1]!) + SCALE[1]! * beta(p[o + 2]!, p[o + 3]!) + SCALE[2]! * beta(p[o + 4]!, p[o + 5]!);
      scores[i] = draw * freshness(nowMs - table.publishedMs[i]!);
    }
  }
  return scores;
}

/** Positions by score descending, equal scores by the greater id first. */
export function scoreOrder(table: RankTable, scores: Float64Array): Int32Array {
  const n = scores.length;
  const ids = table.ids;
  // A stable radix sort of −score; runs of equal scores are then ordered by id.
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = -scores[i]! + 0;
  const sorted = radixArgsort(keys);
  for (let j = 0; j < n; ) {
    let e = j + 1;
    while (e < n && keys[sorted[e]!] === keys[sorted[j]!]) e++;
    if (e - j > 1) sorted.set(Array.from(sorted.subarray(j, e)).sort((a, b) => (ids[a]! < ids[b]! ? 1 : -1)), j);
    j = e;
  }
  return sorted;
}

/**
 * The feed order from positions by score (`scoreOrder`): the unwatched (`watched[i]` 0) in that
 * order with shops spread (`spreadShops`), then the watched in that order with shops spread — the
 * spread never lifts a watched video above an unwatched one. O(n).
 */
export function arrange(byScore: Int32Array, watched: Uint8Array, shops: Int32Array): Int32Array {
  const unwatched: number[] = [];
  const seen: number[] = [];
  for (const i of byScore) (watched[i] ? seen : unwatched).push(i);
  const shopOf = (i: number) => shops[i]!;
  return Int32Array.from([...spreadShops(unwatched, shopOf), ...spreadShops(seen, shopOf)]);
}

/** Positions of `keys` in ascending order (stable): LSD radix sort, 11-bit digits, over the IEEE-754 bits made unsigned-comparable. */
function radixArgsort(keys: Float64Array): Int32Array {
  const n = keys.length;
  const words = new Uint32Array(keys.buffer, keys.byteOffset, n * 2);
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let h = words[2 * i + (little ? 1 : 0)]!;
    let l = words[2 * i + (little ? 0 : 1)]!;
    if (h & 0x80000000) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    } else {
      h = (h | 0x80000000) >>> 0;
    }
    hi[i] = h;
    lo[i] = l;
  }
  let order = new Int32Array(n);
  let spare = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const count = new Uint32Array(2048);
  for (const [digits, shift, bits] of [[lo, 0, 11], [lo, 11, 11], [lo, 22, 10], [hi, 0, 11], [hi, 11, 11], [hi, 22, 10]] as const) {
    const mask = (1 << bits) - 1;
    count.fill(0);
    for (let i = 0; i < n; i++) count[(digits[order[i]!]! >>> shift) & mask]!++;
    let sum = 0;
    for (let b = 0; b <= mask; b++) {
      const c = count[b]!;
      count[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const j = order[i]!;
      spare[count[(digits[j]! >>> shift) & mask]!++] = j;
    }
    [order, spare] = [spare, order];
  }
  return order;
}

/** A video the feed may show, with what ranking needs. */
export interface FeedCandidate {
  id: string;
  creator_id: string;
  published_at: Date;
  /** The shop of its first live product anchor; null when only external links anchor it. */
  shop_id: string | null;
}

export interface Ranked {
  id: string;
  score: number;
  watched: boolean;
}

/** Ranks candidates: sampled score × freshness, unwatched first, then shops spread. Pure given `rng`. */
export function rankCandidates(candidates: FeedCandidate[], stats: Map<string, VideoTotals>, watched: Set<string>, now: Date, rng: Rng): Ranked[] {
  const none: VideoTotals = { impressions: 0, views: 0, completed_views: 0, product_clicks: 0, orders: 0 };
  const table = rankTable(
    candidates.map((c) => ({ id: c.id, shop: c.shop_id ?? `creator:${c.creator_id}`, publishedMs: c.published_at.getTime(), params: posteriorParams(stats.get(c.id) ?? none) })),
  );
  const seen = Uint8Array.from(candidates, (c) => (watched.has(c.id) ? 1 : 0));
  const { order, scores } = rankPositions(table, seen, now.getTime(), rng);
  return Array.from(order, (i) => ({ id: table.ids[i]!, score: scores[i]!, watched: seen[i] === 1 }));
}
