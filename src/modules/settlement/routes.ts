import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../../platform/auth.js';
import { DAY } from '../../platform/clock.js';
import { badRequest } from '../../platform/errors.js';
import { errors, IdParam, Money, Nullable, page, PageQuery, Time } from '../../platform/http-schemas.js';
import { adminAction, operatorAction, recordAudit } from '../audit/index.js';
import { requireShopMember } from '../sellers/index.js';
import { createCommissionRuleAudited, earningsOfCreator, endCommissionRule, financeOfShop, listCommissionRules, runPayouts, setPayoutHold } from './service.js';
import { shopStatement } from './statement.js';
import { PayoutHoldOut, PayoutOut, RuleOut } from './views.js';

const Bps = (description: string) => Type.Integer({ minimum: 0, maximum: 10_000, description });

const RuleIn = Type.Object(
  {
    category: Type.Optional(Nullable(Type.String({ maxLength: 64, description: 'Category slug; null or absent = every category' }))),
    rate_bps: Bps('Commission on the item share, basis points'),
    new_shop_days: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 3650, description: 'Applies only while the shop is younger than this at payment' }))),
    subsidy_bps: Type.Optional(Bps('Ad-subsidy credit from platform_subsidy to the seller, basis points (default 0)')),
    effective_from: Type.Optional(Type.String({ format: 'date-time', description: 'Default now; never in the past' })),
    effective_to: Type.Optional(Nullable(Type.String({ format: 'date-time', description: 'After effective_from; null = open-ended' }))),
  },
  { additionalProperties: false },
);
const Line = Type.Object({
  at: Time,
  kind: Type.String({ description: 'settlement · commission_subsidy · payout · payout_failed · …' }),
  order_id: Nullable(Type.String()),
  amount: Type.Ref(Money),
  description: Type.String(),
  breakdown: Nullable(
    Type.Object({ held: Type.Ref(Money), commission: Type.Ref(Money), affiliate: Type.Ref(Money), subsidy: Type.Ref(Money) }, { description: 'Settlement lines only' }),
  ),
  /** Payout lines (`payout`, `payout_failed`) only: the payout and its outcome. */
  payout: Nullable(PayoutOut),
});
const Balances = {
  currency: Type.String(),
  pending: Type.Ref(Money),
  available: Type.Ref(Money),
  paid_out: Type.Ref(Money),
};

export async function settlementRoutes(server: FastifyInstance): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock } = app.ctx;

  app.get(
    '/admin/commission-rules',
    {
      schema: {
        tags: ['settlement', 'admin'],
        summary: 'Commission rules, newest first (operators)',
        querystring: PageQuery,
        response: { 200: page(RuleOut), ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      return listCommissionRules(db, req.query);
    },
  );

  app.post(
    '/admin/commission-rules',
    {
      schema: {
        tags: ['settlement', 'admin'],
        summary: 'Add a commission rule (operators)',
        description:
          'The rule in force at an order\'s payment applies: the most specific of those effective then (category + new shop > category > new shop > default), ties → newest. ' +
          'Rules start now or later, so a settled or pending order never changes rule.',
        body: RuleIn,
        response: { 201: RuleOut, ...errors(400, 401, 403) },
      },
    },
    async (req, reply) => {
      const operatorId = requireUser(req).id;
      const rule = await createCommissionRuleAudited(db, clock, operatorId, req.body);
      reply.code(201);
      return rule;
    },
  );


  adminAction(app, {
    method: 'PATCH',
    url: '/admin/commission-rules/:id',
    tag: 'settlement',
    idPrefix: 'cmr',
    summary: 'End a commission rule (operators)',
    description: 'Only `effective_to` changes (now or later, after `effective_from`): history stays. To change a rate, end the rule and add a new one.',
    body: Type.Object({ effective_to: Time }, { additionalProperties: false }),
    out: RuleOut,
    run: (tx, { id, body }) => endCommissionRule(tx, clock, id, body.effective_to),
    audit: (r) => ({ action: 'commission_rule.end', targetType: 'commission_rule', targetId: r.id, data: { effective_to: r.effective_to, category: r.category, rate_bps: r.rate_bps } }),
  });

  app.post(
    '/admin/payouts/run',
    {
      config: { idempotent: true },
      schema: {
        tags: ['settlement', 'admin'],
        summary: 'Run the payout batch now (operators)',
        description:
          'Moves every available seller and creator balance to payouts_in_transit, skipping shops with a payout hold (the same batch runs daily). ' +
          'Each payout is `in_transit`; an hourly job settles it through the payout rail a day later: `paid` (`paid_at`) or `failed` (`failed_at`, `failure_reason`; the money goes back to the available balance and the next batch pays it again).',
        response: { 200: Type.Object({ data: Type.Array(PayoutOut) }), ...errors(401, 403) },
      },
    },
    async (req) => {
      const operatorId = requireUser(req).id;
      // Each payout commits on its own (a failure leaves the others paid), so the batch is recorded after it.
      const data = await runPayouts(db, clock);
      await recordAudit(db, clock, [
        { actorId: operatorId, action: 'payouts.run', targetType: 'payout_batch', targetId: clock.now().toISOString(), data: { payouts: data.length, payout_ids: data.map((p) => p.id) } },
      ]);
      return { data };
    },
  );

  operatorAction(app, {
    method: 'PUT',
    url: '/admin/shops/:id/payout-hold',
    schema: {
      tags: ['settlement', 'admin'],
      summary: "Set or clear a shop's payout hold (operators)",
      params: IdParam('id', 'shp'),
      body: Type.Object({ hold: Type.Boolean(), reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
      response: {
        200: PayoutHoldOut,
        ...errors(400, 401, 403, 404),
      },
    },
    run: (tx, { operatorId, params, body }) => setPayoutHold(tx, clock, operatorId, params.id!, body.hold, body.reason),
    audit: (h, { body }) => ({ action: body.hold ? 'payout_hold.set' : 'payout_hold.clear', targetType: 'shop', targetId: h.shop_id, data: { reason: h.reason } }),
  });

  app.get(
    '/shops/:id/finance',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['settlement'],
        summary: "The shop's money: pending in escrow, available, paid out, and its statement (members of the shop)",
        description:
          'The statement lists every posting of the shop\'s seller_payable account, oldest first (`?limit=&cursor=`); settlement lines carry their breakdown, payout lines their payout (status, `paid_at`, `failed_at`, `failure_reason`). ' +
          '`paid_out` counts payouts in transit and paid; a failed payout is back in `available`.',
        params: IdParam('id', 'shp'),
        querystring: PageQuery,
        response: {
          200: Type.Object({ ...Balances, payout_hold: Type.Boolean(), statement: page(Line) }),
          ...errors(400, 401, 404),
        },
      },
    },
    async (req) => {
      const shopId = req.params.id as string;
      await requireShopMember(db, requireUser(req).id, shopId);
      return financeOfShop(db, shopId, req.query);
    },
  );

  const MovementLine = Type.Object({
    at: Time,
    kind: Type.Union(
      ['sale', 'refund', 'platform_commission', 'platform_margin', 'creator_commission', 'release', 'commission_subsidy', 'payout', 'payout_failed', 'other'].map((k) => Type.Literal(k)),
    ),
    bucket: Type.Union([Type.Literal('escrow'), Type.Literal('available')], { description: 'escrow: pending in the escrow of an order; available: seller_payable' }),
    order_id: Nullable(Type.String()),
    payout_id: Nullable(Type.String()),
    amount: Type.Ref(Money),
    balance: Type.Ref(Money, { description: 'Escrow + available after this line' }),
  });
  app.get(
    '/shops/:id/finance/statement',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['settlement'],
        summary: "Every movement of the shop's money in a range: sales, refunds, commissions, releases, subsidies, payouts (members of the shop)",
        description:
          "Lines from the ledger postings on the escrow of the shop's orders and on its seller_payable, oldest first; a settlement's release appears as the platform's commission, each creator's commission and the shop's part (out of escrow, into available). " +
          'The balance is escrow + available: `closing` = `opening` + every line. Default range: the 30 days up to now; at most 400 days (400 `invalid_range`).',
        params: IdParam('id', 'shp'),
        querystring: Type.Object({ from: Type.Optional(Type.String({ format: 'date-time' })), to: Type.Optional(Type.String({ format: 'date-time', description: 'Exclusive' })) }),
        response: {
          200: Type.Object({ currency: Type.String(), from: Time, to: Time, opening: Type.Ref(Money), closing: Type.Ref(Money), lines: Type.Array(MovementLine) }),
          ...errors(400, 401, 404),
        },
      },
    },
    async (req) => {
      const shopId = req.params.id as string;
      await requireShopMember(db, requireUser(req).id, shopId);
      const to = req.query.to ? new Date(req.query.to) : clock.now();
      const from = req.query.from ? new Date(req.query.from) : new Date(to.getTime() - 30 * DAY);
      if (!(from < to) || to.getTime() - from.getTime() > 400 * DAY) {
        throw badRequest('invalid_range', 'from must be before to, at most 400 days apart', { from: req.query.from ?? null, to: req.query.to ?? null });
      }
      return shopStatement(db, shopId, from, to);
    },
  );

  app.get(
    '/creators/me/earnings',
    {
      config: { auth: ['creator'] },
      schema: {
        tags: ['settlement'],
        summary: "The signed-in creator's affiliate earnings: pending (estimated), available, paid out, their settled commission, lines",
        querystring: Type.Composite([PageQuery, Type.Object({ currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', description: 'Default USD' })) })]),
        response: {
          200: Type.Object({
            ...Balances,
            commission: Type.Ref(Money, { description: "The creator's settled commission: every commission credited to them, paid out or not" }),
            lines: page(Line),
          }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (req) => earningsOfCreator(db, requireUser(req).id, req.query),
  );
}
