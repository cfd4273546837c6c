import type { Static, TObject, TSchema } from '@sinclair/typebox';
import type { FastifyContextConfig, FastifyInstance, FastifySchema } from 'fastify';
import { requireUser } from '../../platform/auth.js';
import type { Db } from '../../platform/db.js';
import { errors, IdParam } from '../../platform/http-schemas.js';
import { audited, type AuditEntry } from './service.js';

/** What an operator action is asked: who acts, the path parameters, the body. */
export interface OperatorActionInput<B extends TSchema> {
  operatorId: string;
  params: Record<string, string>;
  body: Static<B>;
}

/**
 * Declares a route where an operator changes something: the change and its audit entry (whose actor
 * is the operator) commit in one transaction. `schema` is the route's schema as it is documented.
 */
export function operatorAction<B extends TSchema, T>(
  app: FastifyInstance,
  r: {
    method: 'POST' | 'PATCH' | 'PUT';
    url: string;
    config?: FastifyContextConfig;
    schema: FastifySchema & { body?: B };
    /** 201 for an action that creates; default 200. */
    status?: 201;
    run: (tx: Db, input: OperatorActionInput<B>) => Promise<T>;
    audit: (result: T, input: OperatorActionInput<B>) => Omit<AuditEntry, 'actorId'>;
    /** The answer made of the result; default the result itself. */
    view?: (result: T) => unknown;
  },
): void {
  const { db, clock } = app.ctx;
  app.route({
    method: r.method,
    url: r.url,
    ...(r.config ? { config: r.config } : {}),
    schema: r.schema,
    handler: async (req, reply) => {
      const input: OperatorActionInput<B> = { operatorId: requireUser(req).id, params: req.params as Record<string, string>, body: req.body as Static<B> };
      const result = await audited(
        db,
        clock,
        (tx) => r.run(tx, input),
        (res) => ({ actorId: input.operatorId, ...r.audit(res, input) }),
      );
      reply.code(r.status ?? 200);
      return r.view ? r.view(result) : result;
    },
  });
}

/**
 * An operator's audited action on one object of a module, `/admin/<objects>/:id[/<verb>]`: the id
 * has `idPrefix`, the answer is the object (`out`); 400 bad body, 404 no such object, 409 the
 * object's state forbids the action.
 */
export function adminAction<B extends TObject, T>(
  app: FastifyInstance,
  r: {
    method?: 'POST' | 'PATCH';
    url: string;
    tag: string;
    idPrefix: string;
    idempotent?: true;
    summary: string;
    description?: string;
    body: B;
    out: TSchema;
    run: (tx: Db, input: OperatorActionInput<B> & { id: string }) => Promise<T>;
    audit: (result: T, body: Static<B>) => Omit<AuditEntry, 'actorId'>;
    view?: (result: T) => unknown;
  },
): void {
  operatorAction(app, {
    method: r.method ?? 'POST',
    url: r.url,
    ...(r.idempotent ? { config: { idempotent: true } } : {}),
    schema: {
      tags: [r.tag, 'admin'],
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      params: IdParam('id', r.idPrefix),
      body: r.body,
      response: { 200: r.out, ...errors(400, 401, 403, 404, 409) },
    },
    run: (tx, input) => r.run(tx, { ...input, id: input.params.id! }),
    audit: (result, { body }) => r.audit(result, body),
    ...(r.view ? { view: r.view } : {}),
  });
}
