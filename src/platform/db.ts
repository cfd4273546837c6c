import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

/**
 * The database handle every service takes: the Drizzle database or an open transaction.
 * Same type for PGlite (embedded) and node-postgres (server): one schema, one SQL.
 */
export type Db = PgDatabase<PgQueryResultHKT>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  /** Applies pending migrations (drizzle/). Safe with several nodes starting at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** PGlite only: the whole data directory as a tarball (used as a test template). */
  dumpDataDir?(): Promise<Blob>;
  /**
   * LISTEN on a channel: `handler` gets the payload of every NOTIFY on it, from any connection
   * (committed transactions only). PostgreSQL: one dedicated connection per Database, re-listened
   * after a reconnect; PGlite: in-process. Returns the function that stops listening.
   */
  listen(channel: string, handler: (payload: string) => void): Promise<() => Promise<void>>;
}

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');

/** int8 as a JS number (money in minor units stays far below 2^53); refuses silent precision loss. */
function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} exceeds the safe integer range`);
  return n;
}
pg.types.setTypeParser(20, parseInt8);

export interface OpenOptions {
  /** postgres://… — use a PostgreSQL server. */
  url?: string;
  /** PGlite data directory; omitted → in-memory database. */
  dataDir?: string;
  poolSize?: number;
  /** PGlite only: start from a dumped data directory (see Database.dumpDataDir). */
  loadDataDir?: Blob;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.url) {
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10 });
    pool.on('error', () => {
      /* idle client errors (server restart) are retried by the next checkout */
    });
    const db = drizzlePg(pool) as unknown as Db;
    const listener = new PgListener(opts.url);
    return {
      db,
      kind: 'postgres',
      ping: async () => {
        await pool.query('select 1');
      },
      migrate: async () => {
        // A session-level advisory lock on one connection keeps concurrent nodes in line.
        const client = await pool.connect();
        try {
          await client.query('select pg_advisory_lock(735560801)');
          await migratePg(drizzlePg(client), { migrationsFolder: MIGRATIONS_DIR });
        } finally {
          await client.query('select pg_advisory_unlock(735560801)').catch(() => undefined);
          client.release();
        }
      },
      listen: (channel, handler) => listener.listen(channel, handler),
      close: async () => {
        await listener.close();
        await pool.end();
      },
    };
  }
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const client = new PGlite({
    ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    parsers: { [pgliteTypes.INT8]: parseInt8 },
    ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
  });
  await client.waitReady;
  const db = drizzlePglite(client) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    ping: async () => {
      await client.query('select 1');
    },
    migrate: async () => {
      await migratePglite(drizzlePglite(client), { migrationsFolder: MIGRATIONS_DIR });
    },
    listen: async (channel, handler) => {
      const stop = await client.listen(channel, handler);
      return async () => {
        if (!client.closed) await stop();
      };
    },
    close: () => client.close(),
    dumpDataDir: async () => (await client.dumpDataDir('none')) as Blob,
  };
}

/**
 * The LISTEN side of a PostgreSQL Database: one dedicated client (not from the pool, whose
 * connections come and go), connected on first use. If it drops, it reconnects with backoff and
 * listens again on every channel; notifications sent while it was down are lost (LISTEN/NOTIFY
 * is not durable), so subscribers must be able to resynchronise from the database.
 */
class PgListener {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private readonly handlers = new Map<string, Set<(payload: string) => void>>();
  private closed = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly url: string) {}

  async listen(channel: string, handler: (payload: string) => void): Promise<() => Promise<void>> {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`invalid channel name ${channel}`);
    let set = this.handlers.get(channel);
    const first = !set;
    if (!set) this.handlers.set(channel, (set = new Set()));
    set.add(handler);
    if (first) {
      const client = await this.connect();
      await client.query(`listen ${channel}`);
    }
    return async () => {
      const s = this.handlers.get(channel);
      if (!s?.delete(handler) || s.size > 0) return;
      this.handlers.delete(channel);
      await this.client?.query(`unlisten ${channel}`).catch(() => undefined);
    };
  }

  private connect(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    if (this.closed) return Promise.reject(new Error('database closed'));
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.url });
      client.on('notification', (msg) => {
        for (const h of this.handlers.get(msg.channel) ?? []) h(msg.payload ?? '');
      });
      client.on('error', () => this.dropped(client));
      client.on('end', () => this.dropped(client));
      try {
        await client.connect();
      } finally {
        this.connecting = null;
      }
      this.client = client;
      return client;
    })();
    return this.connecting;
  }

  private dropped(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    client.end().catch(() => undefined);
    this.reconnect(250);
  }

  private reconnect(delayMs: number): void {
    if (this.closed || this.retry || this.handlers.size === 0) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.connect()
        .then(async (c) => {
          for (const channel of this.handlers.keys()) await c.query(`listen ${channel}`);
        })
        .catch(() => this.reconnect(Math.min(delayMs * 2, 10_000)));
    }, delayMs);
    this.retry.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const c = this.client ?? (this.connecting ? await this.connecting.catch(() => null) : null);
    this.client = null;
    this.handlers.clear();
    await c?.end().catch(() => undefined);
  }
}

/** Rows of a raw query, the same on both drivers. */
export async function rows<T>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> {
  const res = (await db.execute(query)) as unknown as { rows: T[] };
  return res.rows;
}
