import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../platform/ids.js';
import { testApp, type TestApp } from '../../test/app.js';
import { auditLog } from '../audit/index.js';
import { creatorShowcase, showcaseLinks, videoAnchors, videos } from '../content/index.js';
import { insertVideo } from '../content/index.js';
import { addShopMember } from '../sellers/index.js';
import { handleFromUrl } from './anchors.js';
import { importedProducts } from './schema.js';
import { createImport, processImport } from './service.js';

const FIXTURE = readFileSync(path.join(import.meta.dirname, 'fixtures/products.csv'));

type Auth = { authorization: string };
type Res = { statusCode: number; body: string; json(): unknown };
interface Brief {
  id: string;
  title: string;
  status: string;
}
interface Proposal {
  anchor: { id: string; kind: 'video' | 'showcase'; video_id: string | null; url: string; title: string | null; active: boolean };
  handle: string | null;
  product: Brief | null;
  replaced_by: Brief | null;
}
interface Problem {
  index: number;
  reason: string;
}

describe('replace external anchors with imported products', () => {
  let t: TestApp;
  let dir: string;
  let seller: Awaited<ReturnType<TestApp['seller']>>;
  let staff: Awaited<ReturnType<TestApp['account']>>;
  let other: Awaited<ReturnType<TestApp['seller']>>;
  let operator: Awaited<ReturnType<TestApp['account']>>;
  /** Imported product ids by handle. */
  const products: Record<string, string> = {};
  let otherProduct: string;
  let videoId: string;
  let staffVideoId: string;
  let otherAnchor: string;

  const req = (method: 'GET' | 'POST' | 'PUT', url: string, auth?: Auth, payload?: object) => t.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  const ok = <T = Record<string, unknown>>(res: Res, status = 200) => {
    expect(res.statusCode, res.body).toBe(status);
    return res.json() as T;
  };
  const proposals = async (auth: Auth = seller.auth, query = '') => ok<{ data: Proposal[]; next_cursor: string | null }>(await req('GET', `/v1/shops/${seller.shopId}/anchor-replacements${query}`, auth));
  const apply = (choices: Array<{ anchor_id: string; product_id: string | null }>, auth: Auth = seller.auth, shopId = seller.shopId) =>
    req('POST', `/v1/shops/${shopId}/anchor-replacements`, auth, { choices });
  const problems = (res: Res) => {
    const { error } = ok<{ error: { code: string; details: { choices: Problem[] } } }>(res, 422);
    expect(error.code).toBe('invalid_choices');
    return error.details.choices.map((c) => [c.index, c.reason]);
  };
  const readyVideo = async (creatorId: string, productIds: string[] = []) => {
    const row = await insertVideo(t.db, t.clock, { creatorId, caption: 'New season', productIds }, { type: 'test.none', payload: {} });
    await t.db.update(videos).set({ status: 'ready', publishedAt: t.clock.now() }).where(eq(videos.id, row.id));
    return row.id;
  };
  const externalIds = async (vid: string) => (await t.db.select().from(videoAnchors).where(eq(videoAnchors.videoId, vid))).filter((a) => a.type === 'external').map((a) => a.id);
  const snapshot = async () => ({
    anchors: await t.db.select().from(videoAnchors).orderBy(videoAnchors.id),
    links: await t.db.select().from(showcaseLinks).orderBy(showcaseLinks.id),
    showcase: await t.db.select().from(creatorShowcase).orderBy(creatorShowcase.productId),
    audit: (await t.db.select().from(auditLog)).length,
  });
  const importInto = async (shopId: string, userId: string) => {
    const created = await createImport(t.db, t.clock, dir, { shopId, userId, data: FIXTURE }, { enqueue: false });
    return processImport(t.db, t.clock, dir, created.id);
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'loopshop-anchors-'));
    t = await testApp({ dataDir: dir, mediaDir: path.join(dir, 'media') });
    seller = await t.seller({ shopName: 'Northwind' });
    other = await t.seller({ shopName: 'Elsewhere' });
    operator = await t.account({ roles: ['operator'] });
    staff = await t.account({ roles: ['buyer', 'creator'], name: 'Sam Staff' });
    await addShopMember(t.db, t.clock, seller.shopId, staff.id, 'staff');
    expect((await importInto(seller.shopId, seller.id)).products_created).toBe(3);
    expect((await importInto(other.shopId, other.id)).products_created).toBe(3);
    for (const r of await t.db.select().from(importedProducts).where(eq(importedProducts.shopId, seller.shopId))) products[r.handle] = r.productId;
    otherProduct = (await t.db.select().from(importedProducts).where(eq(importedProducts.shopId, other.shopId)))[0]!.productId;
    expect(Object.keys(products).sort()).toEqual(['camp-mug', 'lantern', 'trail-tee']);

    // The owner's video with three external anchors; a staff member's with one; a store link on the owner's showcase.
    videoId = await readyVideo(seller.id);
    ok(
      await req('PUT', `/v1/videos/${videoId}/external-anchors`, seller.auth, {
        anchors: [
          { url: 'https://northwind.example.com/products/Trail-Tee/?variant=123#reviews', title: 'Tee' },
          { url: 'https://northwind.example.com/', title: 'Store' },
          { url: 'https://northwind.example.com/products/unknown-thing', title: null },
        ],
      }),
    );
    staffVideoId = await readyVideo(staff.id);
    ok(await req('PUT', `/v1/videos/${staffVideoId}/external-anchors`, staff.auth, { anchors: [{ url: 'https://northwind.example.com/collections/all/camp-mug' }] }));
    ok(await req('PUT', '/v1/creators/me/showcase-links', seller.auth, { links: [{ url: 'https://northwind.example.com/products/lantern', title: 'My store' }] }));
    // Another seller's anchor with a handle this shop imported too.
    const otherVideo = await readyVideo(other.id);
    ok(await req('PUT', `/v1/videos/${otherVideo}/external-anchors`, other.auth, { anchors: [{ url: 'https://elsewhere.example.com/products/trail-tee' }] }));
    otherAnchor = (await externalIds(otherVideo))[0]!;
  });
  afterAll(async () => {
    if (t) await req('PUT', '/v1/admin/markets/US/link-policy', operator.auth, { mode: 'semi_closed' });
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the handle from the last path segment of a URL', () => {
    expect(handleFromUrl('https://shop.example.com/products/Trail-Tee')).toBe('trail-tee');
    expect(handleFromUrl('https://shop.example.com/products/trail-tee/?variant=1#top')).toBe('trail-tee');
    expect(handleFromUrl('https://shop.example.com/collections/summer/products/camp-mug')).toBe('camp-mug');
    expect(handleFromUrl('https://shop.example.com/camp%2Dmug')).toBe('camp-mug');
    expect(handleFromUrl('https://shop.example.com/%E4%B8%AD%E6%96%87')).toBe('中文');
    expect(handleFromUrl('https://shop.example.com/products/')).toBeNull();
    expect(handleFromUrl('https://shop.example.com/')).toBeNull();
    expect(handleFromUrl('https://shop.example.com/?q=tee')).toBeNull();
  });

  it("proposes the imported product for each of the shop's anchors whose URL ends with its handle", async () => {
    const { data, next_cursor } = await proposals();
    expect(next_cursor).toBeNull();
    expect(data.map((p) => [p.anchor.kind, p.anchor.url, p.handle, p.product?.id ?? null, p.anchor.active, p.replaced_by])).toEqual([
      ['video', 'https://northwind.example.com/products/Trail-Tee/?variant=123#reviews', 'trail-tee', products['trail-tee'], true, null],
      ['video', 'https://northwind.example.com/', null, null, true, null],
      ['video', 'https://northwind.example.com/products/unknown-thing', 'unknown-thing', null, true, null],
      ['video', 'https://northwind.example.com/collections/all/camp-mug', 'camp-mug', products['camp-mug'], true, null],
      ['showcase', 'https://northwind.example.com/products/lantern', 'lantern', products.lantern, true, null],
    ]);
    expect(data[0]!.anchor).toMatchObject({ video_id: videoId, title: 'Tee' });
    expect(data[0]!.product).toMatchObject({ title: 'Trail Tee', status: 'draft' });
    expect(data[3]!.anchor.video_id).toBe(staffVideoId);
    // The staff member sees the same; pages follow the cursor.
    expect((await proposals(staff.auth)).data).toHaveLength(5);
    const first = await proposals(seller.auth, '?limit=2');
    expect(first.data).toHaveLength(2);
    const rest = await proposals(seller.auth, `?limit=10&cursor=${first.next_cursor}`);
    expect([...first.data, ...rest.data].map((p) => p.anchor.id)).toEqual(data.map((p) => p.anchor.id));
  });

  it("another seller's shop is 404, signed out 401", async () => {
    expect((await req('GET', `/v1/shops/${seller.shopId}/anchor-replacements`, other.auth)).statusCode).toBe(404);
    expect((await req('GET', `/v1/shops/${seller.shopId}/anchor-replacements`)).statusCode).toBe(401);
    const [p] = (await proposals()).data;
    expect((await apply([{ anchor_id: p!.anchor.id, product_id: products['trail-tee']! }], other.auth)).statusCode).toBe(404);
    expect((await req('GET', '/v1/shops/shp_00000000000000000000000000/anchor-replacements', seller.auth)).statusCode).toBe(404);
  });

  it('refuses bad choices by index and changes nothing', async () => {
    const [tee, , , mug] = (await proposals()).data;
    const before = await snapshot();
    expect(
      problems(
        await apply([
          { anchor_id: tee!.anchor.id, product_id: products['trail-tee']! }, // fine on its own
          { anchor_id: otherAnchor, product_id: products['trail-tee']! }, // another seller's anchor
          { anchor_id: mug!.anchor.id, product_id: otherProduct }, // another shop's product
          { anchor_id: tee!.anchor.id, product_id: null }, // the same anchor twice
          { anchor_id: newId('anc'), product_id: null }, // no such anchor
          { anchor_id: newId('anc'), product_id: newId('prd') }, // neither exists
        ]),
      ),
    ).toEqual([
      [1, 'unknown_anchor'],
      [2, 'unknown_product'],
      [3, 'duplicate_anchor'],
      [4, 'unknown_anchor'],
      [5, 'unknown_anchor'],
    ]);
    expect(problems(await apply([{ anchor_id: mug!.anchor.id, product_id: newId('prd') }]))).toEqual([[0, 'unknown_product']]);
    expect(await snapshot()).toEqual(before);
    // Malformed ids are refused by validation, with the choice's index in the field.
    const bad = ok<{ error: { code: string; details: Array<{ field: string }> } }>(await apply([{ anchor_id: 'anc_x', product_id: null }]), 400);
    expect(bad.error.details[0]!.field).toContain('choices/0/anchor_id');
    expect((await req('POST', `/v1/shops/${seller.shopId}/anchor-replacements`, seller.auth, { choices: [] })).statusCode).toBe(400);
  });

  it('applies choices in one go: product anchored on the same video or showcase, external anchor off, audited', async () => {
    const [tee, store, , mug, lantern] = (await proposals()).data;
    const res = ok<{ results: Array<{ index: number; outcome: string }> }>(
      await apply([
        { anchor_id: tee!.anchor.id, product_id: tee!.product!.id },
        { anchor_id: store!.anchor.id, product_id: null },
        { anchor_id: mug!.anchor.id, product_id: mug!.product!.id },
        { anchor_id: lantern!.anchor.id, product_id: lantern!.product!.id },
      ]),
    );
    expect(res.results.map((r) => r.outcome)).toEqual(['replaced', 'skipped', 'replaced', 'replaced']);

    const own = ok<{ anchors: Array<{ type: string; id?: string; active?: boolean; product?: { id: string } }> }>(await req('GET', `/v1/videos/${videoId}`, seller.auth));
    expect(own.anchors.map((a) => [a.type, a.active ?? null, a.product?.id ?? null])).toEqual([
      ['external', false, null],
      ['external', true, null],
      ['external', true, null],
      ['product', null, products['trail-tee']],
    ]);
    const staffView = ok<{ anchors: Array<{ type: string; active?: boolean; product?: { id: string } }> }>(await req('GET', `/v1/videos/${staffVideoId}`, staff.auth));
    expect(staffView.anchors.map((a) => [a.type, a.active ?? null, a.product?.id ?? null])).toEqual([
      ['external', false, null],
      ['product', null, products['camp-mug']],
    ]);
    const showcase = await t.db.select().from(creatorShowcase).where(eq(creatorShowcase.creatorId, seller.id));
    expect(showcase.map((s) => s.productId)).toEqual([products.lantern]);
    expect((await t.db.select().from(showcaseLinks).where(eq(showcaseLinks.id, lantern!.anchor.id)))[0]).toMatchObject({ replacedByProductId: products.lantern });
    expect(ok<{ links: unknown[] }>(await req('GET', `/v1/creators/${seller.id}/showcase`)).links).toEqual([]);

    const after = (await proposals()).data;
    expect(after.map((p) => [p.anchor.active, p.replaced_by?.id ?? null])).toEqual([
      [false, products['trail-tee']],
      [true, null],
      [true, null],
      [false, products['camp-mug']],
      [false, products.lantern],
    ]);
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.action, 'external_anchor.replaced'));
    expect(audit.map((e) => [e.targetType, e.targetId, e.actorId]).sort()).toEqual(
      [
        ['video_anchor', tee!.anchor.id, seller.id],
        ['video_anchor', mug!.anchor.id, seller.id],
        ['showcase_link', lantern!.anchor.id, seller.id],
      ].sort(),
    );
    expect(audit.find((e) => e.targetId === tee!.anchor.id)!.data).toMatchObject({ shop_id: seller.shopId, product_id: products['trail-tee'], deactivated: true, attached: true });
  });

  it('re-applying is a no-op; another product for a replaced anchor is refused', async () => {
    const [tee, , , mug, lantern] = (await proposals()).data;
    const before = await snapshot();
    const again = ok<{ results: Array<{ outcome: string }> }>(
      await apply([
        { anchor_id: tee!.anchor.id, product_id: products['trail-tee']! },
        { anchor_id: mug!.anchor.id, product_id: products['camp-mug']! },
        { anchor_id: lantern!.anchor.id, product_id: products.lantern! },
      ]),
    );
    expect(again.results.map((r) => r.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(await snapshot()).toEqual(before);
    expect(problems(await apply([{ anchor_id: tee!.anchor.id, product_id: products['camp-mug']! }]))).toEqual([[0, 'already_replaced']]);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a video over 5 anchors and a full showcase', async () => {
    // A video already at 5 product anchors with an external anchor turned off by a cut-over.
    const full = await readyVideo(seller.id, [newId('prd'), newId('prd'), newId('prd'), newId('prd'), newId('prd')]);
    const offId = newId('anc');
    await t.db.insert(videoAnchors).values({ id: offId, videoId: full, position: 5, type: 'external', url: 'https://northwind.example.com/products/trail-tee', deactivatedAt: t.clock.now() });
    // The owner's showcase at 50 products, one store link turned off.
    await t.db.insert(creatorShowcase).values(Array.from({ length: 49 }, (_, i) => ({ creatorId: seller.id, productId: newId('prd'), position: i + 1, addedAt: t.clock.now() })));
    const linkId = newId('anc');
    await t.db.insert(showcaseLinks).values({ id: linkId, creatorId: seller.id, position: 5, url: 'https://northwind.example.com/products/camp-mug', createdAt: t.clock.now(), deactivatedAt: t.clock.now() });
    const before = await snapshot();
    expect(
      problems(
        await apply([
          { anchor_id: offId, product_id: products['trail-tee']! },
          { anchor_id: linkId, product_id: products['camp-mug']! },
        ]),
      ),
    ).toEqual([
      [0, 'too_many_anchors'],
      [1, 'showcase_full'],
    ]);
    // A product the showcase already holds needs no room.
    expect(ok<{ results: Array<{ outcome: string }> }>(await apply([{ anchor_id: linkId, product_id: products.lantern! }])).results[0]!.outcome).toBe('replaced');
    const now = await snapshot();
    expect(now.showcase).toEqual(before.showcase);
    expect(now.audit).toBe(before.audit + 1);
    await t.db.delete(videos).where(eq(videos.id, full));
    await t.db.delete(showcaseLinks).where(eq(showcaseLinks.id, linkId));
    await t.db.delete(creatorShowcase).where(inArray(creatorShowcase.productId, before.showcase.filter((s) => s.productId !== products.lantern).map((s) => s.productId)));
  });

  it('after a cut-over the turned-off anchors are still proposed and replaceable', async () => {
    const video = await readyVideo(seller.id);
    ok(await req('PUT', `/v1/videos/${video}/external-anchors`, seller.auth, { anchors: [{ url: 'https://northwind.example.com/products/CAMP-MUG' }] }));
    const [anchorId] = await externalIds(video);
    ok(await req('PUT', '/v1/admin/markets/US/link-policy', operator.auth, { mode: 'closed' }));
    const proposal = (await proposals()).data.find((p) => p.anchor.id === anchorId)!;
    expect(proposal).toMatchObject({ anchor: { active: false }, handle: 'camp-mug', product: { id: products['camp-mug'] }, replaced_by: null });
    expect(ok<{ results: Array<{ outcome: string }> }>(await apply([{ anchor_id: anchorId!, product_id: products['camp-mug']! }])).results[0]!.outcome).toBe('replaced');
    const own = ok<{ anchors: Array<{ type: string; product?: { id: string } }> }>(await req('GET', `/v1/videos/${video}`, seller.auth));
    expect(own.anchors.map((a) => [a.type, a.product?.id ?? null])).toEqual([
      ['external', null],
      ['product', products['camp-mug']],
    ]);
    const entry = (await t.db.select().from(auditLog).where(eq(auditLog.targetId, anchorId!))).find((e) => e.action === 'external_anchor.replaced')!;
    expect(entry.data).toMatchObject({ deactivated: false, attached: true });
  });
});
