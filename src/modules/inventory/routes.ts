import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { AddressSchema } from '../../platform/address.js';
import { requireUser } from '../../platform/auth.js';
import { forbidden, notFound } from '../../platform/errors.js';
import { errors, page, PageQuery } from '../../platform/http-schemas.js';
import { getSkuShopId } from '../catalog/index.js';
import { getShop, requireShopMember } from '../sellers/index.js';
import { createWarehouse, ensureDefaultWarehouse, getStockLevels, getWarehouse, listWarehouses, setStock } from './service.js';
import { StockLevelOut, WarehouseOut } from './views.js';

const SkuIdParam = Type.Object({ sku_id: Type.String({ pattern: '^sku_[0-9a-z]{26}$' }) });
const ShopIdParam = Type.Object({ shop_id: Type.String({ pattern: '^shp_[0-9a-z]{26}$' }) });

export async function inventoryRoutes(server: FastifyInstance): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock } = app.ctx;

  /** The SKU's shop, if the caller is a member of it; 404 otherwise (as for a missing SKU). */
  const skuShopFor = async (userId: string, skuId: string) => {
    const shopId = await getSkuShopId(db, skuId);
    await requireShopMember(db, userId, shopId).catch(() => {
      throw notFound('SKU', skuId);
    });
    return shopId;
  };

  app.put(
    '/skus/:sku_id/stock',
    {
      config: { auth: 'user', idempotent: true },
      schema: {
        tags: ['inventory'],
        summary: "Set the counted stock of a SKU in one of its shop's warehouses",
        description: 'Not for managed shops (403 `managed_stock`): their stock arrives by inbound shipments.',
        params: SkuIdParam,
        body: Type.Object(
          { warehouse_id: Type.String({ pattern: '^wh_[0-9a-z]{26}$' }), on_hand: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }) },
          { additionalProperties: false },
        ),
        response: { 200: StockLevelOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => {
      const user = requireUser(req);
      const shopId = await skuShopFor(user.id, req.params.sku_id);
      if ((await getShop(db, shopId)).mode === 'managed') {
        throw forbidden("A managed shop's stock is what the platform warehouse received", 'managed_stock');
      }
      const wh = await getWarehouse(db, req.body.warehouse_id);
      if (wh.shop_id !== shopId) throw notFound('Warehouse', req.body.warehouse_id);
      return setStock(db, clock, req.params.sku_id, wh.id, req.body.on_hand);
    },
  );

  app.get(
    '/skus/:sku_id/stock',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['inventory'],
        summary: 'Stock of a SKU per warehouse',
        params: SkuIdParam,
        response: { 200: Type.Object({ data: Type.Array(StockLevelOut) }), ...errors(401, 404) },
      },
    },
    async (req) => {
      const user = requireUser(req);
      await skuShopFor(user.id, req.params.sku_id);
      return { data: await getStockLevels(db, req.params.sku_id) };
    },
  );

  app.get(
    '/shops/:shop_id/warehouses',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['inventory'],
        summary: "The shop's warehouses (the default one is created on first use)",
        params: ShopIdParam,
        querystring: PageQuery,
        response: { 200: page(WarehouseOut), ...errors(401, 404) },
      },
    },
    async (req) => {
      const user = requireUser(req);
      await requireShopMember(db, user.id, req.params.shop_id);
      await ensureDefaultWarehouse(db, clock, req.params.shop_id);
      return listWarehouses(db, req.params.shop_id, req.query);
    },
  );

  app.post(
    '/shops/:shop_id/warehouses',
    {
      config: { auth: 'user', idempotent: true },
      schema: {
        tags: ['inventory'],
        summary: 'Add a warehouse to the shop',
        params: ShopIdParam,
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), address: AddressSchema }, { additionalProperties: false }),
        response: { 201: WarehouseOut, ...errors(400, 401, 404) },
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      await requireShopMember(db, user.id, req.params.shop_id);
      return reply.code(201).send(await createWarehouse(db, clock, req.params.shop_id, req.body));
    },
  );
}
