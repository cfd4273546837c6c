import { Type, type Static, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasRole, requireUser } from '../../platform/auth.js';
import { errors, IdParam, Money } from '../../platform/http-schemas.js';
import { toCsv } from '../../platform/csv.js';
import { perCallerRateLimit } from '../../platform/security.js';
import { LIVE_STATUSES } from '../live/index.js';
import { requireShopMember } from '../sellers/index.js';
import { completionHeatmap, creatorAnalytics, cutoverComparison, DEFAULT_CUTOVER_WINDOW_DAYS, funnel, FUNNEL_STEPS, priceBands, RATE_BASE, rangeOf, timeseries, top, type Range } from './dashboards.js';
import { ClientEvent, ingestEvents, MAX_BATCH } from './service.js';

const Rate = Type.Union([Type.Number(), Type.Null()]);
const Count = Type.Integer();
const RangeQuery = {
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Default: `to` − 30 days; widened to whole hours' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Exclusive; default: the end of the current hour' })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], { description: 'csv: the table as a CSV download' })),
};
const DeviceHeader = Type.Object({ 'x-device-id': Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' })) });
const DeviceId = Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$', description: 'Anonymous device id (or the X-Device-Id header)' });

const VideoLabel = Type.Optional(
  Type.Object(
    {
      status: Type.Union(['processing', 'ready', 'failed', 'removed', 'unknown'].map((s) => Type.Literal(s)), { description: 'removed: deleted by its creator; unknown: no such video' }),
      caption: Type.Union([Type.String(), Type.Null()], { description: 'Also of a removed video; null when unknown' }),
    },
    { description: 'Video rows only: what the video is now' },
  ),
);
const FunnelRow = Type.Object({
  id: Type.String(),
  video: VideoLabel,
  ...Object.fromEntries(FUNNEL_STEPS.map((s) => [s, Count])),
  gmv: Type.Ref(Money),
  rates: Type.Object(Object.fromEntries(FUNNEL_STEPS.slice(1).map((s) => [s, Rate])), {
    description: 'Each stage over the stage before it (3-s and completed views over views); at most 1',
  }),
});
const HeatCell = Type.Object({ weekday: Type.Integer({ description: 'ISO: Monday = 1' }), hour: Type.Integer(), videos: Count, views: Count, completed_views: Count, completion_rate: Rate, orders: Count });

/** The answer as JSON, or with `?format=csv` the route's table as a CSV download. */
function answer<T>(reply: FastifyReply, format: 'json' | 'csv' | undefined, name: string, body: T, table: (b: T) => object[]) {
  if (format !== 'csv') return body;
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}.csv"`)
    .send(toCsv(table(body)));
}

/** JSON answer schema; with `?format=csv` the same route answers text/csv (not serialized by the schema). */
const csvDoc = (schema: TSchema) => ({ 200: schema, ...errors(400, 401, 404) });

export async function analyticsRoutes(server: FastifyInstance): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock } = app.ctx;

  app.post(
    '/events',
    {
      schema: {
        tags: ['analytics'],
        summary: `Append a batch of up to ${MAX_BATCH} app events (anonymous with a device id, or signed in)`,
        headers: DeviceHeader,
        body: Type.Object(
          { device_id: Type.Optional(DeviceId), events: Type.Array(Type.Unknown(), { minItems: 1, maxItems: MAX_BATCH }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            accepted: Count,
            duplicates: Type.Integer({ description: 'Events this sender had already posted (counted once)' }),
            rejected: Type.Array(Type.Object({ index: Count, code: Type.String(), message: Type.String() })),
          }),
          ...errors(400, 413, 429),
        },
      },
      config: {
        auth: 'public',
        docsBody: Type.Object({ device_id: Type.Optional(DeviceId), events: Type.Array(ClientEvent, { minItems: 1, maxItems: MAX_BATCH }) }),
        rateLimit: perCallerRateLimit('events', app.ctx.config.eventsRateLimit),
      },
    },
    async (req) =>
      ingestEvents(db, clock, { userId: req.user?.id ?? null, deviceId: req.body.device_id ?? req.headers['x-device-id'] ?? null, events: req.body.events }),
  );

  /** Shop members only; another shop's analytics answer 404 like a missing shop. */
  const memberShop = async (req: FastifyRequest, shopId: string) => {
    await requireShopMember(db, requireUser(req).id, shopId);
    return shopId;
  };
  const ShopParams = IdParam('shop_id', 'shp');

  /** A shop dashboard: `GET /shops/:shop_id/analytics/<name>` over a range, members only, JSON or with `?format=csv` its `table`. */
  const shopDashboard = <Q extends TProperties, B>(
    name: string,
    summary: string,
    query: Q,
    response: TSchema,
    run: (shopId: string, range: Range, q: Static<TObject<Q>>) => Promise<B>,
    table: (b: B) => object[],
  ) =>
    app.get(
      `/shops/:shop_id/analytics/${name}`,
      {
        config: { auth: 'user' },
        schema: { tags: ['analytics'], summary, params: ShopParams, querystring: Type.Object({ ...RangeQuery, ...query }), response: csvDoc(response) },
      },
      async (req, reply) => {
        const shopId = await memberShop(req, req.params.shop_id as string);
        const q = req.query as Static<TObject<typeof RangeQuery>> & Static<TObject<Q>>;
        return answer(reply, q.format, name, await run(shopId, rangeOf(clock, q), q), table);
      },
    );

  shopDashboard(
    'funnel',
    'Funnel per video, product or live session: impressions ≥ views ≥ product clicks ≥ add-to-cart ≥ checkouts ≥ orders (each stage at least the next; checkouts and orders from server facts), 3-s and completed views, GMV',
    {
      by: Type.Optional(Type.Union([Type.Literal('video'), Type.Literal('product'), Type.Literal('live')], { default: 'video' })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    },
    Type.Object({
      by: Type.String(),
      from: Type.String(),
      to: Type.String(),
      rows: Type.Array(FunnelRow),
      totals: FunnelRow,
      rate_bases: Type.Object(Object.fromEntries(Object.entries(RATE_BASE).map(([s, base]) => [s, Type.Literal(base)])), {
        description: 'The stage each rate of `rates` is over',
      }),
    }),
    (shopId, range, q) => funnel(db, shopId, q.by ?? 'video', range, q.limit),
    (b) => b.rows,
  );

  shopDashboard(
    'completion-heatmap',
    "Completion rate and orders by the videos' publish weekday × hour (shop time zone), with the best slot",
    { min_views: Type.Optional(Type.Integer({ minimum: 1, default: 10, description: 'Views a slot needs to be the best' })) },
    Type.Object({ timezone: Type.String(), from: Type.String(), to: Type.String(), cells: Type.Array(HeatCell), best: Type.Union([HeatCell, Type.Null()]) }),
    (shopId, range, q) => completionHeatmap(db, shopId, range, q.min_views),
    (b) => b.cells,
  );

  shopDashboard(
    'price-bands',
    "Add-to-cart rate and conversion by the product's lowest price",
    {
      bands: Type.Optional(Type.String({ pattern: '^\\d{1,12}(,\\d{1,12}){0,19}$', description: 'Ascending band edges in minor units, e.g. 1000,2500,5000,10000,25000 (the default)' })),
    },
    Type.Object({
      currency: Type.String(),
      bands: Type.Array(
        Type.Object({
          min: Type.Ref(Money),
          max: Type.Union([Type.Ref(Money), Type.Null()]),
          products: Count,
          product_clicks: Count,
          add_to_carts: Count,
          orders: Count,
          gmv: Type.Ref(Money),
          add_to_cart_rate: Rate,
          conversion: Rate,
        }),
      ),
    }),
    (shopId, range, q) => priceBands(db, shopId, range, q.bands?.split(',').map(Number)),
    (b) => b.bands,
  );

  shopDashboard(
    'timeseries',
    'GMV, orders and refunds per hour, day, week or month (starting in the shop time zone)',
    { interval: Type.Optional(Type.Union([Type.Literal('hour'), Type.Literal('day'), Type.Literal('week'), Type.Literal('month')], { default: 'day' })) },
    Type.Object({
      currency: Type.String(),
      timezone: Type.String(),
      interval: Type.String(),
      points: Type.Array(Type.Object({ start: Type.String(), orders: Count, gmv: Type.Ref(Money), refunds: Count, refund_amount: Type.Ref(Money) })),
    }),
    (shopId, range, q) => timeseries(db, shopId, range, q.interval),
    (b) => b.points,
  );

  shopDashboard(
    'top',
    "The shop's top videos or creators by GMV",
    {
      by: Type.Optional(Type.Union([Type.Literal('video'), Type.Literal('creator')], { default: 'video' })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
    },
    Type.Object({
      by: Type.String(),
      rows: Type.Array(
        Type.Object({ id: Type.String(), video: VideoLabel, views: Count, completed_views: Count, product_clicks: Count, orders: Count, gmv: Type.Ref(Money), refunds: Count, commission: Type.Ref(Money) }),
      ),
    }),
    (shopId, range, q) => top(db, shopId, q.by ?? 'video', range, q.limit),
    (b) => b.rows,
  );

  const CutoverPeriod = Type.Object({
    from: Type.String({ format: 'date-time', description: 'Inclusive, on a whole hour' }),
    to: Type.String({ format: 'date-time', description: 'Exclusive' }),
    click_outs: Type.Integer({ description: "Taps on the shop members' external anchors (link click-out records)" }),
    click_out_cost: Type.Ref(Money, { description: 'What those click-outs cost, in the market currency' }),
    orders: Type.Integer({ description: 'Paid orders of the shop' }),
    paid_gmv: Type.Ref(Money, { description: 'Merchandise value of the paid orders (item line totals)' }),
    conversion_rate: Type.Number({ description: "orders ÷ video views of the shop's content in the period (views, not impressions); 0 without views" }),
  });

  app.get(
    '/shops/:shop_id/analytics/cutover',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['analytics'],
        summary: "The shop's click-outs, orders, GMV and conversion in the window before and after its market's cut-over to the closed loop",
        description:
          'Shop members and operators. The cut-over time is rounded down to its hour (the rollups\' grain): before = [cutover − window, cutover), ' +
          'after = [cutover, min(cutover + window, now)). While the market has not switched, `cutover_at`, `before` and `after` are null.',
        params: ShopParams,
        querystring: Type.Object({
          window_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, default: DEFAULT_CUTOVER_WINDOW_DAYS })),
          format: RangeQuery.format,
        }),
        response: csvDoc(
          Type.Object({
            market: Type.String(),
            cutover_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
            window_days: Type.Integer(),
            before: Type.Union([CutoverPeriod, Type.Null()]),
            after: Type.Union([CutoverPeriod, Type.Null()]),
          }),
        ),
      },
    },
    async (req, reply) => {
      const shopId = req.params.shop_id as string;
      if (!hasRole(requireUser(req), 'operator')) await memberShop(req, shopId);
      const body = await cutoverComparison(db, clock, shopId, req.query.window_days);
      return answer(reply, req.query.format, 'cutover', body, (b) =>
        (['before', 'after'] as const).flatMap((p) => (b[p] ? [{ period: p, market: b.market, cutover_at: b.cutover_at, ...b[p] }] : [])),
      );
    },
  );

  const Earnings = {
    gmv: Type.Array(Type.Ref(Money), { description: 'One per currency sold in' }),
    earnings_estimate: Type.Array(Type.Ref(Money), { description: 'Affiliate commission of attributed sales, before refunds' }),
  };
  const Time = (description: string) => Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description });

  app.get(
    '/creators/me/analytics',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['analytics'],
        summary: "The signed-in creator's videos and live sessions: views or room joins, clicks, orders, GMV and earnings estimate",
        description:
          'Videos with data in the range; live sessions with data in the range, started in it or live now (zeros without data), newest start first. ' +
          'With `format=csv`, `table` picks the table exported (`videos` by default).',
        querystring: Type.Object({
          ...RangeQuery,
          table: Type.Optional(Type.Union([Type.Literal('videos'), Type.Literal('lives')], { default: 'videos', description: 'The table `format=csv` exports' })),
        }),
        response: csvDoc(
          Type.Object({
            videos: Type.Array(
              Type.Object({
                video_id: Type.String(),
                caption: Type.String(),
                views: Count,
                completed_views: Count,
                completion_rate: Rate,
                orders: Count,
                ...Earnings,
              }),
            ),
            lives: Type.Array(
              Type.Object({
                live_id: Type.String(),
                title: Type.String(),
                status: Type.Union(LIVE_STATUSES.map((s) => Type.Literal(s))),
                scheduled_at: Type.String({ format: 'date-time' }),
                started_at: Time('Null until the session starts'),
                ended_at: Time('Null until the session ends'),
                live_joins: Type.Integer({ description: 'Viewers entering the room (`live_join` events)' }),
                product_clicks: Count,
                add_to_carts: Count,
                orders: Type.Integer({ description: 'Paid orders with an item bought from the room (`source.live_id`)' }),
                ...Earnings,
              }),
            ),
          }),
        ),
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      const body = await creatorAnalytics(db, user.id, rangeOf(clock, req.query));
      const lives = req.query.table === 'lives';
      return answer(reply, req.query.format, lives ? 'creator-analytics-lives' : 'creator-analytics', body, (b) => (lives ? b.lives : b.videos));
    },
  );
}
