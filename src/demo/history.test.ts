import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY } from '../platform/clock.js';
import { rows } from '../platform/db.js';
import { testApp, type TestApp } from '../test/app.js';
import { createSession, findUserByEmail } from '../modules/identity/index.js';
import { listShopsForUser } from '../modules/sellers/index.js';
import { DEMO_APPLICANT, seedDemo } from './seed.js';
import { HISTORY_DAYS, JOURNEY, PRIME_SLOT, SWEET_SPOT } from './history.js';
import { DEMO_STORE_LINKS, STORE_LINK_VIDEOS } from './links.js';
import { isTutorial, localSlot } from './videos.js';

describe('demo history', () => {
  let t: TestApp;
  let seller: { authorization: string };
  let operator: { authorization: string };
  let shopId: string;
  const get = (url: string, auth: { authorization: string }) => t.app.inject({ method: 'GET', url, headers: auth });
  const session = async (email: string) => ({ authorization: `Bearer ${(await createSession(t.db, t.clock, (await findUserByEmail(t.db, email))!.id, 1)).token}` });

  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'loopshop-demo-history-'));
    t = await testApp({ dataDir: dir, mediaDir: path.join(dir, 'media') }); // the demo clips render before the history
    expect(await seedDemo(t.db, t.clock, { strategiesOn: t.app.ctx.strategiesOn, jobs: t.app.ctx.jobs, dataDir: dir })).toBe(true);
    seller = await session('seller@demo.loopshop.dev');
    operator = await session('operator@demo.loopshop.dev');
    shopId = (await listShopsForUser(t.db, (await findUserByEmail(t.db, 'seller@demo.loopshop.dev'))!.id))[0]!.id;
  }, 240_000); // 90 days of orders walked through their jobs: ~20 s on a quiet machine, minutes on a loaded one
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('places 90 days of events and real orders before now, and the dashboards read them at once', async () => {
    const now = t.clock.now().getTime();
    const [span] = await rows<{ first: Date; last: Date; n: number }>(t.db, sql`select min(at) as first, max(at) as last, count(*)::int as n from analytics_events`);
    expect(span!.n).toBeGreaterThan(10_000);
    expect(new Date(span!.first).getTime()).toBeGreaterThanOrEqual(now - HISTORY_DAYS * DAY);
    expect(new Date(span!.last).getTime()).toBeLessThan(now);
    const [orders] = await rows<{ n: number; completed: number }>(t.db, sql`select count(*)::int as n, count(*) filter (where status = 'completed')::int as completed from orders`);
    expect(orders!.n).toBeGreaterThan(30);
    expect(orders!.completed).toBeGreaterThan(orders!.n / 2);

    const series = await get(`/v1/shops/${shopId}/analytics/timeseries?from=${new Date(now - 89 * DAY).toISOString()}`, seller);
    expect(series.statusCode).toBe(200);
    const points = series.json().points as Array<{ orders: number; gmv: { amount: number } }>;
    expect(points.length).toBeGreaterThan(10);
    expect(points.reduce((n, p) => n + p.orders, 0)).toBeGreaterThan(10);
  });

  it("attributes the orders bought from videos to them, and the shop's top videos and creators recount to those orders", async () => {
    const range = `from=${new Date(t.clock.now().getTime() - 89 * DAY).toISOString()}`;
    // Raw facts: the shop's paid orders with a line bought from a video (the server kept its source).
    const [fromVideos] = await rows<{ n: number; creators: number }>(
      t.db,
      sql`select count(distinct o.id)::int as n, count(distinct i.source->>'creator_id')::int as creators from orders o join order_items i on i.order_id = o.id
          where o.shop_id = ${shopId} and o.paid_at is not null and i.source->>'video_id' is not null`,
    );
    expect(fromVideos!.n).toBeGreaterThan(10);
    expect(fromVideos!.creators).toBe(1); // the demo creator, the only one
    const sum = async (by: string) =>
      ((await get(`/v1/shops/${shopId}/analytics/top?by=${by}&limit=100&${range}`, seller)).json().rows as Array<{ orders: number }>).reduce((n, r) => n + r.orders, 0);
    expect(await sum('video')).toBe(fromVideos!.n);
    expect(await sum('creator')).toBe(fromVideos!.n);
  });

  it("shows the patterns: tutorials posted Friday 20:00 complete best, and one price band fills carts most", async () => {
    const heatmap = (await get(`/v1/shops/${shopId}/analytics/completion-heatmap`, seller)).json();
    expect(heatmap.timezone).toBe('America/Los_Angeles');
    expect(heatmap.cells.length).toBeGreaterThanOrEqual(4);
    expect(heatmap.best).toMatchObject({ weekday: PRIME_SLOT.weekday, hour: PRIME_SLOT.hour });
    const others = heatmap.cells.filter((c: { weekday: number; hour: number }) => c.weekday !== PRIME_SLOT.weekday || c.hour !== PRIME_SLOT.hour);
    for (const c of others) expect(c.completion_rate).toBeLessThan(heatmap.best.completion_rate - 0.1);
    // The Friday-20:00 videos are tutorials, posted then in the shop's time zone.
    const prime = await rows<{ caption: string; published_at: Date }>(t.db, sql`select caption, published_at from videos where published_at is not null`);
    const fridays = prime.filter((v) => {
      const s = localSlot(new Date(v.published_at), 'America/Los_Angeles');
      return s.weekday === PRIME_SLOT.weekday && s.hour === PRIME_SLOT.hour;
    });
    expect(fridays.length).toBeGreaterThanOrEqual(2);
    expect(fridays.every((v) => isTutorial(v.caption))).toBe(true);

    const bands = (await get(`/v1/shops/${shopId}/analytics/price-bands`, seller)).json().bands as Array<{ min: { amount: number }; add_to_cart_rate: number | null }>;
    const best = bands.filter((b) => b.add_to_cart_rate !== null).sort((a, b) => b.add_to_cart_rate! - a.add_to_cart_rate!)[0]!;
    expect(best.min.amount).toBe(SWEET_SPOT.min);
  });

  it('gives the demo buyer an order in every state a person acts on, in the demo seller\'s shop', async () => {
    const buyer = await session('buyer@demo.loopshop.dev');
    const orders = (await get('/v1/orders?role=buyer&limit=50', buyer)).json().data as Array<{ id: string; shop_id: string; status: string }>;
    expect(orders).toHaveLength(JOURNEY.length);
    expect(orders.every((o) => o.shop_id === shopId)).toBe(true);
    expect(orders.map((o) => o.status).sort()).toEqual(['completed', 'delivered', 'delivered', 'delivered', 'paid', 'shipped']);
    const reviewed = [];
    for (const o of orders) {
      const detail = (await get(`/v1/orders/${o.id}`, buyer)).json();
      if (detail.items.some((i: { review?: unknown }) => i.review)) reviewed.push(o.status);
    }
    expect(reviewed).toEqual(['completed']);
    // The open case waits for the seller's answer, and the seller sees the paid order to ship.
    const cases = (await get(`/v1/after-sales?role=seller&shop_id=${shopId}&status=requested&limit=100`, seller)).json().data as Array<{ order_id: string }>;
    expect(cases.filter((c) => orders.some((o) => o.id === c.order_id))).toHaveLength(1);
    const toShip = (await get('/v1/orders?role=seller&status=paid&limit=100', seller)).json().data as Array<{ id: string }>;
    expect(toShip.map((o) => o.id)).toContain(orders.find((o) => o.status === 'paid')!.id);
  });

  it("dates each carrier scan once: the buyer's order timeline and delivered_at use the scan's own time", async () => {
    const buyer = await session('buyer@demo.loopshop.dev');
    const orders = (await get('/v1/orders?role=buyer&status=delivered&limit=50', buyer)).json().data as Array<{ id: string }>;
    expect(orders.length).toBeGreaterThan(0);
    for (const { id } of orders) {
      const order = (await get(`/v1/orders/${id}`, buyer)).json() as { delivered_at: string; timeline: Array<{ type: string; at: string; data: { shipment_id?: string; status?: string } }> };
      const tracking = order.timeline.filter((e) => e.type === 'tracking');
      const shipment = (await get(`/v1/shipments/${tracking[0]!.data.shipment_id}`, buyer)).json() as { delivered_at: string; timeline: Array<{ status: string; at: string }> };
      expect(tracking.map((e) => [e.data.status, e.at])).toEqual(shipment.timeline.map((e) => [e.status, e.at]));
      expect(order.delivered_at).toBe(shipment.delivered_at);
      expect(order.timeline.find((e) => e.type === 'delivered')!.at).toBe(shipment.delivered_at);
    }
  });

  it("fills the operator's queues: an application waiting for review, a case escalated by the demo buyer, the setup in the audit log", async () => {
    const applications = (await get('/v1/seller-applications?status=submitted&limit=100', operator)).json().data as Array<{ company_name: string; documents: unknown[]; checks: Array<{ passed: boolean }> }>;
    expect(applications.map((a) => a.company_name)).toEqual([DEMO_APPLICANT.company]);
    expect(applications[0]!.documents).toHaveLength(3);
    expect(applications[0]!.checks.every((c) => c.passed)).toBe(true);
    const overview = (await get('/v1/admin/overview', operator)).json() as { new_applications: number; escalated_cases: number };
    expect(overview).toMatchObject({ new_applications: 1, escalated_cases: 1 });

    const buyer = await session('buyer@demo.loopshop.dev');
    const escalated = (await get('/v1/after-sales?role=buyer&status=escalated&limit=100', buyer)).json().data as Array<{ order_id: string; timeline?: unknown }>;
    expect(escalated).toHaveLength(1);
    const order = (await get(`/v1/orders/${escalated[0]!.order_id}`, buyer)).json() as { shop_id: string; status: string };
    expect(order).toMatchObject({ shop_id: shopId, status: 'delivered' });

    const audit = (await get('/v1/admin/audit?limit=100', operator)).json().data as Array<{ action: string }>;
    expect(audit.map((e) => e.action).sort()).toEqual(['commission_rule.create', 'invitation.create']);
  });

  it("lists the demo creator's videos newest first by the date they show", async () => {
    const creator = await session('creator@demo.loopshop.dev');
    const creatorId = (await findUserByEmail(t.db, 'creator@demo.loopshop.dev'))!.id;
    const videos = (await get(`/v1/creators/${creatorId}/videos?limit=50`, creator)).json().data as Array<{ created_at: string }>;
    expect(videos.length).toBeGreaterThan(5);
    const times = videos.map((v) => Date.parse(v.created_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('keeps the ledger balanced and the catalog stocked as seeded', async () => {
    const res = await get('/v1/admin/ledger/reconcile', operator);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ balanced: true, problems: [] });
    const [escrow] = await rows<{ n: number }>(t.db, sql`select count(distinct account)::int as n from ledger_postings where account like 'seller_payable:%'`);
    expect(escrow!.n).toBeGreaterThan(0); // completed orders released their escrow to the sellers
    const products = (await t.app.inject({ url: '/v1/products?limit=100' })).json().data as Array<{ available: number }>;
    expect(products).toHaveLength(30);
    expect(products.every((p) => p.available >= 20)).toBe(true);
  });

  // Last: it cuts the demo market over.
  it('starts semi-closed with store links and click-outs; after the cut-over the before/after panel recounts them', async () => {
    const creator = await session('creator@demo.loopshop.dev');
    const creatorId = (await findUserByEmail(t.db, 'creator@demo.loopshop.dev'))!.id;
    const storeLinks = async () =>
      ((await get(`/v1/creators/${creatorId}/videos?limit=100`, creator)).json().data as Array<{ anchors: Array<{ type: string; id: string; url?: string; out_url?: string; active?: boolean }> }>)
        .flatMap((v) => v.anchors.filter((a) => a.type === 'external'));
    const external = await storeLinks();
    expect(external).toHaveLength(STORE_LINK_VIDEOS);
    expect(external.every((a) => a.active && a.out_url === `/out/${a.id}` && a.url === DEMO_STORE_LINKS.video.url)).toBe(true);
    const sellerId = (await findUserByEmail(t.db, 'seller@demo.loopshop.dev'))!.id;
    expect((await get(`/v1/creators/${sellerId}/showcase`, seller)).json().links).toMatchObject([{ url: DEMO_STORE_LINKS.seller.url }]);

    const recount = async (where = sql`true`) =>
      (await rows<{ n: number; cost: number }>(t.db, sql`select count(*)::int as n, coalesce(sum(cost_amount), 0)::int as cost from link_clicks where market = 'US' and ${where}`))[0]!;
    const all = await recount();
    const days = (await rows<{ n: number }>(t.db, sql`select count(distinct date_trunc('day', at))::int as n from link_clicks`))[0]!.n;
    expect(all.n).toBeGreaterThan(100);
    expect(days).toBeGreaterThan(80); // spread over the 90 days
    const policy = (await get('/v1/admin/markets/US/link-policy', operator)).json();
    expect(policy).toMatchObject({ mode: 'semi_closed', cutover_at: null, clicks: { count: all.n, cost: { amount: all.cost, currency: 'USD' } } });
    expect((await get(`/v1/shops/${shopId}/analytics/cutover`, seller)).json()).toMatchObject({ cutover_at: null, before: null });

    const closed = await t.app.inject({ method: 'PUT', url: '/v1/admin/markets/US/link-policy', headers: operator, payload: { mode: 'closed' } });
    expect(closed.statusCode, closed.body).toBe(200);
    const panel = (await get(`/v1/shops/${shopId}/analytics/cutover`, seller)).json();
    const from = new Date(panel.before.from);
    const to = new Date(panel.before.to);
    const before = await recount(sql`owner_id = ${sellerId} and at >= ${from} and at < ${to}`);
    expect(before.n).toBeGreaterThan(0);
    expect(panel.before).toMatchObject({ click_outs: before.n, click_out_cost: { amount: before.cost } });
    expect(panel.after).toMatchObject({ click_outs: 0 });
    expect((await storeLinks()).map((a) => a.active)).toEqual(Array(STORE_LINK_VIDEOS).fill(false));
    expect((await get(`/v1/creators/${sellerId}/showcase`, seller)).json().links).toEqual([]);
  });
});
