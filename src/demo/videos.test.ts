import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { ffmpeg, probe } from '../platform/media.js';
import { testApp, type TestApp } from '../test/app.js';
import { createProduct } from '../modules/catalog/index.js';
import { deleteVideo } from '../modules/content/index.js';
import { PATTERNS, seedDemoVideos } from './videos.js';
import { stockKeeper } from '../modules/inventory/index.js';

describe('demo videos', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'loopshop-demo-videos-'));
    t = await testApp({ mediaDir: dir });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seeds anchored videos and a showcase; the job renders a vertical clip that reaches the feed', async () => {
    const seller = await t.seller();
    const creator = await t.account({ roles: ['buyer', 'creator'], name: 'Demo Creator' });
    const products = [];
    for (const title of ['Ridge 2 Tent', 'Trail Lantern', 'Oolong Sampler']) {
      const p = await createProduct(t.db, t.clock, stockKeeper, seller.shopId, { title, status: 'live', variants: [{ price: { amount: 2500, currency: 'USD' } }] });
      products.push({ id: p.id, title: p.title, shop_id: p.shop_id });
    }
    await seedDemoVideos(t.db, t.clock, { creatorId: creator.id, products });

    const mine = (await t.app.inject({ url: `/v1/creators/${creator.id}/videos?limit=100`, headers: creator.auth })).json();
    expect(mine.data).toHaveLength(12);
    for (const v of mine.data) {
      expect(v.status).toBe('processing');
      expect(v.anchors.length).toBeGreaterThanOrEqual(1);
      expect(v.anchors.length).toBeLessThanOrEqual(3);
    }
    const showcase = (await t.app.inject({ url: `/v1/creators/${creator.id}/showcase` })).json();
    expect(showcase.products.map((p: { id: string }) => p.id)).toEqual(products.map((p) => p.id));

    // Render only the first one (rendering all twelve takes a while): delete the others.
    const first = mine.data[mine.data.length - 1];
    for (const v of mine.data) if (v.id !== first.id) await deleteVideo(t.db, t.clock, t.config, v.id, creator.id);
    await t.app.ctx.jobs.runDue();

    const video = (await t.app.inject({ url: `/v1/videos/${first.id}` })).json();
    expect(video).toMatchObject({ status: 'ready', width: 540, height: 960, caption: first.caption });
    expect(Math.abs(video.duration_ms - 6000)).toBeLessThan(200);
    const out = await probe(t.config, path.join(dir, 'videos', `${first.id}.mp4`));
    expect(out.video?.codec).toBe('h264');
    expect(out.audio?.codec).toBe('aac');
    expect((await t.app.inject({ url: video.poster_url })).statusCode).toBe(200);
    const feed = (await t.app.inject({ url: '/v1/feed' })).json();
    expect(feed.data.map((v: { id: string }) => v.id)).toEqual([first.id]);
  });
});

describe('demo clip sources', () => {
  // A fresh machine without Debian's ffmpeg renders the demo with the static build npm installs
  // (an ffmpeg 4.0): every pattern must exist there too, or half the demo fails to render.
  const npmFfmpeg = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  it.each(PATTERNS)('the npm-installed ffmpeg renders %s', async (source) => {
    await ffmpeg({ ffmpegPath: npmFfmpeg, ffprobePath: 'ffprobe' }, ['-f', 'lavfi', '-i', source, '-t', '0.2', '-f', 'null', '-'], 30_000);
  });
});
