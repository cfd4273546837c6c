import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettableClock } from '../../platform/clock.js';
import type { Database } from '../../platform/db.js';
import { emit, EVENT_CATALOG, EventSubscriptions, type DomainEvent, type EventName } from '../../platform/events.js';
import { JobRunner } from '../../platform/jobs.js';
import { freshDatabase } from '../../test/db.js';
import { listNotifications } from './service.js';
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
    subscribeNotifications(events, { shopMembers: async (_tx, shopId) => [`usr_owner_${shopId}`, `usr_staff_${shopId}`] });
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
  ];

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
