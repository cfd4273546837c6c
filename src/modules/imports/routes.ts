import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../../platform/auth.js';
import { errors, page, PageQuery } from '../../platform/http-schemas.js';
import { uploadRoute } from '../../platform/uploads.js';
import { requireShopMember } from '../sellers/index.js';
import { applyAnchorReplacements, proposeAnchorReplacements } from './anchors.js';
import { createImport, getImport, listImports, MAX_IMPORT_BYTES, rerunImport } from './service.js';
import { AnchorProposalOut, ChoiceResultOut, ImportOut, ImportSummaryOut, Nullable } from './views.js';

const tags = ['imports'];
const ShopParam = Type.Object({ id: Type.String({ pattern: '^shp_[0-9a-z]{26}$', description: 'shp_… id' }) });
const ImportParam = Type.Object({ id: Type.String({ pattern: '^imp_[0-9a-z]{26}$', description: 'imp_… id' }) });

export async function importsRoutes(server: FastifyInstance): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock, config } = app.ctx;

  await uploadRoute(app, {
    url: '/shops/:id/imports',
    maxBytes: MAX_IMPORT_BYTES,
    file: 'A Shopify product export (CSV, UTF-8), at most 50 MB',
    fields: { file_name: Type.Optional(Type.String({ description: 'The name to show for it (default products.csv)' })) },
    schema: {
      tags,
      summary: 'Import a Shopify product export as draft products (multipart `file`); runs as a job',
      description:
        'The file is checked first: not UTF-8 text 415 `unsupported_media`; empty 400 `empty_file`; bad CSV 400 `invalid_csv`; ' +
        'no Handle, Title or Variant Price column 400 `missing_columns` (details.missing); over 50 MB 413 `file_too_large`. ' +
        'Follow the progress and the report at GET /v1/imports/{id}.',
      params: ShopParam,
      response: { 202: Type.Object({ import: ImportOut }), ...errors(400, 401, 403, 404, 413, 415) },
    },
    status: 202,
    authorize: (userId, params) => requireShopMember(db, userId, params.id!),
    save: async ({ userId, data, fields }, params) => ({ import: await createImport(db, clock, config.dataDir, { shopId: params.id!, userId, fileName: fields.file_name, data }) }),
  });

  app.get(
    '/shops/:id/imports',
    {
      config: { auth: 'user' },
      schema: { tags, summary: "A shop's imports, newest first (members)", params: ShopParam, querystring: PageQuery, response: { 200: page(ImportSummaryOut), ...errors(401, 404) } },
    },
    async (req) => {
      const user = requireUser(req);
      await requireShopMember(db, user.id, req.params.id);
      return listImports(db, req.params.id, req.query);
    },
  );

  app.get(
    '/shops/:id/anchor-replacements',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: "Proposals for replacing the shop's external anchors with imported products (members)",
        description:
          "Every external anchor on the videos and showcases of the shop's members, active or turned off, oldest first. `product` is the " +
          'product imported into this shop under the handle the URL ends with (last path segment, query, fragment and trailing slash ' +
          'ignored, case-insensitive), or null.',
        params: ShopParam,
        querystring: PageQuery,
        response: { 200: page(AnchorProposalOut), ...errors(400, 401, 404) },
      },
    },
    async (req) => {
      const user = requireUser(req);
      await requireShopMember(db, user.id, req.params.id);
      return proposeAnchorReplacements(db, req.params.id, { limit: req.query.limit ?? 50, cursor: req.query.cursor });
    },
  );

  app.post(
    '/shops/:id/anchor-replacements',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'Replace external anchors with products of the shop (members); product_id null skips one',
        description:
          'In one transaction each chosen product is anchored on the same video (or added to the same showcase) and the external anchor ' +
          'is turned off. Any bad choice answers 422 `invalid_choices` with `details.choices: [{ index, anchor_id, product_id, reason, message }]` ' +
          '(reasons: unknown_anchor, duplicate_anchor, unknown_product, product_suspended, already_replaced, too_many_anchors, showcase_full) ' +
          'and changes nothing. Applying the same choices again changes nothing (`unchanged`).',
        params: ShopParam,
        body: Type.Object(
          {
            choices: Type.Array(
              Type.Object(
                {
                  anchor_id: Type.String({ pattern: '^anc_[0-9a-z]{26}$' }),
                  product_id: Nullable(Type.String({ pattern: '^prd_[0-9a-z]{26}$' })),
                },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 100 },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ results: Type.Array(ChoiceResultOut) }), ...errors(400, 401, 404, 422) },
      },
    },
    async (req) => {
      const user = requireUser(req);
      await requireShopMember(db, user.id, req.params.id);
      return applyAnchorReplacements(db, clock, user.id, req.params.id, req.body.choices);
    },
  );

  app.get(
    '/imports/:id',
    { config: { auth: 'user' }, schema: { tags, summary: 'An import: status, progress, counts and report (members of its shop)', params: ImportParam, response: { 200: ImportOut, ...errors(401, 404) } } },
    async (req) => getImport(db, requireUser(req).id, req.params.id),
  );

  app.post(
    '/imports/:id/run',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'Run an import again: a failed one resumes after its last saved batch',
        description: 'A queued or running import is left as it is; a done one answers 409 `import_finished` (upload the file again: imported handles are skipped).',
        params: ImportParam,
        response: { 202: Type.Object({ import: ImportOut }), ...errors(401, 404, 409) },
      },
    },
    async (req, reply) => {
      await getImport(db, requireUser(req).id, req.params.id);
      return reply.code(202).send({ import: await rerunImport(db, clock, req.params.id) });
    },
  );
}
