import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { freePort } from './ports.js';
import os from 'node:os';
import path from 'node:path';

/**
 * A throwaway PostgreSQL cluster for tests and benchmarks: initdb in a temp dir, pg_ctl start on
 * a free loopback port, tuned for speed (fsync off) unless `durable` asks for PostgreSQL's own
 * defaults (fsync, synchronous_commit and full_page_writes on, as a production server runs),
 * stopped and deleted afterwards.
 * initdb refuses to run as root, so as root the binaries run as the `postgres` user.
 */
export interface PgCluster {
  url: string;
  port: number;
  stop(): void;
}

export function findPgBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error('PostgreSQL binaries not found under /usr/lib/postgresql/*/bin (apt-get install -y postgresql)');
  }
  return path.join(base, versions[0]!, 'bin');
}

export async function startPgCluster(options: { durable?: boolean } = {}): Promise<PgCluster> {
  const bin = findPgBin();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loopshop-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    execFileSync('chown', ['postgres:postgres', dir]);
  }
  chmodSync(dir, 0o700);
  const run = (cmd: string, args: string[]) => {
    const full = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args]] as const : [path.join(bin, cmd), args] as const;
    const r = spawnSync(full[0], [...full[1]], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  const data = path.join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  const opts = [
    `-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1',
    ...(options.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
    '-c max_connections=400', '-c shared_buffers=128MB',
  ].join(' ');
  run('pg_ctl', ['-D', data, '-o', opts, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
