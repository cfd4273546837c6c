/**
 * Issue 16 §1: `npm start` on an empty data directory. Starts the built server (what `npm start`
 * runs: bin/loopshop.mjs) several times, each on a new empty data directory, and measures from
 * spawn to the first healthy /healthz and to a feed holding every demo video. Budget: /healthz
 * in < 3 s with the feed already full at that moment. The build and the prepared demo (what
 * `npm install` makes) are made first and not timed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareDemo } from '../src/demo/prepared.js';
import { DEMO_VIDEOS } from '../src/demo/videos.js';
import { freePort } from './flash-sale.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BUDGET_MS = 3000;

export interface StartRow {
  healthzMs: number;
  fullFeedMs: number;
  feedAtHealthz: number;
}

async function feedSize(base: string): Promise<number> {
  const res = await fetch(`${base}/v1/feed?limit=100`, { headers: { 'x-device-id': 'bench-start' } });
  return res.ok ? ((await res.json()) as { data: unknown[] }).data.length : 0;
}

async function startOnce(): Promise<StartRow> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'loopshop-bench-start-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const proc = spawn(process.execPath, ['bin/loopshop.mjs', 'serve'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOOPSHOP_DATA_DIR: dataDir, LOOPSHOP_SKIP_BUILD: '1', LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (;;) {
      if (proc.exitCode !== null) throw new Error('server exited');
      if ((await fetch(`${base}/healthz`).catch(() => null))?.ok) break;
      if (performance.now() - t0 > 120_000) throw new Error('no /healthz within 120 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    const healthzMs = performance.now() - t0;
    const feedAtHealthz = await feedSize(base);
    let n = feedAtHealthz;
    while (n < DEMO_VIDEOS.length) {
      if (performance.now() - t0 > 300_000) throw new Error(`feed held ${n} videos after 300 s`);
      await new Promise((r) => setTimeout(r, 200));
      n = await feedSize(base);
    }
    return { healthzMs, fullFeedMs: n === feedAtHealthz ? healthzMs : performance.now() - t0, feedAtHealthz };
  } finally {
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run(opts: { starts?: number; log?: (line: string) => void } = {}): Promise<{ rows: StartRow[]; budgetMet: boolean; feedFull: boolean }> {
  const log = opts.log ?? (() => undefined);
  const build = spawn('node', ['scripts/build-if-stale.mjs'], { cwd: root, stdio: 'inherit' });
  await new Promise((r) => build.once('exit', r));
  await prepareDemo({ log });
  const rows: StartRow[] = [];
  for (let i = 0; i < (opts.starts ?? 3); i++) {
    rows.push(await startOnce());
    log(`start ${i + 1}: /healthz ${rows[i]!.healthzMs.toFixed(0)} ms, ${rows[i]!.feedAtHealthz} videos in the feed then`);
  }
  const feedFull = rows.every((r) => r.feedAtHealthz >= DEMO_VIDEOS.length);
  return { rows, feedFull, budgetMet: feedFull && rows.every((r) => r.healthzMs < BUDGET_MS) };
}

export function formatRows(rows: StartRow[]): string {
  const lines = ['start  time to /healthz  feed at /healthz  time to full feed'];
  rows.forEach((r, i) => lines.push(`${String(i + 1).padEnd(5)}  ${`${(r.healthzMs / 1000).toFixed(2)} s`.padStart(15)}  ${`${r.feedAtHealthz} / ${DEMO_VIDEOS.length}`.padStart(16)}  ${`${(r.fullFeedMs / 1000).toFixed(2)} s`.padStart(17)}`));
  lines.push(`budget: /healthz < ${BUDGET_MS / 1000} s with all ${DEMO_VIDEOS.length} demo videos in the feed`);
  lines.push(`load average at the end (1/5/15 min, ${os.cpus().length} cores): ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')}`);
  return lines.join('\n');
}
