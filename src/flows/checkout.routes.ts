import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../platform/auth.js';
import { errors, IdParam } from '../platform/http-schemas.js';
import { perCallerRateLimit } from '../platform/security.js';
import { signedWebhookRoute } from '../platform/webhook-signature.js';
import { CheckoutResult, checkoutView, visibleToBuyer } from '../modules/orders/index.js';
import { getPaymentForBuyer } from '../modules/payments/index.js';
import { cancelPayment, checkout, confirmPayment, loadOutcome } from './checkout.js';
import { receiveWebhook } from './payment-webhook.js';

/**
 * HTTP of the checkout flow: `POST /v1/checkout` (registered where the orders routes were) and
 * the payment routes that answer with a checkout (`GET /v1/payments/{id}`, its 3-D-Secure
 * confirmation, the provider webhooks; registered where the payments routes were).
 */
const Str = (max: number, min = 1) => Type.String({ minLength: min, maxLength: max });

const ShippingAddress = Type.Object(
  {
    name: Str(100),
    line1: Str(200),
    line2: Type.Optional(Str(200, 0)),
    city: Str(100),
    region: Type.Optional(Str(100, 0)),
    postal_code: Str(20),
    country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' }),
    phone: Type.Optional(Type.String({ maxLength: 30, pattern: '^[0-9+() .-]*$' })),
  },
  { additionalProperties: false },
);

const CardMethod = Type.Object(
  {
    type: Type.Literal('card'),
    number: Type.String({ minLength: 1, maxLength: 30, description: 'Digits, spaces and dashes allowed' }),
    exp_month: Type.Integer({ minimum: 1, maximum: 12 }),
    exp_year: Type.Integer({ minimum: 2000, maximum: 2100 }),
    cvc: Type.String({ pattern: '^[0-9]{3,4}$' }),
  },
  { additionalProperties: false },
);

export const CheckoutBody = Type.Object(
  { shipping_address: ShippingAddress, payment_method: CardMethod },
  {
    additionalProperties: false,
    description: 'No amounts: prices, shipping fees, tax and totals are computed by the server; a request carrying any other field is refused (400).',
  },
);

const PaymentId = IdParam('id', 'pay');

export async function checkoutRoutes(server: FastifyInstance): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock, config } = app.ctx;
  const providers = app.ctx.strategies.payments;

  app.post(
    '/checkout',
    {
      config: { auth: 'user', idempotent: true, rateLimit: perCallerRateLimit('checkout', config.checkoutRateLimit) },
      schema: {
        tags: ['orders'],
        summary: 'Buy the cart: one payment, one order per shop',
        description:
          'Totals are computed by the server (catalog prices × quantities, per-shop shipping fee, market tax); the client sends none. ' +
          '201 when paid; 200 with `payment.status` `requires_action` when the card needs a challenge (POST /v1/payments/{id}/confirm). ' +
          'While an order of the cart already awaits its 3-D-Secure verification: 409 `payment_awaiting_verification` (details `payment_id`, `order_ids`): resume or cancel that one first. ' +
          'Send an Idempotency-Key: a retried checkout never makes a second payment or order.',
        body: CheckoutBody,
        response: { 200: CheckoutResult, 201: CheckoutResult, ...errors(400, 401, 402, 409, 422, 429, 502) },
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      const outcome = await checkout(db, clock, providers, user.id, req.body, req.idempotency?.key);
      return reply.code(outcome.payment.status === 'succeeded' ? 201 : 200).send(checkoutView(outcome));
    },
  );
}

export async function paymentFlowRoutes(server: FastifyInstance): Promise<void> {
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
        description: 'A declined payment lists no orders: the orders of a declined card are not shown to anyone but operators.',
        params: PaymentId,
        response: { 200: CheckoutResult, ...errors(401, 404) },
      },
    },
    async (req) => {
      const payment = await getPaymentForBuyer(db, requireUser(req).id, req.params.id as string);
      const outcome = await loadOutcome(db, payment.id);
      // A declined payment paid for no order the buyer sees.
      return checkoutView({ ...outcome, orders: outcome.orders.filter(visibleToBuyer) });
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

  app.post(
    '/payments/:id/cancel',
    {
      config: { auth: 'user', idempotent: true },
      schema: {
        tags: ['payments'],
        summary: 'Give up an unpaid checkout, e.g. an abandoned 3-D-Secure verification (its buyer only)',
        description:
          'The payment becomes `cancelled`, its unpaid orders `cancelled` (`cancelled_by_buyer`) and their stock released; nothing is charged and the cart keeps its lines. ' +
          'A payment already cancelled or expired is answered as it is; a paid, refunded or declined one: 409 `invalid_transition` (cancel a paid order with POST /v1/orders/{id}/cancel).',
        params: PaymentId,
        body: Type.Unsafe<Record<string, never> | undefined>({ maxProperties: 0, not: { type: ['string', 'number', 'integer', 'boolean', 'array'] }, description: 'Empty: `{}` or no body' }),
        response: { 200: CheckoutResult, ...errors(400, 401, 404, 409) },
      },
    },
    async (req) => checkoutView(await cancelPayment(db, clock, requireUser(req).id, req.params.id as string)),
  );

  await signedWebhookRoute(app, {
    url: '/webhooks/payments/:provider',
    param: 'provider',
    schema: {
      tags: ['payments'],
      summary: 'Signed payment provider webhooks (payment.succeeded, payment.failed, refund.succeeded)',
      description:
        'Header `loopshop-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, at most 5 minutes off the platform clock. ' +
        'Events are applied once by event id; a replay answers 200 with `duplicate: true`.',
      response: { 200: Type.Object({ received: Type.Boolean(), duplicate: Type.Boolean(), event_id: Type.String() }), ...errors(400, 401, 404) },
    },
    receive: async (provider, raw, headers) => ({ received: true, ...(await receiveWebhook(db, clock, providers, provider, raw, headers)) }),
  });
}
