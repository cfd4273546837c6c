import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { SettableClock } from './clock.js';
import { AppError } from './errors.js';
import { errors } from './http-schemas.js';

const ClockState = Type.Object({ now: Type.String({ format: 'date-time' }), simulated: Type.Boolean() });

/** Operator tools for the platform itself: the (simulated) clock. */
export async function adminRoutes(server: FastifyInstance): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { clock, jobs } = app.ctx;

  app.get(
    '/admin/clock',
    { schema: { tags: ['admin'], summary: 'Current platform time', response: { 200: ClockState, ...errors(401, 403) } } },
    async () => {
      return { now: clock.now().toISOString(), simulated: clock.simulated };
    },
  );

  app.post(
    '/admin/clock/advance',
    {
      schema: {
        tags: ['admin'],
        summary: 'Move the simulated clock forward and run the jobs that fall due (simulated-clock mode only)',
        body: Type.Object({ ms: Type.Integer({ minimum: 0, maximum: 366 * 24 * 3600 * 1000 }) }, { additionalProperties: false }),
        response: { 200: Type.Composite([ClockState, Type.Object({ jobs_run: Type.Integer() })]), ...errors(400, 401, 403, 409) },
      },
    },
    async (req) => {
      if (!(clock instanceof SettableClock)) {
        throw new AppError('clock_not_simulated', 409, 'The clock can only be moved when the server runs with --simulated-clock');
      }
      clock.advance(req.body.ms);
      const ran = await jobs.runDue();
      return { now: clock.now().toISOString(), simulated: true, jobs_run: ran };
    },
  );
}
