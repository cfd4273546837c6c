import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../../platform/auth.js';
import { errors, IdParam, Literals, page, PageQuery } from '../../platform/http-schemas.js';
import { uploadRoute } from '../../platform/uploads.js';
import { CASE_STATUSES, CASE_TYPES, DECISION_OUTCOMES, REASON_CODES } from './schema.js';
import {
  acceptCase,
  addEvidence,
  confirmReceipt,
  decideCase,
  escalateCase,
  getCase,
  getEvidence,
  listCases,
  MAX_EVIDENCE_BYTES,
  MAX_EVIDENCE_PER_CASE,
  openCase,
  rejectCase,
  saveEvidence,
  shipReturn,
  withdrawCase,
  type CaseView,
} from './service.js';
import { CaseOut } from './views.js';

const Note = (max = 1000) => Type.String({ minLength: 1, maxLength: max });
const EvidenceIds = Type.Array(Type.String({ pattern: '^evd_[0-9a-z]{26}$' }), { minItems: 1, maxItems: MAX_EVIDENCE_PER_CASE });

/** A body that may be omitted, `{}`, or carry an optional note. */
const OptionalNote = Type.Unsafe<{ note?: string } | undefined>({
  not: { type: ['string', 'number', 'integer', 'boolean', 'array'] },
  properties: { note: Note() },
  additionalProperties: false,
  description: 'Optional: no body, `{}` or `{ "note": "…" }`',
});
const EmptyBody = Type.Unsafe<Record<string, never> | undefined>({
  maxProperties: 0,
  not: { type: ['string', 'number', 'integer', 'boolean', 'array'] },
  description: 'Empty: `{}` or no body',
});

const CaseId = IdParam('id', 'cas');
const tags = ['aftersales'];

export async function aftersalesRoutes(server: FastifyInstance): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock, config } = app.ctx;
  const { payments: providers, carriers } = app.ctx.strategies;

  app.post(
    '/orders/:id/after-sales',
    {
      config: { auth: 'user', idempotent: true },
      schema: {
        tags,
        summary: 'Open an after-sales case on your shipped or delivered order (its buyer only)',
        description:
          '`amount` defaults to the item\'s line total (with `order_item_id`, for `quantity`), else to what the order can still refund, and never ' +
          'exceeds that (409 `amount_exceeds_refundable`). A paid order is cancelled instead (409 `use_cancel`); after the after-sales window ' +
          '409 `after_sales_window_closed`; one open case per order (409 `case_already_open`). The case holds the order\'s escrow; the seller ' +
          'answers within 48 h or it is accepted. `refund_only` with `reason_code` `not_received` after the delivery deadline is refunded at once.',
        params: IdParam('id', 'ord'),
        body: Type.Object(
          {
            type: Literals(CASE_TYPES),
            reason: Type.String({ minLength: 1, maxLength: 1000, description: 'Plain text (HTML is stripped)' }),
            reason_code: Type.Optional(Literals(REASON_CODES)),
            order_item_id: Type.Optional(Type.String({ pattern: '^oit_[0-9a-z]{26}$' })),
            quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
            amount: Type.Optional(Type.Integer({ minimum: 1, description: 'Minor units of the order currency' })),
            evidence_ids: Type.Optional(EvidenceIds),
          },
          { additionalProperties: false },
        ),
        response: { 201: CaseOut, ...errors(400, 401, 404, 409, 422, 502) },
      },
    },
    async (req, reply) => {
      const view = await openCase(db, clock, providers, requireUser(req).id, req.params.id as string, req.body);
      return reply.code(201).send(view);
    },
  );

  app.get(
    '/after-sales',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'After-sales cases: your own (buyer), your shops\' (seller), or every case with escalated ones first (operator)',
        querystring: Type.Composite([
          PageQuery,
          Type.Object({
            role: Type.Optional(Type.Union([Type.Literal('buyer'), Type.Literal('seller'), Type.Literal('operator')], { default: 'buyer' })),
            status: Type.Optional(Literals(CASE_STATUSES)),
            shop_id: Type.Optional(Type.String({ pattern: '^shp_[0-9a-z]{26}$' })),
          }),
        ]),
        response: { 200: page(CaseOut), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => listCases(db, requireUser(req).id, req.query),
  );

  // Evidence photos: multipart parsing only for the upload route.
  await uploadRoute(app, {
    url: '/after-sales/evidence',
    maxBytes: MAX_EVIDENCE_BYTES,
    file: 'JPEG, PNG or WebP, at most 5 MB; checked by content',
    schema: {
      tags,
      summary: 'Upload an evidence photo (multipart field `file`); attach it with `evidence_ids`',
      description: 'Checked by its bytes, not its name: anything but JPEG, PNG or WebP answers 415 `unsupported_media`; over 5 MB 413 `file_too_large`.',
      response: { 201: Type.Object({ id: Type.String(), url: Type.String() }), ...errors(400, 401, 413, 415) },
    },
    status: 201,
    save: ({ userId, data }) => saveEvidence(db, clock, config.mediaDir, userId, data),
  });

  app.get(
    '/after-sales/evidence/:id',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'An evidence photo (its uploader, the shop of its case, operators)',
        params: IdParam('id', 'evd'),
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'The image as uploaded' }), ...errors(401, 404) },
      },
    },
    async (req, reply) => {
      const { contentType, data } = await getEvidence(db, config.mediaDir, requireUser(req).id, req.params.id as string);
      return reply.header('content-type', contentType).header('cache-control', 'private, max-age=3600').header('x-content-type-options', 'nosniff').send(data);
    },
  );

  app.get(
    '/after-sales/:id',
    {
      config: { auth: 'user' },
      schema: { tags, summary: 'A case with its timeline (its buyer, a member of its shop, or an operator)', params: CaseId, response: { 200: CaseOut, ...errors(401, 404) } },
    },
    async (req) => getCase(db, requireUser(req).id, req.params.id as string),
  );

  const mutation = <B extends TSchema>(
    name: string,
    summary: string,
    body: B,
    act: (userId: string, caseId: string, input: B['static']) => Promise<CaseView>,
    description?: string,
  ) =>
    app.post(
      `/after-sales/:id/${name}`,
      {
        config: { auth: 'user', idempotent: true },
        schema: { tags, summary, ...(description ? { description } : {}), params: CaseId, body, response: { 200: CaseOut, ...errors(400, 401, 403, 404, 409, 422, 502) } },
      },
      async (req) => act(requireUser(req).id, req.params.id as string, req.body as B['static']),
    );

  mutation(
    'accept',
    'Accept a requested case (its shop): refund_only is refunded at once, a return waits for the buyer to ship it',
    OptionalNote,
    (u, id, body) => acceptCase(db, clock, providers, u, id, body ?? {}),
  );
  mutation(
    'reject',
    'Reject a requested case with a note (its shop); the buyer may escalate within 3 days, else the case closes',
    Type.Object({ note: Note() }, { additionalProperties: false }),
    (u, id, body) => rejectCase(db, clock, providers, u, id, body),
  );
  mutation(
    'escalate',
    'Hand a case that is not finished to an operator (its buyer or its shop)',
    OptionalNote,
    (u, id, body) => escalateCase(db, clock, providers, u, id, body ?? {}),
    'The buyer escalates a `requested` case only once the seller answered: before `seller_due_at` it is 409 `seller_answer_pending` (`details.seller_due_at`); silence past it accepts the case.',
  );
  mutation(
    'decide',
    'Decide an escalated case (operators only, else 403)',
    Type.Object(
      {
        outcome: Literals(DECISION_OUTCOMES),
        amount: Type.Optional(Type.Integer({ minimum: 1, description: 'Minor units; partial_refund only, at most the case amount' })),
        note: Note(2000),
      },
      { additionalProperties: false },
    ),
    (u, id, body) => decideCase(db, clock, providers, u, id, body),
    '`full_refund` refunds the case amount and `partial_refund` the given `amount` (→ `resolved_buyer`); `reject` → `resolved_seller`. A partial refund leaves the rest in escrow and the order status unchanged.',
  );
  mutation(
    'return',
    'Ship the return of an accepted return or replacement (its buyer), within 5 days of acceptance',
    Type.Object(
      {
        carrier: Type.String({ pattern: '^[a-z0-9_-]{1,40}$' }),
        tracking_number: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9-]+$' }),
      },
      { additionalProperties: false },
    ),
    (u, id, body) => shipReturn(carriers)(db, clock, providers, u, id, body),
  );
  mutation(
    'confirm-receipt',
    'Confirm the return arrived (its shop): refunds a return_and_refund, resolves a replacement; confirmed automatically 8 days after shipping',
    EmptyBody,
    (u, id, body) => confirmReceipt(db, clock, providers, u, id, body),
  );
  mutation('withdraw', 'Withdraw a case that is not finished (its buyer): it closes and the escrow hold is lifted', OptionalNote, (u, id, body) =>
    withdrawCase(db, clock, providers, u, id, body ?? {}),
  );
  mutation(
    'evidence',
    'Attach uploaded photos to a case that is not finished (its buyer)',
    Type.Object({ evidence_ids: EvidenceIds }, { additionalProperties: false }),
    (u, id, body) => addEvidence(db, clock, providers, u, id, body),
  );
}
