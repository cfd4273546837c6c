import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { HOUR } from '../../platform/clock.js';
import { rows } from '../../platform/db.js';
import { useTestApp } from '../../test/app.js';
import { addToCart, cardBody, checkoutReq, shopWithProduct } from '../orders/index.js';
import { addShopMember } from '../sellers/index.js';
import { scheduleDispatchSweep } from './service.js';
import { SHIP_BY_WARNING_DEFAULT_MS, sweepShipByWarnings } from './ship-by.js';

type Auth = { authorization: string };
type Note = { type: string; title: string; body: string; link: string | null; data: { order_id?: string } };

describe('ship-by warning: the seller is told once, before a paid order’s ship-by time runs out', () => {
  const t = useTestApp();
  const run = async () => {
    // The sweep queues the warning, the warning emits the event, the event is delivered to the inbox.
    for (let i = 0; i < 3; i++) await t.app.ctx.jobs.runDue();
  };
  const inbox = async (auth: Auth) => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/notifications?limit=50', headers: auth });
    expect(res.statusCode).toBe(200);
    return (res.json() as { data: Note[] }).data.filter((n) => n.type === 'ship_by_due');
  };
  const paidOrder = async (s: Awaited<ReturnType<typeof shopWithProduct>>) => {
    const buyer = await t.account({ name: 'Buyer' });
    await addToCart(t, buyer.auth, s.skuIds[0]!, 1);
    const res = await checkoutReq(t, buyer.auth, cardBody());
    expect(res.statusCode, res.body).toBe(201);
    const order = (await t.app.inject({ method: 'GET', url: `/v1/orders/${res.json().orders[0].id}`, headers: buyer.auth })).json() as { id: string; ship_by: string };
    return { buyer, order };
  };
  const warnings = async (orderId: string) =>
    (await rows<{ n: number }>(t.db, sql`select count(*)::int as n from domain_events where name = 'order.ship_by_near' and payload->>'order_id' = ${orderId}`))[0]!.n;

  it('due order → one notification per shop member with the seller order link; none for others, none for a shipped order, none twice', async () => {
    const shop = await shopWithProduct(t, { name: 'Slow', variants: [{ price: 1500, onHand: 20 }] });
    const staff = await t.account({ name: 'Staff' });
    await addShopMember(t.db, t.clock, shop.shopId, staff.id, 'staff');
    const other = await shopWithProduct(t, { name: 'Other', variants: [{ price: 900, onHand: 20 }] });
    const due = await paidOrder(shop);
    const shipped = await paidOrder(shop);
    const ship = await t.app.inject({ method: 'POST', url: `/v1/orders/${shipped.order.id}/shipments`, headers: shop.owner.auth, payload: { carrier: 'sandbox' } });
    expect(ship.statusCode, ship.body).toBe(201);
    await scheduleDispatchSweep(t.db, t.clock);
    const shipBy = new Date(due.order.ship_by).getTime();

    // More than 12 h left: no warning yet.
    t.clock.set(new Date(shipBy - SHIP_BY_WARNING_DEFAULT_MS - HOUR));
    await run();
    expect(await inbox(shop.owner.auth)).toEqual([]);

    // Paid later in another shop: not due when the first one is.
    t.clock.set(new Date(shipBy - SHIP_BY_WARNING_DEFAULT_MS - 30 * 60_000));
    const notDue = await paidOrder(other);

    // Less than 12 h left: the hourly sweep warns.
    t.clock.set(new Date(shipBy - SHIP_BY_WARNING_DEFAULT_MS + HOUR));
    // Two nodes sweeping at the same moment queue one warning between them.
    const queued = await Promise.all([sweepShipByWarnings(t.db, t.clock, SHIP_BY_WARNING_DEFAULT_MS), sweepShipByWarnings(t.db, t.clock, SHIP_BY_WARNING_DEFAULT_MS)]);
    expect(queued[0] + queued[1]).toBe(1);
    await run();
    for (const member of [shop.owner.auth, staff.auth]) {
      const notes = await inbox(member);
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatchObject({ title: 'Ship the order soon', link: `/seller/orders/${due.order.id}`, data: { order_id: due.order.id } });
    }
    const zh = (await t.app.inject({ method: 'GET', url: '/v1/notifications?locale=zh-CN', headers: staff.auth })).json() as { data: Note[] };
    expect(zh.data.find((n) => n.type === 'ship_by_due')?.title).toBe('请尽快发货');
    expect(await inbox(due.buyer.auth)).toEqual([]);
    expect(await inbox(other.owner.auth)).toEqual([]);
    expect(await warnings(shipped.order.id)).toBe(0);
    expect(await warnings(notDue.order.id)).toBe(0);

    // The sweep runs again (next hour, and once more by hand): still one warning.
    t.clock.advance(HOUR);
    await run();
    expect(await sweepShipByWarnings(t.db, t.clock, SHIP_BY_WARNING_DEFAULT_MS)).toBe(0);
    await run();
    expect(await warnings(due.order.id)).toBe(1);
    expect(await inbox(shop.owner.auth)).toHaveLength(1);
    expect(await inbox(staff.auth)).toHaveLength(1);
  });

  it('an order shipped after the warning was queued but before it ran is not warned about', async () => {
    const shop = await shopWithProduct(t, { name: 'Quick', variants: [{ price: 1500, onHand: 20 }] });
    const { order } = await paidOrder(shop);
    t.clock.set(new Date(new Date(order.ship_by).getTime() - HOUR));
    expect(await sweepShipByWarnings(t.db, t.clock, SHIP_BY_WARNING_DEFAULT_MS)).toBe(1);
    const ship = await t.app.inject({ method: 'POST', url: `/v1/orders/${order.id}/shipments`, headers: shop.owner.auth, payload: { carrier: 'sandbox' } });
    expect(ship.statusCode, ship.body).toBe(201);
    await run();
    expect(await warnings(order.id)).toBe(0);
    expect(await inbox(shop.owner.auth)).toEqual([]);
  });
});
