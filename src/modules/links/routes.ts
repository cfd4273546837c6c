import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../../platform/auth.js';
import { errors, PageQuery } from '../../platform/http-schemas.js';
import { cutoverReport, linkPolicyView } from './policy.js';
import { getUser } from '../identity/index.js';
import { listShopsForUser } from '../sellers/index.js';
import { externalLinks, policyMode, userMarket } from './service.js';
import { CutoverReportOut, LinkPolicy, MarketParam, Mode } from './views.js';

const Span = Type.Object({
  field: Type.Optional(Type.String()),
  start: Type.Integer({ description: 'UTF-16 offset into the text as sent' }),
  end: Type.Integer({ description: 'Exclusive' }),
  text: Type.String(),
  url: Type.String(),
  reason: Type.String({ description: 'url, www, domain, ip, email, shortener, obfuscated' }),
});

export async function linksRoutes(server: FastifyInstance): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = app.ctx;
  const tags = ['links'];

  app.get(
    '/admin/markets/:market/link-policy',
    {
      schema: { tags, summary: "A market's link policy, click-outs and last cut-over (operators)", params: MarketParam, response: { 200: LinkPolicy, ...errors(401, 403, 404) } },
    },
    async (req) => {
      return linkPolicyView(db, req.params.market);
    },
  );

  app.get(
    '/admin/markets/:market/cutover-report',
    {
      schema: {
        tags,
        summary: "A market's last cut-over: what was turned off and who was notified (operators)",
        params: MarketParam,
        querystring: PageQuery,
        response: { 200: CutoverReportOut, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      return cutoverReport(db, req.params.market, req.query);
    },
  );

  app.get(
    '/creators/:id/shops',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: "The shops a creator or seller sells through (active ones): where a retired external link's buyers land",
        description: 'The page `/out/<anchor>` shows after a cut-over links to `/creators/{id}`; that page lists these shops\' products.',
        security: [],
        params: Type.Object({ id: Type.String({ pattern: '^usr_[0-9a-z]{26}$', description: 'usr_… id' }) }),
        response: { 200: Type.Object({ creator: Type.Object({ id: Type.String(), name: Type.String() }), data: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), market: Type.String() })) }), ...errors(400, 404) },
      },
    },
    async (req) => {
      const user = await getUser(db, req.params.id);
      const shops = await listShopsForUser(db, user.id);
      return { creator: { id: user.id, name: user.name }, data: shops.filter((s) => s.status === 'active').map((s) => ({ id: s.id, name: s.name, market: s.market })) };
    },
  );

  app.post(
    '/links/check',
    {
      config: { auth: 'user' },
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
