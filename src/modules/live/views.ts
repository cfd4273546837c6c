import { Type } from '@sinclair/typebox';
import { MoneyOut, Nullable } from '../../platform/http-schemas.js';
import { LIVE_END_REASONS, LIVE_STATUSES } from './schema.js';

export const ProductSummary = Type.Object({
  id: Type.String(),
  shop_id: Type.String(),
  title: Type.String(),
  status: Type.String(),
  images: Type.Array(Type.String()),
  option_names: Type.Array(Type.String()),
  price_range: Type.Object({ min: MoneyOut, max: MoneyOut }),
  available: Type.Integer(),
});

export const Allotment = Type.Object({
  sku_id: Type.String(),
  product_id: Type.String(),
  title: Type.String({ description: "The product's title" }),
  option_values: Type.Array(Type.String()),
  quantity: Type.Integer({ description: 'Set aside for the live in total' }),
  remaining: Type.Integer({ description: 'Left for buyers now (units in open checkouts are not left)' }),
  sold: Type.Integer({ description: 'Paid units bought from the room' }),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
});

export const Live = Type.Object({
  id: Type.String(),
  creator: Type.Object({ id: Type.String(), name: Type.String() }),
  title: Type.String(),
  stream_url: Type.String({ description: 'HLS playlist (.m3u8) or MP4 the room plays; ingest is not Loopshop’s' }),
  status: Type.Union(LIVE_STATUSES.map((s) => Type.Literal(s))),
  scheduled_at: Type.String({ format: 'date-time' }),
  started_at: Nullable(Type.String({ format: 'date-time' })),
  ended_at: Nullable(Type.String({ format: 'date-time' })),
  end_reason: Nullable(
    Type.Union(
      LIVE_END_REASONS.map((r) => Type.Literal(r)),
      { description: 'Who ended it: the creator, or the platform (`idle`: no sign of life from the console; `max_duration`: live too long); null until ended' },
    ),
  ),
  attestation: Nullable(Type.Object({ by: Type.String(), at: Type.String({ format: 'date-time' }), version: Type.String() })),
  pinned_product_id: Nullable(Type.String()),
  products: Type.Array(ProductSummary, { description: 'Pinned products, in pin order (live products only)' }),
  allotments: Type.Array(Allotment, { description: 'Flash-sale allotments per SKU' }),
});
