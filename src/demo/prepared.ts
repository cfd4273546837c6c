import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq, sql } from 'drizzle-orm';
import { DAY, SystemClock, type Clock } from '../platform/clock.js';
import { loadConfig, type Config } from '../platform/config.js';
import { MIGRATIONS_DIR, openDatabase, type Db } from '../platform/db.js';
import { installationSecrets } from '../platform/schema.js';
import { createApp } from '../app.js';
import { listCreatorVideos } from '../modules/content/index.js';
import { users } from '../modules/identity/index.js';
import { DEMO_ACCOUNTS, seedDemo } from './seed.js';

/**
 * The prepared demo (docs/decisions/025-prepared-demo.md): a complete embedded data directory —
 * migrated, seeded with the demo and its 90-day history, every demo clip rendered and processed —
 * made once (by `npm install`'s postinstall, else by the first start that needs it) under
 * `.cache/demo/<key>/`, where the key hashes what shapes it (migrations, demo code, PGlite's
 * version), so a changed seed prepares a new one. A start on an empty data directory copies it
 * instead of seeding and rendering, then moves its times forward by whole weeks if it has aged.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PREPARED_ROOT = path.join(ROOT, '.cache', 'demo');
const DEMO_SOURCES = path.join(ROOT, 'src', 'demo'); // the sources, whether this runs from src/ (tsx) or dist/
const WEEK = 7 * DAY;

interface PreparedMeta {
  key: string;
  prepared_at: string;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .filter((f) => !/\.test\.ts$/.test(f))
    .sort();
}

/** Hash of the inputs that shape the prepared demo: migrations, the demo's code, PGlite's version. */
export function preparedDemoKey(): string {
  const h = createHash('sha256');
  for (const f of [...filesUnder(MIGRATIONS_DIR), ...filesUnder(DEMO_SOURCES)]) {
    h.update(path.relative(ROOT, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  h.update(readFileSync(path.join(path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')), '..', 'package.json')));
  return h.digest('hex').slice(0, 16);
}

export interface PreparedDemo {
  dir: string;
  preparedAt: Date;
}

/** The prepared demo for the current inputs, if it has been made. */
export function findPreparedDemo(key = preparedDemoKey()): PreparedDemo | null {
  const dir = path.join(PREPARED_ROOT, key);
  const metaFile = path.join(dir, 'demo.json');
  if (!existsSync(metaFile)) return null;
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as PreparedMeta;
  return { dir, preparedAt: new Date(meta.prepared_at) };
}

/** Every due job, until none is left (demo clips render in the media lane). */
async function drainJobs(run: () => Promise<number>): Promise<void> {
  for (let round = 0; round < 100; round++) if ((await run()) === 0) return;
  throw new Error('the demo preparation did not settle: jobs keep becoming due');
}

/**
 * Makes the prepared demo unless it exists for the current inputs; returns it. Safe to run from
 * several processes at once: each builds in its own directory and the first rename wins.
 */
export async function prepareDemo(opts: { log?: (line: string) => void; env?: NodeJS.ProcessEnv } = {}): Promise<PreparedDemo> {
  const key = preparedDemoKey();
  const existing = findPreparedDemo(key);
  if (existing) return existing;
  const log = opts.log ?? (() => undefined);
  const started = Date.now();
  mkdirSync(PREPARED_ROOT, { recursive: true });
  const tmp = path.join(PREPARED_ROOT, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const pgdata = path.join(tmp, 'pgdata');
  try {
    const config: Config = loadConfig({ ...(opts.env ?? process.env), DATABASE_URL: '' }, { dataDir: pgdata, mediaDir: path.join(tmp, 'media'), seedDemo: true, demoHistory: true });
    const database = await openDatabase({ dataDir: pgdata });
    const clock = new SystemClock();
    try {
      await database.migrate();
      const app = await createApp({ database, clock, config, logger: false });
      try {
        log('Preparing the demo: accounts, catalog, 90 days of history…');
        await seedDemo(database.db, clock, { strategiesOn: app.ctx.strategiesOn, jobs: app.ctx.jobs, dataDir: config.dataDir });
        log('Preparing the demo: rendering the demo clips…');
        await drainJobs(() => app.ctx.jobs.runDue());
        await assertDemoVideosReady(database.db);
        // Each installation makes its own sandbox secrets at first start, never the prepared ones.
        await database.db.delete(installationSecrets);
        await database.db.execute(sql`checkpoint`);
      } finally {
        await app.close();
      }
    } finally {
      await database.close();
    }
    const meta: PreparedMeta = { key, prepared_at: clock.now().toISOString() };
    writeFileSync(path.join(tmp, 'demo.json'), JSON.stringify(meta, null, 2));
    const dir = path.join(PREPARED_ROOT, key);
    try {
      renameSync(tmp, dir);
    } catch (err) {
      if (!findPreparedDemo(key)) throw err; // another process finished first: keep its copy
    }
    for (const old of readdirSync(PREPARED_ROOT)) if (old !== key && !old.startsWith('.tmp-')) rmSync(path.join(PREPARED_ROOT, old), { recursive: true, force: true });
    log(`Demo prepared in ${((Date.now() - started) / 1000).toFixed(1)} s (${PREPARED_ROOT})`);
    return findPreparedDemo(key)!;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function assertDemoVideosReady(db: Db): Promise<void> {
  const creator = DEMO_ACCOUNTS.find((a) => a.roles.includes('creator' as never))!;
  const [row] = await db.select({ id: users.id }).from(users).where(eq(users.email, creator.email));
  const videos = (await listCreatorVideos(db, row!.id, row!.id, { limit: 100 })).data;
  const notReady = videos.filter((v) => v.status !== 'ready');
  if (videos.length === 0 || notReady.length > 0) {
    throw new Error(`demo clips did not render: ${notReady.map((v) => `${v.id} ${v.status} ${v.failure_reason ?? ''}`).join('; ')}`);
  }
}

/** An embedded data directory that does not exist yet or holds nothing: a first start. */
export function isEmptyDataDir(dir: string): boolean {
  return !existsSync(dir) || (statSync(dir).isDirectory() && readdirSync(dir).length === 0);
}

/** Copies the prepared database into `dataDir` and its media into `mediaDir`. */
export function restorePreparedDemo(prepared: PreparedDemo, dataDir: string, mediaDir: string): void {
  cpSync(path.join(prepared.dir, 'pgdata'), dataDir, { recursive: true });
  cpSync(path.join(prepared.dir, 'media'), mediaDir, { recursive: true });
}

/**
 * Moves every stored time of the restored demo forward by the whole weeks that passed since it
 * was prepared: the history stays "the last 90 days" and each video keeps its weekday and hour
 * (the demo's captions and insights name them). Returns the weeks shifted.
 */
export async function shiftDemoTimes(db: Db, clock: Clock, preparedAt: Date): Promise<number> {
  const weeks = Math.floor((clock.now().getTime() - preparedAt.getTime()) / WEEK);
  if (weeks <= 0) return 0;
  const columns = (await db.execute(sql`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
    where c.table_schema = 'public' and c.is_generated = 'NEVER'
      and c.data_type in ('timestamp with time zone', 'timestamp without time zone', 'date')
    order by c.table_name, c.column_name`)) as unknown as { rows: Array<{ table_name: string; column_name: string }> };
  const byTable = new Map<string, string[]>();
  for (const c of columns.rows) byTable.set(c.table_name, [...(byTable.get(c.table_name) ?? []), c.column_name]);
  // Unique keys on times (hourly rollups) are checked row by row: hop through an empty far
  // future first so no row lands on a time another row still holds.
  const FAR = 1000 * 52;
  await db.transaction(async (tx) => {
    for (const [table, cols] of byTable) {
      for (const step of [weeks + FAR, -FAR]) {
        const sets = cols.map((c) => sql`${sql.identifier(c)} = ${sql.identifier(c)} + make_interval(weeks => ${step}::int)`);
        await tx.execute(sql`update ${sql.identifier(table)} set ${sql.join(sets, sql`, `)}`);
      }
    }
  });
  return weeks;
}
