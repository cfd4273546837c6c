import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from './platform/config.js';
import { openDatabase } from './platform/db.js';
import { SystemClock } from './platform/clock.js';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemo } from './demo/seed.js';
import { prepareDemo } from './demo/prepared.js';
import { startServer } from './server.js';
import { createApp } from './app.js';
import { reconcile } from './modules/ledger/index.js';
import { formatSummary, runSimulation } from './simulate/simulate.js';
import { createImport, processImport, REPORT_LIMIT } from './modules/imports/index.js';
import { loadMarkets } from './platform/markets.js';
import { INSTALLATION_SECRET_NAMES, resolveSandboxSecrets } from './platform/installation-secrets.js';

const USAGE = `loopshop — closed-loop video commerce

Usage: loopshop <command> [options]

Commands:
  serve [--port N] [--host H] [--simulated-clock]   start the server (migrates, seeds demo data on an empty database)
  migrate                                           apply database migrations
  seed-demo                                         seed the demo accounts if the database is empty
  prepare-demo                                      prepare the demo data directory that a first start copies
                                                    (npm install runs it; kept in .cache/demo, rebuilt when the seed changes)
  reconcile                                         prove the ledger balances (exit 1 if not)
  secrets                                           print the sandbox webhook signing secrets this installation uses
                                                    (configured by environment, else generated at first start)
  import-shopify --shop <shop id> <file.csv>        import a Shopify product export into the shop as draft products
  simulate [--orders N] [--days D] [--seed S] [--json]
                                                    run buyers, sellers, carrier, after-sales and settlement on a
                                                    simulated clock in a throwaway in-memory database; print a summary

Environment: DATABASE_URL, LOOPSHOP_DATA_DIR, PORT, HOST — see README.md.`;

async function withDatabase<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir });
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': {
      const { values } = parseArgs({
        args: rest,
        options: { port: { type: 'string' }, host: { type: 'string' }, 'simulated-clock': { type: 'boolean' } },
      });
      const config = loadConfig(process.env, {
        ...(values.port ? { port: Number(values.port) } : {}),
        ...(values.host ? { host: values.host } : {}),
        ...(values['simulated-clock'] ? { simulatedClock: true } : {}),
      });
      const started = Date.now();
      const server = await startServer(config);
      const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.dataDir}`;
      console.log(`\nLoopshop is running at ${server.url}  (ready in ${Date.now() - started} ms)`);
      console.log(`  database: ${where}${server.clock.simulated ? '  · simulated clock' : ''}`);
      console.log(`  API docs: ${server.url}/docs`);
      console.log(`  demo logins (password "${DEMO_PASSWORD}"): ${DEMO_ACCOUNTS.map((a) => a.email).join(', ')}\n`);
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        server.app.log.info({ signal }, 'shutting down');
        await server.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
      return -1; // keep running
    }
    case 'migrate':
      await withDatabase((d) => d.migrate());
      console.log('migrations applied');
      return 0;
    case 'seed-demo':
      return withDatabase(async (d) => {
        await d.migrate();
        const clock = new SystemClock();
        // The app only for its strategies (the history's orders pay and ship with them); it never listens.
        const app = await createApp({ database: d, clock, config: loadConfig(), logger: false });
        const seeded = await seedDemo(d.db, clock, { strategiesOn: app.ctx.strategiesOn, jobs: app.ctx.jobs, dataDir: app.ctx.config.dataDir }).finally(() => app.close());
        console.log(seeded ? 'demo data seeded' : 'database not empty: nothing seeded');
        return 0;
      });
    case 'prepare-demo': {
      const prepared = await prepareDemo({ log: (line) => console.log(line) });
      console.log(`prepared demo: ${prepared.dir}`);
      return 0;
    }
    case 'secrets': {
      const config = loadConfig();
      return withDatabase(async (d) => {
        await d.migrate();
        const secrets = await resolveSandboxSecrets(d.db, new SystemClock(), config);
        const from = (env: string, configured: string | undefined, row: string) =>
          configured ? `from ${env}` : `generated, kept in table installation_secrets (name '${row}'); set ${env} to override`;
        console.log(`sandbox payments webhook secret: ${secrets.payments}  (${from('LOOPSHOP_SANDBOX_WEBHOOK_SECRET', config.sandboxWebhookSecret, INSTALLATION_SECRET_NAMES.payments)})`);
        console.log(`sandbox carrier webhook secret:  ${secrets.carrier}  (${from('LOOPSHOP_SANDBOX_CARRIER_SECRET', config.sandboxCarrierSecret, INSTALLATION_SECRET_NAMES.carrier)})`);
        return 0;
      });
    }
    case 'reconcile':
      return withDatabase(async (d) => {
        const report = await reconcile(d.db);
        console.log(JSON.stringify(report, null, 2));
        return report.balanced ? 0 : 1;
      });
    case 'import-shopify': {
      const { values, positionals } = parseArgs({ args: rest, options: { shop: { type: 'string' } }, allowPositionals: true });
      if (!values.shop || positionals.length !== 1) throw new Error('Usage: loopshop import-shopify --shop <shop id> <file.csv>');
      const file = positionals[0]!;
      const { dataDir } = loadConfig();
      return withDatabase(async (d) => {
        await d.migrate();
        await loadMarkets(d.db);
        const clock = new SystemClock();
        const queued = await createImport(d.db, clock, dataDir, { shopId: values.shop!, userId: null, fileName: path.basename(file), data: await readFile(file) }, { enqueue: false });
        const done = await processImport(d.db, clock, dataDir, queued.id, {
          onProgress: (p) => process.stderr.write(`\rimporting ${p.rows_done}/${p.rows_total} rows (${Math.floor((100 * p.rows_done) / p.rows_total)}%)`),
        });
        process.stderr.write('\n');
        console.log(`import ${done.id}: ${done.status}, ${done.products_created} products (${done.variants_created} variants) created as drafts, ${done.products_skipped} products and ${done.rows_skipped} rows skipped`);
        for (const l of done.report) console.log(`  row ${l.row}${l.handle ? ` (${l.handle})` : ''}: ${l.reason} — ${l.message}`);
        if (done.report.length >= REPORT_LIMIT) console.log(`  … the report keeps the first ${REPORT_LIMIT} lines`);
        return done.status === 'done' ? 0 : 1;
      });
    }
    case 'simulate': {
      const { values } = parseArgs({
        args: rest,
        options: { orders: { type: 'string', default: '1000' }, days: { type: 'string', default: '30' }, seed: { type: 'string', default: '1' }, json: { type: 'boolean' } },
      });
      const int = (name: string, v: string, min: number, max: number) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}`);
        return n;
      };
      const summary = await runSimulation({
        orders: int('orders', values.orders, 1, 1_000_000),
        days: int('days', values.days, 1, 365),
        seed: int('seed', values.seed, 0, 2 ** 31 - 1),
        log: (line) => console.error(line),
      });
      console.log(values.json ? JSON.stringify(summary, null, 2) : formatSummary(summary));
      return summary.reconcile.balanced ? 0 : 1;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}

const code = await main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  return 1;
});
if (code >= 0) process.exit(code);
