import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requireRole } from '../../platform/auth.js';
import { errors, page, PageQuery } from '../../platform/http-schemas.js';
import { listAudit } from './service.js';

const AuditEntry = Type.Object({
  id: Type.String(),
  at: Type.String({ format: 'date-time' }),
  actor_id: Type.Union([Type.String(), Type.Null()], { description: 'The operator; null for the system (a scheduled job)' }),
  action: Type.String({ description: 'e.g. `link_policy.set`, `link_policy.cutover`, `external_anchor.deactivated`, `video.caption_flagged`' }),
  target_type: Type.String(),
  target_id: Type.String(),
  data: Type.Unknown(),
});

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
            action: Type.Optional(Type.String({ maxLength: 100 })),
            target_type: Type.Optional(Type.String({ maxLength: 100 })),
            target_id: Type.Optional(Type.String({ maxLength: 100 })),
          }),
        ]),
        response: { 200: page(AuditEntry), ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      requireRole(req, 'operator');
      const { action, target_type, target_id, ...rest } = req.query;
      return listAudit(db, { ...rest, action, targetType: target_type, targetId: target_id });
    },
  );
}
