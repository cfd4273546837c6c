import fc from 'fast-check';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, HOUR } from '../../platform/clock.js';
import { rows } from '../../platform/db.js';
import { testApp, type TestApp } from '../../test/app.js';
import { videos } from '../content/index.js';
import { liveSessions } from '../live/index.js';
import { createSession } from '../identity/index.js';
import { addShopMember } from '../sellers/index.js';
import { addToCart, cardBody, checkoutReq, livePinning, shopWithProduct, videoAnchoring, type ShopFixture } from '../orders/index.js';
import { cartItems } from './schema.js';

/**
 * Issue 14, hole 1: the buyer used to choose who earns the affiliate commission (`source.creator_id`
 * was stored as sent and settlement paid it). Attribution now comes only from facts the server
 * knows; every test here reads who checkout made the payee of each order item.
 */
type Auth = { authorization: string };
type Account = { id: string; auth: Auth };

describe('affiliate attribution comes only from server facts', () => {
  let t: TestApp;
  let s: ShopFixture;
  let other: ShopFixture;
  let creator: Account;
  let operator: Account;
  const usd = [{ price: 1000, onHand: 100_000 }];

  beforeAll(async () => {
    t = await testApp();
    s = await shopWithProduct(t, { name: 'Attr', variants: usd });
    other = await shopWithProduct(t, { name: 'Other', variants: usd });
    creator = await t.account({ name: 'Creator', roles: ['buyer', 'creator'] });
    operator = await t.account({ name: 'Operator', roles: ['operator'] });
  });
  afterAll(() => t.close());

  /** A new session for `userId` (the tests move the clock past sessions' 30 days). */
  const signIn = async (userId: string): Promise<Auth> => ({ authorization: `Bearer ${(await createSession(t.db, t.clock, userId, 30)).token}` });

  /** Adds the SKU with `source`, checks out, and answers each order item's product and source. */
  async function buy(buyer: Auth, lines: Array<{ skuId: string; source?: Record<string, string> }>, between?: () => Promise<unknown>) {
    for (const l of lines) await addToCart(t, buyer, l.skuId, 1, l.source);
    if (between) await between();
    const res = await checkoutReq(t, buyer, cardBody());
    expect(res.statusCode, res.body).toBe(201);
    const paymentId = res.json().payment.id as string;
    return rows<{ sku_id: string; product_id: string; source: Record<string, string> }>(
      t.db,
      sql`select i.sku_id, i.product_id, i.source from order_items i join orders o on o.id = i.order_id where o.payment_id = ${paymentId} order by i.sku_id`,
    );
  }
  const payeeOf = async (buyer: Auth, source: Record<string, string>, between?: () => Promise<unknown>) => (await buy(buyer, [{ skuId: s.skuIds[0]!, source }], between))[0]!.source.creator_id;

  it('the creator of a visible video anchoring the product is the payee (and the click time is the server\'s)', async () => {
    const buyer = await t.account();
    const video = await videoAnchoring(t, creator.id, [s.productId]);
    const cart = await addToCart(t, buyer.auth, s.skuIds[0]!, 1, { video_id: video });
    expect(cart.shops[0].items[0].source).toEqual({ video_id: video, creator_id: creator.id, clicked_at: t.clock.now().toISOString() });
    const [item] = await buy(buyer.auth, []);
    expect(item!.source).toEqual({ video_id: video, creator_id: creator.id });
  });

  it('a client-sent creator_id alone attributes nothing: the buyer itself, another user, a user that does not exist', async () => {
    const buyer = await t.account();
    for (const id of [buyer.id, creator.id, `usr_${'0'.repeat(26)}`]) {
      expect(await payeeOf(buyer.auth, { creator_id: id })).toBeUndefined();
    }
    // Not even beside a video that does hold: the video's creator is paid, not the id sent.
    const video = await videoAnchoring(t, creator.id, [s.productId]);
    expect(await payeeOf(buyer.auth, { video_id: video, creator_id: buyer.id })).toBe(creator.id);
  });

  it('nobody earns on their own purchase: a creator buying through its own video', async () => {
    const video = await videoAnchoring(t, creator.id, [s.productId]);
    const [item] = await buy(creator.auth, [{ skuId: s.skuIds[0]!, source: { video_id: video, creator_id: creator.id } }]);
    // The video is still where the sale came from (analytics), but it pays nobody.
    expect(item!.source).toEqual({ video_id: video });
  });

  it('no member of the selling shop earns on its products: the owner buying from its own shop, a staff video', async () => {
    const ownerVideo = await videoAnchoring(t, s.owner.id, [s.productId]);
    expect(await payeeOf(s.owner.auth, { video_id: ownerVideo })).toBeUndefined();
    const buyer = await t.account();
    expect(await payeeOf(buyer.auth, { video_id: ownerVideo })).toBeUndefined();
    const staff = await t.account({ name: 'Staff' });
    await addShopMember(t.db, t.clock, s.shopId, staff.id, 'staff');
    expect(await payeeOf(buyer.auth, { video_id: await videoAnchoring(t, staff.id, [s.productId]) })).toBeUndefined();
    // The same staff member's video of another shop's product does pay them.
    const [item] = await buy(buyer.auth, [{ skuId: other.skuIds[0]!, source: { video_id: await videoAnchoring(t, staff.id, [other.productId]) } }]);
    expect(item!.source.creator_id).toBe(staff.id);
  });

  it('a video that does not anchor the product, one not visible, one that does not exist: no attribution, the add still succeeds', async () => {
    const buyer = await t.account();
    // Sent as the old web app did, with the video's creator id beside it: still nobody is paid.
    const claim = { creator_id: creator.id };
    expect(await payeeOf(buyer.auth, { ...claim, video_id: await videoAnchoring(t, creator.id, [other.productId]) })).toBeUndefined();
    expect(await payeeOf(buyer.auth, { ...claim, video_id: await videoAnchoring(t, creator.id, [s.productId], { status: 'processing' }) })).toBeUndefined();
    expect(await payeeOf(buyer.auth, { ...claim, video_id: await videoAnchoring(t, creator.id, [s.productId], { status: 'failed' }) })).toBeUndefined();
    expect(await payeeOf(buyer.auth, { ...claim, video_id: `vid_${'0'.repeat(26)}` })).toBeUndefined();
  });

  it('checkout proves it again: a video hidden or removed after the click pays nobody', async () => {
    const buyer = await t.account();
    const hidden = await videoAnchoring(t, creator.id, [s.productId]);
    expect(await payeeOf(buyer.auth, { video_id: hidden, creator_id: creator.id }, () => t.db.update(videos).set({ status: 'failed' }).where(eq(videos.id, hidden)).then(() => undefined))).toBeUndefined();
    const removed = await videoAnchoring(t, creator.id, [s.productId]);
    const del = () => t.app.inject({ method: 'DELETE', url: `/v1/videos/${removed}`, headers: creator.auth }).then((r) => expect(r.statusCode).toBe(204));
    expect(await payeeOf(buyer.auth, { video_id: removed, creator_id: creator.id }, del)).toBeUndefined();
  });

  it('a live pays its host when the product is pinned and the live is on at the click; it may end before checkout', async () => {
    const buyer = await t.account();
    const live = await livePinning(t, creator.id, [s.productId]);
    const end = () => t.db.update(liveSessions).set({ status: 'ended', endedAt: t.clock.now() }).where(eq(liveSessions.id, live)).then(() => undefined);
    const [item] = await buy(buyer.auth, [{ skuId: s.skuIds[0]!, source: { live_id: live } }], end);
    expect(item!.source).toEqual({ live_id: live, creator_id: creator.id });
    // The product not pinned there, a live not on yet or already over at the click: nothing.
    expect(await payeeOf(buyer.auth, { live_id: await livePinning(t, creator.id, [other.productId]) })).toBeUndefined();
    expect(await payeeOf(buyer.auth, { live_id: await livePinning(t, creator.id, [s.productId], { status: 'scheduled' }) })).toBeUndefined();
    expect(await payeeOf(buyer.auth, { live_id: await livePinning(t, creator.id, [s.productId], { status: 'ended' }) })).toBeUndefined();
    // The seller hosting its own live: the sale is the live's, the commission nobody's.
    const own = await livePinning(t, s.owner.id, [s.productId]);
    expect((await buy(buyer.auth, [{ skuId: s.skuIds[0]!, source: { live_id: own } }]))[0]!.source).toEqual({ live_id: own });
  });

  it('a click older than the market window (7 days by default) at checkout pays nobody (injected clock)', async () => {
    const buyer = await t.account();
    const video = await videoAnchoring(t, creator.id, [s.productId]);
    expect(await payeeOf(buyer.auth, { video_id: video }, async () => t.clock.advance(7 * DAY))).toBe(creator.id);
    const [late] = await buy(buyer.auth, [{ skuId: s.skuIds[0]!, source: { video_id: video } }], async () => t.clock.advance(7 * DAY + 1000));
    expect(late!.source).toEqual({});
    // A new click restarts the window (the last click wins).
    const refreshed = await buy(buyer.auth, [{ skuId: s.skuIds[0]!, source: { video_id: video } }], async () => {
      t.clock.advance(6 * DAY);
      await addToCart(t, buyer.auth, s.skuIds[0]!, 1, { video_id: video });
      t.clock.advance(6 * DAY);
    });
    expect(refreshed[0]!.source.creator_id).toBe(creator.id);
  });

  it('each market has its own window, edited by operators (1–90 days)', async () => {
    const patch = async (code: string, body: object) => t.app.inject({ method: 'PATCH', url: `/v1/admin/markets/${code}`, headers: await signIn(operator.id), payload: body });
    for (const bad of [0, 91, 2.5, -1]) expect((await patch('GB', { attribution_window_days: bad })).statusCode).toBe(400);
    expect((await patch('GB', { attribution_window_days: 2 })).json()).toMatchObject({ code: 'GB', attribution_window_days: 2 });
    const markets = (await t.app.inject({ method: 'GET', url: '/v1/admin/markets', headers: await signIn(operator.id) })).json().data as Array<{ code: string; attribution_window_days: number }>;
    expect(markets.find((m) => m.code === 'US')!.attribution_window_days).toBe(7);
    expect((await patch('GB', { attribution_window_days: 0 })).statusCode).toBe(400);

    const gb = await shopWithProduct(t, { name: 'Brit', market: 'GB', currency: 'GBP', variants: usd });
    const buyer = await t.account();
    const threeDays = async () => t.clock.advance(3 * DAY);
    const gbItems = await buy(buyer.auth, [{ skuId: gb.skuIds[0]!, source: { video_id: await videoAnchoring(t, creator.id, [gb.productId]) } }], threeDays);
    expect(gbItems[0]!.source).toEqual({});
    expect(await payeeOf(buyer.auth, { video_id: await videoAnchoring(t, creator.id, [s.productId]) }, threeDays)).toBe(creator.id);
    expect((await patch('GB', { attribution_window_days: 7 })).statusCode).toBe(200);
  });

  it('property: over random carts and sources, every order item\'s payee is the creator/host of content that anchors it, or nobody', async () => {
    // A small world: two shops' products, creators, videos (one hidden, one off-product) and lives.
    const a = await shopWithProduct(t, { name: 'PropA', variants: [...usd, ...usd] });
    const b = await shopWithProduct(t, { name: 'PropB', variants: usd });
    const c1 = await t.account({ name: 'C1', roles: ['buyer', 'creator'] });
    const c2 = await t.account({ name: 'C2', roles: ['buyer', 'creator'] });
    const plain = await t.account({ name: 'Plain buyer' });
    const products = [a.productId, b.productId];
    const skus = [
      { sku: a.skuIds[0]!, product: a.productId, shop: a },
      { sku: a.skuIds[1]!, product: a.productId, shop: a },
      { sku: b.skuIds[0]!, product: b.productId, shop: b },
    ];
    type Content = { id: string; kind: 'video' | 'live'; owner: string; anchors: string[]; visible: boolean };
    const contents: Content[] = [
      { id: await videoAnchoring(t, c1.id, [a.productId]), kind: 'video', owner: c1.id, anchors: [a.productId], visible: true },
      { id: await videoAnchoring(t, c2.id, products), kind: 'video', owner: c2.id, anchors: products, visible: true },
      { id: await videoAnchoring(t, c1.id, [b.productId], { status: 'processing' }), kind: 'video', owner: c1.id, anchors: [b.productId], visible: false },
      { id: await videoAnchoring(t, a.owner.id, products), kind: 'video', owner: a.owner.id, anchors: products, visible: true },
      { id: await livePinning(t, c2.id, [b.productId]), kind: 'live', owner: c2.id, anchors: [b.productId], visible: true },
      { id: await livePinning(t, c1.id, products, { status: 'ended' }), kind: 'live', owner: c1.id, anchors: products, visible: false },
    ];
    const buyers = [plain, c1, c2, a.owner];
    const userIds = [plain.id, c1.id, c2.id, a.owner.id, b.owner.id, `usr_${'0'.repeat(26)}`];
    const memberOf = new Map([
      [a.productId, a.owner.id],
      [b.productId, b.owner.id],
    ]);
    const line = fc.record({
      content: fc.option(fc.constantFrom(...contents), { nil: undefined }),
      claimed: fc.option(fc.constantFrom(...userIds), { nil: undefined }),
    });
    const scenario = fc.record({
      buyer: fc.constantFrom(...buyers),
      lines: fc.uniqueArray(fc.record({ at: fc.constantFrom(...skus), line }), { minLength: 1, maxLength: 3, selector: (l) => l.at.sku }),
      hoursLater: fc.integer({ min: 0, max: 10 * 24 }),
    });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ buyer, lines, hoursLater }) => {
        await t.db.delete(cartItems).where(eq(cartItems.userId, buyer.id));
        const items = await buy(
          await signIn(buyer.id),
          lines.map(({ at, line: l }) => ({
            skuId: at.sku,
            source: { ...(l.content ? { [l.content.kind === 'video' ? 'video_id' : 'live_id']: l.content.id } : {}), ...(l.claimed ? { creator_id: l.claimed } : {}) },
          })),
          async () => t.clock.advance(hoursLater * HOUR),
        );
        for (const item of items) {
          const c = lines.find((l) => l.at.sku === item.sku_id)!.line.content;
          // The model: the content the buyer came from, if visible, anchoring this product, within 7 days, not the buyer's nor the shop's.
          const expected =
            c && c.visible && c.anchors.includes(item.product_id) && hoursLater * HOUR <= 7 * DAY && c.owner !== buyer.id && memberOf.get(item.product_id) !== c.owner ? c.owner : undefined;
          expect(item.source.creator_id).toBe(expected);
          if (item.source.creator_id) {
            const from = contents.find((x) => x.id === (item.source.video_id ?? item.source.live_id));
            expect(from && from.anchors.includes(item.product_id) && from.owner === item.source.creator_id).toBe(true);
          }
        }
      }),
      { numRuns: 25 },
    );
  });
});
