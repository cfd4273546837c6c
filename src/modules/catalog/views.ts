import { Type } from '@sinclair/typebox';
import { PRODUCT_STATUSES } from './schema.js';

const MoneyOut = Type.Object({ amount: Type.Integer(), currency: Type.String() });

export const SkuStatus = Type.Union([Type.Literal('active'), Type.Literal('archived')]);

/** A product as lists show it. */
export const ProductSummaryOut = Type.Object({
  id: Type.String(),
  shop_id: Type.String(),
  title: Type.String(),
  description: Type.String(),
  category: Type.Union([Type.String(), Type.Null()]),
  affiliate_rate_bps: Type.Integer({ description: 'Affiliate commission for creators, basis points' }),
  status: Type.Union(PRODUCT_STATUSES.map((s) => Type.Literal(s))),
  images: Type.Array(Type.String()),
  option_names: Type.Array(Type.String()),
  price_range: Type.Object({ min: MoneyOut, max: MoneyOut }),
  available: Type.Integer({ description: 'Sellable now, summed over active variants and warehouses' }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

export const VariantOut = Type.Object({
  sku_id: Type.String(),
  option_values: Type.Array(Type.String()),
  price: MoneyOut,
  compare_at_price: Type.Union([MoneyOut, Type.Null()]),
  code: Type.Union([Type.String(), Type.Null()]),
  status: SkuStatus,
  available: Type.Integer(),
});

/** A product with its variants and shop (`rating` on GET only). */
export const ProductDetailOut = Type.Composite([
  ProductSummaryOut,
  Type.Object({
    variants: Type.Array(VariantOut),
    shop: Type.Object({ id: Type.String(), name: Type.String() }),
    rating: Type.Optional(
      Type.Object({ average: Type.Union([Type.Number(), Type.Null()]), count: Type.Integer() }, { description: 'GET only: the average of the buyers’ ratings (1–5) and how many' }),
    ),
  }),
]);
