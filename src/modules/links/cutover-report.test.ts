import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY } from '../../platform/clock.js';
import { testApp, type TestApp } from '../../test/app.js';
import { videos } from '../content/index.js';
import { insertVideo } from '../content/index.js';

type Auth = { authorization: string };
type Res = { statusCode: number; body: string; json(): unknown };

interface Report {
  market: string;
  mode: string;
  cutover_at: string | null;
  report: null | Record<string, unknown>;
  owners: { data: Array<{ id: string; name: string; anchors: number; store_links: number; captions: number }>; next_cursor: string | null };
}

describe('cut-over report (operators)', () => {
  let t: TestApp;
  let operator: Awaited<ReturnType<TestApp['account']>>;
  let creator: Awaited<ReturnType<TestApp['account']>>;
  let seller: Awaited<ReturnType<TestApp['seller']>>;

  const req = (method: 'GET' | 'PUT', url: string, auth?: Auth, payload?: object) => t.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  const ok = <T>(res: Res, status = 200) => {
    expect(res.statusCode, res.body).toBe(status);
    return res.json() as T;
  };
  const report = async (query = '') => ok<Report>(await req('GET', `/v1/admin/markets/US/cutover-report${query}`, operator.auth));

  beforeAll(async () => {
    t = await testApp();
    operator = await t.account({ roles: ['operator'] });
    creator = await t.account({ roles: ['buyer', 'creator'], name: 'Casey Creator' });
    seller = await t.seller({ shopName: 'Trail Co' });
    // The creator: a video with two external anchors and a caption with a link; the seller: a store link.
    const row = await insertVideo(t.db, t.clock, { creatorId: creator.id, caption: 'More at trailgear.com', productIds: [] }, { type: 'test.none', payload: {} });
    await t.db.update(videos).set({ status: 'ready', publishedAt: t.clock.now() }).where(eq(videos.id, row.id));
    ok(await req('PUT', `/v1/videos/${row.id}/external-anchors`, creator.auth, { anchors: [{ url: 'https://trailgear.com/a' }, { url: 'https://trailgear.com/b' }] }));
    ok(await req('PUT', '/v1/creators/me/showcase-links', seller.auth, { links: [{ url: 'https://trail.example.com', title: 'Our store' }] }));
  });
  afterAll(async () => {
    if (t) await req('PUT', '/v1/admin/markets/US/link-policy', operator.auth, { mode: 'semi_closed' });
    await t?.close();
  });

  it("a creator's shops, public, for the page a retired link lands on", async () => {
    expect(ok(await req('GET', `/v1/creators/${seller.id}/shops`))).toMatchObject({ creator: { id: seller.id, name: 'Test User' }, data: [{ id: seller.shopId, name: 'Trail Co', market: 'US' }] });
    expect(ok(await req('GET', `/v1/creators/${creator.id}/shops`))).toEqual({ creator: { id: creator.id, name: 'Casey Creator' }, data: [] });
    expect((await req('GET', '/v1/creators/usr_00000000000000000000000000/shops')).statusCode).toBe(404);
  });

  it('operators only; unknown market 404; bad cursor 400', async () => {
    expect((await req('GET', '/v1/admin/markets/US/cutover-report', seller.auth)).statusCode).toBe(403);
    expect((await req('GET', '/v1/admin/markets/US/cutover-report')).statusCode).toBe(401);
    expect((await req('GET', '/v1/admin/markets/ZZ/cutover-report', operator.auth)).statusCode).toBe(404);
    expect((await req('GET', '/v1/admin/markets/US/cutover-report?cursor=abc', operator.auth)).statusCode).toBe(400);
  });

  it('before any cut-over: the schedule, no report', async () => {
    expect(await report()).toEqual({ market: 'US', mode: 'semi_closed', cutover_at: null, report: null, owners: { data: [], next_cursor: null } });
    const at = new Date(t.clock.now().getTime() + DAY).toISOString();
    ok(await req('PUT', '/v1/admin/markets/US/link-policy', operator.auth, { mode: 'closed', cutover_at: at }));
    expect(await report()).toMatchObject({ mode: 'semi_closed', cutover_at: at, report: null });
  });

  it('after: anchors, store links, captions and the owners notified with what each lost', async () => {
    t.clock.advance(DAY);
    await t.app.ctx.jobs.runDue();
    const r = await report();
    expect(r).toMatchObject({
      mode: 'closed',
      report: { market: 'US', anchors_deactivated: 3, video_anchors_deactivated: 2, store_links_retired: 1, captions_flagged: 1, owners_notified: 2 },
    });
    expect(r.owners.data.map((o) => [o.name, o.anchors, o.store_links, o.captions]).sort()).toEqual([
      ['Casey Creator', 2, 0, 1],
      ['Test User', 0, 1, 0],
    ]);
    expect(r.owners.next_cursor).toBeNull();
    const first = await report('?limit=1');
    expect(first.owners.data).toHaveLength(1);
    expect(first.owners.next_cursor).toBe('1');
    const second = await report(`?limit=1&cursor=${first.owners.next_cursor}`);
    expect([...first.owners.data, ...second.owners.data]).toEqual(r.owners.data);
    expect(second.owners.next_cursor).toBeNull();
    // The policy view carries the same counts.
    expect(ok<{ last_cutover: unknown }>(await req('GET', '/v1/admin/markets/US/link-policy', operator.auth)).last_cutover).toMatchObject({ video_anchors_deactivated: 2, store_links_retired: 1 });
  });
});
