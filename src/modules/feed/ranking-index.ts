import { HOUR, type Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { firstViewsBySender, videoTotals, type VideoTotals } from '../analytics/index.js';
import { feedVideos, type FeedPageAfter, type VideoView } from '../content/index.js';
import { drawScores, posteriorParams, rankTable, scoreOrder, seededRng, type RankTable } from './ranking.js';
import { feedSourcesGeneration, onFeedSourcesChanged, onViewsRecorded, type RecordedView } from './signals.js';

/**
 * The feed's per-process ranking index (see docs/architecture.md, "Feed ranking"): what a feed
 * request needs, held in memory so that a request runs no SQL except, on a cache miss, one
 * indexed read of the viewer's watch history.
 *
 * A version is built from the database at a clock time `at`: the newest FEED_CANDIDATES ready
 * videos published at or before `at` that show a live product of an active shop or an active
 * external link, with the payload the API returns (`content.feedVideos`: caption, media,
 * creator, anchors with product summaries), each with its shop, publish time and rollup
 * counters before `at`'s hour (the Beta posteriors).
 *
 * Rebuilds run in the background every FEED_INDEX_REFRESH_MS; requests keep using the previous
 * version meanwhile. A request waits for a build only when there is none yet, when this process
 * signalled a change to what the feed shows (signals.ts: publish, delete, product or shop
 * status), or when the newest version is older than FEED_INDEX_MAX_AGE_MS by the clock (the
 * timer is late or a test moved a simulated clock). Cursors name their version; versions are
 * kept FEED_VERSION_RETAIN_MS (at most FEED_VERSIONS_MAX), sharing unchanged entries, and one
 * that is gone (older, or built by another process) is rebuilt from SQL for its time.
 */

/** How many of the newest visible videos are ranked (and held per version). */
export const FEED_CANDIDATES = 2000;
/** Real time between background rebuilds. */
export const FEED_INDEX_REFRESH_MS = 30_000;
/** Clock time after which a request waits for a fresh build (the staleness bound when the timer is late). */
export const FEED_INDEX_MAX_AGE_MS = 60_000;
/** A second background rebuild this long after a signalled change, for a change that committed after the first. */
export const FEED_CHANGE_FOLLOW_UP_MS = 1000;
/** How long (real time) a version stays available to the cursors that name it. */
export const FEED_VERSION_RETAIN_MS = 30 * 60_000;
export const FEED_VERSIONS_MAX = 64;
/** How long (real time) a process keeps the rollup counters of one snapshot hour before reading them again. */
export const TOTALS_CACHE_MS = 60_000;
/** How long (real time) a viewer's watch history is cached; views this process records update it at once. */
export const WATCHED_TTL_MS = 60_000;
/** Bound of the watch-history cache: senders (users, devices), and video ids over all of them. */
export const WATCHED_CACHE_SENDERS = 20_000;
export const WATCHED_CACHE_IDS = 1_000_000;
/**
 * Thompson draws per version: a session ranks draw `seed mod FEED_DRAWS` of its version's
 * posteriors, each drawn once (ahead after a build, or on first use) and kept with the version as
 * positions by score.
 */
export const FEED_DRAWS = 256;
/** Draws per step when a new version draws ahead of its requests (~0.3 ms each for 2,000 candidates). */
const DRAW_AHEAD_STEP = 16;

/**
 * Videos per step of a build (one SQL read or handling its rows): on PGlite, whose SQL runs on
 * the event loop, a step of 100 blocks requests for ~10 ms.
 */
const BUILD_CHUNK = 100;

export interface IndexEntry {
  id: string;
  /** The shop that neighbours must not repeat: the first live product's shop, else `creator:<id>`. */
  shop: string;
  publishedMs: number;
  totals: VideoTotals;
  /** `posteriorParams(totals)`: the Beta posteriors the ranking draws from. */
  params: Float64Array;
  view: VideoView;
  /** What makes two builds' entries equal (payload and counters): unchanged entries are shared between versions. */
  fingerprint: string;
}

export interface IndexVersion {
  /** Random build id carried by cursors; with `at` it names the version. */
  key: number;
  /** Clock time (epoch ms) the version was built for. */
  at: number;
  /** Newest first. */
  entries: IndexEntry[];
  /** The entries column-wise, as the ranking reads them. */
  table: RankTable;
  /** Entry position by video id. */
  positions: ReadonlyMap<string, number>;
  /** The posterior draws sessions have used so far (`posteriorDraw`), as positions by score. */
  draws: Array<Int32Array | undefined>;
  /** Real time (performance.now()) the build started. */
  builtAt: number;
  /** `feedSourcesGeneration()` when the build started. */
  generation: number;
}

const NONE: VideoTotals = { impressions: 0, views: 0, completed_views: 0, product_clicks: 0, orders: 0 };
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A Map used as an LRU: reads move an entry to the end, inserts evict from the front. */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max: number) {}
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }
  delete(key: K): void {
    this.map.delete(key);
  }
  get size(): number {
    return this.map.size;
  }
}

/**
 * Rollup counters before an hour, cached per process: the counters of a snapshot depend only on
 * its hour, so each hour's are read once per video and kept for TOTALS_CACHE_MS — a late event
 * folded into an earlier hour shows up within that time.
 */
class TotalsCache {
  private readonly hours = new Lru<number, { loaded: number; known: Map<string, VideoTotals | null> }>(3);
  async get(db: Db, ids: string[], at: Date): Promise<Map<string, VideoTotals>> {
    const hour = Math.floor(at.getTime() / HOUR) * HOUR;
    let cache = this.hours.get(hour);
    if (!cache || performance.now() - cache.loaded > TOTALS_CACHE_MS) {
      cache = { loaded: performance.now(), known: new Map() };
      this.hours.set(hour, cache);
    }
    const known = cache.known;
    const missing = ids.filter((id) => !known.has(id));
    for (let i = 0; i < missing.length; i += BUILD_CHUNK) {
      const part = missing.slice(i, i + BUILD_CHUNK);
      const found = await videoTotals(db, part, at);
      for (const id of part) known.set(id, found.get(id) ?? null);
      await yieldToLoop();
    }
    return new Map(ids.flatMap((id) => (known.get(id) ? [[id, known.get(id)!] as const] : [])));
  }
}

/** Builds a version for clock time `at`; entries equal to those of `previous` are reused. */
async function buildVersion(db: Db, totals: TotalsCache, at: Date, previous: IndexVersion | null, key: number): Promise<IndexVersion> {
  const builtAt = performance.now();
  const generation = feedSourcesGeneration();
  // Every step reads or handles at most BUILD_CHUNK videos, then lets requests run.
  const shown: VideoView[] = [];
  let after: FeedPageAfter | null = null;
  for (let read = 0; read < FEED_CANDIDATES; read += BUILD_CHUNK) {
    const page = await feedVideos(db, { publishedBefore: at, limit: Math.min(BUILD_CHUNK, FEED_CANDIDATES - read), after });
    shown.push(...page.videos);
    await yieldToLoop();
    if (!(after = page.next)) break;
  }
  const stats = await totals.get(db, shown.map((v) => v.id), at);
  const before = new Map(previous?.entries.map((e) => [e.id, e]));
  const entries: IndexEntry[] = [];
  for (let i = 0; i < shown.length; i += BUILD_CHUNK) {
    for (const view of shown.slice(i, i + BUILD_CHUNK)) {
      const t = stats.get(view.id) ?? NONE;
      const product = view.anchors.find((a) => a.type === 'product');
      const shop = product ? product.product.shop_id : `creator:${view.creator.id}`;
      const publishedMs = Date.parse(view.published_at!);
      const fingerprint = `${shop}|${t.views},${t.completed_views},${t.product_clicks},${t.orders},${t.impressions}|${JSON.stringify(view)}`;
      const old = before.get(view.id);
      entries.push(old && old.fingerprint === fingerprint ? old : { id: view.id, shop, publishedMs, totals: t, params: posteriorParams(t), view, fingerprint });
    }
    await yieldToLoop();
  }
  return { key, at: at.getTime(), entries, table: rankTable(entries), positions: new Map(entries.map((e, i) => [e.id, i])), draws: [], builtAt, generation };
}

/**
 * Draw `j` (0 ≤ j < FEED_DRAWS) of a version: every candidate's score drawn once from its
 * posteriors (`drawScores` at the version's time; a later snapshot time scales all scores alike),
 * as positions by score. Seeded from the version's key and `j`, so a version rebuilt for a
 * cursor draws the same.
 */
export function posteriorDraw(version: IndexVersion, j: number): Int32Array {
  let order = version.draws[j];
  if (!order) {
    const seed = (version.key + Math.imul(j + 1, 0x9e3779b1)) >>> 0;
    order = version.draws[j] = scoreOrder(version.table, drawScores(version.table, version.at, seededRng(seed)));
  }
  return order;
}

/** Draws all of a version's posterior draws that requests have not drawn yet, DRAW_AHEAD_STEP at a time between requests. */
async function drawAhead(version: IndexVersion): Promise<void> {
  for (let j = 0; j < FEED_DRAWS; j++) {
    posteriorDraw(version, j);
    if (j % DRAW_AHEAD_STEP === DRAW_AHEAD_STEP - 1) await yieldToLoop();
  }
}

const randomKey = () => Math.floor(Math.random() * 0x100000000) >>> 0;

/** Who asks for the feed: a signed-in user and/or an anonymous device (X-Device-Id). */
export interface Viewer {
  userId: string | null;
  deviceId: string | null;
}

/** The senders whose views count for a viewer: `u:<user id>` and/or `d:<device id>`. */
const actorsOf = (viewer: Viewer) => [viewer.userId ? `u:${viewer.userId}` : null, viewer.deviceId ? `d:${viewer.deviceId}` : null].filter((a): a is string => a !== null);

/** A viewer's watch history, per sender: video id → the time (epoch ms) of its first view. */
export type Watched = ReadonlyArray<ReadonlyMap<string, number>>;

/** Most senders whose history one query reads (~10 ms on PGlite for 50); requests run between queries. */
const WATCHED_BATCH = 50;

/**
 * Watch histories of recent senders (`u:<user id>`, `d:<device id>`) — the latest 5,000 videos
 * each — updated in place when this process records views (`viewsRecorded`) and read again when
 * older than WATCHED_TTL_MS (the stale history answers the request that starts the read).
 * Senders missing in the same turn of the event loop are read together, WATCHED_BATCH per
 * indexed query (the events' primary key starts with the sender).
 */
class WatchedCache {
  private readonly entries = new Map<string, { loaded: number; first: Map<string, number> }>();
  private readonly pending = new Map<string, Promise<ReadonlyMap<string, number>>>();
  private batch: Array<{ actor: string; resolve: (m: ReadonlyMap<string, number>) => void; reject: (e: unknown) => void }> = [];
  private ids = 0;

  constructor(private readonly db: Db) {}

  async get(viewer: Viewer): Promise<Watched> {
    const actors = actorsOf(viewer);
    if (actors.length === 0) return [];
    const now = performance.now();
    const found: Array<ReadonlyMap<string, number> | Promise<ReadonlyMap<string, number>>> = actors.map((actor) => {
      const hit = this.entries.get(actor);
      if (hit) {
        this.entries.delete(actor);
        this.entries.set(actor, hit);
        // Stale: served as it is while a fresh read runs (its failure is the next request's).
        if (now - hit.loaded >= WATCHED_TTL_MS) this.load(actor).catch(() => undefined);
        return hit.first;
      }
      return this.load(actor);
    });
    return found.some((f) => f instanceof Promise) ? Promise.all(found) : (found as Watched);
  }

  private load(actor: string): Promise<ReadonlyMap<string, number>> {
    let load = this.pending.get(actor);
    if (!load) {
      load = new Promise<ReadonlyMap<string, number>>((resolve, reject) => {
        if (this.batch.length === 0) setImmediate(() => void this.flush());
        this.batch.push({ actor, resolve, reject });
      }).finally(() => this.pending.delete(actor));
      this.pending.set(actor, load);
    }
    return load;
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    for (let i = 0; i < batch.length; i += WATCHED_BATCH) {
      const part = batch.slice(i, i + WATCHED_BATCH);
      try {
        const loaded = performance.now();
        const found = await firstViewsBySender(this.db, part.map((p) => p.actor));
        for (const p of part) {
          const first = found.get(p.actor) ?? new Map<string, number>();
          this.store(p.actor, loaded, first);
          p.resolve(first);
        }
      } catch (err) {
        for (const p of part) p.reject(err);
      }
      await yieldToLoop();
    }
  }

  private store(actor: string, loaded: number, first: Map<string, number>): void {
    const old = this.entries.get(actor);
    if (old) {
      this.entries.delete(actor);
      this.ids -= old.first.size;
    }
    this.entries.set(actor, { loaded, first });
    this.ids += first.size;
    while (this.entries.size > WATCHED_CACHE_SENDERS || (this.ids > WATCHED_CACHE_IDS && this.entries.size > 1)) {
      const [oldest, entry] = this.entries.entries().next().value as [string, { first: Map<string, number> }];
      this.entries.delete(oldest);
      this.ids -= entry.first.size;
    }
  }

  recorded(actor: string, views: RecordedView[]): void {
    const entry = this.entries.get(actor);
    if (!entry) return;
    for (const v of views) {
      const prev = entry.first.get(v.videoId);
      if (prev === undefined) this.ids++;
      if (prev === undefined || v.at < prev) entry.first.set(v.videoId, v.at);
    }
  }
}

/** The index of one database in this process. */
export class FeedIndex {
  private latest: IndexVersion | null = null;
  private readonly versions = new Map<number, IndexVersion>();
  private readonly regenerated = new Lru<string, Promise<IndexVersion>>(4);
  private building: Promise<IndexVersion> | null = null;
  private buildingGeneration = -1;
  private readonly totals = new TotalsCache();
  readonly watched: WatchedCache;
  /** The last background build's failure (requests that wait for a build get theirs). */
  lastError: unknown = null;
  private timer: NodeJS.Timeout | null = null;
  private followUp: NodeJS.Timeout | null = null;
  private readonly unsubscribe: Array<() => void>;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.watched = new WatchedCache(db);
    this.unsubscribe = [
      onFeedSourcesChanged(() => {
        if (this.closed) return;
        if (this.followUp) clearTimeout(this.followUp);
        this.followUp = setTimeout(() => this.background(), FEED_CHANGE_FOLLOW_UP_MS);
        this.followUp.unref();
      }),
      onViewsRecorded((actor, views) => this.watched.recorded(actor, views)),
    ];
  }

  /** The version a new feed session ranks: the newest, unless the request must wait for a build (see above). */
  async current(): Promise<IndexVersion> {
    const latest = this.latest;
    const generation = feedSourcesGeneration();
    if (latest && latest.generation >= generation && this.clock.now().getTime() - latest.at < FEED_INDEX_MAX_AGE_MS) return latest;
    return this.build(generation);
  }

  /** The newest version (after `current()` has been awaited once). */
  newest(): IndexVersion | null {
    return this.latest;
  }

  /** The version a cursor names: held in memory, or rebuilt from SQL for its time. */
  async version(key: number, at: number): Promise<IndexVersion> {
    const held = this.versions.get(key);
    if (held && held.at === at) return held;
    const name = `${key}.${at}`;
    let again = this.regenerated.get(name);
    if (!again) {
      again = buildVersion(this.db, this.totals, new Date(at), null, key);
      this.regenerated.set(name, again);
      again.catch(() => this.regenerated.delete(name));
    }
    return again;
  }

  /** A build that starts after `generation` was signalled (shared with one in flight that did). */
  build(generation = feedSourcesGeneration()): Promise<IndexVersion> {
    if (this.closed) return Promise.reject(new Error('feed index closed'));
    if (this.building) {
      if (this.buildingGeneration >= generation) return this.building;
      const again = () => this.build(generation);
      return this.building.then(again, again);
    }
    this.buildingGeneration = feedSourcesGeneration();
    const started = buildVersion(this.db, this.totals, this.clock.now(), this.latest, randomKey()).then((v) => {
      if (!this.closed) {
        this.install(v);
        void drawAhead(v);
      }
      return v;
    });
    const building = started.finally(() => {
      if (this.building === building) this.building = null;
    });
    this.building = building;
    return building;
  }

  /** Whether a build is in flight. */
  get rebuilding(): boolean {
    return this.building !== null;
  }

  /** Starts the periodic background rebuild (idempotent). */
  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => this.background(), FEED_INDEX_REFRESH_MS);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.followUp) clearTimeout(this.followUp);
    for (const u of this.unsubscribe) u();
  }

  /** How many versions and distinct entries are held (memory accounting, tests). */
  stats(): { versions: number; entries: number } {
    const distinct = new Set<IndexEntry>();
    for (const v of this.versions.values()) for (const e of v.entries) distinct.add(e);
    return { versions: this.versions.size, entries: distinct.size };
  }

  private background(): void {
    this.build().then(
      () => void (this.lastError = null),
      (err: unknown) => void (this.lastError = err),
    );
  }

  private install(v: IndexVersion): void {
    if (!this.latest || v.builtAt >= this.latest.builtAt) this.latest = v;
    this.versions.set(v.key, v);
    const now = performance.now();
    for (const [key, held] of this.versions) {
      if (held === this.latest) continue;
      if (now - held.builtAt > FEED_VERSION_RETAIN_MS || this.versions.size > FEED_VERSIONS_MAX) this.versions.delete(key);
    }
  }
}

const indexes = new WeakMap<Db, FeedIndex>();

/** The index of `db` in this process, created (and its periodic rebuild started) on first use. */
export function feedIndex(db: Db, clock: Clock): FeedIndex {
  let index = indexes.get(db);
  if (!index) {
    index = new FeedIndex(db, clock);
    index.start();
    indexes.set(db, index);
  }
  return index;
}

/** Stops the index of `db` (its timers and subscriptions); the next use starts a new one. */
export function closeFeedIndex(db: Db): void {
  indexes.get(db)?.close();
  indexes.delete(db);
}
