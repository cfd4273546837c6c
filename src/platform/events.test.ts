import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../test/db.js';
import { MINUTE, SettableClock } from './clock.js';
import { rows, type Database, type Db } from './db.js';
import { emit, EVENT_CATALOG, EventSubscriptions, notify, onEvent, type DomainEvents, type EventName } from './events.js';
import { JobRunner } from './jobs.js';

describe('domain events (outbox)', () => {
  let database: Database;
  const clock = new SettableClock('2026-05-01T12:00:00Z');
  beforeAll(async () => {
    database = await freshDatabase({ poolSize: 6 });
    await database.db.execute(sql`create table event_effects (event_id text not null, subscriber text not null, order_id text not null)`);
  });
  afterAll(() => database.close());

  /** Every durable subscriber of the catalog, each writing one effect row in its delivery's transaction. */
  const recording = (opts: { failFirst?: Set<string> } = {}) => {
    const calls: string[] = [];
    const subs = new EventSubscriptions();
    for (const [name, entry] of Object.entries(EVENT_CATALOG) as Array<[EventName, (typeof EVENT_CATALOG)[EventName]]>) {
      for (const subscriber of entry.subscribers) {
        subs.subscribe(name, subscriber, async (tx: Db, _clock, payload, event) => {
          calls.push(`${event.id} ${subscriber}`);
          const orderId = (payload as { order_id: string }).order_id;
          await tx.execute(sql`insert into event_effects (event_id, subscriber, order_id) values (${event.id}, ${subscriber}, ${orderId})`);
          if (opts.failFirst?.delete(orderId)) throw new Error('handler failed once');
        });
      }
      for (const projection of entry.projections ?? []) subs.project(name, projection, async () => {});
    }
    return { subs, calls };
  };
  const runner = (subs: EventSubscriptions, workerId: string) => {
    const jobs = new JobRunner(database.db, clock, { workerId, backoffBaseMs: MINUTE });
    subs.register(jobs, clock);
    return jobs;
  };
  const effects = (orderId: string) =>
    rows<{ event_id: string; subscriber: string }>(database.db, sql`select event_id, subscriber from event_effects where order_id = ${orderId} order by subscriber`);
  const completed = (orderId: string): { name: 'order.completed'; payload: DomainEvents['order.completed'] } => ({ name: 'order.completed', payload: { order_id: orderId } });

  it('is written in the transaction of its fact: a rolled-back transaction delivers nothing', async () => {
    const { subs, calls } = recording();
    const jobs = runner(subs, 'w-rollback');
    await expect(
      database.db.transaction(async (tx) => {
        await emit(tx, clock, completed('ord_rolled_back'));
        throw new Error('the fact failed');
      }),
    ).rejects.toThrow('the fact failed');
    await jobs.runDue();
    expect(calls).toEqual([]);
    const [stored] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from domain_events where payload->>'order_id' = 'ord_rolled_back'`);
    expect(stored!.n).toBe(0);

    const id = await database.db.transaction((tx) => emit(tx, clock, completed('ord_committed')));
    expect(await jobs.runDue()).toBe(1);
    expect(await effects('ord_committed')).toEqual([{ event_id: id, subscriber: 'settlement.release' }]);
  });

  it('is delivered at least once: a handler that fails is retried with backoff, and its failed attempt leaves nothing', async () => {
    const { subs, calls } = recording({ failFirst: new Set(['ord_flaky']) });
    const jobs = runner(subs, 'w-flaky');
    const id = await emit(database.db, clock, completed('ord_flaky'));
    expect(await jobs.runDue()).toBe(1);
    expect(calls).toEqual([`${id} settlement.release`]);
    expect(await effects('ord_flaky')).toEqual([]); // the failed attempt rolled back
    expect(await jobs.runDue()).toBe(0); // backing off
    clock.advance(MINUTE);
    expect(await jobs.runDue()).toBe(1);
    expect(calls).toHaveLength(2);
    expect(await effects('ord_flaky')).toEqual([{ event_id: id, subscriber: 'settlement.release' }]);
  });

  it('a second delivery of the same event to the same subscriber changes nothing', async () => {
    const { subs, calls } = recording();
    const jobs = runner(subs, 'w-twice');
    const id = await emit(database.db, clock, completed('ord_twice'));
    await jobs.runDue();
    expect(await database.db.transaction((tx) => subs.deliver(tx, clock, id, 'settlement.release'))).toBe(false);
    expect(calls).toEqual([`${id} settlement.release`]);
    expect(await effects('ord_twice')).toHaveLength(1);
  });

  it('each subscriber of an event gets its own delivery, and two processes never both handle one', async () => {
    const a = recording();
    const b = recording();
    const runners = [runner(a.subs, 'w-a'), runner(b.subs, 'w-b')];
    const orders = Array.from({ length: 10 }, (_, i) => `ord_race_${i}`);
    await database.db.transaction(async (tx) => {
      for (const orderId of orders) {
        await emit(tx, clock, { name: 'fulfillment.flagged', payload: { flag_id: `ffl_${orderId}`, order_id: orderId, shipment_id: 'shp_x', rule: 'tracking_reused' } });
        await emit(tx, clock, completed(orderId));
      }
    });
    const ran = await Promise.all(runners.map((r) => r.runDue()));
    expect(ran[0]! + ran[1]!).toBe(20);
    expect(a.calls.length + b.calls.length).toBe(20);
    for (const orderId of orders) expect((await effects(orderId)).map((e) => e.subscriber)).toEqual(['settlement.hold', 'settlement.release']);
    const [deliveries] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from event_deliveries where event_id in (select id from domain_events where payload->>'order_id' like 'ord_race_%')`);
    expect(deliveries!.n).toBe(20);
  });

  it('tells this process’s listeners when emitted; a notice is told but not stored', async () => {
    const heard: string[] = [];
    const stopA = onEvent('video.published', (p) => heard.push(`published ${p.video_id}`));
    const stopB = onEvent('views.recorded', (p) => heard.push(`views ${p.actor} ${p.views.length}`));
    await emit(database.db, clock, { name: 'video.published', payload: { video_id: 'vid_a' } });
    notify({ name: 'views.recorded', payload: { actor: 'd:dev', views: [{ videoId: 'vid_a', at: 1 }] } });
    stopA();
    stopB();
    await emit(database.db, clock, { name: 'video.published', payload: { video_id: 'vid_b' } });
    expect(heard).toEqual(['published vid_a', 'views d:dev 1']);
    const [notices] = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from domain_events where name = 'views.recorded'`);
    expect(notices!.n).toBe(0);
    await expect(emit(database.db, clock, { name: 'views.recorded', payload: { actor: 'd:dev', views: [] } })).rejects.toThrow(/local notice/);
  });

  it('a projection runs inside emit, in the fact’s transaction: it rolls back with the fact, no job involved', async () => {
    const { subs } = recording();
    const jobs = runner(subs, 'w-projection');
    subs.project('refund.posted', 'analytics.facts', async (tx, _clock, payload, event) => {
      await tx.execute(sql`insert into event_effects (event_id, subscriber, order_id) values (${event.id}, 'analytics.facts', ${payload.order_id})`);
    });
    const refund = (orderId: string) => ({ name: 'refund.posted' as const, payload: { refund_id: 'rfd_x', order_id: orderId, shop_id: 'shp_x', buyer_id: 'usr_x', amount: 100, currency: 'USD' } });
    await expect(
      database.db.transaction(async (tx) => {
        await emit(tx, clock, refund('ord_projection_rolled_back'));
        expect(await rows(tx, sql`select 1 from event_effects where order_id = 'ord_projection_rolled_back'`)).toHaveLength(1);
        throw new Error('the fact failed');
      }),
    ).rejects.toThrow('the fact failed');
    expect(await effects('ord_projection_rolled_back')).toEqual([]);
    const id = await database.db.transaction((tx) => emit(tx, clock, refund('ord_projection')));
    expect(await effects('ord_projection')).toEqual([{ event_id: id, subscriber: 'analytics.facts' }]);
    // The jobs that run are the durable subscribers' deliveries only: the projection has none.
    expect(await jobs.runDue()).toBe(EVENT_CATALOG['refund.posted'].subscribers.length);
    expect((await effects('ord_projection')).filter((e) => e.subscriber === 'analytics.facts')).toEqual([{ event_id: id, subscriber: 'analytics.facts' }]);
    expect(() => subs.project('refund.posted', 'someone.else', async () => {})).toThrow(/not a projection/);
  });

  it('subscribers are the catalog’s: an unknown one is refused, and a missing handler stops wiring', () => {
    expect(() => new EventSubscriptions().subscribe('order.paid', 'someone.else', async () => {})).toThrow(/not a subscriber/);
    const jobs = new JobRunner(database.db, clock);
    expect(() => new EventSubscriptions().register(jobs, clock)).toThrow(/no handler/);
  });
});

describe('the event catalog in docs/architecture.md', () => {
  it('lists every event with its emitter, projections, subscribers and listeners as EVENT_CATALOG does', () => {
    const doc = readFileSync(new URL('../../docs/architecture.md', import.meta.url), 'utf8');
    const table = doc.slice(doc.indexOf('| event | emitted by |')).split('\n\n')[0]!.split('\n').slice(2);
    const list = (cell: string) => (cell === '—' ? [] : cell.split(', '));
    const documented = table.map((row) => {
      const [event, emittedBy, , projections, subscribers, listeners] = row.split(' | ').map((c) => c.replace(/^\| /, '').replace(/ \|$/, ''));
      return { name: /`([^`]+)`/.exec(event!)![1], emittedBy, projections: list(projections!), subscribers: list(subscribers!), listeners: list(listeners!) };
    });
    const catalog = Object.entries(EVENT_CATALOG).map(([name, e]) => ({
      name,
      emittedBy: e.emittedBy,
      projections: [...(e.projections ?? [])],
      subscribers: [...e.subscribers],
      listeners: [...(e.listeners ?? [])],
    }));
    expect(documented).toEqual(catalog);
  });
});
