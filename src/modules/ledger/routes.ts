import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { errors } from '../../platform/http-schemas.js';
import { reconcile, ReconcileReportSchema } from './service.js';

export async function ledgerRoutes(server: FastifyInstance): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/admin/ledger/reconcile',
    {
      schema: {
        tags: ['ledger'],
        summary: 'Prove the ledger: every entry balances, cached balances equal postings, no non-negative account below zero',
        response: { 200: ReconcileReportSchema, ...errors(401, 403) },
      },
    },
    async () => {
      return reconcile(app.ctx.db);
    },
  );
}
