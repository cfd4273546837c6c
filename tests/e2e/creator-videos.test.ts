import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, newPage, shot, signIn, startE2E, type E2E } from './support.js';

/**
 * Issue 16 §7: the creator's video list retries a video that failed on our side (it goes back to
 * processing and becomes ready) and deletes a video after a confirmation (it leaves the list and
 * the feed); in English and in Chinese.
 */
const CREATOR = 'creator@demo.loopshop.dev';

describe('creator video list: retry a failed video, delete one (browser)', () => {
  let e2e: E2E;
  let creator: string;
  let dir: string;
  let clip: string;
  const { call, tokenOf } = apiClient(() => e2e.url);

  beforeAll(async () => {
    e2e = await startE2E();
    creator = await tokenOf(CREATOR);
    dir = mkdtempSync(path.join(os.tmpdir(), 'loopshop-e2e-clip-'));
    clip = path.join(dir, 'clip.mp4');
    execFileSync(e2e.server.app.ctx.config.ffmpegPath, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', clip]);
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  type Video = { id: string; status: string; can_retry: boolean };
  /** The creator posts the clip with a product and waits until it is ready (ffmpeg on a busy machine: minutes at worst). */
  const readyVideo = async (caption: string): Promise<string> => {
    const products = await call<{ data: { id: string }[] }>(creator, 'GET', '/v1/products?limit=1');
    const form = new FormData();
    form.append('caption', caption);
    form.append('product_ids[]', products.data[0]!.id);
    form.append('file', new Blob([readFileSync(clip)]), 'clip.mp4');
    const { video } = await call<{ video: Video }>(creator, 'POST', '/v1/videos', form);
    for (let i = 0; i < 360 && (await call<Video>(creator, 'GET', `/v1/videos/${video.id}`)).status !== 'ready'; i++) await new Promise((r) => setTimeout(r, 500));
    expect((await call<Video>(creator, 'GET', `/v1/videos/${video.id}`)).status).toBe('ready');
    return video.id;
  };
  /** What processing does when it fails on our side: the video `failed` (processing_error), its upload kept for the retry. */
  const failOnOurSide = async (videoId: string) => {
    await e2e.server.database.db.execute(sql`update videos set status = 'failed', failure_reason = 'processing_error' where id = ${videoId}`);
    const failedDir = path.join(e2e.server.app.ctx.config.mediaDir, 'failed');
    mkdirSync(failedDir, { recursive: true });
    copyFileSync(clip, path.join(failedDir, videoId));
    expect(await call<Video>(creator, 'GET', `/v1/videos/${videoId}`)).toMatchObject({ status: 'failed', can_retry: true });
  };
  const inFeed = async (videoId: string) => (await call<{ data: { id: string }[] }>(null, 'GET', '/v1/feed?limit=100')).data.some((v) => v.id === videoId);

  it('retries a failed video until it is ready, then deletes it after confirming: gone from the list and the feed', async () => {
    const caption = `Retry me ${Date.now().toString(36)}`;
    const id = await readyVideo(caption);
    await failOnOurSide(id);
    const { context, page } = await newPage(e2e);
    try {
      await signIn(page, CREATOR);
      await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
      await page.goto('/creator');
      const row = page.getByTestId('creator-videos').getByTestId('video-row').filter({ hasText: caption });
      await row.and(page.locator('[data-status="failed"]')).waitFor();
      await row.getByText('Something failed on our side').waitFor();
      await shot(page, 'creator-video-failed');
      await row.getByTestId('video-retry').click();
      // Processing again, then ready (the list refreshes while a video processes).
      await row.and(page.locator('[data-status="ready"]')).waitFor({ timeout: 180_000 });
      expect(await row.getByTestId('video-retry').count()).toBe(0);
      expect(await inFeed(id)).toBe(true);

      await row.getByTestId('video-delete').click();
      const dialog = row.getByTestId('video-delete-confirm');
      await dialog.getByText('Delete this video?').waitFor();
      await shot(page, 'creator-video-delete-confirm');
      await dialog.getByTestId('video-delete-yes').click();
      await row.waitFor({ state: 'detached' });
      expect(await inFeed(id)).toBe(false);
      await expect(call(creator, 'GET', `/v1/videos/${id}`)).rejects.toThrow(/404/);
    } finally {
      await context.close();
    }
  }, 600_000);

  it('in Chinese: Delete asks first, “保留” keeps the video, “删除” removes it', async () => {
    const caption = `删除测试 ${Date.now().toString(36)}`;
    const id = await readyVideo(caption);
    const { context, page } = await newPage(e2e, 'zh-CN');
    try {
      await signIn(page, CREATOR);
      await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
      await page.goto('/creator');
      const row = page.getByTestId('creator-videos').getByTestId('video-row').filter({ hasText: caption });
      // Its page leads back to the creator center it was opened from (not to the notifications).
      await row.getByTestId('video-edit-link').click();
      await page.waitForURL(`**/videos/${id}/edit`);
      await page.getByTestId('video-edit-back').filter({ hasText: '返回' }).click();
      await page.waitForURL((u) => u.pathname === '/creator');
      await row.getByTestId('video-delete').filter({ hasText: '删除' }).click();
      const dialog = row.getByTestId('video-delete-confirm');
      await dialog.getByText('确定删除此视频吗？').waitFor();
      await dialog.getByRole('button', { name: '保留' }).click();
      await row.getByTestId('video-delete').waitFor();
      expect(await inFeed(id)).toBe(true);
      await row.getByTestId('video-delete').click();
      await row.getByTestId('video-delete-confirm').getByRole('button', { name: '删除' }).click();
      await row.waitFor({ state: 'detached' });
      expect(await inFeed(id)).toBe(false);
    } finally {
      await context.close();
    }
  }, 300_000);
});
