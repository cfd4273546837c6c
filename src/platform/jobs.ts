import { hostname } from 'node:os';
import { and, desc, like, sql } from 'drizzle-orm';
import type { Clock } from './clock.js';
import { SECOND } from './clock.js';
import type { Db } from './db.js';
import { rows } from './db.js';
import { newId } from './ids.js';
import { jobs } from './schema.js';

/**
 * Durable jobs. A job is a row with a type, a JSON payload and a `run_at` on the injected clock.
 * Workers claim due jobs with `FOR UPDATE SKIP LOCKED`, so any number of server processes can
 * share the table and no job runs twice. The handler runs in a transaction that also marks the
 * job done, so a job's effects and its completion commit together. A failed attempt is retried
 * with exponential backoff until `max_attempts`, then left `failed` with its last error.
 * A job whose worker died (lease older than `leaseMs` on the clock) is claimed again; the done
 * mark must still find the job locked by its worker, else the transaction rolls back, so a worker
 * whose lease ran out while it still ran (a slow handler, a clock jump) commits nothing.
 */
export type JobHandler = (tx: Db, payload: unknown, job: { id: string; attempts: number }) => Promise<void>;

export interface RegisterOptions {
  /**
   * false: run the handler on the database handle outside a transaction, then mark the job done.
   * For long work (media processing) that must not hold a transaction — on PGlite an open
   * transaction blocks every other query. Such a handler must be safe to run again.
   */
  transaction?: boolean;
  /**
   * Jobs of different lanes are polled by separate loops, so long work in one lane (media
   * processing) never delays the timers of another (reservation expiry, SLA clocks).
   */
  lane?: string;
}

export interface EnqueueOptions {
  runAt?: Date;
  maxAttempts?: number;
  /** At most one job with this key exists; enqueueing it again is a no-op. */
  uniqueKey?: string;
}

export async function enqueue(db: Db, clock: Clock, type: string, payload: unknown = {}, opts: EnqueueOptions = {}): Promise<string | null> {
  const id = newId('job');
  const res = await db
    .insert(jobs)
    .values({
      id,
      type,
      payload: payload as object,
      runAt: opts.runAt ?? clock.now(),
      maxAttempts: opts.maxAttempts ?? 5,
      uniqueKey: opts.uniqueKey ?? null,
      createdAt: clock.now(),
    })
    .onConflictDoNothing()
    .returning({ id: jobs.id });
  return res[0]?.id ?? null;
}

/**
 * The type and payload of the latest job whose type starts with `typePrefix` and whose payload
 * has `field` = `value`: what to enqueue again when its work is retried by hand.
 */
export async function latestJobFor(db: Db, typePrefix: string, field: string, value: string): Promise<{ type: string; payload: unknown } | null> {
  const [row] = await db
    .select({ type: jobs.type, payload: jobs.payload })
    .from(jobs)
    .where(and(like(jobs.type, `${typePrefix}%`), sql`${jobs.payload} ->> ${field} = ${value}`))
    .orderBy(desc(jobs.createdAt), desc(jobs.id))
    .limit(1);
  return row ?? null;
}

export interface JobRunnerOptions {
  workerId?: string;
  leaseMs?: number;
  backoffBaseMs?: number;
  batchSize?: number;
  onError?: (err: unknown, job: { id: string; type: string }) => void;
}

interface ClaimedJob {
  id: string;
  type: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
}

export class JobRunner {
  readonly workerId: string;
  readonly #handlers = new Map<string, { handler: JobHandler; transaction: boolean; lane: string }>();
  readonly #leaseMs: number;
  readonly #backoffBaseMs: number;
  readonly #batchSize: number;
  readonly #onError: JobRunnerOptions['onError'];
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #running = new Set<Promise<unknown>>();
  #stopped = false;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    opts: JobRunnerOptions = {},
  ) {
    this.workerId = opts.workerId ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
    this.#leaseMs = opts.leaseMs ?? 5 * 60 * SECOND;
    this.#backoffBaseMs = opts.backoffBaseMs ?? 30 * SECOND;
    this.#batchSize = opts.batchSize ?? 10;
    this.#onError = opts.onError;
  }

  register(type: string, handler: JobHandler, opts: RegisterOptions = {}): this {
    if (this.#handlers.has(type)) throw new Error(`job handler for "${type}" registered twice`);
    this.#handlers.set(type, { handler, transaction: opts.transaction ?? true, lane: opts.lane ?? 'default' });
    return this;
  }

  /** Claims and runs every job due on the clock now; returns how many ran (ok or failed). */
  async runDue(lane?: string): Promise<number> {
    const types = [...this.#handlers].filter(([, h]) => lane === undefined || h.lane === lane).map(([type]) => type);
    let total = 0;
    for (;;) {
      const claimed = await this.#claim(types);
      if (claimed.length === 0) return total;
      for (const job of claimed) await this.#run(job);
      total += claimed.length;
    }
  }

  async #claim(types: string[]): Promise<ClaimedJob[]> {
    const now = this.clock.now();
    const staleBefore = new Date(now.getTime() - this.#leaseMs);
    if (types.length === 0) return [];
    // UPDATE … RETURNING keeps no order: sort the batch so jobs run in due order (an SLA check
    // must see the carrier scans that were due before it).
    const claimed = await rows<ClaimedJob & { run_at: Date | string }>(
      this.db,
      sql`update ${jobs} set status = 'running', attempts = attempts + 1, locked_by = ${this.workerId}, locked_at = ${now}
          where id in (
            select id from ${jobs}
            where ((status = 'queued' and run_at <= ${now}) or (status = 'running' and locked_at < ${staleBefore}))
              and type in (${sql.join(types.map((t) => sql`${t}`), sql`, `)})
            order by run_at, id
            limit ${this.#batchSize}
            for update skip locked)
          returning id, type, payload, attempts, max_attempts, run_at`,
    );
    const due = (j: { run_at: Date | string; id: string }) => `${new Date(j.run_at).toISOString()} ${j.id}`;
    return claimed.sort((a, b) => (due(a) < due(b) ? -1 : due(a) > due(b) ? 1 : 0));
  }

  async #run(job: ClaimedJob): Promise<void> {
    const { handler, transaction } = this.#handlers.get(job.type)!;
    const run = async (db: Db) => {
      await handler(db, job.payload, { id: job.id, attempts: job.attempts });
      const marked = await rows<{ id: string }>(
        db,
        sql`update ${jobs} set status = 'done', finished_at = ${this.clock.now()}, last_error = null
            where id = ${job.id} and locked_by = ${this.workerId}
            returning id`,
      );
      // Another worker claimed the job meanwhile (our lease ran out, e.g. the clock jumped): it runs
      // the job, so ours must not count. In a transaction this rolls our effects back; a handler
      // outside one must be idempotent by itself (see `transaction: false`).
      if (marked.length === 0) throw new LeaseLost(job.id);
    };
    try {
      await (transaction ? this.db.transaction(run) : run(this.db));
    } catch (err) {
      if (err instanceof LeaseLost) return;
      this.#onError?.(err, job);
      const message = err instanceof Error ? err.message : String(err);
      const now = this.clock.now().getTime();
      const failed = job.attempts >= job.max_attempts;
      const retryAt = new Date(now + this.#backoffBaseMs * 2 ** (job.attempts - 1));
      await this.db.execute(
        sql`update ${jobs} set status = ${failed ? 'failed' : 'queued'}, last_error = ${message.slice(0, 2000)},
              run_at = ${failed ? sql`run_at` : sql`${retryAt}`}, locked_by = null, locked_at = null,
              finished_at = ${failed ? new Date(now) : null}
            where id = ${job.id} and locked_by = ${this.workerId}`,
      );
    }
  }

  /** Polls every `intervalMs` (real time) until `stop()`, one loop per lane. */
  start(intervalMs: number): void {
    for (const lane of new Set([...this.#handlers.values()].map((h) => h.lane))) {
      const tick = async () => {
        if (this.#stopped) return;
        const run = this.runDue(lane).catch((err) => this.#onError?.(err, { id: '-', type: `lane:${lane}` }));
        this.#running.add(run);
        await run;
        this.#running.delete(run);
        if (!this.#stopped) this.#schedule(tick, intervalMs);
      };
      this.#schedule(tick, 0);
    }
  }

  #schedule(fn: () => Promise<void>, ms: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void fn();
    }, ms);
    this.#timers.add(timer);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await Promise.all(this.#running);
  }
}

/** The job's lease passed to another worker before this one could mark it done. */
class LeaseLost extends Error {
  constructor(jobId: string) {
    super(`job ${jobId} was claimed by another worker before it was marked done`);
    this.name = 'LeaseLost';
  }
}
