import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { testApp, type TestApp } from '../../test/app.js';
import { getAvailability, getHolds, getReservations } from '../inventory/index.js';
import { addShopMember } from '../sellers/index.js';
import { SANDBOX_CARDS } from '../payments/index.js';
import { addToCart, cardBody, checkoutReq, shopWithProduct } from '../orders/index.js';
import { scheduleAnalyticsJobs } from '../analytics/index.js';
import { maskName } from './service.js';
import { creatorWithShop, STREAM_URL, type Creator } from './testing.js';

describe('live selling', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(() => t.close());

  type Auth = { authorization: string } | undefined;
  const req = (method: 'GET' | 'POST' | 'PUT', url: string, auth?: Auth, payload?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method, url, headers: { ...(auth ?? {}), ...headers }, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const err = (res: Awaited<ReturnType<typeof req>>) => [res.statusCode, res.json().error?.code];

  const schedule = async (creator: Creator, extra: object = {}) => {
    const res = await req('POST', '/v1/live', creator.auth, { title: 'Friday flash sale', stream_url: STREAM_URL, ...extra });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  const start = (creator: Creator, id: string) => req('POST', `/v1/live/${id}/start`, creator.auth, { attestation: true });
  const goLive = async (creator: Creator, productIds: string[]) => {
    const live = await schedule(creator, { product_ids: productIds });
    const res = await start(creator, live.id);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const buy = async (auth: { authorization: string }, skuId: string, liveId?: string, card?: string, quantity = 1) => {
    await addToCart(t, auth, skuId, quantity, liveId ? { live_id: liveId } : undefined);
    return checkoutReq(t, auth, cardBody(card));
  };
  const remaining = async (liveId: string, skuId: string) => (await getHolds(t.db, liveId)).find((h) => h.sku_id === skuId)!.remaining;
  const general = async (skuId: string) => (await getAvailability(t.db, [skuId])).get(skuId)!;

  it('schedules, starts with an attestation, pins, sets an allotment and ends', async () => {
    const f = await creatorWithShop(t, { name: 'Cycle', stock: [20, 5] });
    const live = await schedule(f.creator, { scheduled_at: '2026-03-02T10:00:00Z' });
    expect(live).toMatchObject({
      id: expect.stringMatching(/^liv_[0-9a-z]{26}$/),
      creator: { id: f.creator.id, name: 'Cycle' },
      title: 'Friday flash sale',
      stream_url: STREAM_URL,
      status: 'scheduled',
      scheduled_at: '2026-03-02T10:00:00.000Z',
      started_at: null,
      attestation: null,
      pinned_product_id: null,
      products: [],
      allotments: [],
    });
    // Not listed as live yet; the creator sees it among their own.
    expect((await req('GET', '/v1/live')).json().data.map((l: { id: string }) => l.id)).not.toContain(live.id);
    expect((await req('GET', '/v1/creators/me/live', f.creator.auth)).json()).toMatchObject({ data: [{ id: live.id }], next_cursor: null });

    expect(err(await req('POST', `/v1/live/${live.id}/start`, f.creator.auth, {}))).toEqual([422, 'attestation_required']);
    expect(err(await req('POST', `/v1/live/${live.id}/start`, f.creator.auth, { attestation: false }))).toEqual([422, 'attestation_required']);
    expect((await req('GET', `/v1/live/${live.id}`)).json().status).toBe('scheduled');
    const started = await start(f.creator, live.id);
    expect(started.statusCode).toBe(200);
    expect(started.json()).toMatchObject({ status: 'live', started_at: t.clock.now().toISOString(), attestation: { by: f.creator.id, version: expect.any(String) } });
    expect(err(await start(f.creator, live.id))).toEqual([409, 'invalid_transition']);
    expect((await req('GET', '/v1/live?status=live')).json().data.map((l: { id: string }) => l.id)).toContain(live.id);

    const pinned = await req('POST', `/v1/live/${live.id}/pin`, f.creator.auth, { product_id: f.productId });
    expect(pinned.statusCode).toBe(200);
    expect(pinned.json()).toMatchObject({ pinned_product_id: f.productId, products: [{ id: f.productId }] });

    const set = await req('PUT', `/v1/live/${live.id}/allotments`, f.creator.auth, [{ sku_id: f.skuIds[0], quantity: 8 }]);
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().allotments).toEqual([{ sku_id: f.skuIds[0], product_id: f.productId, title: 'Cycle product', option_values: ['S0'], quantity: 8, remaining: 8, sold: 0, status: 'open' }]);
    expect(await general(f.skuIds[0]!)).toBe(12); // set aside: ordinary buyers see 20 − 8
    // Lowered and raised again: quantities are totals (a replay changes nothing).
    const key = { 'idempotency-key': 'allot-6' };
    expect((await req('PUT', `/v1/live/${live.id}/allotments`, f.creator.auth, [{ sku_id: f.skuIds[0], quantity: 6 }], key)).statusCode).toBe(200);
    const replay = await req('PUT', `/v1/live/${live.id}/allotments`, f.creator.auth, [{ sku_id: f.skuIds[0], quantity: 6 }], key);
    expect([replay.statusCode, replay.headers['idempotent-replayed']]).toEqual([200, 'true']);
    expect(await general(f.skuIds[0]!)).toBe(14);
    expect(err(await req('PUT', `/v1/live/${live.id}/allotments`, f.creator.auth, [{ sku_id: f.skuIds[1], quantity: 6 }]))).toEqual([409, 'out_of_stock']);
    expect(await general(f.skuIds[1]!)).toBe(5);

    const ended = await req('POST', `/v1/live/${live.id}/end`, f.creator.auth);
    expect(ended.statusCode).toBe(200);
    expect(ended.json()).toMatchObject({ status: 'ended', ended_at: t.clock.now().toISOString(), allotments: [{ quantity: 6, remaining: 0, status: 'closed' }] });
    expect(await general(f.skuIds[0]!)).toBe(20);
    expect(err(await req('POST', `/v1/live/${live.id}/end`, f.creator.auth))).toEqual([409, 'invalid_transition']);
    expect(err(await req('PUT', `/v1/live/${live.id}/allotments`, f.creator.auth, [{ sku_id: f.skuIds[0], quantity: 1 }]))).toEqual([409, 'invalid_state']);
    expect(err(await req('POST', `/v1/live/${live.id}/pin`, f.creator.auth, { product_id: f.productId }))).toEqual([409, 'invalid_state']);
    // A new session can start once the first has ended.
    await goLive(f.creator, []);
  });

  it('two concurrent starts by one creator: exactly one goes live, the other gets 409 already_live', async () => {
    for (let round = 0; round < 3; round++) {
      const f = await creatorWithShop(t, { stock: [1] });
      const [a, b] = [await schedule(f.creator), await schedule(f.creator)];
      const answers = await Promise.all([start(f.creator, a.id), start(f.creator, b.id)]);
      expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      const refused = answers.find((r) => r.statusCode === 409)!.json().error;
      const winner = answers.find((r) => r.statusCode === 200)!.json();
      expect(refused).toMatchObject({ code: 'already_live', details: { live_id: winner.id } });
      const live = (await req('GET', '/v1/creators/me/live?status=live', f.creator.auth)).json().data;
      expect(live.map((l: { id: string }) => l.id)).toEqual([winner.id]);
      // The same session started twice at once: one 200, one 409 invalid_transition.
      const c = await schedule(f.creator);
      await req('POST', `/v1/live/${winner.id}/end`, f.creator.auth);
      const twice = await Promise.all([start(f.creator, c.id), start(f.creator, c.id)]);
      expect(twice.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    }
  });

  it("another creator's token gets 404 on every mutation, and nothing changes", async () => {
    const f = await creatorWithShop(t, { stock: [10] });
    const other = await creatorWithShop(t, { name: 'Other', stock: [10] });
    const live = await schedule(f.creator, { product_ids: [f.productId] });
    const notFound = [404, 'not_found'];
    expect(err(await req('POST', `/v1/live/${live.id}/start`, other.creator.auth, { attestation: true }))).toEqual(notFound);
    expect(err(await req('POST', `/v1/live/${live.id}/pin`, other.creator.auth, { product_id: other.productId }))).toEqual(notFound);
    expect(err(await req('POST', `/v1/live/${live.id}/end`, other.creator.auth))).toEqual(notFound);
    await start(f.creator, live.id);
    expect(err(await req('PUT', `/v1/live/${live.id}/allotments`, other.creator.auth, [{ sku_id: f.skuIds[0], quantity: 1 }]))).toEqual(notFound);
    expect(err(await req('POST', `/v1/live/${live.id}/end`, other.creator.auth))).toEqual(notFound);
    const after = (await req('GET', `/v1/live/${live.id}`)).json();
    expect(after).toMatchObject({ status: 'live', pinned_product_id: f.productId, allotments: [] });
    // Not signed in: 401; signed in without the creator role: 403.
    expect(err(await req('POST', '/v1/live', undefined, { title: 'x', stream_url: STREAM_URL }))).toEqual([401, 'unauthorized']);
    const buyer = await t.account();
    expect(err(await req('POST', '/v1/live', buyer.auth, { title: 'x', stream_url: STREAM_URL }))).toEqual([403, 'role_required']);
    expect(err(await req('GET', '/v1/live/liv_00000000000000000000000000'))).toEqual(notFound);
  });

  it('refuses bad input with stable codes and changes nothing', async () => {
    const f = await creatorWithShop(t, { stock: [10] });
    const other = await shopWithProduct(t, { variants: [{ price: 100, onHand: 5 }] });
    const draft = await shopWithProduct(t, { status: 'draft', variants: [{ price: 100, onHand: 5 }] });
    const post = (body: object) => req('POST', '/v1/live', f.creator.auth, { title: 'Live', stream_url: STREAM_URL, ...body });
    expect(err(await post({ stream_url: 'ftp://video.example.com/a.m3u8' }))).toEqual([400, 'invalid_stream_url']);
    expect(err(await post({ stream_url: 'https://video.example.com/page.html' }))).toEqual([400, 'invalid_stream_url']);
    expect(err(await post({ stream_url: 'javascript:alert(1)//.mp4' }))).toEqual([400, 'invalid_stream_url']);
    expect(err(await post({ stream_url: '/etc/passwd.mp4' }))).toEqual([400, 'invalid_stream_url']);
    expect((await post({ stream_url: '/media/videos/clip.mp4' })).statusCode).toBe(201);
    expect(err(await post({ title: '   ' }))).toEqual([400, 'validation_failed']);
    expect(err(await post({ title: 'x'.repeat(101) }))).toEqual([400, 'validation_failed']);
    expect(err(await post({ product_ids: [draft.productId] }))).toEqual([422, 'invalid_product']);
    expect(err(await post({ price: 1 }))).toEqual([400, 'validation_failed']);
    expect(err(await post({ scheduled_at: 'tomorrow' }))).toEqual([400, 'validation_failed']);
    const before = (await req('GET', '/v1/creators/me/live?limit=100', f.creator.auth)).json().data.length;

    const live = await goLive(f.creator, [f.productId]);
    const put = (body: unknown) => req('PUT', `/v1/live/${live.id}/allotments`, f.creator.auth, body);
    expect(err(await put([]))).toEqual([400, 'validation_failed']);
    expect(err(await put([{ sku_id: f.skuIds[0], quantity: -1 }]))).toEqual([400, 'validation_failed']);
    expect(err(await put([{ sku_id: f.skuIds[0], quantity: 1.5 }]))).toEqual([400, 'validation_failed']);
    expect(err(await put([{ sku_id: f.skuIds[0], quantity: 1 }, { sku_id: f.skuIds[0], quantity: 2 }]))).toEqual([400, 'duplicate_sku']);
    expect(err(await put([{ sku_id: 'sku_00000000000000000000000000', quantity: 1 }]))).toEqual([404, 'not_found']);
    // Another shop's stock: the creator is not a member.
    await req('POST', `/v1/live/${live.id}/pin`, f.creator.auth, { product_id: other.productId });
    expect(err(await put([{ sku_id: other.skuIds[0], quantity: 1 }]))).toEqual([403, 'shop_member_required']);
    expect(await general(other.skuIds[0]!)).toBe(5);
    // All or nothing: a good item next to one that does not fit changes neither.
    const second = await shopWithProduct(t, { variants: [{ price: 100, onHand: 3 }] });
    await addShopMember(t.db, t.clock, second.shopId, f.creator.id, 'staff');
    await req('POST', `/v1/live/${live.id}/pin`, f.creator.auth, { product_id: second.productId });
    expect(err(await put([{ sku_id: f.skuIds[0], quantity: 4 }, { sku_id: second.skuIds[0], quantity: 4 }]))).toEqual([409, 'out_of_stock']);
    expect(await getHolds(t.db, live.id)).toEqual([]);
    expect(await general(f.skuIds[0]!)).toBe(10);
    // Not pinned: refused.
    const unpinned = await creatorWithShop(t, { stock: [3] });
    await addShopMember(t.db, t.clock, unpinned.shopId, f.creator.id, 'staff');
    expect(err(await put([{ sku_id: unpinned.skuIds[0], quantity: 1 }]))).toEqual([422, 'sku_not_pinned']);
    expect(err(await req('POST', `/v1/live/${live.id}/pin`, f.creator.auth, { product_id: draft.productId }))).toEqual([422, 'invalid_product']);
    expect(err(await req('POST', `/v1/live/${live.id}/pin`, f.creator.auth, { product_id: 'nope' }))).toEqual([400, 'validation_failed']);
    expect(err(await req('GET', '/v1/live?cursor=bogus'))).toEqual([400, 'invalid_cursor']);
    expect((await req('GET', '/v1/creators/me/live?limit=100', f.creator.auth)).json().data.length).toBe(before + 1);
  });

  it('a closed market refuses an external link in the title', async () => {
    const f = await creatorWithShop(t, { stock: [1] });
    await t.db.execute(sql`update shops set market = 'US' where id = ${f.shopId}`);
    const { MARKETS } = await import('../../platform/markets.js');
    const us = MARKETS.US!;
    const mode = us.linkPolicyMode;
    us.linkPolicyMode = 'closed';
    try {
      const res = await req('POST', '/v1/live', f.creator.auth, { title: 'Deals at shop dot example dot com', stream_url: STREAM_URL });
      expect(err(res)).toEqual([422, 'external_link_forbidden']);
      expect((await req('POST', '/v1/live', f.creator.auth, { title: 'Deals right here', stream_url: STREAM_URL })).statusCode).toBe(201);
    } finally {
      us.linkPolicyMode = mode;
    }
  });

  it('live buyers take the allotment, declined and expired checkouts give it back, the end returns the rest', async () => {
    const f = await creatorWithShop(t, { stock: [10] });
    const sku = f.skuIds[0]!;
    const live = await goLive(f.creator, [f.productId]);
    await req('PUT', `/v1/live/${live.id}/allotments`, f.creator.auth, [{ sku_id: sku, quantity: 4 }]);
    const buyer = await t.account({ name: 'ada lovelace' });
    // The cart shows the allotment as what a live buyer can get.
    const cart = await addToCart(t, buyer.auth, sku, 1, { live_id: live.id });
    expect(cart.shops[0].items[0]).toMatchObject({ available: 4, source: { live_id: live.id } });

    const declined = await checkoutReq(t, buyer.auth, cardBody(SANDBOX_CARDS.declined));
    expect(err(declined)).toEqual([402, 'card_declined']);
    expect(await remaining(live.id, sku)).toBe(4);
    expect(await general(sku)).toBe(6);

    const pending = await checkoutReq(t, buyer.auth, cardBody(SANDBOX_CARDS.requiresAction));
    expect(pending.json().payment.status).toBe('requires_action');
    expect(await remaining(live.id, sku)).toBe(3);
    t.clock.advance(60 * 60_000);
    await t.app.ctx.jobs.runDue();
    expect(await remaining(live.id, sku)).toBe(4);
    expect(await general(sku)).toBe(6);

    const paid = await checkoutReq(t, buyer.auth, cardBody());
    expect(paid.statusCode, paid.body).toBe(201);
    const orderId = paid.json().orders[0].id;
    expect(await remaining(live.id, sku)).toBe(3);
    expect(await general(sku)).toBe(6);
    const [reservation] = await getReservations(t.db, orderId);
    expect(reservation).toMatchObject({ status: 'committed', quantity: 1 });
    // Attributed to the live session: the order item, the room's purchases, the analytics rollup.
    const order = (await req('GET', `/v1/orders/${orderId}`, buyer.auth)).json();
    expect(order.items[0].source).toEqual({ live_id: live.id });
    const view = (await req('GET', `/v1/live/${live.id}`)).json();
    expect(view.allotments[0]).toMatchObject({ quantity: 4, remaining: 3, sold: 1 });
    await scheduleAnalyticsJobs(t.db, t.clock);
    await t.app.ctx.jobs.runDue();
    const funnel = (await req('GET', `/v1/shops/${f.shopId}/analytics/funnel?by=live&from=2026-03-01T00:00:00Z&to=2026-03-03T00:00:00Z`, f.creator.auth)).json();
    expect(funnel.rows).toEqual([expect.objectContaining({ id: live.id, orders: 1, gmv: { amount: 1500, currency: 'USD' } })]);

    // An ordinary buyer cannot reach the allotted units: 6 general units, not 9.
    const other = await t.account();
    const tooMany = await req('POST', '/v1/cart/items', other.auth, { sku_id: sku, quantity: 7 });
    expect(tooMany.json().error).toMatchObject({ code: 'out_of_stock', details: { available: 6 } });

    // A checkout still open when the live ends keeps its unit; given up later, the unit goes to general stock.
    const slow = await t.account();
    await addToCart(t, slow.auth, sku, 1, { live_id: live.id });
    expect((await checkoutReq(t, slow.auth, cardBody(SANDBOX_CARDS.requiresAction))).json().payment.status).toBe('requires_action');
    expect(await remaining(live.id, sku)).toBe(2);
    await req('POST', `/v1/live/${live.id}/end`, f.creator.auth);
    expect(await general(sku)).toBe(8);
    t.clock.advance(60 * 60_000);
    await t.app.ctx.jobs.runDue();
    expect(await general(sku)).toBe(9);
    expect((await getHolds(t.db, live.id))[0]).toMatchObject({ remaining: 0, status: 'closed' });
    // After the end the live's attribution stays, the stock is general.
    const late = await buy(other.auth, sku, live.id);
    expect(late.statusCode).toBe(201);
    expect(await general(sku)).toBe(8);
    expect(late.json().orders[0]).toMatchObject({ status: 'paid' });
    expect(maskName('ada lovelace')).toBe('A***');
  });
});
