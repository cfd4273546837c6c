import { Type, type TSchema } from '@sinclair/typebox';
import { Money } from '../../platform/http-schemas.js';
import { IMPORT_STATUSES } from './schema.js';
import { REPORT_LIMIT } from './service.js';

/** An import as listed (without its report). */
export const ImportSummaryOut = Type.Object({
  id: Type.String(),
  shop_id: Type.String(),
  status: Type.Union(IMPORT_STATUSES.map((s) => Type.Literal(s))),
  file_name: Type.String(),
  rows_total: Type.Integer({ description: 'Data rows in the file (the header is row 1)' }),
  rows_done: Type.Integer({ description: 'Data rows processed so far: rows_done / rows_total is the progress' }),
  products_created: Type.Integer(),
  products_skipped: Type.Integer(),
  variants_created: Type.Integer(),
  rows_skipped: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()], { description: 'Why a failed import stopped' }),
  created_at: Type.String({ format: 'date-time' }),
  started_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  finished_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const ReportLineOut = Type.Object({
  row: Type.Integer({ description: 'Row in the file, the header being row 1' }),
  handle: Type.String(),
  reason: Type.String({
    description:
      'missing_handle, missing_title, handle_exists, no_variants, missing_option_value, bad_price, bad_compare_at_price, bad_quantity, bad_sku, duplicate_sku, ' +
      'duplicate_options, too_many_variants, bad_image_url, too_many_images, empty_row, invalid_product, sku_code_taken; description_shortened (imported, text cut)',
  }),
  message: Type.String(),
});

/** An import with the first lines of its report. */
export const ImportOut = Type.Composite([ImportSummaryOut, Type.Object({ report: Type.Array(ReportLineOut, { description: `The first ${REPORT_LIMIT} lines` }) })]);

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const ProductBriefOut = Type.Object({
  id: Type.String(),
  title: Type.String(),
  status: Type.String({ description: 'draft, live or suspended: imported products start as drafts' }),
  images: Type.Array(Type.String()),
  price_range: Type.Object({ min: Type.Ref(Money), max: Type.Ref(Money) }),
  available: Type.Integer(),
});

/** An external anchor and the imported product that could replace it. */
export const AnchorProposalOut = Type.Object({
  anchor: Type.Object({
    id: Type.String({ description: 'anc_… id' }),
    kind: Type.Union([Type.Literal('video'), Type.Literal('showcase')]),
    video_id: Nullable(Type.String()),
    url: Type.String(),
    title: Nullable(Type.String()),
    active: Type.Boolean({ description: 'false once turned off (by a cut-over or a replacement); still replaceable' }),
  }),
  handle: Nullable(Type.String({ description: "The URL's last path segment, lower case" })),
  product: Nullable(ProductBriefOut),
  replaced_by: Nullable(ProductBriefOut),
});

export const ChoiceResultOut = Type.Object({
  index: Type.Integer(),
  anchor_id: Type.String(),
  product_id: Nullable(Type.String()),
  outcome: Type.Union([Type.Literal('replaced'), Type.Literal('unchanged'), Type.Literal('skipped')]),
});
