import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { DAY, HOUR, MINUTE, type Clock } from '../../platform/clock.js';
import { rows, type Db } from '../../platform/db.js';
import { badRequest } from '../../platform/errors.js';
import { notify } from '../../platform/events.js';
import { enqueue, type JobRunner } from '../../platform/jobs.js';
import { analyticsEvents, analyticsRollups, analyticsRollupsDaily, analyticsRollupState, CLIENT_EVENT_TYPES, METRICS, SERVER_EVENT_TYPES, type ClientEventType, type Metric } from './schema.js';

/**
 * Closed-loop analytics: the apps post batches of events, the services record the facts only
 * they know (`checkout`, `order_paid`, `refund`), and a recurring job folds new events into hourly rollups,
 * which are all the dashboards read (dashboards.ts).
 */
export const MAX_BATCH = 500;
export const MAX_FUTURE_MS = 5 * MINUTE;
export const MAX_AGE_MS = 7 * DAY;
/** A view counts as a 3-second view from this watch time on. */
export const VIEW_3S_MS = 3000;
export const ROLLUP_JOB = 'analytics.rollup';
export const ROLLUP_EVERY_MS = MINUTE;

const ref = (prefix: string) => Type.Optional(Type.String({ pattern: `^${prefix}_[0-9a-z]{26}$` }));
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** One event as the apps send it. `user_id` is never accepted: the session says who the user is. */
export const ClientEvent = Type.Object(
  {
    event_id: Type.String({ minLength: 1, maxLength: 64, description: "The client's own id; a repeat is counted once" }),
    type: Type.Union(CLIENT_EVENT_TYPES.map((t) => Type.Literal(t))),
    at: Type.String({ maxLength: 40, description: 'ISO 8601 with offset; ≤ 5 min ahead of and ≤ 7 days behind the server clock' }),
    video_id: ref('vid'),
    product_id: ref('prd'),
    sku_id: ref('sku'),
    live_id: ref('[a-z]{2,4}'),
    shop_id: ref('shp'),
    creator_id: ref('usr'),
    watched_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: DAY })),
    duration_ms: Type.Optional(Type.Integer({ minimum: 1, maximum: DAY })),
    completed: Type.Optional(Type.Boolean()),
    url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'outbound_click: where the click went' })),
  },
  { additionalProperties: false },
);
export type ClientEvent = Static<typeof ClientEvent>;
const checkShape = TypeCompiler.Compile(ClientEvent);

/** Fields an event of each type must carry (besides event_id, type, at). */
const REQUIRED: Record<ClientEventType, Array<keyof ClientEvent>> = {
  impression: [],
  view: ['video_id', 'watched_ms', 'duration_ms', 'completed'],
  product_click: ['product_id'],
  add_to_cart: ['product_id'],
  checkout_started: [],
  live_join: ['live_id'],
  live_leave: ['live_id'],
  outbound_click: ['url'],
};

export interface Rejection {
  index: number;
  code: 'invalid_event' | 'server_only_event' | 'event_in_future' | 'event_too_old';
  message: string;
}

/** Why one posted event is refused, or null when it is good. */
function problemOf(raw: unknown, nowMs: number): Omit<Rejection, 'index'> | null {
  const type = (raw as { type?: unknown } | null)?.type;
  if ((SERVER_EVENT_TYPES as readonly unknown[]).includes(type)) {
    return { code: 'server_only_event', message: `${String(type)} is recorded by the server, never posted` };
  }
  if (!checkShape.Check(raw)) {
    const first = checkShape.Errors(raw).First();
    return { code: 'invalid_event', message: `${first?.path || '/'}: ${first?.message ?? 'invalid'}` };
  }
  const missing = REQUIRED[raw.type].filter((f) => raw[f] === undefined);
  if (raw.type === 'impression' && !raw.video_id && !raw.product_id && !raw.live_id) missing.push('video_id');
  if (missing.length > 0) return { code: 'invalid_event', message: `${raw.type} needs ${missing.join(', ')}` };
  const at = ISO_TIME.test(raw.at) ? Date.parse(raw.at) : NaN;
  if (Number.isNaN(at)) return { code: 'invalid_event', message: '/at: must be an ISO 8601 date-time with an offset' };
  if (at > nowMs + MAX_FUTURE_MS) return { code: 'event_in_future', message: 'at is more than 5 minutes ahead of the server clock' };
  if (at < nowMs - MAX_AGE_MS) return { code: 'event_too_old', message: 'at is more than 7 days old' };
  return null;
}

export interface IngestInput {
  /** The signed-in user (from the session), or null. */
  userId: string | null;
  deviceId: string | null;
  events: unknown[];
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
}

/**
 * Validates each event on its own (bad ones are reported by index, good ones kept) and appends
 * the good ones with ONE multi-row insert that skips ids this sender already posted.
 * Anonymous senders must name a device (400 `device_required`).
 */
export async function ingestEvents(db: Db, clock: Clock, input: IngestInput): Promise<IngestResult> {
  if (!input.userId && !input.deviceId) throw badRequest('device_required', 'Events need a device id (X-Device-Id header or device_id) or a signed-in user');
  if (input.events.length > MAX_BATCH) throw badRequest('batch_too_large', `At most ${MAX_BATCH} events per batch`);
  const now = clock.now();
  const rejected: Rejection[] = [];
  const seen = new Set<string>();
  const good: ClientEvent[] = [];
  input.events.forEach((raw, index) => {
    const problem = problemOf(raw, now.getTime());
    if (problem) return void rejected.push({ index, ...problem });
    const e = raw as ClientEvent;
    if (seen.has(e.event_id)) return;
    seen.add(e.event_id);
    good.push(e);
  });
  const valid = input.events.length - rejected.length;
  if (good.length === 0) return { accepted: 0, duplicates: valid, rejected };
  const actor = input.userId ? `u:${input.userId}` : `d:${input.deviceId}`;
  const [res] = await rows<{ n: number }>(
    db,
    sql`with ins as (
          insert into ${analyticsEvents} (actor, event_id, type, at, received_at, user_id, device_id, shop_id, video_id, product_id, sku_id, live_id,
                                          creator_id, watched_ms, duration_ms, completed, data)
          select ${actor}, r.event_id, r.type, r.at, ${now}, ${input.userId}, ${input.deviceId}, r.shop_id, r.video_id, r.product_id, r.sku_id, r.live_id,
                 r.creator_id, r.watched_ms, r.duration_ms, r.completed, case when r.url is not null then jsonb_build_object('url', r.url) end
          from json_to_recordset(${JSON.stringify(good)}::json) as r(event_id text, type text, at timestamptz, shop_id text, video_id text, product_id text,
               sku_id text, live_id text, creator_id text, watched_ms int, duration_ms int, completed boolean, url text)
          on conflict do nothing
          returning 1)
        select count(*)::int as n from ins`,
  );
  const views = good.flatMap((e) => (e.type === 'view' && e.video_id ? [{ videoId: e.video_id, at: Date.parse(e.at) }] : []));
  if (views.length > 0) notify({ name: 'views.recorded', payload: { actor, views } });
  return { accepted: res!.n, duplicates: valid - res!.n, rejected };
}

/** What `checkout` and `order_paid` need of each order. */
export interface PaidOrderFact {
  id: string;
  shopId: string;
  buyerId: string;
  total: number;
  currency: string;
}

/**
 * Facts the services record inside their own transactions. `checkout`: the orders a checkout
 * wrote (paid or not yet); `order_paid`: the paid orders of one payment — both with `items`, a
 * query over their order items (columns order_id, product_id, sku_id, quantity, line_total,
 * affiliate_rate_bps, source) read inside the one insert statement. A paid order is also a
 * checkout: `order_paid` records the `checkout` fact too when the checkout did not (one per
 * order either way). `refund`: one refund of an order. Recording the same fact again changes
 * nothing.
 */
export type ServerEvent =
  | { type: 'order_paid' | 'checkout'; orders: PaidOrderFact[]; items: SQLWrapper }
  | { type: 'refund'; refundId: string; orderId: string; shopId: string; buyerId: string; amount: number; currency: string }
  | { type: 'video_removed'; videoId: string; caption: string };

export async function recordServerEvent(tx: Db, clock: Clock, event: ServerEvent): Promise<void> {
  const now = clock.now();
  if (event.type === 'video_removed') {
    await tx
      .insert(analyticsEvents)
      .values({ actor: 'server', eventId: `video_removed:${event.videoId}`, type: 'video_removed', at: now, receivedAt: now, videoId: event.videoId, data: { caption: event.caption } })
      .onConflictDoNothing();
    return;
  }
  if (event.type === 'refund') {
    await tx
      .insert(analyticsEvents)
      .values({ actor: 'server', eventId: `refund:${event.refundId}`, type: 'refund', at: now, receivedAt: now, userId: event.buyerId, shopId: event.shopId, orderId: event.orderId, amount: event.amount, currency: event.currency })
      .onConflictDoNothing();
    return;
  }
  if (event.orders.length === 0) return;
  const paid = JSON.stringify(event.orders.map((o) => ({ id: o.id, shop_id: o.shopId, buyer_id: o.buyerId, total: o.total, currency: o.currency })));
  const types = event.type === 'order_paid' ? ['checkout', 'order_paid'] : ['checkout'];
  // Items: attribution from the cart line's source; the creator's commission where one is named.
  await tx.execute(sql`
    with it as (
      select i.order_id, jsonb_build_object('product_id', i.product_id, 'sku_id', i.sku_id, 'video_id', i.source->>'video_id', 'live_id', i.source->>'live_id',
               'creator_id', i.source->>'creator_id', 'quantity', i.quantity, 'line_total', i.line_total, 'commission', c.commission) as item,
             i.line_total, c.commission
      from (${event.items}) i
      cross join lateral (select case when i.source->>'creator_id' is null then 0 else i.line_total * i.affiliate_rate_bps / 10000 end as commission) c),
    fact as (
      select o.id, o.shop_id, o.buyer_id, o.total, o.currency,
             jsonb_build_object('gmv', coalesce(sum(it.line_total), 0), 'commission', coalesce(sum(it.commission), 0),
                                'items', coalesce(jsonb_agg(it.item) filter (where it.item is not null), '[]'::jsonb)) as data
      from json_to_recordset(${paid}::json) as o(id text, shop_id text, buyer_id text, total bigint, currency text)
      left join it on it.order_id = o.id
      group by o.id, o.shop_id, o.buyer_id, o.total, o.currency)
    insert into ${analyticsEvents} (actor, event_id, type, at, received_at, user_id, shop_id, order_id, amount, currency, data)
    select 'server', t.type || ':' || f.id, t.type, ${now}, ${now}, f.buyer_id, f.shop_id, f.id, f.total, f.currency, f.data
    from fact f cross join (select json_array_elements_text(${JSON.stringify(types)}::json) as type) t
    on conflict do nothing`);
}

// ---------------------------------------------------------------------------------------------
// Rollups

const is = (type: string) => sql`(e.type = ${type})::int`;
const when = (type: string, value: SQL) => sql`case when e.type = ${type} then ${value} else 0 end`;

/** Per event and dimension (from the event's own columns): what it adds to each counter. */
const EVENT_METRICS: Record<Metric, SQL> = {
  impressions: is('impression'),
  views: is('view'),
  views_3s: sql`(e.type = 'view' and e.watched_ms >= ${VIEW_3S_MS})::int`,
  completed_views: sql`(e.type = 'view' and e.completed)::int`,
  watched_ms: when('view', sql`e.watched_ms`),
  product_clicks: is('product_click'),
  add_to_carts: is('add_to_cart'),
  checkouts: is('checkout'),
  orders: is('order_paid'),
  gmv: when('order_paid', sql`(e.data->>'gmv')::bigint`),
  commission: when('order_paid', sql`(e.data->>'commission')::bigint`),
  refunds: is('refund'),
  refund_amount: when('refund', sql`e.amount`),
  outbound_clicks: is('outbound_click'),
  live_joins: is('live_join'),
};

/**
 * Per order fact and item dimension (video, product, live, creator of the order's items, grouped
 * so an order counts once per key): a checkout; orders and GMV when paid; a refund counts once
 * and takes the key's share of the paid order's GMV (rounded down).
 */
const ITEM_METRICS: Partial<Record<Metric, SQL>> = {
  checkouts: is('checkout'),
  orders: is('order_paid'),
  gmv: when('order_paid', sql`sum((it->>'line_total')::bigint)`),
  commission: when('order_paid', sql`sum((it->>'commission')::bigint)`),
  refunds: is('refund'),
  refund_amount: when('refund', sql`coalesce(e.amount * sum((it->>'line_total')::bigint)::bigint / nullif((p.data->>'gmv')::bigint, 0), 0)`),
};

const col = (m: Metric) => sql.raw(`"${m}"`);
const metricList = (exprs: Partial<Record<Metric, SQL>>) => sql.join(METRICS.map((m) => sql`${exprs[m] ?? sql`0`} as ${col(m)}`), sql`, `);

/**
 * Folds every event of the transactions in [`fromXid`, `toXid`) into the hourly and daily rollups:
 * one statement, adding to existing rows.
 */
async function foldEvents(tx: Db, fromXid: string, toXid: string): Promise<void> {
  const bucket = sql`date_trunc('hour', e.at, 'UTC')`;
  await tx.execute(sql`
    with e as (select * from ${analyticsEvents} where xid >= ${fromXid}::xid8 and xid < ${toXid}::xid8 and type <> 'video_removed'),
    facts as (
      select ${bucket} as bucket, coalesce(e.shop_id, '') as shop_id, d.dim, d.key, ${metricList(EVENT_METRICS)}
      from e cross join lateral (values ('shop', e.shop_id), ('video', e.video_id), ('product', e.product_id), ('live', e.live_id), ('creator', e.creator_id)) d(dim, key)
      where d.key is not null
      union all
      select ${bucket}, coalesce(e.shop_id, ''), d.dim, d.key, ${metricList(ITEM_METRICS)}
      from e
      join ${analyticsEvents} p on p.actor = 'server' and p.event_id = (case when e.type = 'checkout' then 'checkout:' else 'order_paid:' end) || e.order_id
      cross join lateral jsonb_array_elements(p.data->'items') it
      cross join lateral (values ('video', it->>'video_id'), ('product', it->>'product_id'), ('live', it->>'live_id'), ('creator', it->>'creator_id')) d(dim, key)
      where e.type in ('checkout', 'order_paid', 'refund') and d.key is not null
      group by e.actor, e.event_id, e.at, e.shop_id, e.type, e.amount, p.data->>'gmv', d.dim, d.key),
    hourly as (
    ${upsert(analyticsRollups, sql`bucket`)})
    ${upsert(analyticsRollupsDaily, sql`date_trunc('day', bucket, 'UTC')`)}`);
}

/** Adds the facts, summed per `bucket`, to a rollup table. */
function upsert(table: typeof analyticsRollups | typeof analyticsRollupsDaily, bucket: SQL): SQL {
  return sql`insert into ${table} (shop_id, dim, bucket, key, ${sql.join(METRICS.map(col), sql`, `)})
    select shop_id, dim, ${bucket}, key, ${sql.join(METRICS.map((m) => sql`sum(${col(m)})`), sql`, `)}
    from facts group by 1, 2, 3, 4
    on conflict (shop_id, dim, bucket, key) do update set
      ${sql.join(METRICS.map((m) => sql`${col(m)} = ${table}.${col(m)} + excluded.${col(m)}`), sql`, `)}`;
}

/**
 * One run of the rollup job, in the caller's transaction. Every transaction with an id below the
 * oldest one still running has ended, so its events are final: the run folds in the events of the
 * transactions between the stored watermark and that horizon, then moves the watermark. An event
 * is folded in exactly once however late it commits (an old `at` lands in its old hour); running
 * again with nothing new changes nothing. The watermark row lock keeps concurrent runs in line.
 * With `maxEvents` the run folds whole transactions up to that many events (at least one
 * transaction, however big) and answers whether events before the horizon are left.
 */
export async function rollupEvents(tx: Db, clock: Clock, opts: { maxEvents?: number } = {}): Promise<boolean> {
  await tx.insert(analyticsRollupState).values({ id: 'events', watermark: '0', updatedAt: clock.now() }).onConflictDoNothing();
  const [state] = await rows<{ from_xid: string; to_xid: string }>(
    tx,
    sql`select watermark::text as from_xid, pg_snapshot_xmin(pg_current_snapshot())::text as to_xid from ${analyticsRollupState} where id = 'events' for update`,
  );
  const { from_xid } = state!;
  let to_xid = state!.to_xid;
  if (from_xid === to_xid) return false;
  let more = false;
  if (opts.maxEvents !== undefined) {
    const [cut] = await rows<{ xid: string }>(
      tx,
      // Up to the transaction of event maxEvents + 1 (not included), or past it when it is the first.
      // (Each part an index range scan on xid: no scan of a whole backlog.)
      sql`select (case when exists (select 1 from ${analyticsEvents} where xid >= ${from_xid}::xid8 and xid < a.xid) then a.xid
                       else (select min(xid) from ${analyticsEvents} where xid > a.xid and xid < ${to_xid}::xid8) end)::text as xid
          from (select xid from ${analyticsEvents} where xid >= ${from_xid}::xid8 and xid < ${to_xid}::xid8 order by xid offset ${opts.maxEvents} limit 1) a`,
    );
    if (cut?.xid) [to_xid, more] = [cut.xid, true];
  }
  await foldEvents(tx, from_xid, to_xid);
  await tx.execute(sql`update ${analyticsRollupState} set watermark = ${to_xid}::xid8, updated_at = ${clock.now()} where id = 'events'`);
  return more;
}

/** Events per transaction of the recurring rollup job (on PGlite a step blocks requests for ~25 ms). */
export const ROLLUP_STEP_EVENTS = 2000;

/**
 * The recurring rollup job: folds in steps of ROLLUP_STEP_EVENTS, each its own transaction with
 * requests let through between them, then schedules the next run. Its own lane: a big fold never
 * delays the timers.
 */
export function registerAnalyticsJobs(jobs: JobRunner, clock: Clock): void {
  jobs.register(
    ROLLUP_JOB,
    async (db) => {
      while (await db.transaction((tx) => rollupEvents(tx, clock, { maxEvents: ROLLUP_STEP_EVENTS }))) await new Promise<void>((r) => setImmediate(r));
      await enqueue(db, clock, ROLLUP_JOB, {}, { runAt: new Date(clock.now().getTime() + ROLLUP_EVERY_MS) });
    },
    { lane: 'analytics', transaction: false },
  );
}

export async function scheduleAnalyticsJobs(db: Db, clock: Clock): Promise<void> {
  await enqueue(db, clock, ROLLUP_JOB, {}, { uniqueKey: `recurring:${ROLLUP_JOB}` });
}

// ---------------------------------------------------------------------------------------------
// Reads for the feed

/** Lifetime counters of one video, as the feed ranks it. */
export interface VideoTotals {
  impressions: number;
  views: number;
  completed_views: number;
  product_clicks: number;
  orders: number;
}

/**
 * Counters per video (ids without any data are left out) from the rollups with buckets before
 * `before` (rounded down to the hour): daily rows for whole days, hourly rows for the rest.
 */
export async function videoTotals(db: Db, videoIds: string[], before: Date): Promise<Map<string, VideoTotals>> {
  if (videoIds.length === 0) return new Map();
  const hour = new Date(Math.floor(before.getTime() / HOUR) * HOUR);
  const day = new Date(Math.floor(before.getTime() / DAY) * DAY);
  const ids = sql`(select json_array_elements_text(${JSON.stringify(videoIds)}::json))`;
  const pick = (t: typeof analyticsRollups | typeof analyticsRollupsDaily, range: SQL) =>
    sql`select key, impressions, views, completed_views, product_clicks, orders from ${t} where dim = 'video' and key in ${ids} and ${range}`;
  const found = await rows<{ key: string } & Record<keyof VideoTotals, string | number>>(
    db,
    sql`select key, sum(impressions) as impressions, sum(views) as views, sum(completed_views) as completed_views,
               sum(product_clicks) as product_clicks, sum(orders) as orders
        from (${pick(analyticsRollupsDaily, sql`bucket < ${day}`)} union all ${pick(analyticsRollups, sql`bucket >= ${day} and bucket < ${hour}`)}) r
        group by key`,
  );
  return new Map(
    found.map((r) => [
      r.key,
      { impressions: Number(r.impressions), views: Number(r.views), completed_views: Number(r.completed_views), product_clicks: Number(r.product_clicks), orders: Number(r.orders) },
    ]),
  );
}

/**
 * Videos a viewer (signed-in user and/or device) viewed before `before`, from the raw `view`
 * events of that sender (the event key's prefix), at most `limit` of the latest.
 */
export async function watchedVideoIds(db: Db, viewer: { userId: string | null; deviceId: string | null }, before: Date, limit = 5000): Promise<Set<string>> {
  const actors = [viewer.userId ? `u:${viewer.userId}` : null, viewer.deviceId ? `d:${viewer.deviceId}` : null].filter((a): a is string => a !== null);
  if (actors.length === 0) return new Set();
  const found = await rows<{ video_id: string }>(
    db,
    sql`select video_id from ${analyticsEvents}
        where actor in (select json_array_elements_text(${JSON.stringify(actors)}::json)) and type = 'view' and video_id is not null and at < ${before}
        group by video_id order by max(at) desc limit ${limit}`,
  );
  return new Set(found.map((r) => r.video_id));
}

/**
 * Per sender (`u:<user id>`, `d:<device id>`): video id → time of the sender's first view (ms),
 * for the `limit` videos it viewed most recently, from the raw `view` events. Senders without
 * views are left out.
 */
export async function firstViewsBySender(db: Db, actors: string[], limit = 5000): Promise<Map<string, Map<string, number>>> {
  const found = await rows<{ actor: string; video_id: string; first_ms: string | number }>(
    db,
    sql`select actor, video_id, first_ms from (
          select actor, video_id, (extract(epoch from min(at)) * 1000)::bigint as first_ms,
                 row_number() over (partition by actor order by max(at) desc) as n
          from ${analyticsEvents}
          where actor in (select json_array_elements_text(${JSON.stringify(actors)}::json)) and type = 'view' and video_id is not null
          group by actor, video_id) r
        where n <= ${limit}`,
  );
  const byActor = new Map<string, Map<string, number>>();
  for (const r of found) {
    const first = byActor.get(r.actor) ?? new Map<string, number>();
    byActor.set(r.actor, first.set(r.video_id, Number(r.first_ms)));
  }
  return byActor;
}

/** A client event as recorded, for `appendHistory` (the sender is `d:<device_id>`). */
export interface HistoricEvent {
  event_id: string;
  device_id: string;
  type: ClientEventType;
  at: Date;
  shop_id?: string;
  video_id?: string;
  product_id?: string;
  creator_id?: string;
  watched_ms?: number;
  duration_ms?: number;
  completed?: boolean;
}

/**
 * Appends past client events as they are — no age check, received when they happened — with
 * multi-row inserts of `chunk` events (the demo history: weeks of app traffic in a few
 * statements). Events a sender already posted are skipped; returns how many were added.
 */
export async function appendHistory(db: Db, events: HistoricEvent[], chunk = 5000): Promise<number> {
  let added = 0;
  for (let i = 0; i < events.length; i += chunk) {
    const part = events.slice(i, i + chunk).map((e) => ({ ...e, actor: `d:${e.device_id}`, at: e.at.toISOString() }));
    const [res] = await rows<{ n: number }>(
      db,
      sql`with ins as (
            insert into ${analyticsEvents} (actor, event_id, type, at, received_at, device_id, shop_id, video_id, product_id, creator_id, watched_ms, duration_ms, completed)
            select r.actor, r.event_id, r.type, r.at, r.at, r.device_id, r.shop_id, r.video_id, r.product_id, r.creator_id, r.watched_ms, r.duration_ms, r.completed
            from json_to_recordset(${JSON.stringify(part)}::json) as r(actor text, event_id text, type text, at timestamptz, device_id text, shop_id text, video_id text,
                 product_id text, creator_id text, watched_ms int, duration_ms int, completed boolean)
            on conflict do nothing
            returning 1)
          select count(*)::int as n from ins`,
    );
    added += res!.n;
  }
  return added;
}

/** The captions of deleted videos among `videoIds` (their `video_removed` facts), by video id. */
export async function removedVideoCaptions(db: Db, videoIds: string[]): Promise<Map<string, string>> {
  if (videoIds.length === 0) return new Map();
  const found = await rows<{ video_id: string; caption: string }>(
    db,
    sql`select video_id, data->>'caption' as caption from ${analyticsEvents}
        where actor = 'server' and event_id in (select 'video_removed:' || json_array_elements_text(${JSON.stringify(videoIds)}::json))`,
  );
  return new Map(found.map((r) => [r.video_id, r.caption]));
}
