import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { hasRole, requireUser } from '../../platform/auth.js';
import { badRequest, forbidden, notFound } from '../../platform/errors.js';
import { errors, page, PageQuery } from '../../platform/http-schemas.js';
import { audited } from '../audit/index.js';
import { getShop, requireShopMember } from '../sellers/index.js';
import { PRODUCT_STATUSES } from './schema.js';
import { createProduct, getProduct, getProductShopId, LIMITS, listProducts, updateProduct } from './service.js';
import type { StockKeeper } from './stock.js';
import { ProductDetailOut, ProductSummaryOut, SkuStatus } from './views.js';
import type { Db } from '../../platform/db.js';

const ProductId = Type.Object({ id: Type.String({ pattern: '^prd_[0-9a-z]{26}$' }) });
const ShopIdParam = Type.Object({ shop_id: Type.String({ pattern: '^shp_[0-9a-z]{26}$' }) });
const MoneyIn = Type.Object(
  { amount: Type.Integer({ description: 'Integer minor units (cents)' }), currency: Type.String({ pattern: '^[A-Z]{3}$' }) },
  { additionalProperties: false },
);
const StockIn = Type.Object(
  {
    warehouse_id: Type.Optional(Type.String({ pattern: '^wh_[0-9a-z]{26}$', description: "Default: the shop's default warehouse" })),
    on_hand: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }),
  },
  { additionalProperties: false },
);
const OptionValues = Type.Array(Type.String({ maxLength: 200 }), { maxItems: LIMITS.optionNames });
const Code = Type.Union([Type.String({ maxLength: 64 }), Type.Null()], { description: "The seller's SKU code, unique per shop" });
const Images = Type.Array(Type.String({ maxLength: 2048, description: 'http(s) URL or /media/… path' }), { maxItems: LIMITS.images });
const Title = Type.String({ minLength: 1, maxLength: 2000, description: `HTML is stripped; 1–${LIMITS.title} characters of text` });
const Description = Type.String({ maxLength: 20_000, description: `HTML is stripped; at most ${LIMITS.description} characters of text` });
const Category = Type.Union([Type.String({ maxLength: 64, description: 'A slug such as "camping-gear"' }), Type.Null()]);
const AffiliateRate = Type.Integer({
  minimum: 0,
  maximum: LIMITS.affiliateRateBps,
  description: "The creator's affiliate commission on this product's sales, basis points (default 0)",
});
const SellerStatus = Type.Union([Type.Literal('draft'), Type.Literal('live')]);

const VariantIn = Type.Object(
  {
    option_values: Type.Optional(OptionValues),
    price: MoneyIn,
    compare_at_price: Type.Optional(Type.Union([MoneyIn, Type.Null()])),
    code: Type.Optional(Code),
    stock: Type.Optional(StockIn),
  },
  { additionalProperties: false },
);
const VariantPatchIn = Type.Object(
  {
    sku_id: Type.Optional(Type.String({ pattern: '^sku_[0-9a-z]{26}$', description: 'Absent: a new variant' })),
    option_values: Type.Optional(OptionValues),
    price: Type.Optional(MoneyIn),
    compare_at_price: Type.Optional(Type.Union([MoneyIn, Type.Null()])),
    code: Type.Optional(Code),
    status: Type.Optional(SkuStatus),
    stock: Type.Optional(StockIn),
  },
  { additionalProperties: false },
);

const CreateBody = Type.Object(
  {
    title: Title,
    description: Type.Optional(Description),
    category: Type.Optional(Category),
    affiliate_rate_bps: Type.Optional(AffiliateRate),
    images: Type.Optional(Images),
    option_names: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: LIMITS.optionNames })),
    status: Type.Optional(SellerStatus),
    variants: Type.Array(VariantIn, { minItems: 1, maxItems: LIMITS.variants }),
  },
  { additionalProperties: false },
);
const PatchBody = Type.Object(
  {
    title: Type.Optional(Title),
    description: Type.Optional(Description),
    category: Type.Optional(Category),
    affiliate_rate_bps: Type.Optional(AffiliateRate),
    images: Type.Optional(Images),
    status: Type.Optional(SellerStatus),
    variants: Type.Optional(Type.Array(VariantPatchIn, { maxItems: LIMITS.variants })),
  },
  { additionalProperties: false },
);

const ListQuery = Type.Composite([
  PageQuery,
  Type.Object({
    q: Type.Optional(Type.String({ maxLength: 200, description: 'Full-text search (words, "phrases", -exclusions)' })),
    shop_id: Type.Optional(Type.String({ pattern: '^shp_[0-9a-z]{26}$' })),
    category: Type.Optional(Type.String({ maxLength: 64 })),
    status: Type.Optional(
      Type.Union([...PRODUCT_STATUSES.map((s) => Type.Literal(s)), Type.Literal('all')], {
        description: 'Default live. Other values need shop_id and membership of that shop.',
      }),
    ),
  }),
]);

/**
 * What the product routes need of modules above catalog (decision 021), filled by the
 * composition root: stock (inventory) and the buyers' rating of a product (reviews).
 */
export interface CatalogRouteDeps {
  stock: StockKeeper;
  /** The average of the buyers' ratings (1–5, null without any) and how many. */
  rating(db: Db, productId: string): Promise<{ average: number | null; count: number }>;
}

export async function catalogRoutes(server: FastifyInstance, deps: CatalogRouteDeps): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock } = app.ctx;
  const { stock } = deps;

  app.get(
    '/products',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['catalog'],
        summary: 'Live products, newest first, or full-text matches by rank; a shop member may list drafts',
        security: [],
        querystring: ListQuery,
        response: { 200: page(ProductSummaryOut), ...errors(400, 404) },
      },
    },
    async (req) => {
      const { q, shop_id, category, status, limit, cursor } = req.query;
      if (status && status !== 'live') {
        if (!shop_id) throw badRequest('bad_request', 'Listing by status other than live needs shop_id');
        if (!req.user) throw notFound('Shop', shop_id);
        await requireShopMember(db, req.user.id, shop_id);
      }
      return listProducts(db, stock, { q, shopId: shop_id, category, status, limit, cursor });
    },
  );

  app.get(
    '/products/:id',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['catalog'],
        summary: 'A product with its variants and availability (drafts only for the shop)',
        security: [],
        params: ProductId,
        response: { 200: ProductDetailOut, ...errors(404) },
      },
    },
    async (req) => {
      const product = await getProduct(db, stock, req.params.id, { viewerId: req.user?.id });
      return { ...product, rating: await deps.rating(db, product.id) };
    },
  );

  app.post(
    '/shops/:shop_id/products',
    {
      config: { auth: 'user', idempotent: true },
      schema: {
        tags: ['catalog'],
        summary: 'Create a product with its variants (and their stock in the default warehouse)',
        description: 'Not for managed shops (403 `managed_listing`): they offer goods through supply offers.',
        params: ShopIdParam,
        body: CreateBody,
        response: { 201: ProductDetailOut, ...errors(400, 401, 403, 404, 409, 422) },
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      await requireShopMember(db, user.id, req.params.shop_id);
      if ((await getShop(db, req.params.shop_id)).mode === 'managed') {
        throw forbidden('A managed shop lists through supply offers (POST /v1/shops/{id}/supply-offers)', 'managed_listing');
      }
      const product = await createProduct(db, clock, stock, req.params.shop_id, req.body);
      return reply.code(201).send(product);
    },
  );

  app.patch(
    '/products/:id',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['catalog'],
        summary: 'Edit a product and its variants; add variants',
        description: "A managed shop's prices, variants and stock are the platform's (403 `managed_price`, `managed_stock` for the shop; operators may edit).",
        params: ProductId,
        body: PatchBody,
        response: { 200: ProductDetailOut, ...errors(400, 401, 403, 404, 409, 422) },
      },
    },
    async (req) => {
      const user = requireUser(req);
      const shopId = await getProductShopId(db, req.params.id);
      // The platform runs a managed shop's listings: operators edit them, the shop may not price them.
      const managed = (await getShop(db, shopId)).mode === 'managed';
      if (managed && hasRole(user, 'operator')) {
        return audited(
          db,
          clock,
          (tx) => updateProduct(tx, clock, stock, req.params.id, req.body),
          (p) => ({ actorId: user.id, action: 'product.update', targetType: 'product', targetId: p.id, data: { shop_id: shopId, changes: req.body } }),
        );
      }
      await requireShopMember(db, user.id, shopId).catch(() => {
        throw notFound('Product', req.params.id);
      });
      if (managed && req.body.variants?.some((v) => v.price !== undefined || v.compare_at_price !== undefined || v.sku_id === undefined)) {
        throw forbidden('The platform sets the retail prices of a managed shop', 'managed_price');
      }
      if (managed && req.body.variants?.some((v) => v.stock !== undefined)) {
        throw forbidden("A managed shop's stock is what the platform warehouse received", 'managed_stock');
      }
      return updateProduct(db, clock, stock, req.params.id, req.body);
    },
  );
}
