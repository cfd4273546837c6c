import { describe, expect, it } from 'vitest';
import { addToCart, cardBody, checkoutReq, shopWithProduct } from '../orders/index.js';
import { useTestApp } from '../../test/app.js';

type Note = { id: string; type: string; title: string; body: string; link: string | null; locale: string; data: Record<string, unknown> };

describe('notifications end to end: the fact through the API, the jobs run, the right person told', () => {
  const t = useTestApp();
  const inbox = async (auth: { authorization: string }, query = '') => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/notifications${query}`, headers: auth });
    expect(res.statusCode).toBe(200);
    return (res.json() as { data: Note[] }).data;
  };
  const post = async (url: string, auth: { authorization: string }, payload: object = {}) => {
    const res = await t.app.inject({ method: 'POST', url, headers: auth, payload });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json() as { id: string; orders: Array<{ id: string }> };
  };

  it('tells the seller of a paid order and the buyer of shipping, the seller’s answer and the refund; nobody else, and only its owner can read or mark it', async () => {
    const shop = await shopWithProduct(t, { name: 'Told', variants: [{ price: 2500, onHand: 5 }] });
    const buyer = await t.account();
    const stranger = await t.account();
    await addToCart(t, buyer.auth, shop.skuIds[0]!, 1);
    const checkout = await checkoutReq(t, buyer.auth, cardBody());
    expect(checkout.statusCode).toBe(201);
    const orderId = (checkout.json() as { orders: Array<{ id: string }> }).orders[0]!.id;
    expect(await inbox(shop.owner.auth), 'after the fact commits, with the next job run').toEqual([]);
    await t.app.ctx.jobs.runDue();

    const [paid] = await inbox(shop.owner.auth);
    expect(paid).toMatchObject({ type: 'order_paid', title: 'New paid order', body: `Order ${orderId} was paid ($25.00). Ship it from the order's page.`, link: `/seller/orders/${orderId}` });
    const zh = await inbox(shop.owner.auth, '?locale=zh-CN');
    expect(zh[0]).toMatchObject({ title: '新的已付款订单', locale: 'zh-CN', body: `订单 ${orderId} 已付款（US$25.00），请在订单页面为其发货。` });
    expect(await inbox(buyer.auth)).toEqual([]);
    expect(await inbox(stranger.auth)).toEqual([]);
    // Another account can neither read nor mark it.
    const foreign = await t.app.inject({ method: 'POST', url: `/v1/notifications/${paid!.id}/read`, headers: stranger.auth });
    expect(foreign.statusCode).toBe(404);
    expect((await inbox(shop.owner.auth, '?unread=true')).map((n) => n.id)).toContain(paid!.id);
    const read = await t.app.inject({ method: 'POST', url: `/v1/notifications/${paid!.id}/read`, headers: shop.owner.auth });
    expect(read.statusCode).toBe(200);
    expect(await inbox(shop.owner.auth, '?unread=true')).toEqual([]);

    await post(`/v1/orders/${orderId}/shipments`, shop.owner.auth, { carrier: 'sandbox', tracking_number: 'NOTE-1' });
    await t.app.ctx.jobs.runDue();
    expect((await inbox(buyer.auth))[0]).toMatchObject({ type: 'shipment_shipped', link: `/orders/${orderId}`, data: { tracking_number: 'NOTE-1' } });

    const opened = await post(`/v1/orders/${orderId}/after-sales`, buyer.auth, { type: 'refund_only', reason: 'Arrived damaged', reason_code: 'damaged', amount: 1000 });
    await t.app.ctx.jobs.runDue();
    expect((await inbox(shop.owner.auth))[0]).toMatchObject({ type: 'case_opened', link: `/seller/after-sales/${opened.id}` });

    await post(`/v1/after-sales/${opened.id}/accept`, shop.owner.auth);
    await t.app.ctx.jobs.runDue();
    const told = (await inbox(buyer.auth)).map((n) => [n.type, n.link]);
    expect(told).toEqual(
      expect.arrayContaining([
        ['case_accepted', `/orders/${orderId}`],
        ['refund_posted', `/orders/${orderId}`],
      ]),
    );
    expect((await inbox(buyer.auth)).find((n) => n.type === 'refund_posted')).toMatchObject({ body: `$10.00 went back to you for order ${orderId}.` });
    expect(await inbox(stranger.auth)).toEqual([]);
    expect((await inbox(shop.owner.auth)).map((n) => n.type).sort()).toEqual(['case_opened', 'order_paid']);
  });

  it('rejects an unknown locale with 400 and changes nothing', async () => {
    const a = await t.account();
    const res = await t.app.inject({ method: 'GET', url: '/v1/notifications?locale=fr', headers: a.auth });
    expect(res.statusCode).toBe(400);
  });
});
