import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_VIDEOS } from '../../src/demo/videos.js';

/**
 * Issue 16 §1: `npm start` on an empty data directory answers /healthz with the demo feed
 * already full — every demo video ready with its media — not seeding or rendering afterwards.
 * How fast is measured by `npm run bench` (bench/start.ts), not asserted here.
 */
const root = path.resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'loopshop-first-start-'));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

interface FeedPage {
  data: Array<{ id: string; status: string; media_url: string | null; poster_url: string | null }>;
  next_cursor: string | null;
}

describe('first start on an empty data directory', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves the full demo feed from the first /healthz on', { timeout: 180_000 }, async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
      cwd: root,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOOPSHOP_DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    proc.stdout!.on('data', (d) => (output += d));
    proc.stderr!.on('data', (d) => (output += d));
    try {
      const t0 = Date.now();
      for (;;) {
        if (proc.exitCode !== null) throw new Error(`server exited: ${output}`);
        const res = await fetch(`${base}/healthz`).catch(() => null);
        if (res?.ok) break;
        if (Date.now() - t0 > 60_000) throw new Error(`no /healthz within 60 s: ${output}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      console.log(`[first start] /healthz after ${Date.now() - t0} ms (TypeScript loaded via tsx; bench/start.ts times the built server)`);
      // The moment it is healthy: the whole feed, every video playable.
      const seen: FeedPage['data'] = [];
      let cursor: string | null = null;
      do {
        const res: Response = await fetch(`${base}/v1/feed?limit=50${cursor ? `&cursor=${cursor}` : ''}`, { headers: { 'x-device-id': 'first-start-test' } });
        expect(res.status).toBe(200);
        const page = (await res.json()) as FeedPage;
        seen.push(...page.data);
        cursor = page.next_cursor;
      } while (cursor);
      expect(seen.length).toBeGreaterThanOrEqual(DEMO_VIDEOS.length);
      for (const v of seen) {
        expect(v.status).toBe('ready');
        expect(v.media_url).toMatch(/^\/media\//);
        const media = await fetch(`${base}${v.media_url}`, { headers: { range: 'bytes=0-15' } });
        expect([200, 206]).toContain(media.status);
        expect(Buffer.from(await media.arrayBuffer()).subarray(4, 8).toString()).toBe('ftyp');
        const poster = await fetch(`${base}${v.poster_url}`);
        expect(poster.status).toBe(200);
      }
      // The operator's queue holds the demo application, its documents copied with the data.
      const signIn = await fetch(`${base}/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'operator@demo.loopshop.dev', password: 'loopshop-demo' }) });
      const auth = { authorization: `Bearer ${((await signIn.json()) as { token: string }).token}` };
      const queue = (await (await fetch(`${base}/v1/seller-applications?status=submitted`, { headers: auth })).json()) as { data: Array<{ documents: Array<{ url: string }> }> };
      expect(queue.data).toHaveLength(1);
      expect(queue.data[0]!.documents).toHaveLength(3);
      for (const d of queue.data[0]!.documents) expect((await fetch(`${base}${d.url}`, { headers: auth })).status).toBe(200);
    } finally {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
  });
});
