import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../../platform/auth.js';
import { errors, IdParam } from '../../platform/http-schemas.js';
import { confirmPayment, loadOutcome, receiveWebhook } from '../orders/index.js';
import { CheckoutResult, checkoutView } from '../orders/index.js';
import { getPaymentForBuyer } from './service.js';

const PaymentId = IdParam('id', 'pay');

export async function paymentsRoutes(server: FastifyInstance): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock } = app.ctx;
  const providers = app.ctx.strategies.payments;

  app.get(
    '/payments/:id',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['payments'],
        summary: 'A payment and the orders it pays for (its buyer only)',
        params: PaymentId,
        response: { 200: CheckoutResult, ...errors(401, 404) },
      },
    },
    async (req) => {
      const payment = await getPaymentForBuyer(db, requireUser(req).id, req.params.id as string);
      return checkoutView(await loadOutcome(db, payment.id));
    },
  );

  app.post(
    '/payments/:id/confirm',
    {
      config: { auth: 'user', idempotent: true },
      schema: {
        tags: ['payments'],
        summary: 'Answer the 3-D-Secure-style challenge of a payment in requires_action (its buyer only)',
        description: 'Sandbox: `pass` completes the payment (orders paid), `fail` declines it (402 card_declined, orders cancelled, stock released).',
        params: PaymentId,
        body: Type.Object({ challenge: Type.Union([Type.Literal('pass'), Type.Literal('fail')]) }, { additionalProperties: false }),
        response: { 200: CheckoutResult, ...errors(400, 401, 402, 404, 409, 502) },
      },
    },
    async (req) => checkoutView(await confirmPayment(db, clock, providers, requireUser(req).id, req.params.id as string, req.body.challenge)),
  );

  // Webhooks are verified over the exact bytes received: this encapsulated plugin keeps the JSON
  // body raw (a Buffer) for this route only.
  await app.register(async (hooks) => {
    hooks.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    hooks.withTypeProvider<TypeBoxTypeProvider>().post(
      '/webhooks/payments/:provider',
      {
        config: { auth: 'public' },
        schema: {
          tags: ['payments'],
          summary: 'Signed payment provider webhooks (payment.succeeded, payment.failed, refund.succeeded)',
          description:
            'Header `loopshop-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, at most 5 minutes off the platform clock. ' +
            'Events are applied once by event id; a replay answers 200 with `duplicate: true`.',
          security: [],
          params: Type.Object({ provider: Type.String({ pattern: '^[a-z0-9_-]{1,40}$' }) }),
          response: { 200: Type.Object({ received: Type.Boolean(), duplicate: Type.Boolean(), event_id: Type.String() }), ...errors(400, 401, 404) },
        },
      },
      async (req) => {
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const r = await receiveWebhook(db, clock, providers, req.params.provider, raw, req.headers);
        return { received: true, ...r };
      },
    );
  });
}
