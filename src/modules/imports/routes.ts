import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../../platform/auth.js';
import { errors, page, PageQuery } from '../../platform/http-schemas.js';
import { receiveUpload, registerUploads } from '../../platform/uploads.js';
import { requireShopMember } from '../sellers/service.js';
import { IMPORT_STATUSES } from './schema.js';
import { createImport, getImport, listImports, MAX_IMPORT_BYTES, REPORT_LIMIT, rerunImport } from './service.js';

const tags = ['imports'];
const ImportSummary = Type.Object({
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
const ReportLine = Type.Object({
  row: Type.Integer({ description: 'Row in the file, the header being row 1' }),
  handle: Type.String(),
  reason: Type.String({
    description:
      'missing_handle, missing_title, handle_exists, no_variants, missing_option_value, bad_price, bad_compare_at_price, bad_quantity, bad_sku, duplicate_sku, ' +
      'duplicate_options, too_many_variants, bad_image_url, too_many_images, empty_row, invalid_product, sku_code_taken; description_shortened (imported, text cut)',
  }),
  message: Type.String(),
});
const ImportView = Type.Composite([ImportSummary, Type.Object({ report: Type.Array(ReportLine, { description: `The first ${REPORT_LIMIT} lines` }) })]);
const ShopParam = Type.Object({ id: Type.String({ pattern: '^shp_[0-9a-z]{26}$', description: 'shp_… id' }) });
const ImportParam = Type.Object({ id: Type.String({ pattern: '^imp_[0-9a-z]{26}$', description: 'imp_… id' }) });

export async function importsRoutes(server: FastifyInstance): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock, config } = app.ctx;

  await app.register(async (scope) => {
    await registerUploads(scope, MAX_IMPORT_BYTES);
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      '/shops/:id/imports',
      {
        config: {
          docsBody: Type.Object({
            file: Type.String({ format: 'binary', description: 'A Shopify product export (CSV, UTF-8), at most 50 MB' }),
            file_name: Type.Optional(Type.String({ description: 'The name to show for it (default products.csv)' })),
          }),
        },
        schema: {
          tags,
          summary: 'Import a Shopify product export as draft products (multipart `file`); runs as a job',
          description:
            'The file is checked first: not UTF-8 text 415 `unsupported_media`; empty 400 `empty_file`; bad CSV 400 `invalid_csv`; ' +
            'no Handle, Title or Variant Price column 400 `missing_columns` (details.missing); over 50 MB 413 `file_too_large`. ' +
            'Follow the progress and the report at GET /v1/imports/{id}.',
          consumes: ['multipart/form-data'],
          params: ShopParam,
          response: { 202: Type.Object({ import: ImportView }), ...errors(400, 401, 403, 404, 413, 415) },
        },
      },
      async (req, reply) => {
        const user = requireUser(req);
        await requireShopMember(db, user.id, req.params.id);
        const { data, fields } = await receiveUpload(req, MAX_IMPORT_BYTES, ['file_name']);
        const created = await createImport(db, clock, config.dataDir, { shopId: req.params.id, userId: user.id, fileName: fields.file_name, data });
        return reply.code(202).send({ import: created });
      },
    );
  });

  app.get(
    '/shops/:id/imports',
    {
      schema: { tags, summary: "A shop's imports, newest first (members)", params: ShopParam, querystring: PageQuery, response: { 200: page(ImportSummary), ...errors(401, 404) } },
    },
    async (req) => {
      const user = requireUser(req);
      await requireShopMember(db, user.id, req.params.id);
      return listImports(db, req.params.id, req.query);
    },
  );

  app.get(
    '/imports/:id',
    { schema: { tags, summary: 'An import: status, progress, counts and report (members of its shop)', params: ImportParam, response: { 200: ImportView, ...errors(401, 404) } } },
    async (req) => getImport(db, requireUser(req).id, req.params.id),
  );

  app.post(
    '/imports/:id/run',
    {
      schema: {
        tags,
        summary: 'Run an import again: a failed one resumes after its last saved batch',
        description: 'A queued or running import is left as it is; a done one answers 409 `import_finished` (upload the file again: imported handles are skipped).',
        params: ImportParam,
        response: { 202: Type.Object({ import: ImportView }), ...errors(401, 404, 409) },
      },
    },
    async (req, reply) => {
      await getImport(db, requireUser(req).id, req.params.id);
      return reply.code(202).send({ import: await rerunImport(db, clock, req.params.id) });
    },
  );
}
