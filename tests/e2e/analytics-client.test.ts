import { describe, expect, it } from 'vitest';
import { bandsParam, intervalFor, rangeOfDays } from '../../web/src/lib/analyticsRange.js';
import { EventQueue, PENDING_KEY, uuid, type KeyValueStore, type PostOutcome, type Transport } from '../../web/src/lib/eventQueue.js';

/** Issue 7: the web app's event queue (batching, retries, sendBeacon on page hide) and the dashboards' range and band helpers. */

type Body = { device_id: string; events: Array<{ event_id: string; type: string; at: string } & Record<string, unknown>> };

function fakeTransport(outcomes: PostOutcome[] = [], beaconOk: (body: string) => boolean = () => true) {
  const posts: Array<{ body: Body; keepalive: boolean }> = [];
  const beacons: Body[] = [];
  const transport: Transport = {
    post: async (body, keepalive) => {
      posts.push({ body: JSON.parse(body) as Body, keepalive });
      return outcomes.shift() ?? 'ok';
    },
    beacon: (body) => {
      if (!beaconOk(body)) return false;
      beacons.push(JSON.parse(body) as Body);
      return true;
    },
  };
  return { transport, posts, beacons };
}

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

const counter = () => {
  let n = 0;
  return () => `e${++n}`;
};

describe('event queue', () => {
  it('stamps events with an id and time, leaves out empty fields, and sends them as one batch with the device id', async () => {
    const { transport, posts } = fakeTransport();
    let now = Date.parse('2026-03-06T20:00:00Z');
    const q = new EventQueue('device-1234', transport, { now: () => now, newId: counter() });
    q.track('impression', { video_id: 'vid_1', shop_id: undefined, creator_id: '' });
    now += 1500;
    q.track('view', { video_id: 'vid_1', watched_ms: 4200, duration_ms: 6000, completed: false });
    expect(posts).toHaveLength(0);
    await q.flush();
    expect(posts).toHaveLength(1);
    expect(posts[0]!.keepalive).toBe(true);
    expect(posts[0]!.body).toEqual({
      device_id: 'device-1234',
      events: [
        { event_id: 'e1', type: 'impression', at: '2026-03-06T20:00:00.000Z', video_id: 'vid_1' },
        { event_id: 'e2', type: 'view', at: '2026-03-06T20:00:01.500Z', video_id: 'vid_1', watched_ms: 4200, duration_ms: 6000, completed: false },
      ],
    });
    expect(q.pending).toHaveLength(0);
    await q.flush();
    expect(posts).toHaveLength(1);
  });

  it('sends by itself once 50 events wait, and splits a long queue into batches of at most 500', async () => {
    const { transport, posts } = fakeTransport();
    const q = new EventQueue('device-1234', transport, { newId: counter(), maxQueued: 5000 });
    for (let i = 0; i < 49; i++) q.track('impression', { video_id: 'vid_1' });
    await Promise.resolve();
    expect(posts).toHaveLength(0);
    q.track('impression', { video_id: 'vid_1' });
    await q.flush();
    expect(posts.map((p) => p.body.events.length)).toEqual([50]);

    const t2 = fakeTransport();
    const q2 = new EventQueue('device-1234', t2.transport, { newId: counter(), flushAt: 10_000, maxQueued: 5000 });
    for (let i = 0; i < 1200; i++) q2.track('impression', { video_id: 'vid_1' });
    await q2.flush();
    expect(t2.posts.map((p) => p.body.events.length)).toEqual([500, 500, 200]);
    expect(t2.posts.flatMap((p) => p.body.events.map((e) => e.event_id))).toEqual(Array.from({ length: 1200 }, (_, i) => `e${i + 1}`));
    expect(q2.pending).toHaveLength(0);
  });

  it('keeps a batch that failed (network, 429, 5xx) in order and backs off; drops one the server refuses', async () => {
    const { transport, posts } = fakeTransport(['retry', 'retry', 'ok', 'drop']);
    let now = 0;
    const q = new EventQueue('device-1234', transport, { now: () => now, newId: counter(), backoffMs: 1000, maxBackoffMs: 3000 });
    q.track('product_click', { product_id: 'prd_1' });
    q.track('add_to_cart', { product_id: 'prd_1' });
    await q.flush();
    expect(posts).toHaveLength(1);
    expect(q.pending.map((e) => e.event_id)).toEqual(['e1', 'e2']);
    // Backing off: the timer's flush does nothing for 1 s.
    now = 999;
    await q.flush();
    expect(posts).toHaveLength(1);
    now = 1000;
    q.track('checkout_started', { shop_id: 'shp_1' });
    await q.flush();
    expect(posts).toHaveLength(2);
    // Second failure in a row: 2 s.
    now = 2999;
    await q.flush();
    expect(posts).toHaveLength(2);
    now = 3000;
    await q.flush();
    expect(posts).toHaveLength(3);
    // The retried events keep their ids (the server counts a repeat once).
    expect(posts.map((p) => p.body.events.map((e) => e.event_id))).toEqual([['e1', 'e2'], ['e1', 'e2', 'e3'], ['e1', 'e2', 'e3']]);
    expect(q.pending).toHaveLength(0);
    q.track('impression', { video_id: 'vid_2' });
    await q.flush();
    expect(posts).toHaveLength(4);
    expect(q.pending).toHaveLength(0);
  });

  it('counts a throwing transport as a failure and never loses the queue to it', async () => {
    const q = new EventQueue('device-1234', { post: () => Promise.reject(new Error('offline')), beacon: () => false }, { newId: counter() });
    q.track('impression', { video_id: 'vid_1' });
    await q.flush();
    expect(q.pending.map((e) => e.event_id)).toEqual(['e1']);
  });

  it('drops the oldest events beyond maxQueued', () => {
    const q = new EventQueue('device-1234', fakeTransport().transport, { newId: counter(), flushAt: 100, maxQueued: 3 });
    for (let i = 0; i < 5; i++) q.track('impression', { video_id: 'vid_1' });
    expect(q.pending.map((e) => e.event_id)).toEqual(['e3', 'e4', 'e5']);
  });

  it('on page hide sends everything with sendBeacon in bodies under the size limit, and keeps what the browser refused for the next page', async () => {
    const store = memoryStore();
    let refuse = false;
    const { transport, beacons } = fakeTransport([], () => !refuse);
    const q = new EventQueue('device-1234', transport, { newId: counter(), flushAt: 1000, beaconBytes: 2000, store });
    for (let i = 0; i < 40; i++) q.track('outbound_click', { url: `https://shop.example/item/${i}` });
    q.flushOnHide();
    expect(beacons.length).toBeGreaterThan(1);
    for (const b of beacons) {
      expect(new TextEncoder().encode(JSON.stringify(b)).length).toBeLessThanOrEqual(2000);
      expect(b.device_id).toBe('device-1234');
    }
    expect(beacons.flatMap((b) => b.events.map((e) => e.event_id))).toEqual(Array.from({ length: 40 }, (_, i) => `e${i + 1}`));
    expect(q.pending).toHaveLength(0);
    expect(store.data.has(PENDING_KEY)).toBe(false);

    refuse = true;
    q.track('impression', { video_id: 'vid_9' });
    q.flushOnHide();
    expect(JSON.parse(store.data.get(PENDING_KEY)!)).toMatchObject([{ event_id: 'e41', type: 'impression', video_id: 'vid_9' }]);

    // The next page picks them up and sends them.
    const next = fakeTransport();
    const q2 = new EventQueue('device-1234', next.transport, { newId: counter(), store });
    expect(store.data.has(PENDING_KEY)).toBe(false);
    await q2.flush();
    expect(next.posts[0]!.body.events.map((e) => e.event_id)).toEqual(['e41']);
  });

  it('makes v4 UUIDs', () => {
    const ids = new Set(Array.from({ length: 100 }, uuid));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('dashboard helpers', () => {
  it('turns band edges typed in major units into the route parameter, refusing bad ones', () => {
    expect(bandsParam('10, 25, 50, 100, 250', 2)).toBe('1000,2500,5000,10000,25000');
    expect(bandsParam('9.99,19.5', 2)).toBe('999,1950');
    expect(bandsParam('1000 5000', 0)).toBe('1000,5000');
    expect(bandsParam('25, 10', 2)).toBeNull();
    expect(bandsParam('10, 10', 2)).toBeNull();
    expect(bandsParam('0, 10', 2)).toBeNull();
    expect(bandsParam('1.234', 2)).toBeNull();
    expect(bandsParam('ten', 2)).toBeNull();
    expect(bandsParam('', 2)).toBeNull();
    expect(bandsParam(Array.from({ length: 21 }, (_, i) => i + 1).join(','), 2)).toBeNull();
  });

  it('makes whole-day ranges of at most 400 days and picks a time series interval', () => {
    const r = rangeOfDays('2026-03-01', '2026-03-07')!;
    expect(new Date(r.from).getDate()).toBe(1);
    expect(new Date(r.to).getDate()).toBe(8);
    expect(Date.parse(r.to) - Date.parse(r.from)).toBeGreaterThanOrEqual(7 * 86_400_000 - 3_600_000);
    expect(rangeOfDays('2026-03-07', '2026-03-01')).toBeNull();
    expect(rangeOfDays('2025-01-01', '2026-03-01')).toBeNull();
    expect(rangeOfDays('2026-03-01', 'soon')).toBeNull();
    expect(intervalFor(rangeOfDays('2026-03-01', '2026-03-01')!)).toBe('hour');
    expect(intervalFor(r)).toBe('day');
    expect(intervalFor(rangeOfDays('2025-06-01', '2026-03-01')!)).toBe('week');
  });
});
