import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { MINUTE } from '../../platform/clock.js';
import { useListeningApp } from '../../test/app.js';
import { getAvailability, getHolds, getStockLevels } from '../inventory/index.js';
import { addToCart, cardBody, checkoutReq } from '../orders/index.js';
import { liveSessions } from './schema.js';
import { endStaleLives, LIVE_IDLE_END_MS, LIVE_MAX_DURATION_MS, LIVE_SWEEP_EVERY_MS, scheduleLiveJobs } from './service.js';
import { creatorWithShop, NO_REFRESH, openStream, STREAM_URL, type Creator } from './testing.js';

describe('lives left running end automatically', () => {
  // Rooms never re-read on a timer here: the `ended` event a viewer gets came through the end's notification.
  const server = useListeningApp(NO_REFRESH);
  const { t } = server;
  beforeAll(() => scheduleLiveJobs(t.db, t.clock));

  type Auth = { authorization: string } | undefined;
  const req = (method: 'GET' | 'POST' | 'PUT', url: string, auth?: Auth, payload?: unknown) =>
    t.app.inject({ method, url, headers: { ...(auth ?? {}) }, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const err = (res: Awaited<ReturnType<typeof req>>) => [res.statusCode, res.json().error?.code];
  const goLive = async (creator: Creator, productIds: string[], extra: object = {}) => {
    const created = await req('POST', '/v1/live', creator.auth, { title: 'Late night sale', stream_url: STREAM_URL, product_ids: productIds, ...extra });
    expect(created.statusCode, created.body).toBe(201);
    const started = await req('POST', `/v1/live/${created.json().id}/start`, creator.auth, { attestation: true });
    expect(started.statusCode, started.body).toBe(200);
    return started.json();
  };
  const view = async (id: string) => (await req('GET', `/v1/live/${id}`)).json();
  const heartbeat = (creator: Creator | { auth: Auth }, id: string) => req('POST', `/v1/live/${id}/heartbeat`, creator.auth);
  /** Moves the clock on and runs what is due. Any step of at least LIVE_SWEEP_EVERY_MS reaches the sweep's next slot. */
  const wait = async (ms: number) => {
    expect(ms).toBeGreaterThanOrEqual(LIVE_SWEEP_EVERY_MS);
    t.clock.advance(ms);
    await t.app.ctx.jobs.runDue();
  };
  /** Stock of the SKUs as the rows count it (committed units not yet folded taken out, so a fold changes nothing). */
  const levels = async (skuIds: string[]) =>
    Object.fromEntries(
      await Promise.all(
        skuIds.map(async (sku) => {
          const rows = await getStockLevels(t.db, sku);
          return [sku, { on_hand: rows.reduce((n, r) => n + r.on_hand, 0), reserved: rows.reduce((n, r) => n + r.reserved, 0) }] as const;
        }),
      ),
    );

  it('ends a live without a sign of life: allotments back to general stock exactly, the room told, once; the creator can go live again', async () => {
    const f = await creatorWithShop(t, { name: 'Idle', stock: [10, 4] });
    const [a, b] = f.skuIds as [string, string];
    const live = await goLive(f.creator, [f.productId]);
    expect(live).toMatchObject({ status: 'live', end_reason: null });
    const allotted = await req('PUT', `/v1/live/${live.id}/allotments`, f.creator.auth, [
      { sku_id: a, quantity: 6 },
      { sku_id: b, quantity: 3 },
    ]);
    expect(allotted.statusCode, allotted.body).toBe(200);
    // A buyer in the room takes one unit (a buyer is no sign of life from the creator).
    const buyer = await t.account();
    await addToCart(t, buyer.auth, a, 1, { live_id: live.id });
    expect((await checkoutReq(t, buyer.auth, cardBody())).statusCode).toBe(201);
    const viewer = await openStream(`${server.base}/v1/live/${live.id}/stream`);
    await viewer.next((e) => e.event === 'snapshot');

    await wait(LIVE_IDLE_END_MS - LIVE_SWEEP_EVERY_MS);
    expect(await view(live.id)).toMatchObject({ status: 'live', end_reason: null });

    const before = await levels([a, b]);
    const generalBefore = await getAvailability(t.db, [a, b]);
    const remaining = Object.fromEntries((await getHolds(t.db, live.id)).map((h) => [h.sku_id, h.remaining]));
    expect(remaining).toEqual({ [a]: 5, [b]: 3 });

    await wait(LIVE_SWEEP_EVERY_MS); // LIVE_IDLE_END_MS since the last allotment change
    const ended = await view(live.id);
    expect(ended).toMatchObject({ status: 'ended', end_reason: 'idle', ended_at: t.clock.now().toISOString() });
    const closed = {
      [a]: expect.objectContaining({ sku_id: a, quantity: 6, remaining: 0, sold: 1, status: 'closed' }),
      [b]: expect.objectContaining({ sku_id: b, quantity: 3, remaining: 0, sold: 0, status: 'closed' }),
    };
    expect(ended.allotments).toEqual([a, b].sort().map((sku) => closed[sku]));
    // Exactly what was left goes back: on hand untouched, reserved down by the remaining units.
    const after = await levels([a, b]);
    expect(after).toEqual({
      [a]: { on_hand: before[a]!.on_hand, reserved: before[a]!.reserved - 5 },
      [b]: { on_hand: before[b]!.on_hand, reserved: before[b]!.reserved - 3 },
    });
    const generalAfter = await getAvailability(t.db, [a, b]);
    expect([generalAfter.get(a), generalAfter.get(b)]).toEqual([generalBefore.get(a)! + 5, generalBefore.get(b)! + 3]);
    expect([generalAfter.get(a), generalAfter.get(b)]).toEqual([9, 4]);
    // The room hears of it as of a creator's end, and its stream closes.
    expect((await viewer.next((e) => e.event === 'ended')).data.live).toMatchObject({ id: live.id, status: 'ended', end_reason: 'idle' });
    await viewer.ended;

    // Again: nothing changes.
    await wait(LIVE_SWEEP_EVERY_MS);
    expect(await endStaleLives(t.db, t.clock)).toEqual([]);
    expect(await view(live.id)).toEqual(ended);
    expect(await levels([a, b])).toEqual(after);
    expect(err(await req('POST', `/v1/live/${live.id}/end`, f.creator.auth))).toEqual([409, 'invalid_transition']);
    expect(err(await heartbeat(f.creator, live.id))).toEqual([409, 'invalid_state']);

    // One live per creator no longer blocks: the creator goes live again.
    const next = await goLive(f.creator, [f.productId]);
    expect(next.status).toBe('live');
    // Ended by the creator: `creator`.
    const byCreator = await req('POST', `/v1/live/${next.id}/end`, f.creator.auth);
    expect(byCreator.json()).toMatchObject({ status: 'ended', end_reason: 'creator' });
  });

  it('the sweep racing itself and the creator: the live ends once, its allotment comes back once', async () => {
    const f = await creatorWithShop(t, { name: 'Race', stock: [8] });
    const sku = f.skuIds[0]!;
    const live = await goLive(f.creator, [f.productId]);
    await req('PUT', `/v1/live/${live.id}/allotments`, f.creator.auth, [{ sku_id: sku, quantity: 5 }]);
    const before = await levels([sku]);
    t.clock.advance(LIVE_IDLE_END_MS);
    const [one, two, byCreator] = await Promise.all([endStaleLives(t.db, t.clock), endStaleLives(t.db, t.clock), req('POST', `/v1/live/${live.id}/end`, f.creator.auth)]);
    const ends = [...one, ...two].length + (byCreator.statusCode === 200 ? 1 : 0);
    expect(ends).toBe(1);
    if (byCreator.statusCode !== 200) expect(err(byCreator)).toEqual([409, 'invalid_transition']);
    expect((await view(live.id)).end_reason).toBe(byCreator.statusCode === 200 ? 'creator' : 'idle');
    expect(await levels([sku])).toEqual({ [sku]: { on_hand: before[sku]!.on_hand, reserved: before[sku]!.reserved - 5 } });
    expect((await getAvailability(t.db, [sku])).get(sku)).toBe(8);
  });

  it('heartbeats and console actions keep a live going; the maximum duration ends it anyway', async () => {
    const f = await creatorWithShop(t, { name: 'Marathon', stock: [5] });
    const live = await goLive(f.creator, [f.productId]);
    const startedAt = t.clock.now().getTime();
    const quiet = await goLive((await creatorWithShop(t, { name: 'Quiet', stock: [1] })).creator, []);

    // A pin is a sign of life too.
    await wait(LIVE_IDLE_END_MS - LIVE_SWEEP_EVERY_MS);
    expect((await req('POST', `/v1/live/${live.id}/pin`, f.creator.auth, { product_id: f.productId })).statusCode).toBe(200);
    await wait(LIVE_IDLE_END_MS - LIVE_SWEEP_EVERY_MS);
    expect(await view(live.id)).toMatchObject({ status: 'live' });
    // The other live, with no sign of life since its start, has ended meanwhile.
    expect(await view(quiet.id)).toMatchObject({ status: 'ended', end_reason: 'idle' });

    // Heartbeats every 20 minutes: live well past the idle limit, until the maximum duration.
    const step = 20 * MINUTE;
    while (t.clock.now().getTime() + step - startedAt < LIVE_MAX_DURATION_MS) {
      const beat = await heartbeat(f.creator, live.id);
      expect(beat.statusCode, beat.body).toBe(204);
      expect(beat.body).toBe('');
      await wait(step);
      expect((await view(live.id)).status).toBe('live');
    }
    expect(t.clock.now().getTime() - startedAt).toBeGreaterThan(LIVE_MAX_DURATION_MS - step);
    expect((await heartbeat(f.creator, live.id)).statusCode).toBe(204);
    await wait(startedAt + LIVE_MAX_DURATION_MS - t.clock.now().getTime());
    expect(await view(live.id)).toMatchObject({ status: 'ended', end_reason: 'max_duration', ended_at: t.clock.now().toISOString() });
  });

  it('heartbeat: the creator of a live session only; stable codes; nothing changes when refused; scheduled sessions are left alone', async () => {
    const f = await creatorWithShop(t, { name: 'Owner', stock: [3] });
    const other = await creatorWithShop(t, { name: 'Stranger', stock: [3] });
    // Scheduled for long ago and never started: it stays scheduled (no cancelled state).
    const scheduled = (await req('POST', '/v1/live', f.creator.auth, { title: 'Forgotten', stream_url: STREAM_URL, scheduled_at: new Date(t.clock.now().getTime() - 3 * 24 * 60 * MINUTE).toISOString() })).json();
    const live = await goLive(f.creator, [f.productId]);
    const lastActive = async () => (await t.db.select({ at: liveSessions.lastActiveAt }).from(liveSessions).where(eq(liveSessions.id, live.id)))[0]!.at;
    const was = await lastActive();
    t.clock.advance(MINUTE);

    expect(err(await heartbeat(other.creator, live.id))).toEqual([404, 'not_found']);
    expect(err(await heartbeat(f.creator, 'liv_00000000000000000000000000'))).toEqual([404, 'not_found']);
    expect(err(await heartbeat(f.creator, 'nope'))).toEqual([400, 'validation_failed']);
    expect(err(await heartbeat({ auth: undefined }, live.id))).toEqual([401, 'unauthorized']);
    expect(err(await heartbeat(await t.account(), live.id))).toEqual([403, 'role_required']);
    expect(err(await heartbeat(f.creator, scheduled.id))).toEqual([409, 'invalid_state']);
    expect(await lastActive()).toEqual(was);
    expect((await heartbeat(f.creator, live.id)).statusCode).toBe(204);
    expect(await lastActive()).toEqual(t.clock.now());

    await wait(LIVE_IDLE_END_MS + LIVE_SWEEP_EVERY_MS);
    expect(await view(live.id)).toMatchObject({ status: 'ended', end_reason: 'idle' });
    expect(await view(scheduled.id)).toMatchObject({ status: 'scheduled', end_reason: null, ended_at: null });
    // The creator may still cancel (end) it: ended by the creator.
    expect((await req('POST', `/v1/live/${scheduled.id}/end`, f.creator.auth)).json()).toMatchObject({ status: 'ended', end_reason: 'creator' });
  });
});
