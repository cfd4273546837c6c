import { Type, type TSchema } from '@sinclair/typebox';
import { Money } from '../../platform/http-schemas.js';
import { VIDEO_STATUSES } from './schema.js';

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const ProductSummary = Type.Object({
  id: Type.String(),
  shop_id: Type.String(),
  title: Type.String(),
  status: Type.String(),
  images: Type.Array(Type.String()),
  category: Nullable(Type.String()),
  option_names: Type.Array(Type.String()),
  price_range: Type.Object({ min: Type.Ref(Money), max: Type.Ref(Money) }),
  available: Type.Integer(),
});

export const ExternalLink = Type.Object({
  id: Type.String({ description: 'anc_… id' }),
  url: Type.String(),
  title: Nullable(Type.String()),
  out_url: Type.String({ description: '`/out/<id>`: what buyers open (records the click, then redirects)' }),
  active: Type.Boolean({ description: 'false once a cut-over turned it off (only its owner still sees it)' }),
});

export const Anchor = Type.Union([
  Type.Object({ type: Type.Literal('product'), product: ProductSummary }),
  Type.Object({
    type: Type.Literal('external'),
    ...ExternalLink.properties,
  }),
]);

/** A video as the API shows it (also the feed module's item). */
export const Video = Type.Object({
  id: Type.String(),
  caption: Type.String(),
  caption_flagged: Type.Boolean({ description: 'To the creator: a link-policy cut-over found an external link in the caption; edit it' }),
  status: Type.Union(VIDEO_STATUSES.map((s) => Type.Literal(s))),
  failure_reason: Nullable(Type.String({ description: 'corrupt_file, no_video_stream, too_long, transcode_failed, …' })),
  can_retry: Type.Boolean({ description: 'To the creator: it failed on our side (processing_error, processing_timeout); POST /v1/videos/{id}/retry processes it again' }),
  media_url: Nullable(Type.String({ description: 'H.264/AAC MP4 with faststart, served with HTTP range requests' })),
  poster_url: Nullable(Type.String()),
  duration_ms: Nullable(Type.Integer()),
  width: Nullable(Type.Integer()),
  height: Nullable(Type.Integer()),
  creator: Type.Object({ id: Type.String(), name: Type.String() }),
  anchors: Type.Array(Anchor),
  created_at: Type.String({ format: 'date-time' }),
  published_at: Nullable(Type.String({ format: 'date-time' })),
});
