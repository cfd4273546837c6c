import { sql, type SQL } from 'drizzle-orm';
import { DAY, HOUR, type Clock } from '../../platform/clock.js';
import { rows, type Db } from '../../platform/db.js';
import { badRequest } from '../../platform/errors.js';
import type { Money } from '../../platform/money.js';
import { getProductsByIds } from '../catalog/index.js';
import { videoFacts } from '../content/index.js';
import { MARKETS } from '../../platform/markets.js';
import { clickOutTotals, policyMode } from '../links/index.js';
import { liveFacts } from '../live/index.js';
import { getShop, getShops, listShopMemberIds } from '../sellers/index.js';
import { analyticsRollups, analyticsRollupsDaily, METRICS, type Metric, type RollupDim } from './schema.js';
import { removedVideoCaptions } from './service.js';
import { stockKeeper } from '../inventory/index.js';

/**
 * Seller and creator dashboards. Every figure is a sum over hourly rollup rows (never raw events),
 * so a dashboard's cost grows with hours × active objects in its range, not with the event count.
 * Money is the shop's currency; GMV is merchandise value (item line totals).
 */
export type Counters = Record<Metric, number>;
export interface Range {
  from: Date;
  to: Date;
}

export const DEFAULT_RANGE_MS = 30 * DAY;
export const MAX_RANGE_MS = 400 * DAY;

/** The requested range, by default the 30 days up to the end of the current hour (400 days at most). 400 `invalid_range`. */
export function rangeOf(clock: Clock, q: { from?: string; to?: string }, defaultMs = DEFAULT_RANGE_MS): Range {
  const to = q.to ? new Date(q.to) : new Date(Math.floor(clock.now().getTime() / HOUR) * HOUR + HOUR);
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - defaultMs);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to || to.getTime() - from.getTime() > MAX_RANGE_MS) {
    throw badRequest('invalid_range', 'from must be before to, at most 400 days apart', { from: q.from ?? null, to: q.to ?? null });
  }
  return { from, to };
}

const col = (m: Metric) => sql.raw(`"${m}"`);
const sums = sql.join(METRICS.map((m) => sql`coalesce(sum(${col(m)}), 0)::bigint as ${col(m)}`), sql`, `);

/**
 * Rollup sums over the hours that overlap a range, grouped by `groupBy` (selected as `g`): whole
 * UTC days from the daily rollups, the hours before and after them from the hourly ones
 * (`hourlyOnly`: all from the hourly rollups, to group them in another time zone).
 */
async function sumRollups<G = string>(db: Db, where: SQL, range: Range, groupBy: SQL, hourlyOnly = false): Promise<Array<Counters & { g: G }>> {
  const from = Math.floor(range.from.getTime() / HOUR) * HOUR;
  const to = range.to.getTime();
  const dayFrom = hourlyOnly ? to : Math.ceil(from / DAY) * DAY;
  const dayTo = Math.max(dayFrom, Math.floor(to / DAY) * DAY);
  const part = (table: SQL, a: number, b: number) => sql`select * from ${table} where ${where} and bucket >= ${new Date(a)} and bucket < ${new Date(b)}`;
  const hourly = sql`${analyticsRollups}`;
  const parts = dayFrom < dayTo
    ? [part(hourly, from, dayFrom), part(sql`${analyticsRollupsDaily}`, dayFrom, dayTo), part(hourly, dayTo, to)]
    : [part(hourly, from, to)];
  return rows(db, sql`select ${groupBy} as g, ${sums} from (${sql.join(parts, sql` union all `)}) r group by 1`);
}

const shopDim = (shopId: string, dim: RollupDim) => sql`shop_id = ${shopId} and dim = ${dim}`;
const ratio = (num: number, den: number): number | null => (den > 0 ? Math.round((num / den) * 10_000) / 10_000 : null);
const money = (amount: number, currency: string): Money => ({ amount, currency });

export const FUNNEL_STEPS = ['impressions', 'views', 'views_3s', 'completed_views', 'product_clicks', 'add_to_carts', 'checkouts', 'orders'] as const;
type Step = (typeof FUNNEL_STEPS)[number];
/** The stages a buyer passes one after the other; 3-second and completed views are kinds of views beside them. */
export const FUNNEL_CHAIN = ['impressions', 'views', 'product_clicks', 'add_to_carts', 'checkouts', 'orders'] as const satisfies readonly Step[];
/** What each rate divides by: the stage before it in the chain; 3-second and completed views over views. */
export const RATE_BASE: Record<Exclude<Step, 'impressions'>, Step> = {
  views: 'impressions',
  views_3s: 'views',
  completed_views: 'views',
  product_clicks: 'views',
  add_to_carts: 'product_clicks',
  checkouts: 'add_to_carts',
  orders: 'checkouts',
};

export interface FunnelRow extends Record<Step, number> {
  id: string;
  gmv: Money;
  /** Each stage over the stage before it in the chain, 3-s and completed views over views (null when that one is 0; never above 1). */
  rates: Record<Exclude<Step, 'impressions'>, number | null>;
}

/**
 * The funnel's stages as "reached at least this stage" (decision 024): each stage of the chain
 * counts its own facts and never fewer than the stage after it — an order was a checkout, a
 * checkout had something in the cart, and so on back to the impression, even when the app's
 * event for an earlier stage never arrived (offline, blocked, killed) or fell before the range.
 * Checkouts and orders are server facts, the other stages the apps' events. So every row is
 * monotone by construction and every rate is at most 1 (3-s and completed views are views).
 */
export function funnelStages(c: Record<Step, number>): Record<Step, number> {
  const out = { ...Object.fromEntries(FUNNEL_STEPS.map((s) => [s, c[s]])) } as Record<Step, number>;
  let after = 0;
  for (const s of [...FUNNEL_CHAIN].reverse()) after = out[s] = Math.max(c[s], after);
  return out;
}

function funnelRow(id: string, c: Counters, currency: string): FunnelRow {
  const steps = funnelStages(c);
  const rates = Object.fromEntries(FUNNEL_STEPS.slice(1).map((s) => [s, ratio(steps[s], steps[RATE_BASE[s as keyof typeof RATE_BASE]])])) as FunnelRow['rates'];
  return { id, ...steps, gmv: money(c.gmv, currency), rates };
}

/** What a video row is: its caption and whether it is still there (`removed`: deleted; `unknown`: never seen by the content module). */
export interface VideoLabel {
  status: 'processing' | 'ready' | 'failed' | 'removed' | 'unknown';
  caption: string | null;
}

/** Labels of videos by id: from the content module, or for deleted ones from their removal facts. */
export async function videoLabels(db: Db, ids: string[]): Promise<Map<string, VideoLabel>> {
  const found = new Map((await videoFacts(db, { ids })).map((v) => [v.id, { status: v.status, caption: v.caption } as VideoLabel]));
  const removed = await removedVideoCaptions(db, ids.filter((id) => !found.has(id)));
  return new Map(ids.map((id) => [id, found.get(id) ?? (removed.has(id) ? { status: 'removed', caption: removed.get(id)! } : { status: 'unknown', caption: null })]));
}

const byGmv = (a: Counters & { g: string }, b: Counters & { g: string }) => b.gmv - a.gmv || b.orders - a.orders || b.views - a.views || (a.g < b.g ? -1 : 1);

/** Funnel per video (with its label), product or live session of the shop, best-selling first, with the shop's totals. */
export async function funnel(db: Db, shopId: string, by: 'video' | 'product' | 'live', range: Range, limit = 100) {
  const shop = await getShop(db, shopId);
  const found = (await sumRollups(db, shopDim(shopId, by), range, sql`key`)).sort(byGmv);
  const [total] = await sumRollups(db, shopDim(shopId, 'shop'), range, sql`key`);
  const zero = Object.fromEntries(METRICS.map((m) => [m, 0])) as Counters;
  const shown = found.slice(0, limit);
  const labels = by === 'video' ? await videoLabels(db, shown.map((r) => r.g)) : null;
  return {
    by,
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    rows: shown.map((r) => {
      const { id, ...row } = funnelRow(r.g, r, shop.currency);
      return { id, ...(labels ? { video: labels.get(id)! } : {}), ...row };
    }),
    totals: funnelRow(shopId, total ?? zero, shop.currency),
    rate_bases: RATE_BASE,
  };
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** ISO weekday (Monday = 1) and hour of an instant in a time zone. */
function slotOf(at: Date, timeZone: string): { weekday: number; hour: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: 'numeric', hourCycle: 'h23' }).formatToParts(at);
  const part = (t: string) => parts.find((p) => p.type === t)!.value;
  return { weekday: WEEKDAYS.indexOf(part('weekday')) + 1, hour: Number(part('hour')) };
}

export interface HeatCell {
  weekday: number;
  hour: number;
  videos: number;
  views: number;
  completed_views: number;
  completion_rate: number | null;
  orders: number;
}

/**
 * Completion rate and orders of the shop's videos by the weekday × hour they were published, in
 * the shop's time zone (only cells with videos). `best`: the highest completion rate among cells
 * with at least `minViews` views.
 */
export async function completionHeatmap(db: Db, shopId: string, range: Range, minViews = 10) {
  const shop = await getShop(db, shopId);
  const perVideo = await sumRollups(db, shopDim(shopId, 'video'), range, sql`key`);
  const published = new Map((await videoFacts(db, { ids: perVideo.map((v) => v.g) })).map((v) => [v.id, v.published_at]));
  const cells = new Map<string, HeatCell>();
  for (const v of perVideo) {
    const at = published.get(v.g);
    if (!at) continue;
    const { weekday, hour } = slotOf(at, shop.timezone);
    const cell = cells.get(`${weekday}:${hour}`) ?? { weekday, hour, videos: 0, views: 0, completed_views: 0, completion_rate: null, orders: 0 };
    cell.videos += 1;
    cell.views += v.views;
    cell.completed_views += v.completed_views;
    cell.orders += v.orders;
    cell.completion_rate = ratio(cell.completed_views, cell.views);
    cells.set(`${weekday}:${hour}`, cell);
  }
  const list = [...cells.values()].sort((a, b) => a.weekday - b.weekday || a.hour - b.hour);
  const best = list
    .filter((c) => c.views >= minViews && c.completion_rate !== null)
    .reduce<HeatCell | null>((b, c) => (!b || c.completion_rate! > b.completion_rate! || (c.completion_rate === b.completion_rate && c.orders > b.orders) ? c : b), null);
  return { timezone: shop.timezone, from: range.from.toISOString(), to: range.to.toISOString(), cells: list, best };
}

export const DEFAULT_PRICE_BANDS = [1000, 2500, 5000, 10_000, 25_000];

/**
 * Add-to-cart rate (add-to-carts / product clicks) and conversion (orders / product clicks) of the
 * shop's products grouped by their lowest price, with the funnel's stages (`funnelStages`: never
 * above 1); `bounds` are ascending band edges in minor units.
 */
export async function priceBands(db: Db, shopId: string, range: Range, bounds: number[] = DEFAULT_PRICE_BANDS) {
  if (bounds.some((b, i) => !Number.isSafeInteger(b) || b <= 0 || (i > 0 && b <= bounds[i - 1]!))) {
    throw badRequest('invalid_bands', 'bands are ascending positive whole numbers of minor units', { bands: bounds });
  }
  const shop = await getShop(db, shopId);
  const perProduct = await sumRollups(db, shopDim(shopId, 'product'), range, sql`key`);
  const price = new Map((await getProductsByIds(db, stockKeeper, perProduct.map((p) => p.g))).map((p) => [p.id, p.price_range.min.amount]));
  const edges = [0, ...bounds];
  const bands = edges.map((min, i) => ({ min, max: edges[i + 1] ?? null, products: 0, product_clicks: 0, add_to_carts: 0, orders: 0, gmv: 0 }));
  for (const p of perProduct) {
    const amount = price.get(p.g);
    if (amount === undefined) continue;
    const band = bands.findLast((b) => amount >= b.min)!;
    const stages = funnelStages(p);
    band.products += 1;
    band.product_clicks += stages.product_clicks;
    band.add_to_carts += stages.add_to_carts;
    band.orders += stages.orders;
    band.gmv += p.gmv;
  }
  return {
    currency: shop.currency,
    bands: bands.map((b) => ({
      min: money(b.min, shop.currency),
      max: b.max === null ? null : money(b.max, shop.currency),
      products: b.products,
      product_clicks: b.product_clicks,
      add_to_carts: b.add_to_carts,
      orders: b.orders,
      gmv: money(b.gmv, shop.currency),
      add_to_cart_rate: ratio(b.add_to_carts, b.product_clicks),
      conversion: ratio(b.orders, b.product_clicks),
    })),
  };
}

export type Interval = 'hour' | 'day' | 'week' | 'month';

/** GMV, orders and refunds of the shop per interval (starting in the shop's time zone); empty intervals left out. */
export async function timeseries(db: Db, shopId: string, range: Range, interval: Interval = 'day') {
  const shop = await getShop(db, shopId);
  const start = sql`(date_trunc(${interval}, bucket, ${shop.timezone}))`;
  const points = await sumRollups<Date | string>(db, shopDim(shopId, 'shop'), range, start, true);
  return {
    currency: shop.currency,
    timezone: shop.timezone,
    interval,
    points: points
      .map((p) => ({ start: new Date(p.g).toISOString(), orders: p.orders, gmv: money(p.gmv, shop.currency), refunds: p.refunds, refund_amount: money(p.refund_amount, shop.currency) }))
      .sort((a, b) => (a.start < b.start ? -1 : 1)),
  };
}

/** The shop's best videos or creators in the range by GMV (then orders, then views). */
export async function top(db: Db, shopId: string, by: 'video' | 'creator', range: Range, limit = 10) {
  const shop = await getShop(db, shopId);
  const found = (await sumRollups(db, shopDim(shopId, by), range, sql`key`)).sort(byGmv).slice(0, limit);
  const labels = by === 'video' ? await videoLabels(db, found.map((r) => r.g)) : null;
  return {
    by,
    rows: found.map((r) => ({
      id: r.g,
      ...(labels ? { video: labels.get(r.g)! } : {}),
      views: r.views,
      completed_views: r.completed_views,
      product_clicks: r.product_clicks,
      orders: r.orders,
      gmv: money(r.gmv, shop.currency),
      refunds: r.refunds,
      commission: money(r.commission, shop.currency),
    })),
  };
}

/** A creator's counters of one object over every shop, with GMV and commission per shop currency. */
type CreatorTotals = Counters & { money: Map<string, { gmv: number; earnings: number }> };

/** Rollup sums of the `dim` rows keyed by `ids` over every shop, per key (keys without rollup rows in the range are left out). */
async function creatorTotals(db: Db, dim: 'video' | 'live', ids: string[], range: Range): Promise<Map<string, CreatorTotals>> {
  if (ids.length === 0) return new Map();
  const keys = sql.join(ids.map((id) => sql`${id}`), sql`, `);
  const perShop = await sumRollups<{ key: string; shop_id: string }>(db, sql`dim = ${dim} and key in (${keys})`, range, sql`jsonb_build_object('key', key, 'shop_id', shop_id)`);
  const currencyOf = new Map((await getShops(db, [...new Set(perShop.map((r) => r.g.shop_id).filter(Boolean))])).map((s) => [s.id, s.currency]));
  const out = new Map<string, CreatorTotals>();
  for (const r of perShop) {
    const row = out.get(r.g.key) ?? { ...(Object.fromEntries(METRICS.map((m) => [m, 0])) as Counters), money: new Map() };
    for (const m of METRICS) row[m] += r[m];
    const currency = currencyOf.get(r.g.shop_id);
    if (currency && (r.gmv > 0 || r.commission > 0)) {
      const m = row.money.get(currency) ?? { gmv: 0, earnings: 0 };
      m.gmv += r.gmv;
      m.earnings += r.commission;
      row.money.set(currency, m);
    }
    out.set(r.g.key, row);
  }
  return out;
}

const moneyLists = (t: CreatorTotals | undefined) => ({
  gmv: [...(t?.money ?? [])].map(([currency, m]) => money(m.gmv, currency)),
  earnings_estimate: [...(t?.money ?? [])].map(([currency, m]) => money(m.earnings, currency)),
});

/**
 * A creator's own dashboard (over every shop, per currency the GMV and the affiliate earnings
 * estimate: commission of the attributed items, before refunds and settlement). `videos`: per
 * video with data in the range, views, completed views and orders, most orders first. `lives`:
 * per live session with data in the range, or started in it, or live now (zeros without data),
 * room joins (`live_join` events), product clicks, add-to-carts and orders, newest start first
 * (sessions not started yet last).
 */
export async function creatorAnalytics(db: Db, creatorId: string, range: Range) {
  const [myVideos, myLives] = await Promise.all([videoFacts(db, { creatorId }), liveFacts(db, { creatorId })]);
  const videoTotals = await creatorTotals(db, 'video', myVideos.map((v) => v.id), range);
  const liveTotals = await creatorTotals(db, 'live', myLives.map((l) => l.id), range);
  const caption = new Map(myVideos.map((v) => [v.id, v.caption]));
  const inRange = (at: Date | null) => at !== null && at >= range.from && at < range.to;
  const time = (at: Date | null) => at?.getTime() ?? -Infinity;
  return {
    videos: [...videoTotals]
      .map(([id, v]) => ({ id, ...v }))
      .sort((a, b) => b.orders - a.orders || b.views - a.views || (a.id < b.id ? -1 : 1))
      .map((v) => ({
        video_id: v.id,
        caption: caption.get(v.id)!,
        views: v.views,
        completed_views: v.completed_views,
        completion_rate: ratio(v.completed_views, v.views),
        orders: v.orders,
        ...moneyLists(v),
      })),
    lives: myLives
      .filter((l) => liveTotals.has(l.id) || inRange(l.started_at) || l.status === 'live')
      .sort((a, b) => time(b.started_at) - time(a.started_at) || b.scheduled_at.getTime() - a.scheduled_at.getTime() || (a.id < b.id ? 1 : -1))
      .map((l) => {
        const c = liveTotals.get(l.id);
        return {
          live_id: l.id,
          title: l.title,
          status: l.status,
          scheduled_at: l.scheduled_at.toISOString(),
          started_at: l.started_at?.toISOString() ?? null,
          ended_at: l.ended_at?.toISOString() ?? null,
          live_joins: c?.live_joins ?? 0,
          product_clicks: c?.product_clicks ?? 0,
          add_to_carts: c?.add_to_carts ?? 0,
          orders: c?.orders ?? 0,
          ...moneyLists(c),
        };
      }),
  };
}

/** One side of the cut-over comparison. */
export interface CutoverPeriod {
  from: string;
  to: string;
  click_outs: number;
  click_out_cost: Money;
  orders: number;
  paid_gmv: Money;
  /** orders / views of the shop's videos in the period; 0 without views. */
  conversion_rate: number;
}

export const DEFAULT_CUTOVER_WINDOW_DAYS = 30;

/**
 * The shop's figures in the `windowDays` before and after its market's cut-over to the closed
 * loop: click-outs through its members' external anchors and their traffic cost (the links
 * module's click-out records), paid orders, GMV and conversion (orders / views) from the shop
 * rollups. The cut-over time is rounded down to its hour (the rollups' grain), so the hour in
 * which the market switched counts as after: before = [t − window, t), after = [t, min(t +
 * window, now)). A market that has not switched yet gives null for the time and both periods.
 */
export async function cutoverComparison(db: Db, clock: Clock, shopId: string, windowDays = DEFAULT_CUTOVER_WINDOW_DAYS) {
  const shop = await getShop(db, shopId);
  const m = MARKETS[shop.market];
  const switched = policyMode(shop.market) === 'closed' && m?.cutoverAt ? m.cutoverAt : null;
  const base = { market: shop.market, window_days: windowDays };
  if (!switched) return { ...base, cutover_at: null, before: null, after: null };
  const at = Math.floor(switched.getTime() / HOUR) * HOUR;
  const window = windowDays * DAY;
  const owners = await listShopMemberIds(db, shopId);
  const period = async (from: number, to: number): Promise<CutoverPeriod> => {
    const range = { from: new Date(from), to: new Date(to) };
    const [totals] = to > from ? await sumRollups(db, shopDim(shopId, 'shop'), range, sql`key`) : [];
    const clicks = await clickOutTotals(db, { ownerIds: owners, market: shop.market, ...range });
    const orders = totals?.orders ?? 0;
    const views = totals?.views ?? 0;
    return {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      click_outs: clicks.count,
      click_out_cost: money(clicks.cost, m!.currency),
      orders,
      paid_gmv: money(totals?.gmv ?? 0, shop.currency),
      conversion_rate: ratio(orders, views) ?? 0,
    };
  };
  const now = clock.now().getTime();
  return {
    ...base,
    cutover_at: switched.toISOString(),
    before: await period(at - window, at),
    after: await period(at, Math.max(at, Math.min(at + window, now))),
  };
}
