import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../platform/clock.js';
import { market } from '../platform/markets.js';
import { testApp, type TestApp } from '../test/app.js';
import { videos } from '../modules/content/index.js';
import { insertVideo } from '../modules/content/index.js';
import { addToCart, cardBody, checkoutReq, shopWithProduct, type ShopFixture } from '../modules/orders/index.js';
import { runCutover } from './cutover.js';
import { linkClicks } from '../modules/links/index.js';

type Auth = { authorization: string };
type Res = { statusCode: number; body: string; json(): unknown };

describe('link policy: semi-closed click-outs, refusals in closed markets, scheduled cut-over', () => {
  let t: TestApp;
  let dir: string;
  let operator: { id: string; auth: Auth };
  let creator: { id: string; auth: Auth };
  let buyer: { id: string; auth: Auth };
  let shop: ShopFixture;
  let videoId: string;
  let shippedOrderId: string;

  const req = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, auth?: Auth, payload?: object) =>
    t.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  const ok = <T = Record<string, unknown>>(res: Res, status = 200) => {
    expect(res.statusCode, res.body).toBe(status);
    return res.json() as T;
  };
  const refused = (res: Res) => {
    expect(res.statusCode, res.body).toBe(422);
    const { error } = res.json() as { error: { code: string; details: { spans: Array<{ field: string; text: string; start: number; end: number }> } } };
    expect(error.code).toBe('external_link_forbidden');
    expect(error.details.spans.length).toBeGreaterThan(0);
    return error.details.spans;
  };
  const clicks = async () => t.db.select().from(linkClicks);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'loopshop-links-'));
    t = await testApp({ mediaDir: path.join(dir, 'media') });
    operator = await t.account({ roles: ['operator'] });
    creator = await t.account({ roles: ['buyer', 'creator'], name: 'Casey Creator' });
    buyer = await t.account({ name: 'Bea Buyer' });
    shop = await shopWithProduct(t, { name: 'Trail Co', variants: [{ price: 2500, onHand: 100 }] });
    // A ready video of the creator anchoring the shop's product, its caption carrying a link.
    const row = await insertVideo(t.db, t.clock, { creatorId: creator.id, caption: 'Full review on trailgear dot com', productIds: [shop.productId] }, { type: 'test.none', payload: {} });
    await t.db.update(videos).set({ status: 'ready', publishedAt: t.clock.now() }).where(eq(videos.id, row.id));
    videoId = row.id;
    // A shipped order, for after-sales cases later.
    await addToCart(t, buyer.auth, shop.skuIds[0]!, 1);
    shippedOrderId = ok<{ orders: Array<{ id: string }> }>(await checkoutReq(t, buyer.auth, cardBody()), 201).orders[0]!.id;
    ok(await req('POST', `/v1/orders/${shippedOrderId}/shipments`, shop.owner.auth, { carrier: 'sandbox' }), 201);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('markets start semi_closed (the old default "open" is migrated)', async () => {
    expect(market('US').linkPolicyMode).toBe('semi_closed');
    expect(ok(await req('GET', '/v1/admin/markets/US/link-policy', operator.auth))).toMatchObject({ market: 'US', mode: 'semi_closed', cutover_at: null, last_cutover: null });
  });

  it('only operators set the policy or read the audit log; unknown markets 404', async () => {
    for (const who of [creator, shop.owner]) {
      expect((await req('PUT', '/v1/admin/markets/US/link-policy', who.auth, { mode: 'closed' })).statusCode).toBe(403);
      expect((await req('GET', '/v1/admin/markets/US/link-policy', who.auth)).statusCode).toBe(403);
      expect((await req('GET', '/v1/admin/audit', who.auth)).statusCode).toBe(403);
    }
    expect((await req('PUT', '/v1/admin/markets/US/link-policy', undefined, { mode: 'closed' })).statusCode).toBe(401);
    expect((await req('PUT', '/v1/admin/markets/ZZ/link-policy', operator.auth, { mode: 'closed' })).statusCode).toBe(404);
    const past = ok<{ error: { code: string } }>(await req('PUT', '/v1/admin/markets/US/link-policy', operator.auth, { mode: 'closed', cutover_at: '2020-01-01T00:00:00Z' }), 400);
    expect(past.error.code).toBe('invalid_cutover_at');
    expect(market('US').linkPolicyMode).toBe('semi_closed');
  });

  let anchorId: string;
  let showcaseLinkId: string;

  it('semi_closed: external anchors and showcase links; a tap is recorded with its cost and redirected', async () => {
    const video = ok<{ anchors: Array<{ type: string; id: string; out_url: string; active: boolean }> }>(
      await req('PUT', `/v1/videos/${videoId}/external-anchors`, creator.auth, { anchors: [{ url: 'https://trailgear.com/products/ridge-tent', title: 'My store' }] }),
    );
    const external = video.anchors.find((a) => a.type === 'external')!;
    expect(external).toMatchObject({ url: 'https://trailgear.com/products/ridge-tent', title: 'My store', out_url: `/out/${external.id}`, active: true });
    anchorId = external.id;
    expect((await req('PUT', `/v1/videos/${videoId}/external-anchors`, buyer.auth, { anchors: [] })).statusCode).toBe(404);
    expect(ok<{ error: { code: string } }>(await req('PUT', `/v1/videos/${videoId}/external-anchors`, creator.auth, { anchors: [{ url: 'https://loopshop.dev/x' }] }), 400).error.code).toBe('invalid_external_url');
    const showcase = ok<{ links: Array<{ id: string; url: string }> }>(await req('PUT', '/v1/creators/me/showcase-links', creator.auth, { links: [{ url: 'trailgear.com', title: 'Store' }] }));
    expect(showcase.links).toMatchObject([{ url: 'https://trailgear.com/' }]);
    showcaseLinkId = showcase.links[0]!.id;

    const out = await req('GET', `/out/${anchorId}`, buyer.auth);
    expect(out.statusCode).toBe(302);
    expect(out.headers.location).toBe('https://trailgear.com/products/ridge-tent');
    expect((await req('GET', `/out/${showcaseLinkId}`)).statusCode).toBe(302);
    expect((await req('GET', '/out/anc_00000000000000000000000000')).statusCode).toBe(404);
    const recorded = await clicks();
    expect(recorded).toHaveLength(2);
    expect(recorded.find((c) => c.anchorId === anchorId)).toMatchObject({ ownerId: creator.id, viewerId: buyer.id, market: 'US', costAmount: 10, currency: 'USD' });
    expect(recorded.every((c) => c.deviceId)).toBe(true);
    const policy = ok<{ clicks: unknown }>(await req('GET', '/v1/admin/markets/US/link-policy', operator.auth));
    expect(policy.clicks).toEqual({ count: 2, cost: { amount: 20, currency: 'USD' } });
    // Links in texts are fine while semi-closed.
    ok(await req('PATCH', `/v1/products/${shop.productId}`, shop.owner.auth, { description: 'Also at trailgear.com' }));
  });

  it('cut-over on simulated time: before, at the time, after', async () => {
    const at = new Date(t.clock.now().getTime() + DAY);
    const scheduled = ok(await req('PUT', '/v1/admin/markets/US/link-policy', operator.auth, { mode: 'closed', cutover_at: at.toISOString() }));
    expect(scheduled).toMatchObject({ mode: 'semi_closed', cutover_at: at.toISOString() });

    // Before: still semi-closed, click-outs recorded and redirected.
    t.clock.advance(DAY - HOUR);
    await t.app.ctx.jobs.runDue();
    expect(market('US').linkPolicyMode).toBe('semi_closed');
    expect((await req('GET', `/out/${anchorId}`)).statusCode).toBe(302);
    expect(await clicks()).toHaveLength(3);

    // At the time: closed, every external anchor off, owners notified, the way out replaced.
    t.clock.advance(HOUR);
    await t.app.ctx.jobs.runDue();
    expect(market('US').linkPolicyMode).toBe('closed');
    const publicView = ok<{ anchors: Array<{ type: string }> }>(await req('GET', `/v1/videos/${videoId}`));
    expect(publicView.anchors.map((a) => a.type)).toEqual(['product']);
    const ownView = ok<{ caption: string; caption_flagged: boolean; anchors: Array<{ type: string; active?: boolean }> }>(await req('GET', `/v1/videos/${videoId}`, creator.auth));
    expect(ownView.anchors).toMatchObject([{ type: 'product' }, { type: 'external', active: false }]);
    expect(ownView).toMatchObject({ caption: 'Full review on trailgear dot com', caption_flagged: true });
    expect(ok<{ links: unknown[] }>(await req('GET', `/v1/creators/${creator.id}/showcase`)).links).toEqual([]);

    const inbox = ok<{ data: Array<{ id: string; type: string; data: { market: string; anchors: Array<{ id: string }>; flagged_videos: string[] } }> }>(await req('GET', '/v1/notifications', creator.auth));
    expect(inbox.data).toHaveLength(1);
    expect(inbox.data[0]).toMatchObject({ type: 'links.cutover', data: { market: 'US', flagged_videos: [videoId] } });
    expect(inbox.data[0]!.data.anchors.map((a) => a.id).sort()).toEqual([anchorId, showcaseLinkId].sort());

    const page = await req('GET', `/out/${anchorId}`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('Trail Co product');
    expect(page.body).toContain('Casey Creator');
    expect(await clicks()).toHaveLength(3);

    const policy = ok<{ mode: string; last_cutover: unknown }>(await req('GET', '/v1/admin/markets/US/link-policy', operator.auth));
    expect(policy).toMatchObject({ mode: 'closed', cutover_at: at.toISOString(), last_cutover: { market: 'US', anchors_deactivated: 2, captions_flagged: 1, owners_notified: 1 } });
    const audit = ok<{ data: Array<{ action: string; target_id: string; actor_id: string | null }> }>(await req('GET', '/v1/admin/audit?limit=100', operator.auth));
    expect(audit.data.map((e) => e.action).sort()).toEqual(
      ['external_anchor.deactivated', 'external_anchor.deactivated', 'link_policy.cutover', 'link_policy.set', 'video.caption_flagged'].sort(),
    );
    const paged = ok<{ data: unknown[]; next_cursor: string }>(await req('GET', '/v1/admin/audit?limit=2', operator.auth));
    expect(paged.data).toHaveLength(2);
    expect(ok<{ data: unknown[] }>(await req('GET', `/v1/admin/audit?limit=100&cursor=${paged.next_cursor}`, operator.auth)).data).toHaveLength(3);

    // Running it again changes nothing twice.
    expect(await t.db.transaction((tx) => runCutover(tx, t.clock, 'US'))).toBeNull();
    expect(ok<{ data: unknown[] }>(await req('GET', '/v1/notifications', creator.auth)).data).toHaveLength(1);
    expect(ok<{ data: unknown[] }>(await req('GET', '/v1/admin/audit?limit=100', operator.auth)).data).toHaveLength(5);
  });

  it('notifications: read your own, another user’s is 404', async () => {
    const [n] = ok<{ data: Array<{ id: string }> }>(await req('GET', '/v1/notifications', creator.auth)).data;
    expect((await req('POST', `/v1/notifications/${n!.id}/read`, buyer.auth)).statusCode).toBe(404);
    expect(ok<{ read_at: string }>(await req('POST', `/v1/notifications/${n!.id}/read`, creator.auth)).read_at).toBe(t.clock.now().toISOString());
    expect(ok<{ data: unknown[] }>(await req('GET', '/v1/notifications?unread=true', creator.auth)).data).toEqual([]);
    expect((await req('POST', '/v1/notifications/ntf_00000000000000000000000000/read', creator.auth)).statusCode).toBe(404);
  });

  it('after: every write with an external link is refused with its spans, and changes nothing', async () => {
    // Caption edit.
    const spans = refused(await req('PATCH', `/v1/videos/${videoId}`, creator.auth, { caption: 'New drop at shop．example．com!' }));
    expect(spans).toMatchObject([{ field: 'caption', start: 12, end: 28, text: 'shop．example．com' }]);
    expect(ok<{ caption: string }>(await req('GET', `/v1/videos/${videoId}`, creator.auth)).caption).toBe('Full review on trailgear dot com');
    // No external anchor, no showcase link can be created.
    refused(await req('PUT', `/v1/videos/${videoId}/external-anchors`, creator.auth, { anchors: [{ url: 'https://trailgear.com' }] }));
    refused(await req('PUT', '/v1/creators/me/showcase-links', creator.auth, { links: [{ url: 'https://trailgear.com' }] }));
    // Product title and description, on create and edit.
    const before = ok<{ title: string; description: string }>(await req('GET', `/v1/products/${shop.productId}`, shop.owner.auth));
    refused(await req('PATCH', `/v1/products/${shop.productId}`, shop.owner.auth, { title: 'Tent (see bit.ly/tent)' }));
    refused(await req('PATCH', `/v1/products/${shop.productId}`, shop.owner.auth, { description: 'Order at trail-gear(dot)com' }));
    expect(ok(await req('GET', `/v1/products/${shop.productId}`, shop.owner.auth))).toMatchObject({ title: before.title, description: before.description });
    const count = async () => ok<{ data: unknown[] }>(await req('GET', `/v1/products?shop_id=${shop.shopId}&status=all`, shop.owner.auth)).data.length;
    const products = await count();
    refused(
      await req('POST', `/v1/shops/${shop.shopId}/products`, shop.owner.auth, {
        title: 'Stove',
        description: 'Cheaper at www.stoves-shop.com',
        variants: [{ price: { amount: 999, currency: 'USD' } }],
      }),
    );
    expect(await count()).toBe(products);
    // After-sales reason and notes.
    const body = { type: 'refund_only', reason: 'Broken; email me at bea@mail.example.com' };
    refused(await req('POST', `/v1/orders/${shippedOrderId}/after-sales`, buyer.auth, body));
    expect(ok<{ data: unknown[] }>(await req('GET', '/v1/after-sales?role=buyer', buyer.auth)).data).toEqual([]);
    const opened = ok<{ id: string; timeline: unknown[] }>(await req('POST', `/v1/orders/${shippedOrderId}/after-sales`, buyer.auth, { type: 'refund_only', reason: 'Broken pole' }), 201);
    refused(await req('POST', `/v1/after-sales/${opened.id}/reject`, shop.owner.auth, { note: 'Buy spare parts on ехаmple.com' }));
    expect(ok<{ status: string }>(await req('GET', `/v1/after-sales/${opened.id}`, buyer.auth)).status).toBe('requested');
    // Profile name, on sign-up and edit.
    refused(await req('PATCH', '/v1/me', creator.auth, { name: 'Casey | trailgear.com' }));
    expect(ok<{ user: { name: string } }>(await req('GET', '/v1/me', creator.auth)).user.name).toBe('Casey Creator');
    refused(await req('POST', '/v1/auth/sign-up', undefined, { email: 'spam@test.loopshop.dev', password: 'correct horse battery', name: 'deals dot xyz' }));
    // Platform links stay allowed; a caption without links clears the flag.
    const edited = ok<{ caption_flagged: boolean }>(await req('PATCH', `/v1/videos/${videoId}`, creator.auth, { caption: 'Buy it here: https://loopshop.dev/products/x' }));
    expect(edited.caption_flagged).toBe(false);
    // The links check tells the UI what a write would refuse.
    expect(ok(await req('POST', '/v1/links/check', creator.auth, { text: 'see t.co/abc' }))).toMatchObject({ market: 'US', mode: 'closed', forbidden: true, spans: [{ text: 't.co/abc', reason: 'shortener' }] });
  });

  it('reopening cancels nothing that was turned off; a later scheduled cut-over that is cancelled never runs', async () => {
    ok(await req('PUT', '/v1/admin/markets/US/link-policy', operator.auth, { mode: 'semi_closed' }));
    expect(market('US').linkPolicyMode).toBe('semi_closed');
    expect(ok<{ anchors: Array<{ type: string }> }>(await req('GET', `/v1/videos/${videoId}`)).anchors.map((a) => a.type)).toEqual(['product']);
    const at = new Date(t.clock.now().getTime() + HOUR).toISOString();
    ok(await req('PUT', '/v1/admin/markets/US/link-policy', operator.auth, { mode: 'closed', cutover_at: at }));
    ok(await req('PUT', '/v1/admin/markets/US/link-policy', operator.auth, { mode: 'semi_closed' }));
    t.clock.advance(2 * HOUR);
    await t.app.ctx.jobs.runDue();
    expect(market('US').linkPolicyMode).toBe('semi_closed');
    // Closing without a date runs the cut-over at once.
    const now = ok(await req('PUT', '/v1/admin/markets/US/link-policy', operator.auth, { mode: 'closed' }));
    expect(now).toMatchObject({ mode: 'closed', cutover_at: t.clock.now().toISOString(), last_cutover: { anchors_deactivated: 0, owners_notified: 0 } });
  });
});
