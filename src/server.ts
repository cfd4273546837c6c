import type { FastifyInstance } from 'fastify';
import { createApp, scheduleRecurringJobs } from './app.js';
import { SettableClock, SystemClock, type Clock } from './platform/clock.js';
import type { Config } from './platform/config.js';
import { openDatabase, type Database } from './platform/db.js';
import { seedDemo } from './demo/seed.js';

export interface RunningServer {
  app: FastifyInstance;
  database: Database;
  clock: Clock;
  url: string;
  close(): Promise<void>;
}

/** Opens the database, migrates, seeds demo data on an empty database, starts jobs and listens. */
export async function startServer(config: Config, opts: { clock?: Clock; log?: boolean } = {}): Promise<RunningServer> {
  const database = await openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir });
  await database.migrate();
  const clock = opts.clock ?? (config.simulatedClock ? new SettableClock() : new SystemClock());
  const app = await createApp({
    database,
    clock,
    config,
    logger: opts.log === false ? false : { level: config.logLevel },
  });
  const seeded = config.seedDemo ? await seedDemo(database.db, clock, { history: config.demoHistory, strategiesOn: app.ctx.strategiesOn }) : false;
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
