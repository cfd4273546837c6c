import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../platform/ids.js';
import { testApp, type TestApp } from '../../test/app.js';
import { showcaseLinks, videos } from '../content/index.js';
import { insertVideo } from '../content/index.js';
import { linkClicks } from './schema.js';
import { checkExternalAnchor, safeExternalRedirect } from './service.js';

/**
 * Issue 14, hole 7: external anchors accepted `https://user:pass@host/` and URLs on the
 * platform's own domains, and `/out/<anchor>` then redirected there.
 */
const REFUSED = [
  'https://user:pass@trailgear.com/products/tent',
  'https://user@trailgear.com/',
  'https://trailgear.com@evil.example/',
  'https://:@evil.example:pw@trailgear.com/',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'ftp://trailgear.com/file',
  'https://loopshop.dev/account',
  'https://LOOPSHOP.DEV/account',
  'https://shop.loopshop.dev./x',
  'https://ｌｏｏｐｓｈｏｐ.dev/',
  'https://localhost/',
  'http://127.0.0.1/',
  'http://0x7f.1/',
  'http://2130706433/',
  'http://127.1/',
  'http://10.0.0.8/',
  'http://192.168.1.1/',
  'http://169.254.169.254/latest/meta-data/',
  'http://[::1]/',
  'http://[::ffff:127.0.0.1]/',
];

describe('external anchors: no userinfo, no platform host, /out re-checks (issue 14, hole 7)', () => {
  let t: TestApp;
  let dir: string;
  let creator: { id: string; auth: { authorization: string } };
  let videoId: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'loopshop-redirect-'));
    t = await testApp({ mediaDir: path.join(dir, 'media') });
    creator = await t.account({ roles: ['buyer', 'creator'], name: 'Casey Creator' });
    const row = await insertVideo(t.db, t.clock, { creatorId: creator.id, caption: 'A review', productIds: [] }, { type: 'test.none', payload: {} });
    await t.db.update(videos).set({ status: 'ready', publishedAt: t.clock.now() }).where(eq(videos.id, row.id));
    videoId = row.id;
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const put = (url: string, payload: object, host = 'localhost:80') =>
    t.app.inject({ method: 'PUT', url, headers: { ...creator.auth, host }, payload });

  it('checkExternalAnchor refuses userinfo, other schemes and the platform’s hosts in every spelling', () => {
    for (const url of REFUSED) {
      expect(() => checkExternalAnchor('US', 'url', url), url).toThrow(expect.objectContaining({ code: 'invalid_external_url', status: 400 }));
      expect(safeExternalRedirect(url), url).toBeNull();
    }
    expect(checkExternalAnchor('US', 'url', 'https://trailgear.com/products/tent')).toBe('https://trailgear.com/products/tent');
    expect(checkExternalAnchor('US', 'url', 'http://8.8.8.8/x')).toBe('http://8.8.8.8/x');
    // The host the request came on is the platform's too (with or without its port).
    expect(() => checkExternalAnchor('US', 'url', 'https://market.example.net/x', ['market.example.net'])).toThrow(expect.objectContaining({ code: 'invalid_external_url' }));
    expect(() => checkExternalAnchor('US', 'url', 'https://Market.Example.Net./x', ['market.example.net:8443'])).toThrow(expect.objectContaining({ code: 'invalid_external_url' }));
  });

  it('video anchors and showcase links with such URLs are 400 and change nothing', async () => {
    for (const url of REFUSED) {
      const res = await put(`/v1/videos/${videoId}/external-anchors`, { anchors: [{ url: 'https://trailgear.com/ok' }, { url }] });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(400);
      expect(res.json().error.code).toBe('invalid_external_url');
      const links = await put('/v1/creators/me/showcase-links', { links: [{ url }] });
      expect(links.statusCode, `${url}: ${links.body}`).toBe(400);
    }
    // The host this request came on.
    const own = await put(`/v1/videos/${videoId}/external-anchors`, { anchors: [{ url: 'https://market.example.net/x' }] }, 'market.example.net');
    expect([own.statusCode, own.json().error.code]).toEqual([400, 'invalid_external_url']);
    const video = (await t.app.inject({ method: 'GET', url: `/v1/videos/${videoId}`, headers: creator.auth })).json();
    expect(video.anchors.filter((a: { type: string }) => a.type === 'external')).toEqual([]);
    expect(await t.db.select().from(showcaseLinks).where(eq(showcaseLinks.creatorId, creator.id))).toEqual([]);
  });

  it('/out/<anchor> never redirects to an anchor stored before the rules; a good one still does', async () => {
    const stored = async (url: string) => {
      const id = newId('anc');
      await t.db.insert(showcaseLinks).values({ id, creatorId: creator.id, position: 0, url, createdAt: t.clock.now() });
      return id;
    };
    for (const url of ['https://user:pass@evil.example/', 'https://loopshop.dev/account', 'http://127.0.0.1/admin', 'javascript:alert(1)']) {
      const res = await t.app.inject({ method: 'GET', url: `/out/${await stored(url)}` });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers.location, url).toBeUndefined();
      expect(res.headers['content-type']).toMatch(/text\/html/);
    }
    // Stored as an external site, but the request came on that host: no redirect either.
    const sameHost = await stored('https://market.example.net/landing');
    const res = await t.app.inject({ method: 'GET', url: `/out/${sameHost}`, headers: { host: 'market.example.net' } });
    expect([res.statusCode, res.headers.location]).toEqual([200, undefined]);
    expect(await t.db.select().from(linkClicks)).toEqual([]);

    const good = await stored('https://trailgear.com/products/tent');
    const out = await t.app.inject({ method: 'GET', url: `/out/${good}` });
    expect([out.statusCode, out.headers.location]).toEqual([302, 'https://trailgear.com/products/tent']);
    expect(await t.db.select().from(linkClicks)).toHaveLength(1);
  });
});
