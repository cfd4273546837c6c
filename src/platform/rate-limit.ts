import { createHash } from 'node:crypto';
import type { FastifyRateLimitOptions, FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { lt, sql } from 'drizzle-orm';
import type { FastifyReply } from 'fastify';
import type { Clock } from './clock.js';
import type { Db } from './db.js';
import { AppError } from './errors.js';
import { rateLimitCounters } from './schema.js';

/**
 * Rate limits counted in PostgreSQL, so every server process spends one shared budget: N nodes
 * behind a load balancer allow the budget once, not N times. Fixed windows on the injected clock
 * (`window_start = floor(now / window) * window`); one upsert statement per limited request bumps
 * every key it names and returns their counts. Keys are hashed: no emails or addresses at rest.
 */
export interface LimitHit {
  /** What is counted, e.g. `signin:email:ada@example.com`. */
  key: string;
  max: number;
  windowMs: number;
}

export interface LimitCount {
  key: string;
  /** Hits in the current window, this one included. */
  count: number;
  max: number;
  /** Until the window ends. */
  ttlMs: number;
  exceeded: boolean;
}

const hashKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('base64url');

/** Counts one hit on each key (distinct keys) in one statement; answers in the order given. */
export async function hitLimits(db: Db, clock: Clock, hits: LimitHit[]): Promise<LimitCount[]> {
  if (hits.length === 0) return [];
  const now = clock.now().getTime();
  const rows = hits.map((h) => {
    const windowMs = Math.max(1, Math.trunc(h.windowMs));
    const start = Math.floor(now / windowMs) * windowMs;
    return { key: hashKey(`${windowMs}|${h.key}`), windowStart: new Date(start), count: 1, expiresAt: new Date(start + windowMs) };
  });
  if (new Set(rows.map((r) => r.key)).size !== rows.length) throw new Error('hitLimits: keys must be distinct');
  const counted = await db
    .insert(rateLimitCounters)
    .values(rows)
    .onConflictDoUpdate({ target: [rateLimitCounters.key, rateLimitCounters.windowStart], set: { count: sql`${rateLimitCounters.count} + 1` } })
    .returning({ key: rateLimitCounters.key, count: rateLimitCounters.count });
  const byKey = new Map(counted.map((c) => [c.key, c.count]));
  return hits.map((h, i) => {
    const count = byKey.get(rows[i]!.key) ?? 1;
    return { key: h.key, count, max: h.max, ttlMs: rows[i]!.expiresAt.getTime() - now, exceeded: count > h.max };
  });
}

/** Deletes counters of windows that have ended; returns how many. */
export async function purgeRateLimitCounters(db: Db, clock: Clock): Promise<number> {
  const gone = await db.delete(rateLimitCounters).where(lt(rateLimitCounters.expiresAt, clock.now())).returning({ key: rateLimitCounters.key });
  return gone.length;
}

/**
 * The @fastify/rate-limit store over `hitLimits`: every route `config.rateLimit` counts in the
 * shared table. A route's child store prefixes its keys with the route, as the in-memory store
 * keeps one map per route.
 */
export function postgresRateLimitStore(db: Db, clock: Clock): FastifyRateLimitStoreCtor {
  class PostgresRateLimitStore implements FastifyRateLimitStore {
    readonly #prefix: string;
    constructor(options?: FastifyRateLimitOptions | string) {
      this.#prefix = typeof options === 'string' ? options : 'global|';
    }
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number, max: number): void {
      hitLimits(db, clock, [{ key: `${this.#prefix}${key}`, max, windowMs: timeWindow }]).then(
        ([hit]) => callback(null, { current: hit!.count, ttl: hit!.ttlMs }),
        (err: Error) => callback(err),
      );
    }
    child(routeOptions: { method?: unknown; url?: unknown; routeInfo?: { method?: unknown; url?: unknown } }): FastifyRateLimitStore {
      const route = routeOptions.routeInfo ?? routeOptions;
      return new PostgresRateLimitStore(`route:${String(route.method ?? '')} ${String(route.url ?? '')}|`);
    }
  }
  return PostgresRateLimitStore as unknown as FastifyRateLimitStoreCtor;
}

/**
 * Counts one hit on each key and refuses the request when any is over its limit: 429
 * `rate_limited` with Retry-After (seconds until the latest of those windows ends), the same
 * answer as the route limits give.
 */
export async function enforceLimits(db: Db, clock: Clock, reply: FastifyReply, hits: LimitHit[]): Promise<void> {
  const over = (await hitLimits(db, clock, hits)).filter((h) => h.exceeded);
  if (over.length === 0) return;
  const seconds = Math.max(1, Math.ceil(Math.max(...over.map((h) => h.ttlMs)) / 1000));
  reply.header('retry-after', seconds);
  throw new AppError('rate_limited', 429, `Too many attempts. Try again in ${seconds} seconds.`);
}
