import { randomBytes } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../platform/auth.js';
import { errors } from '../platform/http-schemas.js';
import { LinkPolicy, MarketParam, Mode } from '../modules/links/index.js';
import { setLinkPolicy } from './cutover.js';
import { followAnchor } from './follow-anchor.js';

/** `PUT /v1/admin/markets/{market}/link-policy`: sets the policy, running or scheduling the cut-over flow. */
export async function cutoverRoutes(server: FastifyInstance): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock } = app.ctx;
  const tags = ['links'];

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
      const user = requireUser(req);
      const { mode, cutover_at } = req.body;
      return setLinkPolicy(db, clock, user.id, req.params.market, { mode, cutoverAt: cutover_at === undefined ? undefined : new Date(cutover_at) });
    },
  );
}

const DEVICE_COOKIE = 'loopshop_device';

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
      const answer = await followAnchor(db, clock, req.params.anchor, { userId: req.user?.id ?? null, deviceId: device }, [req.hostname]);
      reply.header('cache-control', 'no-store');
      if ('redirect' in answer) return reply.redirect(answer.redirect, 302);
      return reply.type('text/html; charset=utf-8').send(answer.html);
    },
  );
}
