import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { errors, page, PageQuery } from '../../platform/http-schemas.js';
import { Video } from '../content/index.js';
import { closeFeedIndex } from './ranking-index.js';
import { listFeed } from './service.js';

const DeviceHeader = Type.Object({ 'x-device-id': Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$', description: 'Anonymous device id' })) });

export async function feedRoutes(server: FastifyInstance): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock } = app.ctx;
  // The ranking index (built on the first request) rebuilds on a timer: stop it with the app.
  app.addHook('onClose', async () => closeFeedIndex(db));

  app.get(
    '/feed',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['feed'],
        summary: 'Ready videos with live anchors, ranked for the viewer (signed-in user or X-Device-Id); the cursor keeps one ordering while scrolling',
        security: [],
        querystring: PageQuery,
        headers: DeviceHeader,
        response: { 200: page(Video), ...errors(400) },
      },
    },
    async (req) => listFeed(db, clock, { userId: req.user?.id ?? null, deviceId: req.headers['x-device-id'] ?? null }, req.query),
  );
}
