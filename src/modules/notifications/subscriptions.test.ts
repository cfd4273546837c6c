import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettableClock } from '../../platform/clock.js';
import type { Database } from '../../platform/db.js';
import { emit, EVENT_CATALOG, EventSubscriptions, type DomainEvent, type EventName } from '../../platform/events.js';
import { JobRunner } from '../../platform/jobs.js';
import { freshDatabase } from '../../test/db.js';
import { listNotifications, notify } from './service.js';
import { NOTIFICATION_RULES, subscribeNotifications } from './subscriptions.js';

describe('notifications subscribe to domain events', () => {
  let database: Database;
  const clock = new SettableClock('2026-05-01T12:00:00Z');
  const events = new EventSubscriptions();
  let jobs: JobRunner;
  beforeAll(async () => {
    database = await freshDatabase();
    // Only the inbox is under test: the other subscribers of the catalog do nothing here.
    for (const [name, entry] of Object.entries(EVENT_CATALOG) as Array<[EventName, (typeof EVENT_CATALOG)[EventName]]>) {
      for (const s of entry.subscribers) if (s !== 'notifications.inbox') events.subscribe(name, s, async () => {});
      for (const p of entry.projections ?? []) events.project(name, p, async () => {});
    }
    subscribeNotifications(events, {
      shopMembers: async (_tx, shopId) => [`usr_owner_${shopId}`, `usr_staff_${shopId}`],
      ordersOfPayment: async (_tx, paymentId) =>
        paymentId === 'pay_h'
          ? [
              { id: 'ord_h1', shopId: 'shp_h', total: 12345, currency: 'USD' },
              { id: 'ord_h2', shopId: 'shp_i', total: 50000, currency: 'CNY' },
              { id: 'ord_other', shopId: 'shp_other', total: 1, currency: 'USD' },
            ]
          : [],
    });
    jobs = new JobRunner(database.db, clock);
    events.register(jobs, clock);
  });
  afterAll(() => database.close());

  const inbox = async (userId: string) => (await listNotifications(database.db, userId)).data;
  const limits = { max_new_listings_per_day: 3, max_orders_per_day: 50, reserve_bps: 2500 };

  /** Per new event: who is told what. */
  const cases: Array<{ event: DomainEvent; expected: Record<string, Array<Record<string, unknown>>> }> = [
    {
      event: { name: 'shop.health_action', payload: { shop_id: 'shp_a', action_id: 'sac_a', action_type: 'payout_hold', change: 'taken', reason: 'Too many refunds.', limits } },
      expected: Object.fromEntries(
        ['usr_owner_shp_a', 'usr_staff_shp_a'].map((u) => [
          u,
          [
            {
              type: 'shop_action',
              title: 'Payouts are held back',
              body: 'Too many refunds. 25% of what you earn stays in reserve and is not paid out while the hold is active. You can appeal this decision.',
              data: { shop_id: 'shp_a', action_id: 'sac_a', action_type: 'payout_hold' },
            },
          ],
        ]),
      ),
    },
    {
      event: { name: 'shop.health_action', payload: { shop_id: 'shp_b', action_id: 'sac_b', action_type: 'listing_limit', change: 'reversed', reason: 'Fixed.', via: 'appeal', limits } },
      expected: { usr_owner_shp_b: [{ type: 'shop_action_reversed', title: 'Lifted: new listings are limited', body: 'An operator reversed this action on your appeal: Fixed.' }] },
    },
    {
      event: { name: 'shop.health_action', payload: { shop_id: 'shp_c', action_id: 'sac_c', action_type: 'warning', change: 'appeal_denied', reason: 'Still late.', limits } },
      expected: { usr_owner_shp_c: [{ type: 'shop_action_appeal_denied', title: 'Your appeal was denied', body: 'Still late.' }] },
    },
    {
      event: { name: 'order.cancelled', payload: { order_id: 'ord_frozen', shop_id: 'shp_d', buyer_id: 'usr_buyer_d', reason: 'seller_frozen' } },
      expected: { usr_buyer_d: [{ type: 'order_cancelled_seller_frozen', title: 'Your order was cancelled and refunded', data: { order_id: 'ord_frozen', shop_id: 'shp_d' } }] },
    },
    {
      event: { name: 'order.cancelled', payload: { order_id: 'ord_buyer', shop_id: 'shp_e', buyer_id: 'usr_buyer_e', reason: 'buyer_cancelled' } },
      expected: { usr_buyer_e: [] },
    },
    {
      event: {
        name: 'links.cut_over',
        payload: {
          market: 'US',
          owners: [
            { user_id: 'usr_creator_f', anchors: [{ id: 'ean_f', kind: 'video_anchor', video_id: 'vid_f', url: 'https://x.test/', title: null }], flagged_videos: ['vid_f'] },
            { user_id: 'usr_creator_g', anchors: [], flagged_videos: [] },
          ],
        },
      },
      expected: {
        usr_creator_f: [
          {
            type: 'links.cutover',
            title: 'External links are off in US',
            body: 'The US market now keeps the whole purchase inside Loopshop. 1 external link(s) were turned off and 1 caption(s) with links need an edit. Import your catalog and anchor your products instead.',
            data: { market: 'US', flagged_videos: ['vid_f'], anchors: [{ id: 'ean_f', url: 'https://x.test/' }] },
          },
        ],
        usr_creator_g: [{ type: 'links.cutover', body: 'The US market now keeps the whole purchase inside Loopshop. 0 external link(s) were turned off. Import your catalog and anchor your products instead.' }],
      },
    },
    {
      event: { name: 'order.paid', payload: { order_ids: ['ord_h1', 'ord_h2'], payment_id: 'pay_h' } },
      expected: {
        usr_owner_shp_h: [{ type: 'order_paid', title: 'New paid order', body: 'Order ord_h1 was paid ($123.45). Ship it from the order\'s page.', link: '/seller/orders/ord_h1' }],
        usr_staff_shp_i: [{ type: 'order_paid', body: 'Order ord_h2 was paid (CN¥500.00). Ship it from the order\'s page.', link: '/seller/orders/ord_h2' }],
        usr_owner_shp_other: [],
      },
    },
    {
      event: { name: 'case.opened', payload: { case_id: 'cas_j', order_id: 'ord_j', type: 'refund', shop_id: 'shp_j', buyer_id: 'usr_buyer_j' } },
      expected: { usr_owner_shp_j: [{ type: 'case_opened', link: '/seller/after-sales/cas_j', data: { case_id: 'cas_j', order_id: 'ord_j', case_type: 'refund' } }], usr_buyer_j: [] },
    },
    {
      event: { name: 'case.moved', payload: { case_id: 'cas_k', order_id: 'ord_k', shop_id: 'shp_k', buyer_id: 'usr_buyer_k', status: 'seller_rejected' } },
      expected: { usr_buyer_k: [{ type: 'case_rejected', title: 'The seller rejected your request', link: '/orders/ord_k' }], usr_owner_shp_k: [] },
    },
    {
      event: { name: 'case.moved', payload: { case_id: 'cas_l', order_id: 'ord_l', shop_id: 'shp_l', buyer_id: 'usr_buyer_l', status: 'escalated' } },
      expected: { usr_owner_shp_l: [{ type: 'case_escalated', link: '/seller/after-sales/cas_l' }], usr_buyer_l: [] },
    },
    {
      event: { name: 'case.moved', payload: { case_id: 'cas_m', order_id: 'ord_m', shop_id: 'shp_m', buyer_id: 'usr_buyer_m', status: 'resolved_buyer' } },
      expected: {
        usr_buyer_m: [{ type: 'case_decided', body: 'The case on order ord_m was decided in the buyer’s favour.', link: '/orders/ord_m' }],
        usr_owner_shp_m: [{ type: 'case_decided', link: '/seller/after-sales/cas_m' }],
      },
    },
    {
      event: { name: 'case.moved', payload: { case_id: 'cas_n', order_id: 'ord_n', shop_id: 'shp_n', buyer_id: 'usr_buyer_n', status: 'return_shipped' } },
      expected: { usr_buyer_n: [], usr_owner_shp_n: [] },
    },
    {
      event: { name: 'sla.breach_near', payload: { shop_id: 'shp_w', kind: 'case_answer', case_id: 'cas_w', order_id: 'ord_w', due_at: '2026-05-02T08:00:00.000Z' } },
      expected: {
        usr_owner_shp_w: [
          {
            type: 'case_answer_due',
            title: 'Answer the case soon',
            body: 'The case on order ord_w is accepted for the buyer if you do not answer by May 2, 2026, 8:00 AM UTC.',
            link: '/seller/after-sales/cas_w',
          },
        ],
      },
    },
    {
      event: { name: 'order.ship_by_near', payload: { order_id: 'ord_x', shop_id: 'shp_x', ship_by: '2026-05-02T08:00:00.000Z' } },
      expected: {
        usr_owner_shp_x: [
          {
            type: 'ship_by_due',
            title: 'Ship the order soon',
            body: 'Order ord_x is not shipped yet: ship it by May 2, 2026, 8:00 AM UTC. A late parcel counts against your shop, and an order not shipped in time is cancelled and refunded.',
            link: '/seller/orders/ord_x',
          },
        ],
        usr_staff_shp_x: [{ type: 'ship_by_due', link: '/seller/orders/ord_x' }],
      },
    },
    {
      event: { name: 'shipment.shipped', payload: { shipment_id: 'spm_o', order_id: 'ord_o', shop_id: 'shp_o', buyer_id: 'usr_buyer_o', carrier: 'sandbox', carrier_name: { en: 'Sandbox carrier', 'zh-CN': '沙盒承运商' }, tracking_number: 'T1' } },
      expected: { usr_buyer_o: [{ type: 'shipment_shipped', body: 'A parcel of order ord_o was handed to Sandbox carrier, tracking number T1.', link: '/orders/ord_o' }], usr_owner_shp_o: [] },
    },
    {
      event: { name: 'order.delivered', payload: { order_id: 'ord_p', shop_id: 'shp_p', buyer_id: 'usr_buyer_p' } },
      expected: { usr_buyer_p: [{ type: 'order_delivered', link: '/orders/ord_p' }], usr_owner_shp_p: [] },
    },
    {
      event: { name: 'refund.posted', payload: { refund_id: 'ref_q', order_id: 'ord_q', shop_id: 'shp_q', buyer_id: 'usr_buyer_q', amount: 250, currency: 'USD' } },
      expected: { usr_buyer_q: [{ type: 'refund_posted', body: '$2.50 went back to you for order ord_q.', link: '/orders/ord_q' }], usr_owner_shp_q: [] },
    },
    {
      event: { name: 'order.settled', payload: { order_id: 'ord_r', shop_id: 'shp_r', currency: 'USD', creators: [{ creator_id: 'usr_creator_r', amount: 99 }] } },
      expected: { usr_creator_r: [{ type: 'earning_settled', title: 'You earned $0.99', link: '/creator' }], usr_owner_shp_r: [] },
    },
    {
      event: { name: 'payout.paid', payload: { payout_id: 'pyo_s', payee_type: 'shop', payee_id: 'shp_s', amount: 1000, currency: 'USD' } },
      expected: { usr_owner_shp_s: [{ type: 'payout_paid', title: 'Payout paid: $10.00', link: '/seller/finance' }] },
    },
    {
      event: { name: 'payout.paid', payload: { payout_id: 'pyo_t', payee_type: 'creator', payee_id: 'usr_creator_t', amount: 1000, currency: 'USD' } },
      expected: { usr_creator_t: [{ type: 'payout_paid', link: '/creator' }] },
    },
    {
      event: { name: 'application.decided', payload: { application_id: 'sap_u', applicant_id: 'usr_applicant_u', decision: 'approved', shop_id: 'shp_u' } },
      expected: { usr_applicant_u: [{ type: 'application_approved', link: '/seller' }] },
    },
    {
      event: { name: 'application.decided', payload: { application_id: 'sap_v', applicant_id: 'usr_applicant_v', decision: 'needs_info', shop_id: null } },
      expected: { usr_applicant_v: [{ type: 'application_needs_info', link: '/apply' }] },
    },
  ];

  it('tells health actions in the reader’s language: a zh-CN inbox reads them in Chinese', async () => {
    const zh = async (user: string) => (await listNotifications(database.db, user, { locale: 'zh-CN' })).data;
    const emitted = [
      { shop_id: 'shp_zh1', action_id: 'sac_zh1', action_type: 'order_cap', change: 'taken', reason: 'Too many late parcels.', limits },
      { shop_id: 'shp_zh2', action_id: 'sac_zh2', action_type: 'suspension', change: 'reversed', reason: 'Fixed.', via: 'appeal', limits },
      { shop_id: 'shp_zh3', action_id: 'sac_zh3', action_type: 'freeze', change: 'appeal_denied', reason: 'Still silent.', limits },
    ] as const;
    for (const payload of emitted) await database.db.transaction((tx) => emit(tx, clock, { name: 'shop.health_action', payload }));
    await jobs.runDue();
    expect(await zh('usr_owner_shp_zh1')).toMatchObject([
      { type: 'shop_action', locale: 'zh-CN', title: '每日订单数受限', body: 'Too many late parcels. 您的店铺每天最多接受 50 个订单。您可以对此决定提出申诉。', link: '/seller/health' },
    ]);
    expect(await zh('usr_staff_shp_zh2')).toMatchObject([{ type: 'shop_action_reversed', locale: 'zh-CN', title: '已解除：您的店铺已被暂停', body: '运营人员根据您的申诉撤销了此项处理：Fixed.' }]);
    expect(await zh('usr_owner_shp_zh3')).toMatchObject([{ type: 'shop_action_appeal_denied', locale: 'zh-CN', title: '您的申诉已被驳回', body: 'Still silent.' }]);
    // The English inbox reads the same notices in English.
    expect((await inbox('usr_owner_shp_zh1'))[0]).toMatchObject({ locale: 'en', title: 'Daily orders are capped' });
  });

  it('keeps the stored English text of a health notice written before it had a template (no reason in its data)', async () => {
    const legacy = { userId: 'usr_legacy', type: 'shop_action', title: 'Your shop is suspended', body: 'Old text.', data: { shop_id: 'shp_l', action_id: 'sac_l', action_type: 'suspension' }, link: '/seller/health' };
    await notify(database.db, clock, [legacy]);
    expect((await listNotifications(database.db, 'usr_legacy', { locale: 'zh-CN' })).data).toMatchObject([{ locale: 'en', title: 'Your shop is suspended', body: 'Old text.' }]);
  });

  it('has a rule for every event whose subscribers name the inbox, and a test case for each rule', () => {
    const inboxEvents = Object.entries(EVENT_CATALOG).filter(([, e]) => e.subscribers.includes('notifications.inbox')).map(([name]) => name);
    expect(Object.keys(NOTIFICATION_RULES).sort()).toEqual(inboxEvents.sort());
    expect([...new Set(cases.map((c) => c.event.name))].sort()).toEqual(inboxEvents.sort());
  });

  it.each(cases.map((c) => [`${c.event.name} (${JSON.stringify(c.event.payload).slice(0, 60)})`, c] as const))('%s: nobody for a rolled-back fact, once for a committed one', async (_name, c) => {
    await expect(
      database.db.transaction(async (tx) => {
        await emit(tx, clock, c.event);
        throw new Error('the fact failed');
      }),
    ).rejects.toThrow('the fact failed');
    await jobs.runDue();
    for (const user of Object.keys(c.expected)) expect(await inbox(user)).toEqual([]);

    const id = await database.db.transaction((tx) => emit(tx, clock, c.event));
    for (const user of Object.keys(c.expected)) expect(await inbox(user), 'not before delivery').toEqual([]);
    await jobs.runDue();
    for (const [user, notes] of Object.entries(c.expected)) {
      const got = await inbox(user);
      expect(got).toHaveLength(notes.length);
      notes.forEach((n, i) => expect(got[i]).toMatchObject(n));
    }
    // A redelivery of the same event writes nothing more.
    expect(await database.db.transaction((tx) => events.deliver(tx, clock, id, 'notifications.inbox'))).toBe(false);
    for (const [user, notes] of Object.entries(c.expected)) expect(await inbox(user)).toHaveLength(notes.length);
  });
});
