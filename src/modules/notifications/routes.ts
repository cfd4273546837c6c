import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../../platform/auth.js';
import { errors, IdParam, page, PageQuery } from '../../platform/http-schemas.js';
import { listNotifications, markRead } from './service.js';
import { Notification } from './views.js';

const NotificationLocale = Type.Union([Type.Literal('en'), Type.Literal('zh-CN')], { description: 'The language of titles and bodies (default `en`)' });

export async function notificationsRoutes(server: FastifyInstance): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock } = app.ctx;
  const tags = ['notifications'];

  app.get(
    '/notifications',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'Your in-app notifications, newest first',
        querystring: Type.Composite([PageQuery, Type.Object({ unread: Type.Optional(Type.Boolean()), locale: Type.Optional(NotificationLocale) })]),
        response: { 200: page(Notification), ...errors(400, 401) },
      },
    },
    async (req) => listNotifications(db, requireUser(req).id, req.query),
  );

  app.post(
    '/notifications/:id/read',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'Mark one of your notifications read',
        params: IdParam('id', 'ntf'),
        querystring: Type.Object({ locale: Type.Optional(NotificationLocale) }),
        response: { 200: Notification, ...errors(400, 401, 404) },
      },
    },
    async (req) => markRead(db, clock, requireUser(req).id, req.params.id as string, req.query.locale),
  );
}
