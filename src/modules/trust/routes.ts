import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hasRole, requireUser } from '../../platform/auth.js';
import type { Db } from '../../platform/db.js';
import { notFound } from '../../platform/errors.js';
import { errors, IdParam, page, PageQuery } from '../../platform/http-schemas.js';
import { getShop, requireShopMember } from '../sellers/index.js';
import { ACTION_TYPES, COMPARISONS, METRICS } from './schema.js';
import {
  actionShopId,
  appealAction,
  createOperatorAction,
  decideAppeal,
  getThresholds,
  listActions,
  listShopsWithHealth,
  putThresholds,
  reverseAction,
  shopHealth,
  type FreezeShop,
} from './service.js';
import { ActionOut, BreachOut, HealthOut, Literals, MetricsOut, ParamsOut, ShopStatus } from './views.js';

const tags = ['trust'];

const ParamsIn = Type.Object(
  {
    max_new_listings_per_day: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, description: 'listing_limit: products per rolling 24 h (default 5)' })),
    max_orders_per_day: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, description: 'order_cap: orders per rolling 24 h (default 50)' })),
    reserve_bps: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: 'payout_hold: share of earnings kept back, basis points (default 10000 = nothing paid out)' })),
  },
  { additionalProperties: false },
);

const Rule = Type.Object(
  {
    metric: Literals(METRICS),
    threshold: Type.Number({ minimum: 0, description: 'Rates are fractions 0..1; average_rating 0..5; counts ≥ 0' }),
    min_orders: Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'The rule applies only with at least this many orders in the window' }),
    min_ratings: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'average_rating: only with at least this many ratings' })),
    comparison: Type.Optional(Literals(COMPARISONS)),
    action: Literals(ACTION_TYPES),
    params: Type.Optional(ParamsIn),
  },
  { additionalProperties: false },
);
const ThresholdsBody = Type.Object(
  {
    window_days: Type.Integer({ minimum: 1, maximum: 365 }),
    freeze_after_days: Type.Integer({ minimum: 1, maximum: 365, description: 'A shop that ignores its orders and cases this long is frozen' }),
    rules: Type.Array(Rule, { maxItems: 50 }),
  },
  { additionalProperties: false },
);
const ThresholdsOut = Type.Object({
  window_days: Type.Integer(),
  freeze_after_days: Type.Integer(),
  rules: Type.Array(
    Type.Object({
      metric: Literals(METRICS),
      threshold: Type.Number(),
      min_orders: Type.Integer(),
      min_ratings: Type.Optional(Type.Integer()),
      comparison: Type.Optional(Literals(COMPARISONS)),
      action: Literals(ACTION_TYPES),
      params: Type.Optional(ParamsOut),
    }),
  ),
});
const MarketParam = Type.Object({ market: Type.String({ pattern: '^[A-Z]{2}$' }) });
const ReasonBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false });

/** The shop's members and operators see its health and actions; anyone else 404. */
async function requireShopViewer(db: Db, req: FastifyRequest, shopId: string): Promise<void> {
  const user = requireUser(req);
  if (hasRole(user, 'operator')) {
    await getShop(db, shopId);
    return;
  }
  await requireShopMember(db, user.id, shopId);
}

export interface TrustRouteDeps {
  /** What a freeze does outside trust (the flow flows/trust-freeze.ts, wired by the composition root). */
  freeze: FreezeShop;
}

export async function trustRoutes(server: FastifyInstance, deps: TrustRouteDeps): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock } = app.ctx;

  app.get(
    '/shops/:id/health',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: "The shop's health: metrics over its market's rolling window, breached rules, active actions (its members and operators)",
        params: IdParam('id', 'shp'),
        response: { 200: HealthOut, ...errors(401, 404) },
      },
    },
    async (req) => {
      const shopId = req.params.id as string;
      await requireShopViewer(db, req, shopId);
      return shopHealth(db, clock, shopId);
    },
  );

  app.get(
    '/shops/:id/actions',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: "The shop's actions, newest first (its members and operators)",
        params: IdParam('id', 'shp'),
        querystring: PageQuery,
        response: { 200: page(ActionOut), ...errors(400, 401, 404) },
      },
    },
    async (req) => {
      const shopId = req.params.id as string;
      await requireShopViewer(db, req, shopId);
      return listActions(db, { shopId, limit: req.query.limit, cursor: req.query.cursor });
    },
  );

  app.post(
    '/shop-actions/:id/appeal',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'Appeal an action in force, once (members of the shop)',
        params: IdParam('id', 'sac'),
        body: Type.Object({ message: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false }),
        response: { 200: ActionOut, ...errors(400, 401, 404, 409) },
      },
    },
    async (req) => {
      const user = requireUser(req);
      const actionId = req.params.id as string;
      const shopId = await actionShopId(db, actionId);
      await requireShopMember(db, user.id, shopId).catch(() => {
        throw notFound('Shop action', actionId);
      });
      return appealAction(db, clock, user.id, actionId, req.body.message);
    },
  );

  app.get(
    '/admin/shops',
    {
      schema: {
        tags: [...tags, 'admin'],
        summary: 'Shops with their health and active actions (operators)',
        querystring: Type.Composite([
          PageQuery,
          Type.Object({
            q: Type.Optional(Type.String({ maxLength: 200, description: 'Part of the shop name' })),
            status: Type.Optional(ShopStatus),
          }),
        ]),
        response: {
          200: page(
            Type.Object({
              id: Type.String(),
              name: Type.String(),
              market: Type.String(),
              mode: Type.String(),
              status: ShopStatus,
              health: Type.Object({ metrics: MetricsOut, breaches: Type.Array(BreachOut) }),
              active_actions: Type.Array(ActionOut),
            }),
          ),
          ...errors(400, 401, 403),
        },
      },
    },
    async (req) => {
      return listShopsWithHealth(db, clock, req.query);
    },
  );

  app.post(
    '/admin/shops/:id/actions',
    {
      config: { idempotent: true },
      schema: {
        tags: [...tags, 'admin'],
        summary: 'Take an action on a shop (operators): notified to the shop, logged, appealable',
        description:
          'A freeze cancels and refunds every paid order that has not shipped, decides the open after-sales cases for the buyers and holds payouts. A suspension takes the products off sale and holds payouts.',
        params: IdParam('id', 'shp'),
        body: Type.Object(
          { type: Literals(ACTION_TYPES), reason: Type.String({ minLength: 1, maxLength: 1000 }), params: Type.Optional(ParamsIn) },
          { additionalProperties: false },
        ),
        response: { 201: ActionOut, ...errors(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const operator = requireUser(req);
      const action = await createOperatorAction(db, clock, deps.freeze, operator.id, req.params.id as string, req.body);
      return reply.code(201).send(action);
    },
  );

  app.post(
    '/admin/shop-actions/:id/reverse',
    {
      schema: {
        tags: [...tags, 'admin'],
        summary: 'Reverse an action in force (operators); its effect is lifted unless another active action imposes it',
        params: IdParam('id', 'sac'),
        body: ReasonBody,
        response: { 200: ActionOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => reverseAction(db, clock, requireUser(req).id, req.params.id as string, req.body.reason),
  );

  app.get(
    '/admin/shop-actions',
    {
      schema: {
        tags: [...tags, 'admin'],
        summary: 'Actions on every shop, newest first; appeal=pending for the appeals queue (operators)',
        querystring: Type.Composite([PageQuery, Type.Object({ appeal: Type.Optional(Literals(['pending', 'all'] as const)) })]),
        response: { 200: page(ActionOut), ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      return listActions(db, { appeal: req.query.appeal, limit: req.query.limit, cursor: req.query.cursor });
    },
  );

  app.post(
    '/admin/shop-actions/:id/appeal-decision',
    {
      schema: {
        tags: [...tags, 'admin'],
        summary: 'Decide a pending appeal (operators): grant reverses the action',
        params: IdParam('id', 'sac'),
        body: Type.Object({ decision: Literals(['grant', 'deny'] as const), reason: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false }),
        response: { 200: ActionOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => decideAppeal(db, clock, requireUser(req).id, req.params.id as string, req.body.decision, req.body.reason),
  );

  app.get(
    '/admin/markets/:market/health-thresholds',
    {
      schema: {
        tags: [...tags, 'admin'],
        summary: "A market's seller-health window, freeze delay and rules (operators)",
        params: MarketParam,
        response: { 200: ThresholdsOut, ...errors(401, 403, 404) },
      },
    },
    async (req) => {
      return getThresholds(db, req.params.market);
    },
  );

  app.put(
    '/admin/markets/:market/health-thresholds',
    {
      schema: {
        tags: [...tags, 'admin'],
        summary: "Replace a market's seller-health thresholds (operators); the next evaluation applies them",
        description:
          'A rule breaches when `metric` compares to `threshold` (default: rates `gt`, counts `gte`, average_rating `lt`) with at least `min_orders` orders (and `min_ratings` ratings) in the window; it then creates `action` with `params`.',
        params: MarketParam,
        body: ThresholdsBody,
        response: { 200: ThresholdsOut, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => putThresholds(db, clock, requireUser(req).id, req.params.market, req.body),
  );
}
