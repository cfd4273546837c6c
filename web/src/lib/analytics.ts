/** Seller and creator dashboards (`/v1/shops/{id}/analytics/…`, `/v1/creators/me/analytics`): shapes and calls. */
import { ApiError, query } from '../api';
import { client, data } from '../api/client';
import type { QueryOf, ResponseOf } from '../api/types';
import type { Interval, Range } from './analyticsRange';

export * from './analyticsRange';

export const FUNNEL_STEPS = ['impressions', 'views', 'views_3s', 'completed_views', 'product_clicks', 'add_to_carts', 'checkouts', 'orders'] as const;
export type FunnelStep = (typeof FUNNEL_STEPS)[number];
type Analytics<R extends string> = ResponseOf<`/v1/shops/{shop_id}/analytics/${R}` & keyof import('../api/schema').paths>;
export type Funnel = Analytics<'funnel'>;
export type FunnelBy = NonNullable<QueryOf<'/v1/shops/{shop_id}/analytics/funnel'>['by']>;
export type FunnelRow = Funnel['totals'];
/** What a video row's video is now (video rows of the funnel and top tables). */
export type VideoLabel = NonNullable<FunnelRow['video']>;
export type Heatmap = Analytics<'completion-heatmap'>;
export type HeatCell = Heatmap['cells'][number];
export type PriceBands = Analytics<'price-bands'>;
export type PriceBand = PriceBands['bands'][number];
export type Timeseries = Analytics<'timeseries'>;
export type TimePoint = Timeseries['points'][number];
export type Top = Analytics<'top'>;
export type TopRow = Top['rows'][number];
export type Cutover = Analytics<'cutover'>;
export type CutoverPeriod = NonNullable<Cutover['before']>;
export type CreatorAnalytics = ResponseOf<'/v1/creators/me/analytics'>;
export type CreatorVideoStats = CreatorAnalytics['videos'][number];
export type CreatorLiveStats = CreatorAnalytics['lives'][number];

export type CreatorTable = 'videos' | 'lives';

const shopPath = (shopId: string, route: string) => `/v1/shops/${encodeURIComponent(shopId)}/analytics/${route}`;

/** The address of a route's answer; with `csv` the table as a CSV download (the session cookie authorizes it). */
export function analyticsUrl(shopId: string, route: string, params: Record<string, string | number | undefined>, csv = false): string {
  return `${shopPath(shopId, route)}${query({ ...params, ...(csv ? { format: 'csv' } : {}) })}`;
}

/** The creator dashboard's address; with `csv` one table (`videos` by default) as a CSV download. */
export const creatorAnalyticsUrl = (range: Range, csv = false, table: CreatorTable = 'videos') =>
  `/v1/creators/me/analytics${query({ ...range, ...(csv ? { format: 'csv', ...(table === 'videos' ? {} : { table }) } : {}) })}`;

const shop = <Q>(shopId: string, query: Q) => ({ params: { path: { shop_id: shopId }, query } });

export const analytics = {
  funnel: (shopId: string, p: Range & { by: FunnelBy; limit?: number }) => data(client.GET('/v1/shops/{shop_id}/analytics/funnel', shop(shopId, p))),
  heatmap: (shopId: string, p: Range) => data(client.GET('/v1/shops/{shop_id}/analytics/completion-heatmap', shop(shopId, p))),
  priceBands: (shopId: string, p: Range & { bands?: string }) => data(client.GET('/v1/shops/{shop_id}/analytics/price-bands', shop(shopId, p))),
  timeseries: (shopId: string, p: Range & { interval: Interval }) => data(client.GET('/v1/shops/{shop_id}/analytics/timeseries', shop(shopId, p))),
  top: (shopId: string, p: Range & { by: 'video' | 'creator'; limit?: number }) => data(client.GET('/v1/shops/{shop_id}/analytics/top', shop(shopId, p))),
  /** Click-outs and conversion before and after the market's cut-over; null where the route is missing (404). */
  cutover: async (shopId: string): Promise<Cutover | null> => {
    try {
      return await data(client.GET('/v1/shops/{shop_id}/analytics/cutover', { params: { path: { shop_id: shopId } } }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  },
  creator: (p: Range) => data(client.GET('/v1/creators/me/analytics', { params: { query: p } })),
};
