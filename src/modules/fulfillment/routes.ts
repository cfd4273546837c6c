import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { hasRole, requireUser } from '../../platform/auth.js';
import { errors, IdParam, Nullable, page, PageQuery } from '../../platform/http-schemas.js';
import { pageOf } from '../../platform/pagination.js';
import { signedWebhookRoute } from '../../platform/webhook-signature.js';
import { adminAction, audited } from '../audit/index.js';
import { requireShopMember } from '../sellers/index.js';
import { BREACH_KINDS, FLAG_RULES } from './schema.js';
import { ShipmentItem, ShipmentOut } from './views.js';
import {
  clearFlag,
  createShipment,
  getShipmentForViewer,
  listBreaches,
  listFlags,
  receiveCarrierWebhook,
  shipmentView,
  type FlagRow,
} from './service.js';


const FlagOut = Type.Object({
  id: Type.String(),
  shop_id: Type.String(),
  order_id: Type.String(),
  shipment_id: Type.String(),
  rule: Type.Union(FLAG_RULES.map((r) => Type.Literal(r))),
  details: Type.Record(Type.String(), Type.Unknown()),
  status: Type.Union([Type.Literal('open'), Type.Literal('cleared')]),
  created_at: Type.String({ format: 'date-time' }),
  cleared_at: Nullable(Type.String({ format: 'date-time' })),
  note: Nullable(Type.String()),
});
const flagOut = (f: FlagRow) => ({
  id: f.id,
  shop_id: f.shopId,
  order_id: f.orderId,
  shipment_id: f.shipmentId,
  rule: f.rule,
  details: f.details,
  status: f.status,
  created_at: f.createdAt.toISOString(),
  cleared_at: f.clearedAt ? f.clearedAt.toISOString() : null,
  note: f.note,
});
const BreachOut = Type.Object({
  id: Type.String(),
  order_id: Type.String(),
  shipment_id: Nullable(Type.String()),
  kind: Type.Union(BREACH_KINDS.map((k) => Type.Literal(k))),
  due_at: Type.String({ format: 'date-time' }),
  recorded_at: Type.String({ format: 'date-time' }),
});

export async function fulfillmentRoutes(server: FastifyInstance): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock } = app.ctx;
  const carriers = app.ctx.strategies.carriers;

  app.post(
    '/orders/:id/shipments',
    {
      config: { auth: 'user', idempotent: true },
      schema: {
        tags: ['fulfillment'],
        summary: 'Mark (part of) a paid order shipped (a member of its shop; for a managed shop an operator only)',
        description:
          'Carrier `sandbox` issues a tracking number when none is given. `items` default to everything not shipped yet. ' +
          'The order becomes `shipped` once every item is in a shipment; shipping after `ship_by` records a `late_dispatch` breach. ' +
          "The platform fulfils a managed shop's orders: operators ship them, the shop's members get 403 `managed_fulfillment`.",
        params: IdParam('id', 'ord'),
        body: Type.Object(
          {
            carrier: Type.String({ pattern: '^[a-z0-9_-]{1,40}$' }),
            tracking_number: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9-]+$' })),
            items: Type.Optional(Type.Array(ShipmentItem, { minItems: 1, maxItems: 200 })),
            replacement_case_id: Type.Optional(Type.String({ pattern: '^cas_[0-9a-z]{26}$', description: 'Ship the replacement owed for this after-sales case' })),
          },
          { additionalProperties: false },
        ),
        response: { 201: ShipmentOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      const operator = hasRole(user, 'operator');
      const ship = (tx: typeof db) => createShipment(tx, clock, carriers, user.id, req.params.id as string, req.body, { operator });
      // An operator ships for the platform (a managed shop's order): that is an operator action.
      const s = operator
        ? await audited(db, clock, ship, (row) => ({
            actorId: user.id,
            action: 'shipment.create',
            targetType: 'order',
            targetId: row.orderId,
            data: { shipment_id: row.id, shop_id: row.shopId, carrier: row.carrier, tracking_number: row.trackingNumber },
          }))
        : await ship(db);
      reply.code(201);
      return shipmentView(db, s);
    },
  );

  app.get(
    '/shipments/:id',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['fulfillment'],
        summary: 'A shipment with its tracking timeline (the buyer of its order, a member of its shop, or an operator)',
        params: IdParam('id', 'spm'),
        response: { 200: ShipmentOut, ...errors(401, 404) },
      },
    },
    async (req) => {
      const user = requireUser(req);
      return getShipmentForViewer(db, user.id, req.params.id as string, { operator: hasRole(user, 'operator') });
    },
  );

  app.get(
    '/shops/:id/fulfillment-record',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['fulfillment'],
        summary: "The shop's SLA breaches and fake-tracking flags (members of the shop)",
        params: IdParam('id', 'shp'),
        response: { 200: Type.Object({ breaches: Type.Array(BreachOut), flags: Type.Array(FlagOut) }), ...errors(401, 404) },
      },
    },
    async (req) => {
      const shopId = req.params.id as string;
      await requireShopMember(db, requireUser(req).id, shopId);
      const [breaches, flags] = await Promise.all([listBreaches(db, { shopId }), listFlags(db, { shopId })]);
      return {
        breaches: breaches.map((b) => ({ id: b.id, order_id: b.orderId, shipment_id: b.shipmentId, kind: b.kind, due_at: b.dueAt.toISOString(), recorded_at: b.recordedAt.toISOString() })),
        flags: flags.map(flagOut),
      };
    },
  );

  app.get(
    '/admin/fulfillment/flags',
    {
      schema: {
        tags: ['fulfillment', 'admin'],
        summary: 'Fake-tracking flags for review (operators); open ones first by default',
        querystring: Type.Composite([PageQuery, Type.Object({ status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('cleared')])) })]),
        response: { 200: page(FlagOut), ...errors(401, 403) },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 20;
      const { rows, next_cursor } = pageOf(await listFlags(db, { status: req.query.status ?? 'open', after: req.query.cursor, limit: limit + 1 }), limit);
      return { data: rows.map(flagOut), next_cursor };
    },
  );

  adminAction(app, {
    url: '/admin/fulfillment/flags/:id/clear',
    tag: 'fulfillment',
    idPrefix: 'ffl',
    summary: 'Clear a fake-tracking flag after review (operators): lifts its hold on the escrow',
    body: Type.Object({ note: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
    out: FlagOut,
    run: (tx, { operatorId, id, body }) => clearFlag(tx, clock, operatorId, id, body.note),
    audit: (f) => ({ action: 'fulfillment_flag.clear', targetType: 'fulfillment_flag', targetId: f.id, data: { reason: f.note, rule: f.rule, order_id: f.orderId, shop_id: f.shopId } }),
    view: flagOut,
  });

  await signedWebhookRoute(app, {
    url: '/webhooks/carriers/:carrier',
    param: 'carrier',
    schema: {
      tags: ['fulfillment'],
      summary: 'Signed carrier tracking webhooks',
      description:
        'Header `loopshop-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, at most 5 minutes off the platform clock; ' +
        'body `{ "events": [{ "id", "tracking_number", "status", "at", "postal_code", "description" }] }`. ' +
        'Events apply once by event id; an event older than the shipment\'s last one never moves its status back.',
      response: { 200: Type.Object({ received: Type.Integer(), applied: Type.Integer(), duplicates: Type.Integer() }), ...errors(400, 401, 404) },
    },
    receive: (carrier, raw, headers) => receiveCarrierWebhook(db, clock, carriers, carrier, raw, headers),
  });
}
