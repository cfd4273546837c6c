import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../../platform/auth.js';
import { errors, IdParam, page, PageQuery } from '../../platform/http-schemas.js';
import { createReview, listProductReviews, MAX_TEXT, updateReview } from './service.js';
import { PublicReviewOut, ReviewOut } from './views.js';

const tags = ['reviews'];
const Rating = Type.Integer({ minimum: 1, maximum: 5 });
const Text = Type.String({ maxLength: MAX_TEXT, description: `Plain text (HTML is stripped), at most ${MAX_TEXT} characters; passes the market's link policy` });

export async function reviewsRoutes(server: FastifyInstance): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock } = app.ctx;

  app.post(
    '/orders/:order_id/items/:item_id/review',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'Rate and review a delivered item of your order (once per item)',
        params: Type.Object({
          order_id: Type.String({ pattern: '^ord_[0-9a-z]{26}$' }),
          item_id: Type.String({ pattern: '^oit_[0-9a-z]{26}$' }),
        }),
        body: Type.Object({ rating: Rating, text: Type.Optional(Text) }, { additionalProperties: false }),
        response: { 201: ReviewOut, ...errors(400, 401, 404, 409, 422) },
      },
    },
    async (req, reply) => {
      const review = await createReview(db, clock, requireUser(req).id, req.params.order_id, req.params.item_id, req.body);
      return reply.code(201).send(review);
    },
  );

  app.patch(
    '/reviews/:id',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'Edit your review (within 30 days of writing it)',
        params: IdParam('id', 'rvw'),
        body: Type.Object({ rating: Type.Optional(Rating), text: Type.Optional(Text) }, { additionalProperties: false, minProperties: 1 }),
        response: { 200: ReviewOut, ...errors(400, 401, 404, 409, 422) },
      },
    },
    async (req) => updateReview(db, clock, requireUser(req).id, req.params.id as string, req.body),
  );

  app.get(
    '/products/:id/reviews',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: "A product's reviews, newest first (public)",
        security: [],
        params: IdParam('id', 'prd'),
        querystring: PageQuery,
        response: { 200: page(PublicReviewOut), ...errors(400, 404) },
      },
    },
    async (req) => listProductReviews(db, req.params.id as string, req.query),
  );
}
