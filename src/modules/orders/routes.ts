import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { hasRole, requireUser } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { errors, IdParam, page, PageQuery } from '../../platform/http-schemas.js';
import { cancelOrder } from './cancel.js';
import { ORDER_STATUSES } from './schema.js';
import { getOrderDetail, listOrders, orderDetail, type OrderRow } from './service.js';
import { orderDetailSchema, OrderSummaryOut, type OrderDetail as OrderDetailView } from './views.js';

/** The order detail: an order with its shipments, whose shape fulfillment owns. */

const OrderId = IdParam('id', 'ord');
/** `{}` or no body at all (JSON Schema without `type`, so an absent body passes). */
const EmptyBody = Type.Unsafe<Record<string, never> | undefined>({
  maxProperties: 0,
  not: { type: ['string', 'number', 'integer', 'boolean', 'array'] },
  description: 'Empty: `{}` or no body',
});

/**
 * What the order detail needs of modules above orders (decision 021), filled by the composition
 * root: the order's shipments (fulfillment), the buyer's reviews of its items (reviews) and the
 * buyer's confirmation of receipt (fulfillment delivers the parcels).
 */
export interface OrdersRouteDeps<S extends TSchema> {
  /** A shipment as the order detail shows it. */
  shipmentSchema: S;
  /** The order's shipments, oldest first. */
  shipmentsOf(db: Db, orderId: string): Promise<Array<Static<S>>>;
  /** The buyer's review of each of these order items that has one, by item id. */
  reviewsOfItems(db: Db, itemIds: string[]): Promise<Map<string, { id: string; rating: number; text: string; editable_until: string }>>;
  /** The buyer confirms receipt: the order delivered (or as it was when already delivered). */
  confirmReceipt(db: Db, clock: Clock, userId: string, orderId: string): Promise<OrderRow>;
}

export async function ordersRoutes<S extends TSchema>(server: FastifyInstance, deps: OrdersRouteDeps<S>): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock } = app.ctx;
  const providers = app.ctx.strategies.payments;
  const OrderDetail = orderDetailSchema(deps.shipmentSchema);
  const withShipments = async (detail: OrderDetailView) => {
    const reviewed = await deps.reviewsOfItems(db, detail.items.map((i) => i.id));
    return {
      ...detail,
      items: detail.items.map((i) => ({ ...i, review: reviewed.get(i.id) ?? null })),
      shipments: await deps.shipmentsOf(db, detail.id),
    };
  };

  app.get(
    '/orders',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['orders'],
        summary: "The buyer's orders, or (role=seller) the orders of the user's shops; newest first",
        querystring: Type.Composite([
          PageQuery,
          Type.Object({
            role: Type.Optional(Type.Union([Type.Literal('buyer'), Type.Literal('seller')], { default: 'buyer' })),
            shop_id: Type.Optional(Type.String({ pattern: '^shp_[0-9a-z]{26}$' })),
            status: Type.Optional(Type.Union(ORDER_STATUSES.map((s) => Type.Literal(s)))),
          }),
        ]),
        response: { 200: page(OrderSummaryOut), ...errors(400, 401, 404) },
      },
    },
    async (req) => listOrders(db, requireUser(req).id, req.query),
  );

  app.get(
    '/orders/:id',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['orders'],
        summary: 'An order with items, totals, payment, shipments and timeline (its buyer, its shop, or an operator)',
        description: 'Operators (disputes, trust and safety) may read any order; every other account gets 404 for an order it is neither the buyer of nor a member of the shop of.',
        params: OrderId,
        response: { 200: OrderDetail, ...errors(401, 404) },
      },
    },
    async (req) => {
      const user = requireUser(req);
      return withShipments(await getOrderDetail(db, user.id, req.params.id as string, { operator: hasRole(user, 'operator') }));
    },
  );

  app.post(
    '/orders/:id/cancel',
    {
      config: { auth: 'user', idempotent: true },
      schema: {
        tags: ['orders'],
        summary: 'Cancel before shipping (buyer or shop); a paid order is refunded and its escrow reversed',
        params: OrderId,
        body: EmptyBody,
        response: { 200: OrderDetail, ...errors(400, 401, 404, 409) },
      },
    },
    async (req) => {
      const order = await cancelOrder(db, clock, providers, requireUser(req).id, req.params.id as string);
      return withShipments(await orderDetail(db, order));
    },
  );

  app.post(
    '/orders/:id/confirm-receipt',
    {
      config: { auth: 'user', idempotent: true },
      schema: {
        tags: ['orders'],
        summary: 'The buyer confirms receipt of a shipped order: it is delivered now, as by the delivery scan',
        description:
          'Only the buyer (anyone else 404). Every parcel still on its way is delivered (`receipt_confirmed_at`), the order becomes `delivered`: ' +
          'the after-sales window starts (the order completes and its escrow is released when it ends) and its items may be reviewed. ' +
          'A delivered or completed order is returned unchanged; some item not shipped yet: 409 `not_fully_shipped`; any other state: 409 `invalid_state`.',
        params: OrderId,
        body: EmptyBody,
        response: { 200: OrderDetail, ...errors(400, 401, 404, 409) },
      },
    },
    async (req) => {
      const order = await deps.confirmReceipt(db, clock, requireUser(req).id, req.params.id as string);
      return withShipments(await orderDetail(db, order));
    },
  );
}
