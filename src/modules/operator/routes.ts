import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { errors, Money } from '../../platform/http-schemas.js';
import { overview, SERIES_DAYS } from './service.js';

const Count = (description: string) => Type.Integer({ minimum: 0, description });
const Gmv = Type.Array(Type.Ref(Money), { description: 'Value of the orders paid that day, one entry per currency (none: no paid order)' });

const Overview = Type.Object({
  date: Type.String({ format: 'date', description: 'The day shown (UTC)' }),
  timezone: Type.Literal('UTC', { description: 'The platform day is the UTC day: the platform spans markets and time zones' }),
  gmv: Gmv,
  orders: Count('Orders placed that day, whatever became of them'),
  paid_orders: Count('Orders paid that day'),
  open_cases: Count('After-sales cases not finished, now'),
  escalated_cases: Count('Of those, escalated and waiting for an operator, now'),
  sla_breaches: Count('SLA breaches recorded that day (late dispatch, pickup, delivery)'),
  flags: Count('Fake-tracking flags raised that day'),
  open_flags: Count('Fake-tracking flags waiting for review, now'),
  new_applications: Count('Seller applications submitted that day'),
  shops: Type.Object({ active: Count('now'), suspended: Count('now'), frozen: Count('now') }),
  series: Type.Array(
    Type.Object({ date: Type.String({ format: 'date' }), orders: Type.Integer(), paid_orders: Type.Integer(), gmv: Gmv }),
    { description: `The ${SERIES_DAYS} days ending with \`date\`, oldest first` },
  ),
});

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
        response: { 200: Overview, ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      return overview(db, clock, req.query.date);
    },
  );
}
