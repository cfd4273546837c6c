import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The real server process, as `npm start` runs it (CLI `serve`), on an embedded database in a
 * data directory: it answers /healthz, seeds the demo accounts, and keeps data across a restart.
 */
const root = path.resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'loopshop-restart-'));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function start(port: number): Promise<{ proc: ChildProcess; readyMs: number }> {
  const t0 = Date.now();
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOOPSHOP_DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout!.on('data', (d) => (output += d));
  proc.stderr!.on('data', (d) => (output += d));
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server exited: ${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) return { proc, readyMs: Date.now() - t0 };
    } catch {
      /* not listening yet */
    }
    if (Date.now() - t0 > 60_000) throw new Error(`server did not answer /healthz: ${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stop(proc: ChildProcess): Promise<void> {
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

describe('server process', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts on an embedded database, seeds demo data and keeps data across a restart', async () => {
    const port = await freePort();
    const first = await start(port);
    console.log(`[server] first start answered /healthz after ${first.readyMs} ms (includes TypeScript loading via tsx)`);
    const base = `http://127.0.0.1:${port}`;
    const demo = await fetch(`${base}/v1/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'seller@demo.loopshop.dev', password: 'loopshop-demo' }),
    });
    expect(demo.status).toBe(200);
    const signUp = await fetch(`${base}/v1/auth/sign-up`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'persist@example.com', password: 'kept-across-restarts', name: 'Persist' }),
    });
    expect(signUp.status).toBe(201);
    await stop(first.proc);

    const second = await start(port);
    console.log(`[server] restart answered /healthz after ${second.readyMs} ms`);
    try {
      const signIn = await fetch(`${base}/v1/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'persist@example.com', password: 'kept-across-restarts' }),
      });
      expect(signIn.status).toBe(200);
      const ready = await fetch(`${base}/readyz`);
      expect(await ready.json()).toEqual({ ok: true, database: 'pglite' });
    } finally {
      await stop(second.proc);
    }
  });

  it('runs the migrate and reconcile commands on the same data directory', () => {
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
        cwd: root,
        env: { ...process.env, LOOPSHOP_DATA_DIR: dataDir, DATABASE_URL: '' },
        encoding: 'utf8',
      });
    const migrate = cli('migrate');
    expect(migrate.status).toBe(0);
    expect(migrate.stdout).toContain('migrations applied');
    const reconcile = cli('reconcile');
    expect(reconcile.status).toBe(0);
    expect(JSON.parse(reconcile.stdout)).toMatchObject({ balanced: true, problems: [] });
    const unknown = cli('frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
  });
});
