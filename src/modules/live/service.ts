import type { Static } from '@sinclair/typebox';
import { and, asc, desc, eq, gt, inArray, lt, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { HOUR, MINUTE, type Clock } from '../../platform/clock.js';
import { rows, type Db } from '../../platform/db.js';
import { badRequest, conflict, forbidden, notFound, unprocessable } from '../../platform/errors.js';
import { isId, newId } from '../../platform/ids.js';
import { enqueue, type JobRunner } from '../../platform/jobs.js';
import { notifyExpr, publish } from '../../platform/pubsub.js';
import { pageOf } from '../../platform/pagination.js';
import { plainText, textLength } from '../catalog/index.js';
import { getProduct, getProductsByIds, getSkusForCheckout } from '../catalog/index.js';
import { getUser } from '../identity/index.js';
import { closeHolds, getHolds, setHold, stockKeeper } from '../inventory/index.js';
import { assertUserTextLinkFree } from '../links/index.js';
import { listShopsForUser } from '../sellers/index.js';
import { transitionLive } from './lifecycle.js';
import { livePins, livePurchases, liveSessions, liveViewers, type LiveEndReason, type LiveStatus } from './schema.js';
import type { Allotment, Live } from './views.js';

/**
 * Live selling: a creator schedules a session, starts it (exclusivity attestation; one live
 * session per creator at a time), pins products, sets flash-sale allotments and ends it.
 * Allotments are inventory stock holds whose holder is the session id: checkout draws a live
 * buyer's units from them (the cart line's `source.live_id`), ending the session closes them and
 * the unsold units go back to general stock (decision 011). A live its creator left running (no
 * console heartbeat for `LIVE_IDLE_END_MS`, or longer than `LIVE_MAX_DURATION_MS`) is ended the
 * same way by a recurring job (`endStaleLives`). Room updates are published on the `live` topic
 * (LISTEN/NOTIFY) and fanned out to SSE clients by `LiveHub` (hub.ts).
 */
export const TOPIC = 'live';
export const MAX_TITLE_CHARS = 100;
export const MAX_PINS = 20;
export const MAX_ALLOTMENT = 10_000;
export const MAX_ALLOTMENT_ITEMS = 50;
export const RECENT_PURCHASES = 10;
/** A process's viewer count stops counting when its heartbeat is older than this. */
export const PRESENCE_TTL_MS = 30_000;
/**
 * A live whose creator console showed no sign of life (start, pin, allotment change, heartbeat)
 * for this long is ended by the platform (`end_reason: idle`): the console sends a heartbeat every
 * minute, so this is a closed tab or a crash, not a slow network (decision 011).
 */
export const LIVE_IDLE_END_MS = 30 * MINUTE;
/** A live is ended by the platform this long after its start, heartbeat or not (`max_duration`). */
export const LIVE_MAX_DURATION_MS = 12 * HOUR;
/** How often the platform looks for lives to end (on the app clock). */
export const LIVE_SWEEP_EVERY_MS = 5 * MINUTE;
export const LIVE_SWEEP_JOB = 'live.end_stale';

/** The text a creator confirms when going live; its version is recorded with the start. */
export const ATTESTATION = {
  version: '2026-03-v1',
  text: 'I confirm that I am not live on any other platform for the duration of this session, and that products sold here are sold only through Loopshop.',
} as const;

type LiveRow = typeof liveSessions.$inferSelect;

export type AllotmentView = Static<typeof Allotment>;

export type LiveView = Static<typeof Live>;

export interface PurchaseView {
  id: string;
  buyer: string;
  product_id: string;
  sku_id: string;
  title: string;
  quantity: number;
  at: string;
}

// ---------------------------------------------------------------------------------------------
// Input checks

function cleanTitle(title: string): string {
  const text = plainText(title).replace(/\s+/g, ' ').trim();
  if (text.length === 0 || textLength(text) > MAX_TITLE_CHARS) {
    throw badRequest('validation_failed', `title is 1 to ${MAX_TITLE_CHARS} characters`, [
      { field: 'body/title', rule: 'length', message: `title is 1 to ${MAX_TITLE_CHARS} characters`, params: { limit: MAX_TITLE_CHARS } },
    ]);
  }
  return text;
}

/**
 * The stream the room plays: an http(s) URL or a platform media path (`/media/…`) to an HLS
 * playlist (.m3u8) or an MP4 file. Ingest is not Loopshop's: the creator streams elsewhere.
 */
export function cleanStreamUrl(raw: string): string {
  const value = raw.trim();
  const invalid = () => badRequest('invalid_stream_url', 'stream_url is an http(s) link (or a /media/ path) to an HLS playlist (.m3u8) or an MP4 file', { field: 'body/stream_url' });
  let parsed: URL;
  try {
    parsed = new URL(value, 'http://platform.invalid');
  } catch {
    throw invalid();
  }
  const relative = parsed.host === 'platform.invalid';
  if (relative ? !value.startsWith('/media/') || value.includes('..') : !['http:', 'https:'].includes(parsed.protocol) || !parsed.hostname) throw invalid();
  if (!/\.(m3u8|mp4)$/i.test(parsed.pathname) || /\s/.test(value)) throw invalid();
  return relative ? parsed.pathname + parsed.search : parsed.href;
}

function parseCursor(cursor: string | undefined): string | undefined {
  if (cursor !== undefined && !isId(cursor, 'liv')) throw badRequest('invalid_cursor', 'Unknown cursor');
  return cursor;
}

// ---------------------------------------------------------------------------------------------
// Views

async function toViews(db: Db, list: LiveRow[]): Promise<LiveView[]> {
  if (list.length === 0) return [];
  const ids = list.map((r) => r.id);
  const creators = new Map<string, string>();
  for (const id of new Set(list.map((r) => r.creatorId))) creators.set(id, (await getUser(db, id)).name);
  const pins = await db.select().from(livePins).where(inArray(livePins.liveId, ids)).orderBy(asc(livePins.liveId), asc(livePins.position));
  const products = new Map((await getProductsByIds(db, stockKeeper, [...new Set(pins.map((p) => p.productId))])).map((p) => [p.id, p]));
  const holds = new Map(await Promise.all(ids.map(async (id) => [id, await getHolds(db, id)] as const)));
  const skuIds = [...new Set([...holds.values()].flat().map((h) => h.sku_id))];
  const skus = new Map((await getSkusForCheckout(db, skuIds)).map((s) => [s.sku_id, s]));
  const sold = await rows<{ live_id: string; sku_id: string; sold: number }>(
    db,
    sql`select live_id, sku_id, sum(quantity)::int as sold from ${livePurchases}
        where live_id in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)}) group by live_id, sku_id`,
  );
  const soldOf = new Map(sold.map((s) => [`${s.live_id} ${s.sku_id}`, s.sold]));
  return list.map((r) => ({
    id: r.id,
    creator: { id: r.creatorId, name: creators.get(r.creatorId) ?? '' },
    title: r.title,
    stream_url: r.streamUrl,
    status: r.status,
    scheduled_at: r.scheduledAt.toISOString(),
    started_at: r.startedAt?.toISOString() ?? null,
    ended_at: r.endedAt?.toISOString() ?? null,
    end_reason: r.endReason,
    attestation: r.attestedBy && r.attestedAt ? { by: r.attestedBy, at: r.attestedAt.toISOString(), version: r.attestationVersion ?? '' } : null,
    pinned_product_id: r.pinnedProductId,
    products: pins.filter((p) => p.liveId === r.id).flatMap((p) => {
      const product = products.get(p.productId);
      return product && product.status === 'live' ? [product] : [];
    }),
    allotments: (holds.get(r.id) ?? []).map((h) => ({
      sku_id: h.sku_id,
      product_id: skus.get(h.sku_id)?.product_id ?? '',
      title: products.get(skus.get(h.sku_id)?.product_id ?? '')?.title ?? '',
      option_values: skus.get(h.sku_id)?.option_values ?? [],
      quantity: h.quantity,
      remaining: h.remaining,
      sold: soldOf.get(`${r.id} ${h.sku_id}`) ?? 0,
      status: h.status,
    })),
  }));
}

async function findLive(db: Db, id: string): Promise<LiveRow | undefined> {
  const [row] = await db.select().from(liveSessions).where(eq(liveSessions.id, id));
  return row;
}

/** A live session, public (scheduled, live and ended sessions are all visible). */
export async function getLive(db: Db, id: string): Promise<LiveView> {
  const row = await findLive(db, id);
  if (!row) throw notFound('Live session', id);
  return (await toViews(db, [row]))[0]!;
}

/** The session row, only for its creator; anyone else gets 404 as for a missing one. */
async function ownLive(db: Db, creatorId: string, id: string, lock = false): Promise<LiveRow> {
  const q = db.select().from(liveSessions).where(and(eq(liveSessions.id, id), eq(liveSessions.creatorId, creatorId)));
  const [row] = lock ? await q.for('update') : await q;
  if (!row) throw notFound('Live session', id);
  return row;
}

const invalidState = (row: LiveRow, action: string) =>
  conflict('invalid_state', `A ${row.status} live session cannot be ${action}`, { status: row.status });

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** Sessions, newest first: public by status (default live), or one creator's own (any status). */
export async function listLive(db: Db, opts: { status?: LiveStatus; creatorId?: string; limit?: number; cursor?: string }): Promise<Page<LiveView>> {
  const limit = opts.limit ?? 20;
  const cursor = parseCursor(opts.cursor);
  const list = await db
    .select()
    .from(liveSessions)
    .where(
      and(
        opts.creatorId ? eq(liveSessions.creatorId, opts.creatorId) : undefined,
        opts.status ? eq(liveSessions.status, opts.status) : undefined,
        cursor ? lt(liveSessions.id, cursor) : undefined,
      ),
    )
    .orderBy(desc(liveSessions.id))
    .limit(limit + 1);
  const { rows, next_cursor } = pageOf(list, limit);
  return { data: await toViews(db, rows), next_cursor };
}

/** What other modules need of a creator's sessions (analytics): newest first, any status. */
export interface LiveFacts {
  id: string;
  title: string;
  status: LiveStatus;
  scheduled_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
}

/** Every session of a creator with its times (no rooms, pins or allotments), newest first. */
export async function liveFacts(db: Db, filter: { creatorId: string }): Promise<LiveFacts[]> {
  return db
    .select({ id: liveSessions.id, title: liveSessions.title, status: liveSessions.status, scheduled_at: liveSessions.scheduledAt, started_at: liveSessions.startedAt, ended_at: liveSessions.endedAt })
    .from(liveSessions)
    .where(eq(liveSessions.creatorId, filter.creatorId))
    .orderBy(desc(liveSessions.id));
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

export interface CreateLiveInput {
  title: string;
  stream_url: string;
  scheduled_at?: string;
  product_ids?: string[];
}

/** Schedules a session (title under the market's link policy; products must be live). */
export async function createLive(db: Db, clock: Clock, creatorId: string, input: CreateLiveInput): Promise<LiveView> {
  const title = cleanTitle(input.title);
  await assertUserTextLinkFree(db, creatorId, { title: input.title });
  const streamUrl = cleanStreamUrl(input.stream_url);
  const scheduledAt = input.scheduled_at ? new Date(input.scheduled_at) : clock.now();
  if (Number.isNaN(scheduledAt.getTime())) throw badRequest('validation_failed', 'scheduled_at is a date-time', [{ field: 'body/scheduled_at', rule: 'format' }]);
  const productIds = await pinnable(db, input.product_ids ?? []);
  if (productIds.length > MAX_PINS) throw unprocessable('too_many_pins', `A live session pins at most ${MAX_PINS} products`, { max: MAX_PINS });
  const id = newId('liv');
  const now = clock.now();
  await db.transaction(async (tx) => {
    await tx.insert(liveSessions).values({
      id,
      creatorId,
      title,
      streamUrl,
      status: 'scheduled',
      scheduledAt,
      pinnedProductId: productIds[0] ?? null,
      createdAt: now,
      updatedAt: now,
    });
    if (productIds.length > 0) {
      await tx.insert(livePins).values(productIds.map((productId, position) => ({ liveId: id, productId, position, pinnedAt: now })));
    }
  });
  return getLive(db, id);
}

/** Products a creator may pin: live products (the same rule as anchors and the showcase). */
async function pinnable(db: Db, productIds: string[]): Promise<string[]> {
  const ids = [...new Set(productIds)];
  const found = new Map((await getProductsByIds(db, stockKeeper, ids.filter((id) => isId(id, 'prd')))).map((p) => [p.id, p]));
  const bad = ids.filter((id) => found.get(id)?.status !== 'live');
  if (bad.length > 0) throw unprocessable('invalid_product', `Pinned products must be live products: ${bad.join(', ')}`, { product_ids: bad });
  return ids;
}

/** Unique-violation of a named index (the driver's error or its cause). */
function isUniqueViolation(e: unknown, constraint: string): boolean {
  for (let err = e as { code?: string; constraint?: string; cause?: unknown } | undefined; err; err = err.cause as typeof err) {
    if (err.code === '23505' && err.constraint === constraint) return true;
  }
  return false;
}

/**
 * Goes live: needs the exclusivity attestation (422 `attestation_required`); a creator already
 * live in another session gets 409 `already_live` (the partial unique index decides between
 * racing starts); a session that is not scheduled 409 `invalid_transition`.
 */
export async function startLive(db: Db, clock: Clock, creatorId: string, id: string, input: { attestation?: boolean }): Promise<LiveView> {
  const row = await ownLive(db, creatorId, id);
  if (input.attestation !== true) {
    throw unprocessable('attestation_required', 'Confirm that you are live only here (attestation: true) to go live', { attestation: ATTESTATION });
  }
  const now = clock.now();
  try {
    // Not scheduled (or another start got there first): 409 `invalid_transition`.
    await transitionLive(db, id, 'start', {
      from: row.status,
      set: { startedAt: now, lastActiveAt: now, attestedBy: creatorId, attestedAt: now, attestationVersion: ATTESTATION.version, updatedAt: now },
    });
  } catch (e) {
    if (!isUniqueViolation(e, 'live_sessions_one_live_per_creator')) throw e;
    const [other] = await db
      .select({ id: liveSessions.id })
      .from(liveSessions)
      .where(and(eq(liveSessions.creatorId, creatorId), eq(liveSessions.status, 'live')));
    throw conflict('already_live', 'You are already live in another session; end it first', { live_id: other?.id ?? null });
  }
  await publish(db, TOPIC, { live_id: id, kind: 'status' });
  return getLive(db, id);
}

/**
 * Ends a scheduled or live session: status `ended`, every allotment closed with its unsold
 * units back in general stock (units in open checkouts follow their checkout), in one
 * transaction that also tells the rooms.
 */
export async function endLive(db: Db, clock: Clock, creatorId: string, id: string): Promise<LiveView> {
  await db.transaction(async (tx) => {
    await closeSession(tx, clock, await ownLive(tx, creatorId, id, true), 'creator');
  });
  return getLive(db, id);
}

/**
 * The end itself, for the creator (`end`) and the platform (`auto_end`) alike; `row` is locked by
 * the caller's transaction. An ended session: 409 `invalid_transition`.
 */
async function closeSession(tx: Db, clock: Clock, row: LiveRow, reason: LiveEndReason): Promise<void> {
  const now = clock.now();
  await transitionLive(tx, row.id, reason === 'creator' ? 'end' : 'auto_end', { from: row.status, set: { endedAt: now, endReason: reason, updatedAt: now } });
  await closeHolds(tx, clock, row.id);
  await publish(tx, TOPIC, { live_id: row.id, kind: 'ended' });
}

/**
 * The creator console's heartbeat: the session is still attended (see `LIVE_IDLE_END_MS`). One
 * conditional update; the creator's live session only (anyone else 404), and only while live
 * (409 `invalid_state`: an ended session is not revived).
 */
export async function heartbeatLive(db: Db, clock: Clock, creatorId: string, id: string): Promise<void> {
  const touched = await db
    .update(liveSessions)
    .set({ lastActiveAt: clock.now() })
    .where(and(eq(liveSessions.id, id), eq(liveSessions.creatorId, creatorId), eq(liveSessions.status, 'live')))
    .returning({ id: liveSessions.id });
  if (touched.length === 0) throw invalidState(await ownLive(db, creatorId, id), 'kept alive');
}

/** Why the platform ends this live now, or null while it may go on. */
function staleReason(row: LiveRow, now: Date): Exclude<LiveEndReason, 'creator'> | null {
  if (row.status !== 'live' || !row.startedAt) return null;
  if (now.getTime() - row.startedAt.getTime() >= LIVE_MAX_DURATION_MS) return 'max_duration';
  if (now.getTime() - (row.lastActiveAt ?? row.startedAt).getTime() >= LIVE_IDLE_END_MS) return 'idle';
  return null;
}

/**
 * Ends every live session left running: no sign of life from its creator's console for
 * `LIVE_IDLE_END_MS` (`end_reason: idle`) or live for `LIVE_MAX_DURATION_MS` (`max_duration`),
 * each in its own transaction through the same end as the creator's (allotments back to general
 * stock, rooms told). The row is locked and checked again before it ends, so a heartbeat or the
 * creator's own end that got there first wins, and a second run ends nothing. Returns the ids
 * ended. Scheduled sessions are left alone: the lifecycle table ends only live ones itself (`auto_end`);
 * a scheduled one is ended by its creator.
 */
export async function endStaleLives(db: Db, clock: Clock): Promise<Array<{ id: string; reason: LiveEndReason }>> {
  const now = clock.now();
  const idleSince = new Date(now.getTime() - LIVE_IDLE_END_MS);
  const startedBefore = new Date(now.getTime() - LIVE_MAX_DURATION_MS);
  const ended: Array<{ id: string; reason: LiveEndReason }> = [];
  const failed: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await db
      .select({ id: liveSessions.id })
      .from(liveSessions)
      .where(
        and(
          eq(liveSessions.status, 'live'),
          sql`(coalesce(${liveSessions.lastActiveAt}, ${liveSessions.startedAt}) <= ${idleSince} or ${liveSessions.startedAt} <= ${startedBefore})`,
          after ? gt(liveSessions.id, after) : undefined,
        ),
      )
      .orderBy(asc(liveSessions.id))
      .limit(100);
    if (page.length === 0) break;
    for (const { id } of page) {
      try {
        const reason = await db.transaction(async (tx) => {
          const [row] = await tx.select().from(liveSessions).where(eq(liveSessions.id, id)).for('update');
          const why = row ? staleReason(row, now) : null;
          if (row && why) await closeSession(tx, clock, row, why);
          return why;
        });
        if (reason) ended.push({ id, reason });
      } catch (e) {
        failed.push(`${id}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    after = page[page.length - 1]!.id;
  }
  if (failed.length > 0) throw new Error(`ending ${failed.length} stale live session(s) failed: ${failed.slice(0, 5).join('; ')}`);
  return ended;
}

export function registerLiveJobs(jobs: JobRunner, clock: Clock): void {
  jobs.register(
    LIVE_SWEEP_JOB,
    async (db) => {
      // The next run first (keyed by its slot, so a retry of this one does not start a second chain).
      const next = Math.floor(clock.now().getTime() / LIVE_SWEEP_EVERY_MS + 1) * LIVE_SWEEP_EVERY_MS;
      await enqueue(db, clock, LIVE_SWEEP_JOB, {}, { runAt: new Date(next), uniqueKey: `${LIVE_SWEEP_JOB}:${next}` });
      await endStaleLives(db, clock);
    },
    // Outside one long transaction: every session ends in its own, with its stock.
    { transaction: false },
  );
}

/** The recurring sweep for lives left running, enqueued once per database. */
export async function scheduleLiveJobs(db: Db, clock: Clock): Promise<void> {
  await enqueue(db, clock, LIVE_SWEEP_JOB, {}, { uniqueKey: `recurring:${LIVE_SWEEP_JOB}` });
}

/** Pins a product (added to the session's products if new) and features it in the room. */
export async function pinProduct(db: Db, clock: Clock, creatorId: string, id: string, productId: string): Promise<LiveView> {
  await pinnable(db, [productId]);
  await db.transaction(async (tx) => {
    const row = await ownLive(tx, creatorId, id, true);
    if (row.status === 'ended') throw invalidState(row, 'changed');
    const pins = await tx.select().from(livePins).where(eq(livePins.liveId, id));
    if (!pins.some((p) => p.productId === productId)) {
      if (pins.length >= MAX_PINS) throw unprocessable('too_many_pins', `A live session pins at most ${MAX_PINS} products`, { max: MAX_PINS });
      await tx.insert(livePins).values({ liveId: id, productId, position: pins.length, pinnedAt: clock.now() });
    }
    await tx.update(liveSessions).set({ pinnedProductId: productId, lastActiveAt: clock.now(), updatedAt: clock.now() }).where(eq(liveSessions.id, id));
    await publish(tx, TOPIC, { live_id: id, kind: 'pinned' });
  });
  return getLive(db, id);
}

/**
 * Sets the flash-sale allotment of SKUs of the session's pinned products (quantity 0 gives an
 * allotment back); SKUs not named keep theirs. Only while live (409 `invalid_state`), only SKUs
 * of pinned products (422 `sku_not_pinned`) of a shop the creator belongs to (403
 * `shop_member_required`: a creator cannot lock up another shop's stock). All or nothing: 409
 * `out_of_stock` (not enough available) or `allotment_in_use` (below what buyers hold) changes
 * nothing. Idempotent: the quantities are totals, not increments.
 */
export async function setAllotments(
  db: Db,
  clock: Clock,
  creatorId: string,
  id: string,
  items: Array<{ sku_id: string; quantity: number }>,
): Promise<LiveView> {
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.sku_id)) throw badRequest('duplicate_sku', 'Each SKU appears once', { sku_id: item.sku_id });
    seen.add(item.sku_id);
  }
  await ownLive(db, creatorId, id); // 404 before anything else
  const skus = new Map((await getSkusForCheckout(db, [...seen])).map((s) => [s.sku_id, s]));
  const unknown = [...seen].filter((s) => !skus.has(s));
  if (unknown.length > 0) throw notFound('SKU', unknown[0]);
  const memberOf = new Set((await listShopsForUser(db, creatorId)).map((s) => s.id));
  const notMember = [...skus.values()].filter((s) => !memberOf.has(s.shop_id));
  if (notMember.length > 0) {
    throw forbidden('Only a member of the shop can set aside its stock for a live', 'shop_member_required');
  }
  await db.transaction(async (tx) => {
    // The session row lock serialises every allotment change of this session.
    const row = await ownLive(tx, creatorId, id, true);
    if (row.status !== 'live') throw invalidState(row, 'given allotments');
    const pinned = new Set((await tx.select({ productId: livePins.productId }).from(livePins).where(eq(livePins.liveId, id))).map((p) => p.productId));
    const notPinned = [...skus.values()].filter((s) => !pinned.has(s.product_id) || !s.sellable);
    if (notPinned.length > 0) {
      throw unprocessable('sku_not_pinned', 'Allotments are for sellable SKUs of the products pinned in this live', { sku_ids: notPinned.map((s) => s.sku_id) });
    }
    for (const item of [...items].sort((a, b) => (a.sku_id < b.sku_id ? -1 : 1))) await setHold(tx, clock, id, item.sku_id, item.quantity);
    await tx.update(liveSessions).set({ lastActiveAt: clock.now() }).where(eq(liveSessions.id, id));
    await publish(tx, TOPIC, { live_id: id, kind: 'stock' });
  });
  return getLive(db, id);
}

// ---------------------------------------------------------------------------------------------
// Purchases (called by checkout) and the room

/**
 * Checkout's payment transaction: records the paid items that came from a live room (their
 * `source.live_id` names an existing session) and publishes one `purchase` message per session,
 * delivered when the payment commits. One statement; items of no live cost nothing more.
 * `items` is a query of order_items rows.
 */
export async function recordLivePurchases(tx: Db, clock: Clock, buyerId: string, items: SQLWrapper): Promise<void> {
  await tx.execute(sql`
    with i as (${items}),
    ins as (
      insert into ${livePurchases} (order_item_id, live_id, order_id, buyer_id, product_id, sku_id, title, quantity, created_at)
      select i.id, s.id, i.order_id, ${buyerId}, i.product_id, i.sku_id, i.title, i.quantity, ${clock.now()}
      from i join ${liveSessions} s on s.id = i.source->>'live_id'
      on conflict do nothing
      returning live_id)
    select ${notifyExpr(TOPIC, sql`json_build_object('live_id', x.live_id, 'kind', 'purchase')::text`)} from (select distinct live_id from ins) x`);
}

/**
 * Affiliate attribution (the cart and checkout): an SQL expression for the host of live session
 * `liveId` while it is in one of `statuses` and has `productId` pinned (a flash-sale allotment is
 * only ever of a pinned product, so pinned covers allotted), else null. The arguments are SQL,
 * typically columns of the caller's rows, so one statement resolves every cart line.
 */
export function liveAttributionSql(liveId: SQL, productId: SQL, statuses: readonly LiveStatus[]): SQL {
  return sql`(select s.creator_id from ${liveSessions} s where s.id = ${liveId}
    and s.status in (${sql.join(statuses.map((st) => sql`${st}`), sql`, `)})
    and exists (select 1 from ${livePins} p where p.live_id = s.id and p.product_id = ${productId}))`;
}

/** "Ada Lovelace" → "A***": enough to feel the room buying, nothing that identifies anyone. */
export function maskName(name: string): string {
  const first = [...name.trim()][0];
  return `${first ? first.toLocaleUpperCase() : '*'}***`;
}

export async function recentPurchases(db: Db, liveId: string, limit = RECENT_PURCHASES): Promise<PurchaseView[]> {
  const list = await db.select().from(livePurchases).where(eq(livePurchases.liveId, liveId)).orderBy(desc(livePurchases.createdAt), desc(livePurchases.orderItemId)).limit(limit);
  const names = new Map<string, string>();
  for (const id of new Set(list.map((p) => p.buyerId))) names.set(id, maskName((await getUser(db, id).catch(() => ({ name: '' }))).name));
  return list.map((p) => ({
    id: p.orderItemId,
    buyer: names.get(p.buyerId) ?? '***',
    product_id: p.productId,
    sku_id: p.skuId,
    title: p.title,
    quantity: p.quantity,
    at: p.createdAt.toISOString(),
  }));
}

export interface RoomSku {
  sku_id: string;
  option_values: string[];
  price: { amount: number; currency: string };
  /** What a buyer in the room can buy now: the allotment left when there is one, else general stock. */
  available: number;
  /** The flash-sale allotment of the SKU, null when it has none (or it was closed). */
  allotment: { quantity: number; remaining: number } | null;
}

export interface RoomProduct {
  id: string;
  shop_id: string;
  title: string;
  images: string[];
  option_names: string[];
  skus: RoomSku[];
}

export interface RoomState {
  live: LiveView;
  viewers: number;
  pinned: RoomProduct | null;
  purchases: PurchaseView[];
}

/** Everything a room shows, read fresh (the initial SSE snapshot and every refresh). */
export async function roomState(db: Db, clock: Clock, id: string): Promise<RoomState> {
  const live = await getLive(db, id);
  const [viewers, purchases, pinned] = await Promise.all([
    viewerCount(db, clock, id),
    recentPurchases(db, id),
    live.pinned_product_id ? roomProduct(db, live, live.pinned_product_id) : Promise.resolve(null),
  ]);
  return { live, viewers, pinned, purchases };
}

async function roomProduct(db: Db, live: LiveView, productId: string): Promise<RoomProduct | null> {
  const product = await getProduct(db, stockKeeper, productId).catch(() => null);
  if (!product) return null;
  const open = new Map(live.allotments.filter((a) => a.status === 'open').map((a) => [a.sku_id, a]));
  return {
    id: product.id,
    shop_id: product.shop_id,
    title: product.title,
    images: product.images,
    option_names: product.option_names,
    skus: product.variants
      .filter((v) => v.status === 'active')
      .map((v) => {
        const a = open.get(v.sku_id);
        return {
          sku_id: v.sku_id,
          option_values: v.option_values,
          price: v.price,
          available: a ? a.remaining : v.available,
          allotment: a ? { quantity: a.quantity, remaining: a.remaining } : null,
        };
      }),
  };
}

/** Viewers connected to the room across all processes whose heartbeat is recent. */
export async function viewerCount(db: Db, clock: Clock, liveId: string): Promise<number> {
  const since = new Date(clock.now().getTime() - PRESENCE_TTL_MS);
  const [r] = await rows<{ n: number }>(
    db,
    sql`select coalesce(sum(viewers), 0)::int as n from ${liveViewers} where live_id = ${liveId} and seen_at > ${since}`,
  );
  return r?.n ?? 0;
}

/** This process's viewers of a room (0 removes the row). */
export async function setPresence(db: Db, clock: Clock, liveId: string, nodeId: string, viewers: number): Promise<void> {
  if (viewers <= 0) {
    await db.delete(liveViewers).where(and(eq(liveViewers.liveId, liveId), eq(liveViewers.nodeId, nodeId)));
    return;
  }
  const now = clock.now();
  await db
    .insert(liveViewers)
    .values({ liveId, nodeId, viewers, seenAt: now })
    .onConflictDoUpdate({ target: [liveViewers.liveId, liveViewers.nodeId], set: { viewers, seenAt: now } });
}

/** Heartbeat: this process's rows are still current. */
export async function touchPresence(db: Db, clock: Clock, nodeId: string, liveIds: string[]): Promise<void> {
  if (liveIds.length === 0) return;
  await db.update(liveViewers).set({ seenAt: clock.now() }).where(and(eq(liveViewers.nodeId, nodeId), inArray(liveViewers.liveId, liveIds)));
}
