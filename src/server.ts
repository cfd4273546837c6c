import type { FastifyInstance } from 'fastify';
import { createApp, scheduleRecurringJobs } from './app.js';
import { SettableClock, SystemClock, type Clock } from './platform/clock.js';
import type { Config } from './platform/config.js';
import { openDatabase, type Database } from './platform/db.js';
import { seedDemo } from './demo/seed.js';
import { findPreparedDemo, isEmptyDataDir, prepareDemo, restorePreparedDemo, shiftDemoTimes, type PreparedDemo } from './demo/prepared.js';

export interface RunningServer {
  app: FastifyInstance;
  database: Database;
  clock: Clock;
  url: string;
  close(): Promise<void>;
}

/**
 * The prepared demo to start from (src/demo/prepared.ts): on an empty embedded data directory
 * with the full demo, made now if `npm install` did not (once; later starts copy it). Not when
 * the clock stands before its preparation (a simulated past), where the seed runs as before.
 */
async function preparedDemoFor(config: Config, clock: Clock): Promise<PreparedDemo | null> {
  if (config.databaseUrl || !config.seedDemo || !config.demoHistory || !isEmptyDataDir(config.dataDir)) return null;
  let prepared = findPreparedDemo();
  if (!prepared) {
    try {
      prepared = await prepareDemo({ log: (line) => console.log(line) });
    } catch (err) {
      console.warn(`The demo could not be prepared (${err instanceof Error ? err.message : String(err)}); seeding it instead.`);
      return null;
    }
  }
  return clock.now() >= prepared.preparedAt ? prepared : null;
}

/** Opens the database, migrates, seeds demo data on an empty database, starts jobs and listens. */
export async function startServer(config: Config, opts: { clock?: Clock; log?: boolean } = {}): Promise<RunningServer> {
  const clock = opts.clock ?? (config.simulatedClock ? new SettableClock() : new SystemClock());
  const prepared = await preparedDemoFor(config, clock);
  if (prepared) restorePreparedDemo(prepared, config.dataDir, config.mediaDir);
  const database = await openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir });
  await database.migrate();
  if (prepared) await shiftDemoTimes(database.db, clock, prepared.preparedAt);
  const app = await createApp({
    database,
    clock,
    config,
    logger: opts.log === false ? false : { level: config.logLevel },
  });
  const seeded = config.seedDemo ? await seedDemo(database.db, clock, { history: config.demoHistory, strategiesOn: app.ctx.strategiesOn, jobs: app.ctx.jobs, dataDir: config.dataDir }) : false;
  await scheduleRecurringJobs({ db: database.db, clock });
  await app.listen({ port: config.port, host: config.host });
  app.ctx.jobs.start(config.jobPollMs);
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  if (seeded) app.log.info('demo data seeded');
  let closed = false;
  return {
    app,
    database,
    clock,
    url,
    async close() {
      if (closed) return;
      closed = true;
      await app.ctx.jobs.stop();
      await app.close();
      await database.close();
    },
  };
}
