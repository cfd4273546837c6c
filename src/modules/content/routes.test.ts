import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../../platform/media.js';
import { rows } from '../../platform/db.js';
import { injectForm, testApp, type TestApp } from '../../test/app.js';
import { createProduct, setProductStatus } from '../catalog/index.js';
import { videos } from './schema.js';
import { insertVideo, processVideo } from './service.js';
import { stockKeeper } from '../inventory/index.js';

type Auth = { authorization: string };

const ffmpeg = (...args: string[]) => execFileSync('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args]);

describe('content: videos, anchors, media pipeline, feed, showcase', () => {
  let t: TestApp;
  let dir: string;
  let mediaDir: string;
  const files = { mp4: '', avi: '', truncated: '', truncatedIndexed: '', text: '' };
  let creator: { id: string; auth: Auth };
  let other: { id: string; auth: Auth };
  let live: string[];
  let draft: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'loopshop-content-'));
    mediaDir = path.join(dir, 'media');
    files.mp4 = path.join(dir, 'clip.mp4');
    ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine', '-t', '2',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', files.mp4);
    files.avi = path.join(dir, 'old.avi');
    ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '1', '-c:v', 'mpeg4', files.avi);
    files.truncated = path.join(dir, 'truncated.mp4');
    const whole = readFileSync(files.mp4);
    writeFileSync(files.truncated, whole.subarray(0, Math.floor(whole.length * 0.3)));
    // Index first (faststart), media data cut off: readable headers, missing frames.
    const indexed = path.join(dir, 'indexed.mp4');
    ffmpeg('-i', files.mp4, '-c', 'copy', '-movflags', '+faststart', indexed);
    const whole2 = readFileSync(indexed);
    files.truncatedIndexed = path.join(dir, 'truncated-indexed.mp4');
    writeFileSync(files.truncatedIndexed, whole2.subarray(0, Math.floor(whole2.length * 0.3)));
    files.text = path.join(dir, 'notes.mp4');
    writeFileSync(files.text, 'This is a shopping list, not a video.\nMilk, eggs, a tent.\n');

    t = await testApp({ mediaDir });
    const seller = await t.seller();
    const product = (title: string, status: 'live' | 'draft') =>
      createProduct(t.db, t.clock, stockKeeper, seller.shopId, { title, status, variants: [{ price: { amount: 1999, currency: 'USD' }, stock: { on_hand: 10 } }] });
    live = [];
    for (let i = 1; i <= 6; i++) live.push((await product(`Ridge ${i} Tent`, 'live')).id);
    draft = (await product('Secret Prototype', 'draft')).id;
    creator = await t.account({ roles: ['buyer', 'creator'], name: 'Casey Creator' });
    other = await t.account({ roles: ['buyer', 'creator'] });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function upload(auth: Auth | undefined, opts: { file?: string; caption?: string; productIds?: string[] }, app = t) {
    const form = new FormData();
    if (opts.caption !== undefined) form.append('caption', opts.caption);
    for (const id of opts.productIds ?? [live[0]!]) form.append('product_ids[]', id);
    if (opts.file) form.append('file', new Blob([readFileSync(opts.file)]), path.basename(opts.file));
    return injectForm(app.app, '/v1/videos', auth, form);
  }
  const get = (url: string, auth?: Auth) => t.app.inject({ url, headers: auth });
  const feedIds = async () => ((await get('/v1/feed?limit=100')).json().data as Array<{ id: string }>).map((v) => v.id);
  const uploadsLeft = () => readdirSync(path.join(mediaDir, 'uploads'));

  it('processes an H.264/AAC MP4: processing → ready with duration and poster, served with range requests', async () => {
    const res = await upload(creator.auth, { file: files.mp4, caption: 'Pitching the <b>Ridge</b> tent in 60 s', productIds: [live[0]!, live[1]!] });
    expect(res.statusCode).toBe(202);
    const video = res.json().video;
    expect(video).toMatchObject({ status: 'processing', caption: 'Pitching the Ridge tent in 60 s', media_url: null, poster_url: null });
    expect(video.creator).toEqual({ id: creator.id, name: 'Casey Creator' });
    expect(video.anchors.map((a: { product: { id: string } }) => a.product.id)).toEqual([live[0], live[1]]);

    // Not ready: only its creator sees it, and never the feed.
    expect((await get(`/v1/videos/${video.id}`, creator.auth)).json().status).toBe('processing');
    expect((await get(`/v1/videos/${video.id}`, other.auth)).statusCode).toBe(404);
    expect((await get(`/v1/videos/${video.id}`)).statusCode).toBe(404);
    expect(await feedIds()).not.toContain(video.id);

    await t.app.ctx.jobs.runDue();
    const ready = (await get(`/v1/videos/${video.id}`)).json();
    expect(ready).toMatchObject({ status: 'ready', width: 320, height: 240, media_url: `/media/videos/${video.id}.mp4`, poster_url: `/media/posters/${video.id}.jpg` });
    expect(Math.abs(ready.duration_ms - 2000)).toBeLessThan(150);
    expect(ready.published_at).toBe(t.clock.now().toISOString());
    expect(ready.anchors[0].product).toMatchObject({ id: live[0], title: 'Ridge 1 Tent', status: 'live', price_range: { min: { amount: 1999, currency: 'USD' } } });
    expect(existsSync(path.join(mediaDir, 'posters', `${video.id}.jpg`))).toBe(true);
    expect(uploadsLeft()).toEqual([]);

    // Web-safe input is remuxed with faststart: the index (moov) comes before the media data.
    const mp4 = readFileSync(path.join(mediaDir, 'videos', `${video.id}.mp4`));
    expect(mp4.indexOf('moov')).toBeLessThan(mp4.indexOf('mdat'));

    const part = await t.app.inject({ url: ready.media_url, headers: { range: 'bytes=0-99' } });
    expect(part.statusCode).toBe(206);
    expect(part.rawPayload.length).toBe(100);
    expect(part.headers['content-range']).toBe(`bytes 0-99/${mp4.length}`);
    expect(part.headers['content-type']).toBe('video/mp4');
    const beyond = await t.app.inject({ url: ready.media_url, headers: { range: `bytes=${mp4.length + 10}-` } });
    expect(beyond.statusCode).toBe(416);
    const poster = await t.app.inject({ url: ready.poster_url });
    expect(poster.statusCode).toBe(200);
    expect(poster.headers['content-type']).toBe('image/jpeg');

    expect(await feedIds()).toContain(video.id);
    const mine = (await get(`/v1/creators/${creator.id}/videos`)).json();
    expect(mine.data.map((v: { id: string }) => v.id)).toContain(video.id);
  });

  it('transcodes a file that is not web-safe (MPEG-4 Part 2 in AVI) to H.264 MP4', async () => {
    const res = await upload(creator.auth, { file: files.avi, productIds: [live[2]!] });
    expect(res.statusCode).toBe(202);
    const id = res.json().video.id;
    await t.app.ctx.jobs.runDue();
    const video = (await get(`/v1/videos/${id}`)).json();
    expect(video).toMatchObject({ status: 'ready', width: 320, height: 240 });
    const out = await probe(t.config, path.join(mediaDir, 'videos', `${id}.mp4`));
    expect(out.formatName).toContain('mp4');
    expect(out.video).toMatchObject({ codec: 'h264', pixFmt: 'yuv420p' });
    expect(out.audio).toBeNull();
    expect(Math.abs((out.durationMs ?? 0) - 1000)).toBeLessThan(150);
  });

  it('a truncated MP4 ends failed with a reason, and nothing of it shows', async () => {
    const res = await upload(creator.auth, { file: files.truncated, productIds: [live[0]!] });
    expect(res.statusCode).toBe(202);
    const id = res.json().video.id;
    const indexed = (await upload(creator.auth, { file: files.truncatedIndexed, productIds: [live[0]!] })).json().video.id;
    await t.app.ctx.jobs.runDue();
    expect((await get(`/v1/videos/${indexed}`, creator.auth)).json()).toMatchObject({ status: 'failed', failure_reason: 'corrupt_file' });
    expect(await feedIds()).not.toContain(indexed);
    const video = (await get(`/v1/videos/${id}`, creator.auth)).json();
    expect(video).toMatchObject({ status: 'failed', failure_reason: 'corrupt_file', media_url: null, poster_url: null });
    expect((await get(`/v1/videos/${id}`)).statusCode).toBe(404);
    expect(await feedIds()).not.toContain(id);
    expect((await get(`/v1/creators/${creator.id}/videos`)).json().data.map((v: { id: string }) => v.id)).not.toContain(id);
    expect((await get(`/v1/creators/${creator.id}/videos`, creator.auth)).json().data.map((v: { id: string }) => v.id)).toContain(id);
    expect(existsSync(path.join(mediaDir, 'videos', `${id}.mp4`))).toBe(false);
    expect(uploadsLeft()).toEqual([]);
    expect((await t.app.inject({ url: `/media/videos/${id}.mp4` })).statusCode).toBe(404);
  });

  it('refuses a text file named .mp4 as unsupported media and stores nothing', async () => {
    const before = await t.db.select().from(videos);
    const res = await upload(creator.auth, { file: files.text });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('unsupported_media');
    expect(await t.db.select().from(videos)).toHaveLength(before.length);
    expect(uploadsLeft()).toEqual([]);
  });

  it('validates anchors: 1–5 existing live products', async () => {
    const before = await t.db.select().from(videos);
    const cases: Array<[string[], string[]]> = [
      [[], []],
      [live, live],
      [[live[0]!, draft], [draft]],
      [['prd_00000000000000000000000000', live[1]!], ['prd_00000000000000000000000000']],
      [['not-an-id'], ['not-an-id']],
    ];
    for (const [productIds, bad] of cases) {
      const res = await upload(creator.auth, { file: files.mp4, productIds });
      expect(res.statusCode, productIds.join()).toBe(422);
      expect(res.json().error.code).toBe('invalid_anchor');
      expect(res.json().error.details.product_ids).toEqual(bad);
    }
    expect(await t.db.select().from(videos)).toHaveLength(before.length);
    expect(uploadsLeft()).toEqual([]);
  });

  it('validates the request: roles, the file field, caption length, unknown fields, JSON bodies', async () => {
    const buyer = await t.account();
    expect((await upload(undefined, { file: files.mp4 })).statusCode).toBe(401);
    const forbidden = await upload(buyer.auth, { file: files.mp4 });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error.code).toBe('role_required');
    const noFile = await upload(creator.auth, {});
    expect(noFile.statusCode).toBe(400);
    expect(noFile.json().error.code).toBe('validation_failed');
    const long = await upload(creator.auth, { file: files.mp4, caption: 'x'.repeat(2201) });
    expect(long.statusCode).toBe(400);
    expect(long.json().error.details[0].field).toBe('body/caption');
    const json = await t.app.inject({ method: 'POST', url: '/v1/videos', headers: creator.auth, payload: { caption: 'hi' } });
    expect(json.statusCode).toBe(415);
    expect(uploadsLeft()).toEqual([]);
  });

  it('a seller can post videos too', async () => {
    const seller = await t.seller();
    expect((await upload(seller.auth, { file: files.mp4 })).statusCode).toBe(202);
  });

  it('refuses a file over the upload limit with 413 file_too_large', async () => {
    const webDist = path.join(dir, 'web');
    mkdirSync(webDist);
    writeFileSync(path.join(webDist, 'index.html'), '<!doctype html><title>Loopshop</title>');
    const small = await testApp({ mediaDir: path.join(dir, 'small'), maxUploadBytes: 10_000, webDist });
    try {
      const seller = await small.seller();
      const p = await createProduct(small.db, small.clock, stockKeeper, seller.shopId, { title: 'Lamp', status: 'live', variants: [{ price: { amount: 500, currency: 'USD' } }] });
      const res = await upload(seller.auth, { file: files.mp4, productIds: [p.id] }, small);
      expect(res.statusCode).toBe(413);
      expect(res.json().error.code).toBe('file_too_large');
      expect(readdirSync(path.join(dir, 'small', 'uploads'))).toEqual([]);
      expect(await small.db.select().from(videos)).toHaveLength(0);
      // A missing media file is an API 404, not the web app's page.
      const missing = await small.app.inject({ url: `/media/videos/vid_${'0'.repeat(26)}.mp4` });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().error.code).toBe('route_not_found');
      expect((await small.app.inject({ url: '/seller/videos' })).body).toContain('<title>Loopshop</title>');
    } finally {
      await small.close();
    }
  });

  it('only the creator deletes a video (others 404), and its media goes with it', async () => {
    const id = (await upload(creator.auth, { file: files.mp4 })).json().video.id;
    await t.app.ctx.jobs.runDue();
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/videos/${id}`, headers: other.auth })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/videos/${id}` })).statusCode).toBe(401);
    expect((await get(`/v1/videos/${id}`)).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/videos/${id}`, headers: creator.auth })).statusCode).toBe(204);
    expect((await get(`/v1/videos/${id}`, creator.auth)).statusCode).toBe(404);
    const media = await t.app.inject({ url: `/media/videos/${id}.mp4` });
    expect(media.statusCode).toBe(404);
    expect(media.json().error.code).toBe('route_not_found');
    expect(await feedIds()).not.toContain(id);
  });

  it('never serves uploads waiting for processing or paths outside the media folders', async () => {
    const res = await upload(creator.auth, { file: files.mp4 });
    const id = res.json().video.id;
    expect(existsSync(path.join(mediaDir, 'uploads', id))).toBe(true);
    for (const url of [`/media/uploads/${id}`, `/media/videos/${id}.mp4`, '/media/../package.json', '/media/%2e%2e/package.json']) {
      expect((await t.app.inject({ url })).statusCode, url).toBe(404);
    }
    await t.app.ctx.jobs.runDue();
  });

  it('shows only live-product anchors to others; a video without any leaves the feed', async () => {
    const id = (await upload(other.auth, { file: files.mp4, productIds: [live[4]!, live[5]!] })).json().video.id;
    await t.app.ctx.jobs.runDue();
    expect(await feedIds()).toContain(id);
    await setProductStatus(t.db, t.clock, live[4]!, 'draft');
    expect((await get(`/v1/videos/${id}`)).json().anchors.map((a: { product: { id: string } }) => a.product.id)).toEqual([live[5]]);
    expect((await get(`/v1/videos/${id}`, other.auth)).json().anchors).toHaveLength(2);
    await setProductStatus(t.db, t.clock, live[5]!, 'draft');
    expect(await feedIds()).not.toContain(id);
    await setProductStatus(t.db, t.clock, live[4]!, 'live');
    await setProductStatus(t.db, t.clock, live[5]!, 'live');
    expect(await feedIds()).toContain(id);
  });

  it('pages through the feed with cursors', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      t.clock.advance(60_000);
      const row = await insertVideo(t.db, t.clock, { creatorId: other.id, caption: `feed ${i}`, productIds: [i === 2 ? draft : live[0]!] }, { type: 'test.none', payload: {} });
      await t.db
        .update(videos)
        .set({ status: 'ready', publishedAt: t.clock.now(), mediaPath: `videos/${row.id}.mp4`, posterPath: `posters/${row.id}.jpg`, durationMs: 1000 })
        .where(eq(videos.id, row.id));
      made.push(row.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/v1/feed?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const body = res.json() as { data: Array<{ id: string; anchors: unknown[] }>; next_cursor: string | null };
      expect(body.data.length).toBeLessThanOrEqual(2);
      for (const v of body.data) expect(v.anchors.length).toBeGreaterThan(0);
      seen.push(...body.data.map((v) => v.id));
      cursor = body.next_cursor;
    } while (cursor);
    // The one anchored only to a draft product is left out (the order is the feed module's ranking).
    expect(seen).toEqual(expect.arrayContaining([made[4], made[3], made[1], made[0]]));
    expect(seen).not.toContain(made[2]);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(await feedIds());
    expect((await get('/v1/feed?cursor=bogus')).json().error.code).toBe('invalid_cursor');
    expect((await get(`/v1/creators/${other.id}/videos?cursor=bogus`)).statusCode).toBe(400);
  });

  it('retries when the tools fail, and fails the video with processing_error on the last attempt', async () => {
    const id = (await upload(creator.auth, { file: files.mp4 })).json().video.id;
    const broken = { ...t.config, ffprobePath: path.join(dir, 'no-such-ffprobe') };
    await expect(processVideo(t.db, t.clock, broken, id, { lastAttempt: false })).rejects.toThrow(/no-such-ffprobe/);
    expect((await get(`/v1/videos/${id}`, creator.auth)).json().status).toBe('processing');
    await processVideo(t.db, t.clock, broken, id, { lastAttempt: true });
    expect((await get(`/v1/videos/${id}`, creator.auth)).json()).toMatchObject({ status: 'failed', failure_reason: 'processing_error' });
    expect(uploadsLeft()).toEqual([]);
    await t.app.ctx.jobs.runDue(); // the queued job finds the video no longer processing
    expect((await get(`/v1/videos/${id}`, creator.auth)).json().status).toBe('failed');
  });

  it('keeps a video that failed on our side for its owner’s retry: 404 to others, 409 when not failed, one job for two retries', async () => {
    const id = (await upload(creator.auth, { file: files.mp4 })).json().video.id;
    const broken = { ...t.config, ffprobePath: path.join(dir, 'no-such-ffprobe') };
    await processVideo(t.db, t.clock, broken, id, { lastAttempt: true });
    const failed = (await get(`/v1/videos/${id}`, creator.auth)).json();
    expect(failed).toMatchObject({ status: 'failed', failure_reason: 'processing_error', can_retry: true });
    expect(uploadsLeft()).toEqual([]);
    const retry = (auth?: Auth, videoId = id) => t.app.inject({ method: 'POST', url: `/v1/videos/${videoId}/retry`, headers: auth });
    expect((await retry()).statusCode).toBe(401);
    const foreign = await retry(other.auth);
    expect(foreign.statusCode).toBe(404);
    expect((await retry(creator.auth, 'vid_00000000000000000000000000')).statusCode).toBe(404);
    expect((await retry(creator.auth, 'not-an-id')).statusCode).toBe(400);
    expect((await get(`/v1/videos/${id}`, creator.auth)).json().status).toBe('failed');

    const jobsOf = async () => (await rows<{ n: number }>(t.db, sql`select count(*)::int as n from jobs where payload ->> 'video_id' = ${id}`))[0]!.n;
    const jobsBefore = await jobsOf();
    const first = await retry(creator.auth);
    expect(first.statusCode).toBe(202);
    expect(first.json().video).toMatchObject({ id, status: 'processing', failure_reason: null, can_retry: false });
    const second = await retry(creator.auth);
    expect(second.statusCode).toBe(409);
    expect(second.json().error.code).toBe('video_not_failed');
    expect(await jobsOf()).toBe(jobsBefore + 1);
    await t.app.ctx.jobs.runDue();
    expect((await get(`/v1/videos/${id}`, creator.auth)).json()).toMatchObject({ status: 'ready', can_retry: false });
    expect(uploadsLeft()).toEqual([]);
    const ready = await retry(creator.auth);
    expect(ready.statusCode).toBe(409);
    expect(ready.json().error.code).toBe('video_not_failed');
  });

  it('refuses a retry when the file itself was the problem (409 video_not_retryable)', async () => {
    const id = (await upload(creator.auth, { file: files.truncated })).json().video.id;
    await t.app.ctx.jobs.runDue();
    const failed = (await get(`/v1/videos/${id}`, creator.auth)).json();
    expect(failed.status).toBe('failed');
    expect(failed.can_retry).toBe(false);
    const res = await t.app.inject({ method: 'POST', url: `/v1/videos/${id}/retry`, headers: creator.auth });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('video_not_retryable');
    expect((await get(`/v1/videos/${id}`, creator.auth)).json().status).toBe('failed');
  });

  it('lists a creator’s videos with pagination; unknown creators are 404', async () => {
    const page1 = (await get(`/v1/creators/${creator.id}/videos?limit=1`, creator.auth)).json();
    expect(page1.data).toHaveLength(1);
    expect(page1.next_cursor).toEqual(page1.data[0].id);
    const page2 = (await get(`/v1/creators/${creator.id}/videos?limit=1&cursor=${page1.next_cursor}`, creator.auth)).json();
    expect(page2.data[0].id < page1.data[0].id).toBe(true);
    expect((await get('/v1/creators/usr_00000000000000000000000000/videos')).statusCode).toBe(404);
  });

  it('keeps a creator showcase of live products', async () => {
    const put = (auth: Auth, product_ids: string[]) => t.app.inject({ method: 'PUT', url: '/v1/creators/me/showcase', headers: auth, payload: { product_ids } });
    const res = await put(creator.auth, [live[2]!, live[0]!, live[2]!]);
    expect(res.statusCode).toBe(200);
    expect(res.json().creator).toEqual({ id: creator.id, name: 'Casey Creator' });
    expect(res.json().products.map((p: { id: string }) => p.id)).toEqual([live[2], live[0]]);

    const bad = await put(creator.auth, [live[1]!, draft]);
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error).toMatchObject({ code: 'invalid_product', details: { product_ids: [draft] } });
    expect((await put(creator.auth, Array.from({ length: 51 }, () => live[0]!))).statusCode).toBe(400);
    expect((await put((await t.account()).auth, [live[0]!])).statusCode).toBe(403);

    const shown = (await get(`/v1/creators/${creator.id}/showcase`)).json();
    expect(shown.products.map((p: { id: string }) => p.id)).toEqual([live[2], live[0]]);
    await setProductStatus(t.db, t.clock, live[2]!, 'suspended');
    expect((await get(`/v1/creators/${creator.id}/showcase`)).json().products.map((p: { id: string }) => p.id)).toEqual([live[0]]);
    await setProductStatus(t.db, t.clock, live[2]!, 'live');
    expect((await put(creator.auth, [])).json().products).toEqual([]);
    expect((await get('/v1/creators/usr_00000000000000000000000000/showcase')).statusCode).toBe(404);
  });
});
