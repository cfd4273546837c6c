import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { hasRole, requireUser, type AuthUser } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { notFound } from '../../platform/errors.js';
import { errors, IdParam, Nullable, page, PageQuery, Time } from '../../platform/http-schemas.js';
import { adminAction } from '../audit/index.js';
import { LIMITS } from '../catalog/index.js';
import { listShipmentsOfOrder } from '../fulfillment/index.js';
import { ORDER_STATUSES, orderDetail, ShippingAddressOut } from '../orders/index.js';
import { requireShopMember } from '../sellers/index.js';
import { INBOUND_STATUSES, OFFER_STATUSES } from './schema.js';
import {
  createInbound,
  getInbound,
  getOffer,
  inboundView,
  listInbound,
  listManagedOrders,
  listOffers,
  listPlatformWarehouses,
  offerView,
  rejectOffer,
  submitOffer,
  type AcceptInput,
  type InboundView,
  type OfferView,
  type ReceiveInput,
} from './service.js';
import { InboundOut, MoneyOut, OfferOut } from './views.js';

const MoneyIn = Type.Object(
  { amount: Type.Integer({ description: 'Integer minor units (cents)' }), currency: Type.String({ pattern: '^[A-Z]{3}$' }) },
  { additionalProperties: false },
);
const SkuId = Type.String({ pattern: '^sku_[0-9a-z]{26}$' });
const Quantity = Type.Integer({ minimum: 0, maximum: 1_000_000 });

const OfferBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 2000, description: `HTML is stripped; 1–${LIMITS.title} characters of text` }),
    description: Type.Optional(Type.String({ maxLength: 20_000 })),
    category: Type.Optional(Type.Union([Type.String({ maxLength: 64, description: 'A slug such as "camping-gear"' }), Type.Null()])),
    images: Type.Optional(Type.Array(Type.String({ maxLength: 2048 }), { maxItems: LIMITS.images })),
    option_names: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: LIMITS.optionNames })),
    variants: Type.Array(
      Type.Object(
        {
          option_values: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: LIMITS.optionNames })),
          supply_price: MoneyIn,
          quantity_available: Quantity,
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: LIMITS.variants },
    ),
  },
  { additionalProperties: false },
);

const InboundBody = Type.Object(
  {
    warehouse_id: Type.String({ pattern: '^wh_[0-9a-z]{26}$', description: 'A platform warehouse (GET /v1/platform-warehouses)' }),
    carrier: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    tracking_number: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    items: Type.Array(Type.Object({ sku_id: SkuId, quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }) }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 200,
    }),
  },
  { additionalProperties: false },
);

const WarehouseOut = Type.Object({ id: Type.String(), name: Type.String(), is_default: Type.Boolean(), created_at: Time });

const ManagedOrderOut = Type.Object({
  id: Type.String(),
  shop: Type.Object({ id: Type.String(), name: Type.String() }),
  status: Type.String(),
  total: MoneyOut,
  item_count: Type.Integer(),
  items: Type.Array(Type.Object({ id: Type.String(), sku_id: Type.String(), title: Type.String(), option_values: Type.Array(Type.String()), quantity: Type.Integer() })),
  shipping_address: ShippingAddressOut,
  paid_at: Nullable(Time),
  ship_by: Nullable(Time),
  shipments: Type.Array(Type.Object({ id: Type.String(), carrier: Type.String(), tracking_number: Type.String(), status: Type.String() })),
});

/** The managed-mode processes over several modules (the flows in flows/managed-fulfilment.ts, wired by the composition root). */
export interface ManagedRouteDeps {
  acceptOffer(tx: Db, clock: Clock, operatorId: string, offerId: string, input: AcceptInput): Promise<OfferView>;
  receiveInbound(tx: Db, clock: Clock, operatorId: string, id: string, input: ReceiveInput): Promise<InboundView>;
}

export async function managedRoutes(server: FastifyInstance, deps: ManagedRouteDeps): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock } = app.ctx;
  const { acceptOffer, receiveInbound } = deps;

  /** Operators see every managed shop's objects; members see their shop's; anyone else 404. */
  const mayView = async (user: AuthUser, shopId: string, kind: string, id: string) => {
    if (hasRole(user, 'operator')) return;
    await requireShopMember(db, user.id, shopId).catch(() => {
      throw notFound(kind, id);
    });
  };

  // ---- seller side --------------------------------------------------------------------------

  /**
   * A shop's managed objects (supply offers, inbound shipments): members create them and list
   * their shop's; members of its shop and operators read one; anyone else gets 404.
   */
  const shopObjectRoutes = <B extends TSchema, Row extends { id: string; shopId: string }>(r: {
    path: string;
    kind: string;
    idPrefix: string;
    create: { summary: string; description?: string; body: B; run: (userId: string, shopId: string, body: Static<B>) => Promise<unknown> };
    list: { summary: string; adminSummary: string; statuses: readonly string[]; run: (q: Record<string, unknown>) => Promise<{ data: unknown[]; next_cursor: string | null }> };
    get: { summary: string; load: (id: string) => Promise<Row>; view: (row: Row) => unknown };
    out: TSchema;
  }) => {
    const status = Type.Optional(Type.Union(r.list.statuses.map((st) => Type.Literal(st))));
    app.post(
      `/shops/:id/${r.path}`,
      {
        config: { auth: 'user', idempotent: true },
        schema: {
          tags: ['managed'],
          summary: r.create.summary,
          ...(r.create.description ? { description: r.create.description } : {}),
          params: IdParam('id', 'shp'),
          body: r.create.body as TSchema,
          response: { 201: r.out, ...errors(400, 401, 404, 409) },
        },
      },
      async (req, reply) => {
        const user = requireUser(req);
        const shopId = req.params.id as string;
        await requireShopMember(db, user.id, shopId);
        return reply.code(201).send(await r.create.run(user.id, shopId, req.body as Static<B>));
      },
    );
    app.get(
      `/shops/:id/${r.path}`,
      {
        config: { auth: 'user' },
        schema: {
          tags: ['managed'],
          summary: r.list.summary,
          params: IdParam('id', 'shp'),
          querystring: Type.Composite([PageQuery, Type.Object({ status })]),
          response: { 200: page(r.out), ...errors(400, 401, 404) },
        },
      },
      async (req) => {
        const shopId = req.params.id as string;
        await requireShopMember(db, requireUser(req).id, shopId);
        return r.list.run({ ...(req.query as object), shopId });
      },
    );
    app.get(
      `/${r.path}/:id`,
      {
        config: { auth: 'user' },
        schema: { tags: ['managed'], summary: r.get.summary, params: IdParam('id', r.idPrefix), response: { 200: r.out, ...errors(401, 404) } },
      },
      async (req) => {
        const row = await r.get.load(req.params.id as string);
        await mayView(requireUser(req), row.shopId, r.kind, row.id);
        return r.get.view(row);
      },
    );
    app.get(
      `/admin/${r.path}`,
      {
        schema: {
          tags: ['managed', 'admin'],
          summary: r.list.adminSummary,
          querystring: Type.Composite([PageQuery, Type.Object({ status, shop_id: Type.Optional(Type.String({ pattern: '^shp_[0-9a-z]{26}$' })) })]),
          response: { 200: page(r.out), ...errors(400, 401, 403) },
        },
      },
      async (req) => {
        const { shop_id, ...q } = req.query as Record<string, unknown>;
        return r.list.run({ ...q, shopId: shop_id });
      },
    );
  };

  shopObjectRoutes({
    path: 'supply-offers',
    kind: 'Supply offer',
    idPrefix: 'sof',
    out: OfferOut,
    create: {
      summary: 'Offer goods at a supply price (members of a managed shop)',
      description: 'An operator accepts it with retail prices (the listing goes live under the platform) or rejects it with a note.',
      body: OfferBody,
      run: (userId, shopId, body) => submitOffer(db, clock, userId, shopId, body),
    },
    list: {
      summary: "The shop's supply offers, newest first (members)",
      adminSummary: 'Supply offers of every managed shop, newest first (operators)',
      statuses: OFFER_STATUSES, run: (q) => listOffers(db, q as Parameters<typeof listOffers>[1]) },
    get: { summary: 'A supply offer (members of its shop, operators)', load: (id) => getOffer(db, id), view: offerView },
  });

  app.get(
    '/platform-warehouses',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['managed'],
        summary: 'The platform warehouses inbound shipments go to (signed-in users)',
        querystring: PageQuery,
        response: { 200: page(WarehouseOut), ...errors(401) },
      },
    },
    async (req) => {
      return listPlatformWarehouses(db, clock, req.query);
    },
  );

  shopObjectRoutes({
    path: 'inbound-shipments',
    kind: 'Inbound shipment',
    idPrefix: 'inb',
    out: InboundOut,
    create: {
      summary: 'Announce goods sent to a platform warehouse (members of a managed shop)',
      body: InboundBody,
      run: (userId, shopId, body) => createInbound(db, clock, userId, shopId, body),
    },
    list: {
      summary: "The shop's inbound shipments, newest first (members)",
      adminSummary: 'Inbound shipments of every managed shop, newest first (operators)',
      statuses: INBOUND_STATUSES, run: (q) => listInbound(db, q as Parameters<typeof listInbound>[1]) },
    get: { summary: 'An inbound shipment with expected and received quantities (members of its shop, operators)', load: (id) => getInbound(db, id), view: inboundView },
  });

  // ---- operator side ------------------------------------------------------------------------

  adminAction(app, {
    url: '/admin/supply-offers/:id/accept',
    tag: 'managed',
    idPrefix: 'sof',
    idempotent: true,
    summary: 'Accept an offer with retail prices: the listing goes live for the shop (operators)',
    body: Type.Object(
      {
        retail_prices: Type.Array(Type.Object({ variant_index: Type.Integer({ minimum: 0 }), price: MoneyIn }, { additionalProperties: false }), {
          minItems: 1,
          maxItems: LIMITS.variants,
        }),
        warehouse_id: Type.Optional(Type.String({ pattern: '^wh_[0-9a-z]{26}$', description: "A platform warehouse; default the platform's default one" })),
      },
      { additionalProperties: false },
    ),
    out: OfferOut,
    run: (tx, { operatorId, id, body }) => acceptOffer(tx, clock, operatorId, id, body),
    audit: (o, body) => ({ action: 'supply_offer.accept', targetType: 'supply_offer', targetId: o.id, data: { shop_id: o.shop_id, product_id: o.product_id, retail_prices: body.retail_prices } }),
  });

  adminAction(app, {
    url: '/admin/supply-offers/:id/reject',
    tag: 'managed',
    idPrefix: 'sof',
    summary: 'Reject an offer with a note for the seller (operators)',
    body: Type.Object({ note: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
    out: OfferOut,
    run: (tx, { operatorId, id, body }) => rejectOffer(tx, clock, operatorId, id, body.note),
    audit: (o, body) => ({ action: 'supply_offer.reject', targetType: 'supply_offer', targetId: o.id, data: { shop_id: o.shop_id, reason: body.note } }),
  });

  adminAction(app, {
    url: '/admin/inbound-shipments/:id/receive',
    tag: 'managed',
    idPrefix: 'inb',
    idempotent: true,
    summary: 'Count an inbound shipment: stock is added to the platform warehouse, discrepancies kept (operators)',
    body: Type.Object(
      {
        items: Type.Array(Type.Object({ sku_id: SkuId, received_quantity: Quantity }, { additionalProperties: false }), { minItems: 1, maxItems: 200 }),
        note: Type.Optional(Type.String({ maxLength: 2000 })),
      },
      { additionalProperties: false },
    ),
    out: InboundOut,
    run: (tx, { operatorId, id, body }) => receiveInbound(tx, clock, operatorId, id, body),
    audit: (s, body) => ({ action: 'inbound.receive', targetType: 'inbound_shipment', targetId: s.id, data: { shop_id: s.shop_id, status: s.status, reason: body.note ?? null, items: body.items } }),
  });

  app.get(
    '/admin/managed-orders',
    {
      schema: {
        tags: ['managed', 'admin'],
        summary: 'Orders of managed shops for the platform to fulfil, oldest first (operators; default status paid)',
        querystring: Type.Composite([PageQuery, Type.Object({ status: Type.Optional(Type.Union(ORDER_STATUSES.map((s) => Type.Literal(s)))) })]),
        response: { 200: page(ManagedOrderOut), ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      const found = await listManagedOrders(db, req.query);
      const data = await Promise.all(
        found.data.map(async (o) => {
          const [detail, shipments] = await Promise.all([orderDetail(db, o), listShipmentsOfOrder(db, o.id)]);
          return { ...detail, shipments: shipments.map((s) => ({ id: s.id, carrier: s.carrier, tracking_number: s.trackingNumber, status: s.status })) };
        }),
      );
      return { data, next_cursor: found.next_cursor };
    },
  );
}
