/** Seller and creator dashboards (`/v1/shops/{id}/analytics/…`, `/v1/creators/me/analytics`): shapes and calls. */
import { ApiError, query, request } from '../api';
import type { Money } from '../i18n/format';
import type { Interval, Range } from './analyticsRange';

export * from './analyticsRange';

export const FUNNEL_STEPS = ['impressions', 'views', 'views_3s', 'completed_views', 'product_clicks', 'add_to_carts', 'checkouts', 'orders'] as const;
export type FunnelStep = (typeof FUNNEL_STEPS)[number];
export type FunnelBy = 'video' | 'product' | 'live';

export interface FunnelRow extends Record<FunnelStep, number> {
  id: string;
  gmv: Money;
  /** Each step over the step before it; null when that one is 0. */
  rates: Record<Exclude<FunnelStep, 'impressions'>, number | null>;
}

export interface Funnel {
  by: FunnelBy;
  from: string;
  to: string;
  rows: FunnelRow[];
  totals: FunnelRow;
}

export interface HeatCell {
  /** ISO weekday: Monday = 1. */
  weekday: number;
  hour: number;
  videos: number;
  views: number;
  completed_views: number;
  completion_rate: number | null;
  orders: number;
}

export interface Heatmap {
  timezone: string;
  from: string;
  to: string;
  cells: HeatCell[];
  best: HeatCell | null;
}

export interface PriceBand {
  min: Money;
  max: Money | null;
  products: number;
  product_clicks: number;
  add_to_carts: number;
  orders: number;
  gmv: Money;
  add_to_cart_rate: number | null;
  conversion: number | null;
}

export interface PriceBands {
  currency: string;
  bands: PriceBand[];
}

export interface TimePoint {
  start: string;
  orders: number;
  gmv: Money;
  refunds: number;
  refund_amount: Money;
}

export interface Timeseries {
  currency: string;
  timezone: string;
  interval: Interval;
  points: TimePoint[];
}

export interface TopRow {
  id: string;
  views: number;
  completed_views: number;
  product_clicks: number;
  orders: number;
  gmv: Money;
  refunds: number;
  commission: Money;
}

export interface Top {
  by: 'video' | 'creator';
  rows: TopRow[];
}

export interface CutoverPeriod {
  from: string;
  to: string;
  click_outs: number;
  click_out_cost: Money;
  orders: number;
  paid_gmv: Money;
  conversion_rate: number;
}

export interface Cutover {
  market: string;
  cutover_at: string | null;
  window_days: number;
  before: CutoverPeriod | null;
  after: CutoverPeriod | null;
}

export interface CreatorVideoStats {
  video_id: string;
  caption: string;
  views: number;
  completed_views: number;
  completion_rate: number | null;
  orders: number;
  /** One per currency sold in. */
  gmv: Money[];
  earnings_estimate: Money[];
}

export interface CreatorLiveStats {
  live_id: string;
  title: string;
  status: 'scheduled' | 'live' | 'ended';
  scheduled_at: string;
  started_at: string | null;
  ended_at: string | null;
  /** Viewers entering the room (`live_join` events). */
  live_joins: number;
  product_clicks: number;
  add_to_carts: number;
  /** Paid orders with an item bought from the room. */
  orders: number;
  /** One per currency sold in. */
  gmv: Money[];
  earnings_estimate: Money[];
}

export interface CreatorAnalytics {
  videos: CreatorVideoStats[];
  /** Sessions with data in the range, started in it or live now; newest start first. */
  lives: CreatorLiveStats[];
}

export type CreatorTable = 'videos' | 'lives';

const shopPath = (shopId: string, route: string) => `/v1/shops/${encodeURIComponent(shopId)}/analytics/${route}`;

/** The address of a route's answer; with `csv` the table as a CSV download (the session cookie authorizes it). */
export function analyticsUrl(shopId: string, route: string, params: Record<string, string | number | undefined>, csv = false): string {
  return `${shopPath(shopId, route)}${query({ ...params, ...(csv ? { format: 'csv' } : {}) })}`;
}

/** The creator dashboard's address; with `csv` one table (`videos` by default) as a CSV download. */
export const creatorAnalyticsUrl = (range: Range, csv = false, table: CreatorTable = 'videos') =>
  `/v1/creators/me/analytics${query({ ...range, ...(csv ? { format: 'csv', ...(table === 'videos' ? {} : { table }) } : {}) })}`;

export const analytics = {
  funnel: (shopId: string, p: Range & { by: FunnelBy; limit?: number }) => request<Funnel>('GET', analyticsUrl(shopId, 'funnel', { ...p })),
  heatmap: (shopId: string, p: Range) => request<Heatmap>('GET', analyticsUrl(shopId, 'completion-heatmap', { ...p })),
  priceBands: (shopId: string, p: Range & { bands?: string }) => request<PriceBands>('GET', analyticsUrl(shopId, 'price-bands', { ...p })),
  timeseries: (shopId: string, p: Range & { interval: Interval }) => request<Timeseries>('GET', analyticsUrl(shopId, 'timeseries', { ...p })),
  top: (shopId: string, p: Range & { by: 'video' | 'creator'; limit?: number }) => request<Top>('GET', analyticsUrl(shopId, 'top', { ...p })),
  /** Click-outs and conversion before and after the market's cut-over; null where the route is missing (404). */
  cutover: async (shopId: string): Promise<Cutover | null> => {
    try {
      return await request<Cutover>('GET', shopPath(shopId, 'cutover'));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  },
  creator: (p: Range) => request<CreatorAnalytics>('GET', creatorAnalyticsUrl(p)),
};
