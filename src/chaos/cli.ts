import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startPgCluster, type PgCluster } from '../test/pg-cluster.js';
import { runCrashTest } from './crash.js';
import { formatResult } from './report.js';
import { runWorkload, type RunResult } from './workload.js';

/**
 * `npm run chaos -- [--seed S] [--minutes M | --rounds N] [--engine postgres|pglite]
 *                   [--servers N] [--crash] [--kills K] [--database-url URL] [--keep]`
 *
 * Workload mode (default): the seeded random workload against a server child process for M
 * minutes of wall clock (or exactly N rounds, to replay a failure), then the drain and the
 * invariants. Crash mode (`--crash`, PostgreSQL only): K `kill -9`s of the server during flash
 * sales and settlement, restarts on the same database, then the invariants.
 * `--servers N`: N server processes on the one PostgreSQL database, requests spread round-robin
 * over them; in crash mode each kill picks one while the others keep serving (PGlite: 1 only).
 * Without --database-url a throwaway PostgreSQL cluster is started (and removed afterwards).
 * Exit 0 when every invariant held; 1 with the problems and the replay command otherwise.
 */
const USAGE = `Usage: npm run chaos -- [--seed S] [--minutes M | --rounds N] [--engine postgres|pglite] [--servers N] [--crash --kills K] [--database-url URL] [--keep]`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' },
      minutes: { type: 'string', default: '1' },
      rounds: { type: 'string' },
      engine: { type: 'string', default: 'postgres' },
      crash: { type: 'boolean' },
      kills: { type: 'string', default: '20' },
      servers: { type: 'string', default: '1' },
      'database-url': { type: 'string' },
      keep: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const num = (name: string, v: string | undefined, min: number, max: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number from ${min} to ${max}`);
    return n;
  };
  const seed = num('seed', values.seed, 0, 2 ** 31 - 1) ?? Math.floor(Math.random() * 2 ** 31);
  const engine = values.engine === 'pglite' ? 'pglite' : values.engine === 'postgres' ? 'postgres' : null;
  if (!engine) throw new Error('--engine is postgres or pglite');
  if (values.crash && engine !== 'postgres') throw new Error('--crash needs PostgreSQL: kill -9 of an embedded database is its own test');
  const servers = num('servers', values.servers, 1, 16)!;
  if (!Number.isInteger(servers)) throw new Error('--servers must be a whole number');
  if (servers > 1 && engine !== 'postgres') throw new Error('--servers N > 1 needs PostgreSQL: an embedded PGlite database is opened by one process only');
  const log = (line: string) => console.error(`[chaos ${seed}] ${line}`);
  const scratch = mkdtempSync(path.join(os.tmpdir(), `loopshop-chaos-${seed}-`));
  let cluster: PgCluster | null = null;
  let databaseUrl = values['database-url'];
  if (engine === 'postgres' && !databaseUrl) {
    cluster = await startPgCluster();
    databaseUrl = cluster.url;
    log(`throwaway PostgreSQL cluster on port ${cluster.port}`);
  }
  const stopCluster = () => {
    try {
      cluster?.stop();
    } catch {
      /* already gone */
    }
    cluster = null;
  };
  process.once('SIGINT', () => {
    stopCluster();
    process.exit(130);
  });
  try {
    log(`seed ${seed}, ${values.crash ? `crash test, ${values.kills} kills` : `workload, ${values.rounds ? `${values.rounds} rounds` : `${values.minutes} min`}`} on ${engine}, ${servers} server(s)`);
    const result: RunResult = values.crash
      ? await runCrashTest({ seed, kills: num('kills', values.kills, 1, 1000)!, databaseUrl: databaseUrl!, dataDir: scratch, servers, log })
      : await runWorkload({
          seed,
          engine,
          servers,
          ...(engine === 'postgres' ? { databaseUrl: databaseUrl! } : {}),
          dataDir: scratch,
          budgetMs: (num('minutes', values.minutes, 0, 24 * 60) ?? 1) * 60_000,
          ...(values.rounds ? { rounds: num('rounds', values.rounds, 1, 1_000_000)! } : {}),
          log,
        });
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else console.log(formatResult(result));
    return result.ok ? 0 : 1;
  } finally {
    stopCluster();
    if (!values.keep) rmSync(scratch, { recursive: true, force: true });
  }
}

const code = await main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  return 2;
});
process.exit(code);
