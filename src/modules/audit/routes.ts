import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../platform/errors.js';
import { errors, page, PageQuery } from '../../platform/http-schemas.js';
import { findUserByEmail, getUser } from '../identity/index.js';
import { listAudit } from './service.js';
import { AuditEntry } from './views.js';

export async function auditRoutes(server: FastifyInstance): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = app.ctx;
  app.get(
    '/admin/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'The audit log, newest first (operators)',
        querystring: Type.Composite([
          PageQuery,
          Type.Object({
            action: Type.Optional(Type.String({ maxLength: 100, description: 'An exact action, or a kind of action with a trailing `.*` (`commission_rule.*`)' })),
            actor: Type.Optional(Type.String({ maxLength: 254, description: "The actor's user id or email" })),
            target_type: Type.Optional(Type.String({ maxLength: 100 })),
            target_id: Type.Optional(Type.String({ maxLength: 100 })),
            from: Type.Optional(Type.String({ format: 'date-time', description: 'At or after (platform clock)' })),
            to: Type.Optional(Type.String({ format: 'date-time', description: 'Before' })),
          }),
        ]),
        response: { 200: page(AuditEntry), ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      const { action, actor, target_type, target_id, from, to, ...rest } = req.query;
      const fromAt = from === undefined ? undefined : new Date(from);
      const toAt = to === undefined ? undefined : new Date(to);
      if (fromAt && toAt && toAt <= fromAt) throw badRequest('invalid_range', '`to` is after `from`');
      let actorId = actor;
      if (actor?.includes('@')) {
        const user = await findUserByEmail(db, actor);
        // An unknown email acted on nothing.
        if (!user) return { data: [], next_cursor: null };
        actorId = user.id;
      }
      const found = await listAudit(db, { ...rest, action, actorId, targetType: target_type, targetId: target_id, from: fromAt, to: toAt });
      const ids = [...new Set(found.data.map((e) => e.actor_id).filter((id): id is string => id !== null))];
      const users = new Map(
        await Promise.all(ids.map(async (id) => [id, await getUser(db, id).then((u) => ({ id: u.id, name: u.name, email: u.email }), () => null)] as const)),
      );
      return { data: found.data.map((e) => ({ ...e, actor: e.actor_id ? (users.get(e.actor_id) ?? null) : null })), next_cursor: found.next_cursor };
    },
  );
}
