import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../../platform/auth.js';
import { badRequest } from '../../platform/errors.js';
import { errors, IdParam, Literals, Money, Nullable, page, PageQuery, Time } from '../../platform/http-schemas.js';
import { uploadRoute } from '../../platform/uploads.js';
import { operatorAction } from '../audit/index.js';
import {
  getApplication,
  getDocumentFile,
  listApplications,
  listMyApplications,
  MAX_DOCUMENT_BYTES,
  resubmitApplication,
  REVIEW_ACTIONS,
  reviewApplication,
  saveDocument,
  submitApplication,
  type OpenWarehouses,
} from './applications.js';
import { createInvitationAudited, listInvitations, revokeInvitation } from './invitations.js';
import { adminMarkets, editMarket, MARKET_DURATIONS, publicMarkets } from './markets.js';
import { DOCUMENT_KINDS, SHOP_MODES, type DocumentKind } from './schema.js';
import { ApplicationOut, ApplicationWarehouse, Contact, DocumentOut, Invitation, Status, Strict } from './views.js';

const MoneyRef = Type.Ref(Money);

// ---------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------

const PublicMarket = Type.Object({
  code: Type.String(),
  currency: Type.String(),
  timezone: Type.String(),
  tax_rate_bps: Type.Integer(),
  ship_within_hours: Type.Number(),
  required_documents: Type.Array(Type.String()),
  sales_threshold: Nullable(MoneyRef),
  slots_left: Nullable(Type.Integer({ description: 'null: no quota' })),
  applications_open: Type.Boolean(),
});

const HOUR_MS = 3_600_000;
const DurationIn = Type.Integer({ minimum: 60_000, maximum: 366 * 24 * HOUR_MS, description: 'Milliseconds' });
const durations = <T extends TSchema>(t: T) => Object.fromEntries(MARKET_DURATIONS.map((k) => [k, t])) as Record<(typeof MARKET_DURATIONS)[number], T>;

const AdminMarket = Type.Object({
  code: Type.String(),
  currency: Type.String(),
  timezone: Type.String(),
  tax_rate_bps: Type.Integer(),
  ...durations(Type.Integer()),
  required_documents: Type.Array(Type.String()),
  sales_threshold: Nullable(MoneyRef),
  slot_quota: Nullable(Type.Integer()),
  slots_taken: Type.Integer({ description: 'Shops in the market' }),
  attribution_window_days: Type.Integer({ description: 'A video or live click attributes the cart line it led to for this many days (affiliate pay at checkout)' }),
  link_policy_mode: Type.String(),
  cutover_at: Nullable(Time),
  updated_at: Nullable(Time),
  updated_by: Nullable(Type.String()),
});

const MarketEditBody = Type.Object(
  {
    tax_rate_bps: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
    ...Object.fromEntries(MARKET_DURATIONS.map((k) => [k, Type.Optional(DurationIn)])),
    required_documents: Type.Optional(Type.Array(Literals(DOCUMENT_KINDS), { uniqueItems: true, maxItems: DOCUMENT_KINDS.length })),
    sales_threshold: Type.Optional(Nullable(Type.Object({ amount: Type.Integer({ minimum: 0 }), currency: Type.String({ pattern: '^[A-Z]{3}$' }) }, Strict))),
    slot_quota: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 1_000_000 }))),
    attribution_window_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 90 })),
  },
  { ...Strict, minProperties: 1 },
);

const YearlySales = Type.Object(
  {
    amount: Type.Integer({ minimum: 0, maximum: 1e15, description: 'Minor units, in the market currency' }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    marketplace: Type.String({ minLength: 1, maxLength: 200, description: 'Where these sales were made' }),
  },
  Strict,
);
const DocumentIds = Type.Array(Type.String({ pattern: '^doc_[0-9a-z]{26}$' }), { maxItems: 20 });

const editable = {
  mode: Literals(SHOP_MODES),
  company_name: Type.String({ minLength: 1, maxLength: 200 }),
  registration_number: Type.String({ minLength: 1, maxLength: 100 }),
  tax_id: Type.String({ minLength: 1, maxLength: 100 }),
  contact: Contact,
  yearly_sales: YearlySales,
  warehouses: Type.Array(ApplicationWarehouse, { maxItems: 10 }),
  document_ids: DocumentIds,
};

const SubmitBody = Type.Object(
  {
    invitation_code: Type.String({ minLength: 1, maxLength: 100 }),
    category: Type.String({ minLength: 1, maxLength: 50, description: 'Must be the invitation\'s category' }),
    ...editable,
  },
  Strict,
);

const ResubmitBody = Type.Partial(
  Type.Object({ ...editable, note: Type.String({ maxLength: 2000, description: 'Answers to the operator\'s questions' }) }, Strict),
);

const AppId = IdParam('id', 'app');
const mkTags = ['markets'];
const invTags = ['invitations'];
const appTags = ['seller applications'];

/** What the seller routes need of modules above sellers (decision 021), filled by the composition root. */
export interface SellersRouteDeps {
  /** Approval opens the new shop's declared warehouses (inventory). */
  openWarehouses: OpenWarehouses;
}

export async function sellersRoutes(server: FastifyInstance, deps: SellersRouteDeps): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock, config } = app.ctx;

  // Markets ------------------------------------------------------------------------------------

  app.get(
    '/markets',
    { config: { auth: 'public' }, schema: { tags: mkTags, summary: 'Markets: currency, tax, shipping time, seller requirements and slots left (public)', response: { 200: Type.Object({ data: Type.Array(PublicMarket) }) } } },
    async () => ({ data: await publicMarkets(db) }),
  );

  app.get(
    '/admin/markets',
    { schema: { tags: mkTags, summary: 'Every market setting (operators)', response: { 200: Type.Object({ data: Type.Array(AdminMarket) }), ...errors(401, 403) } } },
    async () => {
      return { data: await adminMarkets(db) };
    },
  );

  operatorAction(app, {
    method: 'PATCH',
    url: '/admin/markets/:code',
    schema: {
      tags: mkTags,
      summary: 'Change market settings (operators); other nodes pick the change up within a minute',
      description: 'Durations in milliseconds (1 minute – 366 days). `sales_threshold` is in the market currency; null removes it, as null `slot_quota` removes the quota.',
      params: Type.Object({ code: Type.String({ pattern: '^[A-Z]{2}$' }) }),
      body: MarketEditBody,
      response: { 200: AdminMarket, ...errors(400, 401, 403, 404) },
    },
    run: (tx, { operatorId, params, body }) => editMarket(tx, clock, operatorId, params.code!, body),
    audit: (m, { body }) => ({ action: 'market.edit', targetType: 'market', targetId: m.code, data: { changes: body } }),
  });

  // Invitations --------------------------------------------------------------------------------

  app.post(
    '/invitations',
    {
      config: { auth: ['operator'] },
      schema: {
        tags: invTags,
        summary: 'Issue an invitation code for a market and category (operators); the code is shown only in this answer',
        body: Type.Object(
          {
            market: Type.String({ pattern: '^[A-Z]{2}$' }),
            category: Type.String({ minLength: 1, maxLength: 50, pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*$' }),
            max_uses: Type.Integer({ minimum: 1, maximum: 1000 }),
            expires_at: Time,
          },
          Strict,
        ),
        response: { 201: Invitation, ...errors(400, 401, 403) },
      },
    },
    async (req, reply) => {
      const operatorId = requireUser(req).id;
      const invitation = await createInvitationAudited(db, clock, operatorId, req.body);
      return reply.code(201).send(invitation);
    },
  );


  app.get(
    '/invitations',
    { config: { auth: ['operator'] }, schema: { tags: invTags, summary: 'Invitation codes with their uses, newest first (operators)', querystring: PageQuery, response: { 200: page(Invitation), ...errors(400, 401, 403) } } },
    async (req) => {
      return listInvitations(db, clock, req.query);
    },
  );

  operatorAction(app, {
    method: 'POST',
    url: '/invitations/:id/revoke',
    config: { auth: ['operator'] },
    schema: { tags: invTags, summary: 'Revoke an invitation code (operators)', params: IdParam('id', 'inv'), response: { 200: Invitation, ...errors(401, 403, 404) } },
    run: (tx, { params }) => revokeInvitation(tx, clock, params.id!),
    audit: (inv) => ({ action: 'invitation.revoke', targetType: 'invitation', targetId: inv.id, data: { market: inv.market, category: inv.category, code_hint: inv.code_hint } }),
  });

  // Documents ----------------------------------------------------------------------------------

  await uploadRoute(app, {
    url: '/seller-applications/documents',
    maxBytes: MAX_DOCUMENT_BYTES,
    file: 'PDF, JPEG or PNG, at most 10 MB; checked by content',
    fields: { kind: Literals(DOCUMENT_KINDS) },
    schema: {
      tags: appTags,
      summary: 'Upload a qualification document (multipart `file` and `kind`); attach it with `document_ids`',
      description: 'Anything but PDF, JPEG or PNG by content answers 415 `unsupported_media`; over 10 MB 413 `file_too_large`.',
      response: { 201: DocumentOut, ...errors(400, 401, 413, 415) },
    },
    status: 201,
    save: async ({ userId, data, fields }) => {
      const kind = fields.kind as DocumentKind | undefined;
      if (!kind || !DOCUMENT_KINDS.includes(kind)) {
        throw badRequest('validation_failed', `kind is one of ${DOCUMENT_KINDS.join(', ')}`, [{ field: 'body/kind', rule: 'enum', message: 'unknown document kind', params: {} }]);
      }
      return saveDocument(db, clock, config.dataDir, userId, kind, data);
    },
  });

  app.get(
    '/seller-applications/documents/:id',
    {
      config: { auth: 'user' },
      schema: {
        tags: appTags,
        summary: 'A qualification document (its uploader and operators)',
        params: IdParam('id', 'doc'),
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), ...errors(401, 404) },
      },
    },
    async (req, reply) => {
      const { contentType, data } = await getDocumentFile(db, config.dataDir, requireUser(req), req.params.id as string);
      return reply.header('content-type', contentType).header('cache-control', 'private, no-store').header('x-content-type-options', 'nosniff').send(data);
    },
  );

  // Applications -------------------------------------------------------------------------------

  app.post(
    '/seller-applications',
    {
      config: { auth: 'user', idempotent: true },
      schema: {
        tags: appTags,
        summary: 'Apply to sell with an invitation code (any signed-in user)',
        description:
          'The code is redeemed atomically: 400 `invalid_invitation`, 409 `invitation_expired` | `invitation_revoked` | `invitation_used_up` store nothing and use nothing. ' +
          'Automatic checks (slots, sales threshold, documents, duplicate registration/tax id, local warehouse) run at once: any failure answers the application `rejected` with the reasons in `checks`.',
        body: SubmitBody,
        response: { 201: ApplicationOut, ...errors(400, 401, 404, 409, 422) },
      },
    },
    async (req, reply) => reply.code(201).send(await submitApplication(db, clock, requireUser(req).id, req.body)),
  );

  app.get(
    '/seller-applications/mine',
    { config: { auth: 'user' }, schema: { tags: appTags, summary: 'Your applications, newest first', querystring: PageQuery, response: { 200: page(ApplicationOut), ...errors(400, 401) } } },
    async (req) => listMyApplications(db, requireUser(req).id, req.query),
  );

  app.get(
    '/seller-applications',
    {
      config: { auth: ['operator'] },
      schema: {
        tags: appTags,
        summary: 'The review queue, oldest first (operators)',
        querystring: Type.Composite([PageQuery, Type.Object({ status: Type.Optional(Status) })]),
        response: { 200: page(ApplicationOut), ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      return listApplications(db, req.query);
    },
  );

  app.get(
    '/seller-applications/:id',
    { config: { auth: 'user' }, schema: { tags: appTags, summary: 'An application with its checks, documents and timeline (its applicant or operators)', params: AppId, response: { 200: ApplicationOut, ...errors(401, 404) } } },
    async (req) => getApplication(db, requireUser(req), req.params.id as string),
  );

  operatorAction(app, {
    method: 'POST',
    url: '/seller-applications/:id/review',
    config: { auth: ['operator'] },
    schema: {
      tags: appTags,
      summary: 'Review an application (operators): start_review, then approve | reject (with note) | needs_info (with questions)',
      description: 'Approval creates the shop in the chosen mode with its warehouses and makes the applicant its owner; a full market answers 409 `market_full`.',
      params: AppId,
      body: Type.Object(
        {
          action: Literals(REVIEW_ACTIONS),
          note: Type.Optional(Type.String({ maxLength: 2000 })),
          questions: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { maxItems: 20 })),
        },
        Strict,
      ),
      response: { 200: ApplicationOut, ...errors(400, 401, 403, 404, 409) },
    },
    run: (tx, { operatorId, params, body }) => reviewApplication(tx, clock, operatorId, params.id!, body, deps.openWarehouses),
    audit: (a, { body: { action, note, questions } }) => ({
      action: `application.${action}`,
      targetType: 'seller_application',
      targetId: a.id,
      data: { reason: note?.trim() || null, questions: questions ?? null, status: a.status, company_name: a.company_name, market: a.market, shop_id: a.shop_id },
    }),
  });

  app.post(
    '/seller-applications/:id/resubmit',
    {
      config: { auth: 'user' },
      schema: {
        tags: appTags,
        summary: 'Resubmit your application after needs_info (or after failed automatic checks) with changed fields and more documents',
        params: AppId,
        body: ResubmitBody,
        response: { 200: ApplicationOut, ...errors(400, 401, 404, 409) },
      },
    },
    async (req) => resubmitApplication(db, clock, requireUser(req).id, req.params.id as string, req.body),
  );
}
