import { randomBytes } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requireRole, requireUser } from '../../platform/auth.js';
import { errors, Money } from '../../platform/http-schemas.js';
import { followAnchor, linkPolicyView, setLinkPolicy } from './cutover.js';
import { externalLinks, LINK_POLICY_MODES, policyMode, userMarket } from './service.js';

const Mode = Type.Union(LINK_POLICY_MODES.map((m) => Type.Literal(m)));
const MarketParam = Type.Object({ market: Type.String({ pattern: '^[A-Z]{2}$' }) });

const LinkPolicy = Type.Object({
  market: Type.String(),
  mode: Mode,
  cutover_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'Scheduled (mode still semi_closed) or done (mode closed)' }),
  clicks: Type.Object({ count: Type.Integer(), cost: Type.Ref(Money) }, { description: 'Click-outs recorded in the market and their cost' }),
  last_cutover: Type.Union([
    Type.Object({
      market: Type.String(),
      at: Type.String({ format: 'date-time' }),
      anchors_deactivated: Type.Integer(),
      captions_flagged: Type.Integer(),
      owners_notified: Type.Integer(),
    }),
    Type.Null(),
  ]),
});

const Span = Type.Object({
  field: Type.Optional(Type.String()),
  start: Type.Integer({ description: 'UTF-16 offset into the text as sent' }),
  end: Type.Integer({ description: 'Exclusive' }),
  text: Type.String(),
  url: Type.String(),
  reason: Type.String({ description: 'url, www, domain, ip, email, shortener, obfuscated' }),
});

const DEVICE_COOKIE = 'loopshop_device';

export async function linksRoutes(server: FastifyInstance): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock } = app.ctx;
  const tags = ['links'];

  app.get(
    '/admin/markets/:market/link-policy',
    {
      schema: { tags, summary: "A market's link policy, click-outs and last cut-over (operators)", params: MarketParam, response: { 200: LinkPolicy, ...errors(401, 403, 404) } },
    },
    async (req) => {
      requireRole(req, 'operator');
      return linkPolicyView(db, req.params.market);
    },
  );

  app.put(
    '/admin/markets/:market/link-policy',
    {
      schema: {
        tags,
        summary: 'Set a market link policy (operators): semi_closed now, or closed now / at cutover_at',
        description:
          '`closed` with a future `cutover_at` schedules the cut-over (a job on the platform clock); without one it runs now. ' +
          'The cut-over turns off every external anchor and showcase link of the market, flags captions with links, notifies each owner ' +
          'and writes the audit log. `semi_closed` reopens the market and cancels a scheduled cut-over; what was turned off stays off.',
        params: MarketParam,
        body: Type.Object({ mode: Mode, cutover_at: Type.Optional(Type.String({ format: 'date-time' })) }, { additionalProperties: false }),
        response: { 200: LinkPolicy, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const user = requireRole(req, 'operator');
      const { mode, cutover_at } = req.body;
      return setLinkPolicy(db, clock, user.id, req.params.market, { mode, cutoverAt: cutover_at === undefined ? undefined : new Date(cutover_at) });
    },
  );

  app.post(
    '/links/check',
    {
      schema: {
        tags,
        summary: 'External links in a text, as a write would see them (to mark them while typing)',
        description: '`forbidden` is true when your market is closed and the text has links: a write with it would answer 422 `external_link_forbidden`.',
        body: Type.Object({ text: Type.String({ maxLength: 10_000 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ market: Type.String(), mode: Mode, forbidden: Type.Boolean(), spans: Type.Array(Span) }), ...errors(400, 401) },
      },
    },
    async (req) => {
      const market = await userMarket(db, requireUser(req).id);
      const spans = externalLinks(req.body.text);
      const mode = policyMode(market);
      return { market, mode, forbidden: mode === 'closed' && spans.length > 0, spans };
    },
  );
}

/** `GET /out/<anchor id>`: the way out through an external anchor (mounted at the root, not under /v1). */
export async function outRoutes(server: FastifyInstance): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock, config } = app.ctx;
  app.get(
    '/out/:anchor',
    {
      schema: {
        tags: ['links'],
        summary: 'Follow an external anchor: 302 to it (click recorded with its cost) while allowed, else a page with the seller\'s products',
        security: [],
        params: Type.Object({ anchor: Type.String({ pattern: '^anc_[0-9a-z]{26}$' }) }),
        response: { 302: Type.Null(), 200: Type.String({ description: 'text/html' }), ...errors(400, 404) },
      },
    },
    async (req, reply) => {
      let device = req.cookies[DEVICE_COOKIE] ?? null;
      if (!device || !/^[A-Za-z0-9_-]{16,64}$/.test(device)) {
        device = randomBytes(16).toString('base64url');
        reply.setCookie(DEVICE_COOKIE, device, { path: '/', httpOnly: true, sameSite: 'lax', secure: config.cookieSecure, maxAge: 365 * 86400 });
      }
      const answer = await followAnchor(db, clock, req.params.anchor, { userId: req.user?.id ?? null, deviceId: device });
      reply.header('cache-control', 'no-store');
      if ('redirect' in answer) return reply.redirect(answer.redirect, 302);
      return reply.type('text/html; charset=utf-8').send(answer.html);
    },
  );
}
