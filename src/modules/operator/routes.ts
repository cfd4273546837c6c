import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { errors } from '../../platform/http-schemas.js';
import { overview } from './service.js';
import { OverviewOut } from './views.js';

export async function operatorRoutes(server: FastifyInstance): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock } = app.ctx;

  app.get(
    '/admin/overview',
    {
      schema: {
        tags: ['admin'],
        summary: "The operator console's overview: one day's GMV, orders, SLA breaches, flags and applications, the open queues and shops by status (operators)",
        description:
          'Days are UTC days (00:00–24:00 UTC); default today on the platform clock. Queue figures (`open_cases`, `escalated_cases`, `open_flags`, `shops`) are as they stand now, whatever the date.',
        querystring: Type.Object({ date: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (UTC)' })) }),
        response: { 200: OverviewOut, ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      return overview(db, clock, req.query.date);
    },
  );
}
