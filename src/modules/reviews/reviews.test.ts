import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, MINUTE } from '../../platform/clock.js';
import { updateMarket } from '../../platform/markets.js';
import { testApp, type TestApp } from '../../test/app.js';
import { shipAndDeliver } from '../../test/delivery.js';
import { createSession } from '../identity/index.js';
import { addToCart, cardBody, checkoutReq, shopWithProduct, type ShopFixture } from '../orders/index.js';

type Auth = { authorization: string };
type Account = { id: string; auth: Auth };

describe('reviews: one per delivered item, 30-day edits, link policy, ratings on products and in shop health', () => {
  let t: TestApp;
  let s: ShopFixture;
  let operator: Account;
  beforeAll(async () => {
    t = await testApp();
    operator = await t.account({ roles: ['operator'] });
    s = await shopWithProduct(t, { name: 'Rated', variants: [{ price: 1500, onHand: 100 }, { price: 2500, onHand: 100 }] });
  });
  afterAll(() => t.close());

  const req = (method: 'GET' | 'POST' | 'PATCH', url: string, auth?: Auth, payload?: object) =>
    t.app.inject({ method, url, headers: auth ?? {}, ...(payload ? { payload } : {}) });
  const ok = <T = Record<string, unknown>>(res: { statusCode: number; body: string; json(): unknown }, status = 200): T => {
    expect(res.statusCode, res.body).toBe(status);
    return res.json() as T;
  };
  const code = (res: { statusCode: number; json(): unknown }) => [res.statusCode, (res.json() as { error: { code: string } }).error.code];

  /** A paid order of both variants; `deliver` ships and delivers it. */
  async function order(opts: { deliver: boolean }) {
    const buyer = await t.account({ name: 'Rita Reviewer' });
    await addToCart(t, buyer.auth, s.skuIds[0]!, 1);
    await addToCart(t, buyer.auth, s.skuIds[1]!, 1);
    const id = ok<{ orders: Array<{ id: string }> }>(await checkoutReq(t, buyer.auth, cardBody()), 201).orders[0]!.id;
    if (opts.deliver) await shipAndDeliver(t, id, s.owner.auth);
    const detail = ok<{ items: Array<{ id: string; product_id: string; review: { id: string; rating: number } | null }> }>(await req('GET', `/v1/orders/${id}`, buyer.auth));
    return { id, buyer, items: detail.items };
  }
  const review = (o: { id: string; buyer: Account }, itemId: string, body: object, auth: Auth = o.buyer.auth) =>
    req('POST', `/v1/orders/${o.id}/items/${itemId}/review`, auth, body);

  it('only the buyer of a delivered item reviews it, once; the order page and the product show it', async () => {
    const o = await order({ deliver: true });
    expect(o.items.map((i) => i.review)).toEqual([null, null]);
    const paid = await order({ deliver: false });
    expect(code(await review(paid, paid.items[0]!.id, { rating: 5 }))).toEqual([409, 'not_delivered']);

    const stranger = await t.account();
    expect(code(await review(o, o.items[0]!.id, { rating: 5 }, stranger.auth))).toEqual([404, 'not_found']);
    expect(code(await review(o, o.items[0]!.id, { rating: 5 }, s.owner.auth))).toEqual([404, 'not_found']);
    expect(code(await review(o, paid.items[0]!.id, { rating: 5 }))).toEqual([404, 'not_found']);
    for (const body of [{ rating: 0 }, { rating: 6 }, { rating: 4.5 }, { rating: '5' }, {}, { rating: 5, text: 'x'.repeat(2001) }, { rating: 5, extra: true }]) {
      expect(code(await review(o, o.items[0]!.id, body))).toEqual([400, 'validation_failed']);
    }
    expect(ok<{ rating: { count: number } }>(await req('GET', `/v1/products/${s.productId}`)).rating).toEqual({ average: null, count: 0 });

    const r = ok<{ id: string; rating: number; text: string; product_id: string; editable_until: string }>(
      await review(o, o.items[0]!.id, { rating: 4, text: '<b>Solid</b> tent, quick delivery' }),
      201,
    );
    expect(r).toMatchObject({ rating: 4, text: 'Solid tent, quick delivery', product_id: s.productId });
    expect(r.editable_until).toBe(new Date(t.clock.now().getTime() + 30 * DAY).toISOString());
    const again = await review(o, o.items[0]!.id, { rating: 1 });
    expect(code(again)).toEqual([409, 'already_reviewed']);
    expect((again.json() as { error: { details: unknown } }).error.details).toEqual({ review_id: r.id });
    ok(await review(o, o.items[1]!.id, { rating: 2 }), 201);

    const detail = ok<{ items: Array<{ id: string; review: unknown }> }>(await req('GET', `/v1/orders/${o.id}`, o.buyer.auth));
    expect(detail.items.map((i) => i.review)).toEqual([
      { id: r.id, rating: 4, text: 'Solid tent, quick delivery', editable_until: r.editable_until },
      expect.objectContaining({ rating: 2, text: '' }),
    ]);
    expect(ok<{ rating: unknown }>(await req('GET', `/v1/products/${s.productId}`)).rating).toEqual({ average: 3, count: 2 });
    const list = ok<{ data: Array<{ id: string; rating: number; text: string; author: { name: string } }>; next_cursor: string | null }>(
      await req('GET', `/v1/products/${s.productId}/reviews?limit=1`),
    );
    expect(list.data).toEqual([expect.objectContaining({ rating: 2, author: { name: 'Rita Reviewer' } })]);
    const next = ok<{ data: Array<{ id: string }>; next_cursor: string | null }>(await req('GET', `/v1/products/${s.productId}/reviews?limit=1&cursor=${list.next_cursor}`));
    expect(next).toEqual({ data: [expect.objectContaining({ id: r.id, text: 'Solid tent, quick delivery' })], next_cursor: null });
    expect(code(await req('GET', '/v1/products/prd_00000000000000000000000000/reviews'))).toEqual([404, 'not_found']);
    expect(code(await req('GET', `/v1/products/${s.productId}/reviews?cursor=nope`))).toEqual([400, 'invalid_cursor']);

    // Ratings feed the shop's health.
    const h = ok<{ metrics: { average_rating: number; rating_count: number } }>(await req('GET', `/v1/shops/${s.shopId}/health`, operator.auth));
    expect(h.metrics).toMatchObject({ average_rating: 3, rating_count: 2 });
  });

  it('review texts pass the link policy: external links are refused in a closed market, with spans', async () => {
    const o = await order({ deliver: true });
    await updateMarket(t.db, t.clock, operator.id, 'US', { linkPolicyMode: 'closed' });
    try {
      const res = await review(o, o.items[0]!.id, { rating: 5, text: 'Cheaper at shop dot example dot com' });
      expect(code(res)).toEqual([422, 'external_link_forbidden']);
      expect((res.json() as { error: { details: { spans: Array<{ field: string }> } } }).error.details.spans[0]).toMatchObject({ field: 'text' });
      expect((await req('GET', `/v1/orders/${o.id}`, o.buyer.auth)).json().items[0].review).toBeNull();
      const r = ok<{ id: string }>(await review(o, o.items[0]!.id, { rating: 5, text: 'Great, see loopshop.dev for more' }), 201);
      expect(code(await req('PATCH', `/v1/reviews/${r.id}`, o.buyer.auth, { text: 'visit https://bit.ly/xyz' }))).toEqual([422, 'external_link_forbidden']);
    } finally {
      await updateMarket(t.db, t.clock, operator.id, 'US', { linkPolicyMode: 'semi_closed' });
    }
  });
  // Last: it moves the clock a month, past the fixtures' sessions.
  it('its author edits a review for 30 days, nobody else ever; bad edits change nothing', async () => {
    const o = await order({ deliver: true });
    const r = ok<{ id: string }>(await review(o, o.items[0]!.id, { rating: 3, text: 'OK' }), 201);
    const other = await t.account();
    expect(code(await req('PATCH', `/v1/reviews/${r.id}`, other.auth, { rating: 1 }))).toEqual([404, 'not_found']);
    expect(code(await req('PATCH', `/v1/reviews/${r.id}`, s.owner.auth, { rating: 1 }))).toEqual([404, 'not_found']);
    expect(code(await req('PATCH', '/v1/reviews/rvw_00000000000000000000000000', o.buyer.auth, { rating: 1 }))).toEqual([404, 'not_found']);
    expect(code(await req('PATCH', `/v1/reviews/${r.id}`, o.buyer.auth, {}))).toEqual([400, 'validation_failed']);
    expect(code(await req('PATCH', `/v1/reviews/${r.id}`, o.buyer.auth, { rating: 9 }))).toEqual([400, 'validation_failed']);
    t.clock.advance(29 * DAY);
    const edited = ok<{ rating: number; text: string; updated_at: string }>(await req('PATCH', `/v1/reviews/${r.id}`, o.buyer.auth, { rating: 5, text: 'Better after a month' }));
    expect(edited).toMatchObject({ rating: 5, text: 'Better after a month', updated_at: t.clock.now().toISOString() });
    t.clock.advance(DAY - MINUTE);
    ok(await req('PATCH', `/v1/reviews/${r.id}`, o.buyer.auth, { text: 'Still good' }));
    t.clock.advance(MINUTE);
    // Sessions last 30 days too: a fresh one for the author.
    const author = { authorization: `Bearer ${(await createSession(t.db, t.clock, o.buyer.id, 30)).token}` };
    expect(code(await req('PATCH', `/v1/reviews/${r.id}`, author, { rating: 1 }))).toEqual([409, 'review_locked']);
    const stored = ok<{ data: Array<{ id: string; rating: number; text: string }> }>(await req('GET', `/v1/products/${s.productId}/reviews?limit=100`)).data.find((x) => x.id === r.id);
    expect(stored).toMatchObject({ rating: 5, text: 'Still good' });
  });

});
