import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyServerOptions, type RouteOptions } from 'fastify';
import { Type } from '@sinclair/typebox';
import { checkAccess, CSRF_HEADER, tokenFrom, type RouteAuth, type SessionResolver } from './auth.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Database, Db } from './db.js';
import { AppError, errorBody, unauthorized } from './errors.js';
import { ErrorResponse, Money } from './http-schemas.js';
import { registerIdempotency } from './idempotency.js';
import { postgresRateLimitStore } from './rate-limit.js';
import type { JobRunner } from './jobs.js';
import type { SandboxSecrets } from './installation-secrets.js';
import { createMetrics } from './metrics.js';
import { assertStorableText, lazySerializers, validatorCompiler } from './validation.js';

/** What every route and service can reach: the database, the clock, config and the job queue. */
export interface AppContext {
  database: Database;
  db: Db;
  clock: Clock;
  config: Config;
  jobs: JobRunner;
  /** The sandbox providers' webhook secrets, resolved once at startup (configured or generated). */
  secrets: SandboxSecrets;
}

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
  }
  interface FastifyContextConfig {
    /** OpenAPI-only request body, for routes that parse their own body (multipart). */
    docsBody?: object;
  }
}

export type App = FastifyInstance;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Fastify errors that are the client's fault, mapped to stable codes. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_content_length',
  FST_ERR_VALIDATION: 'validation_failed',
};

/**
 * Whether `Authorization: Bearer <token>` carries `expected`, in constant time: both sides are
 * hashed first, so timingSafeEqual compares equal-length buffers and the length leaks nothing.
 */
export function bearerMatches(header: string | undefined, expected: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m) return false;
  const digest = (v: string) => createHash('sha256').update(v, 'utf8').digest();
  return timingSafeEqual(digest(m[1]!), digest(expected));
}

/** The admin scope: every route under it is for operators, and none declares otherwise. */
const ADMIN_PREFIX = '/v1/admin/';
const OPERATOR: RouteAuth = ['operator'];

/**
 * The access of a /v1 route, fixed when it is added: a route under /v1/admin gets the operator
 * rule of its scope; any other route must declare `config.auth`, so none is open by omission.
 */
function settleAuth(route: RouteOptions): void {
  const declared = route.config?.auth;
  if (route.url.startsWith(ADMIN_PREFIX)) {
    if (declared !== undefined) throw new Error(`${String(route.method)} ${route.url}: routes under ${ADMIN_PREFIX} are for operators by their scope; remove config.auth`);
    route.config = { ...route.config, auth: OPERATOR };
  } else if (declared === undefined) {
    throw new Error(`${String(route.method)} ${route.url} declares no config.auth ('public', 'user' or a list of roles)`);
  }
}

/**
 * What a route's access adds to its OpenAPI operation: `security: []` on a public one; on the
 * others 401 (and 403 and `x-roles` when roles are needed) if the route did not list them.
 */
function documentAuth(schema: Record<string, unknown>, auth: RouteAuth | undefined): Record<string, unknown> {
  if (auth === undefined) return schema;
  if (auth === 'public') return schema.security ? schema : { ...schema, security: [] };
  const response = { ...(schema.response as Record<string, unknown> | undefined) };
  response[401] ??= Type.Ref(ErrorResponse);
  if (auth === 'user') return { ...schema, response };
  response[403] ??= Type.Ref(ErrorResponse);
  return { ...schema, response, 'x-roles': [...auth] };
}

export interface HttpOptions {
  ctx: AppContext;
  resolveSession: SessionResolver;
  /** Registered under /v1. */
  routes: Array<(app: FastifyInstance) => Promise<void>>;
  /** Registered at the root (e.g. /media). */
  rootRoutes?: Array<(app: FastifyInstance) => Promise<void>>;
  logger?: FastifyServerOptions['logger'];
}

export async function buildHttpApp(opts: HttpOptions): Promise<FastifyInstance> {
  const { ctx } = opts;
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: ctx.config.bodyLimitBytes,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    },
    trustProxy: ctx.config.trustProxy,
    ajv: { customOptions: { removeAdditional: false } },
    schemaController: { compilersFactory: { buildSerializer: lazySerializers } },
    // Router-level refusals (malformed URL encoding, a path parameter over maxParamLength) in the
    // error shape too, and without echoing the (possibly huge) path back.
    frameworkErrors: (err, _req, reply: FastifyReply) => {
      const status = err.statusCode ?? 400;
      const code = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'uri_too_long' : err.code === 'FST_ERR_BAD_URL' ? 'bad_url' : 'bad_request';
      const message = code === 'uri_too_long' ? 'A path parameter is too long' : code === 'bad_url' ? 'The URL is not valid' : 'Bad request';
      return reply.code(status < 500 ? status : 400).send(errorBody(code, message));
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.decorate('ctx', ctx);
  app.decorateRequest('user', null);
  app.addSchema(ErrorResponse);
  app.addSchema(Money);

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    if (err instanceof AppError) {
      return reply.code(err.status).send(errorBody(err.code, err.message, err.details));
    }
    if ((err as FastifyError).validation) {
      const details = (err as FastifyError).validation!.map((v) => ({
        field: `${(err as FastifyError).validationContext ?? ''}${v.instancePath || ''}${
          typeof v.params?.missingProperty === 'string' ? `/${v.params.missingProperty}` : ''
        }`,
        rule: v.keyword,
        message: v.message,
        params: v.params,
      }));
      return reply.code(400).send(errorBody('validation_failed', err.message, details));
    }
    const status = (err as FastifyError).statusCode ?? 500;
    if (status < 500) {
      const code = FASTIFY_CODES[(err as FastifyError).code] ?? (status === 429 ? 'rate_limited' : 'bad_request');
      return reply.code(status).send(errorBody(code, err.message));
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send(errorBody('internal_error', 'Something went wrong on our side. Try again.'));
  });

  await app.register(cookie);
  // Security headers. The CSP fits the built web app (module scripts and CSS from /assets, media
  // and posters from /media, blob: previews of picked files, product images from shops' CDNs and
  // creators' live streams (HLS/MP4 URLs they provide) over https) and swagger-ui at /docs (its scripts are files under /docs/static; it styles inline).
  // No upgrade-insecure-requests: a plain-http install (localhost, the e2e server) must still load.
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'img-src': ["'self'", 'data:', 'blob:', 'https:'],
        'media-src': ["'self'", 'blob:', 'https:'],
        'connect-src': ["'self'"],
        'upgrade-insecure-requests': null,
      },
    },
    // Other origins may embed /media only when they are allowed to call the API at all.
    crossOriginResourcePolicy: { policy: ctx.config.corsOrigins.length > 0 ? 'cross-origin' : 'same-origin' },
  });
  // CORS is off unless LOOPSHOP_CORS_ORIGINS lists origins; those may send the session cookie.
  if (ctx.config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: ctx.config.corsOrigins,
      credentials: true,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-device-id', 'x-request-id', CSRF_HEADER],
      exposedHeaders: ['retry-after', 'x-request-id', 'idempotent-replayed', 'content-disposition'],
      maxAge: 600,
    });
  }
  await app.register(rateLimit, {
    global: false,
    hook: 'preHandler', // after body parsing, so limits can key on the submitted email
    // Counted in the database, so every node spends one shared budget (src/platform/rate-limit.ts).
    store: postgresRateLimitStore(ctx.db, ctx.clock),
    errorResponseBuilder: (_req, context) =>
      new AppError('rate_limited', context.statusCode, `Too many attempts. Try again in ${context.after}.`),
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Loopshop API',
        version: '1',
        description: 'Closed-loop video commerce. Money is integer minor units; errors are { error: { code, message, details } }.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Session token from sign-in or sign-up' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'loopshop_session' },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
    // Routes whose body is not JSON (multipart uploads) describe it for the document only.
    transform: ({ schema, url, route }) => {
      const config = route.config as { docsBody?: object; auth?: RouteAuth } | undefined;
      const docsBody = config?.docsBody;
      return { schema: documentAuth({ ...schema, ...(docsBody ? { body: docsBody } : {}) }, config?.auth), url };
    },
    refResolver: { buildLocalReference: (json, _base, _frag, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const metrics = createMetrics();
  app.addHook('onResponse', async (req, reply) => {
    metrics.observe(req.method, req.routeOptions.url ?? 'unknown', reply.statusCode, reply.elapsedTime / 1000);
  });

  // Session: resolved once per request; routes decide what they require.
  // CSRF: a browser attaches the session cookie to other sites' form posts too. A mutating request
  // signed in by the cookie (not by an Authorization header) must prove it comes from our own
  // pages: either the X-Requested-With header (no other site can add a custom header without a
  // CORS preflight, which only LOOPSHOP_CORS_ORIGINS pass) or the browser-set, unforgeable
  // `Sec-Fetch-Site: same-origin` (covers navigator.sendBeacon, which cannot set headers).
  app.addHook('onRequest', async (req) => {
    const token = tokenFrom(req);
    if (!token) return;
    const user = await opts.resolveSession(token);
    if (user && !req.headers.authorization && !SAFE_METHODS.has(req.method) && !req.headers[CSRF_HEADER] && req.headers['sec-fetch-site'] !== 'same-origin') {
      throw new AppError('csrf_failed', 403, `Requests signed in by the session cookie must send the ${CSRF_HEADER} header`);
    }
    req.user = user;
  });
  // NUL and lone surrogates are valid JSON but not storable text (PostgreSQL refuses them in text
  // and jsonb): refuse them up front in any string of the body, query or path, not in the database.
  // Routes that parse their own raw body (signed webhooks) check it with assertStorableText too.
  app.addHook('preValidation', async (req) => {
    for (const [part, value] of [['body', req.body], ['querystring', req.query], ['params', req.params]] as const) {
      assertStorableText(value, part);
    }
  });
  registerIdempotency(app, ctx.db, ctx.clock);

  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    try {
      await ctx.database.ping();
      return { ok: true, database: ctx.database.kind };
    } catch {
      return reply.code(503).send(errorBody('database_unavailable', 'The database does not answer'));
    }
  });
  // Metrics tell route names, traffic and process internals: behind LOOPSHOP_METRICS_TOKEN when set.
  const metricsToken = ctx.config.metricsToken;
  if (metricsToken === undefined && ctx.config.production) {
    app.log.warn('LOOPSHOP_METRICS_TOKEN is not set: GET /metrics is open to anyone who can reach this server');
  }
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    if (metricsToken !== undefined && !bearerMatches(req.headers.authorization, metricsToken)) {
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw unauthorized('GET /metrics needs Authorization: Bearer <LOOPSHOP_METRICS_TOKEN>', 'invalid_metrics_token');
    }
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  // The /v1 scope: each module's routes are a plugin of their own (their hooks and parsers stay
  // theirs). Access runs in onRequest, after the session and before the body is read, so an
  // anonymous caller gets 401 and a caller without the role 403 before any validation error.
  await app.register(
    async (v1) => {
      v1.addHook('onRoute', settleAuth);
      v1.addHook('onRequest', async (req) => {
        const auth = req.routeOptions.config.auth;
        if (auth) checkAccess(req, auth);
      });
      for (const r of opts.routes) await v1.register(r);
    },
    { prefix: '/v1' },
  );
  for (const r of opts.rootRoutes ?? []) await app.register(r);

  const webDist = ctx.config.webDist;
  const indexHtml = path.join(webDist, 'index.html');
  if (existsSync(indexHtml)) {
    await app.register(fastifyStatic, {
      root: webDist,
      wildcard: false,
      index: false,
      // Vite's /assets/* names carry a content hash: cache them for good.
      setHeaders: (res, file) => {
        res.header('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    app.get('/', { schema: { hide: true } }, (_req, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html', { maxAge: 0 }));
  }
  app.setNotFoundHandler((req, reply) => {
    const isApi = /^\/(v1|docs|metrics|healthz|readyz|out|media)(\/|$|\?)/.test(req.url);
    if (!isApi && req.method === 'GET' && existsSync(indexHtml)) {
      // Client-side routes of the web app (/seller, /operator, …) get the SPA shell.
      const file = req.url.split('?')[0]!;
      if (!path.extname(file)) return reply.header('cache-control', 'no-cache').sendFile('index.html', { maxAge: 0 });
    }
    return reply.code(404).send(errorBody('route_not_found', `No route ${req.method} ${req.url.split('?')[0]}`));
  });

  return app;
}

/** Empty response schema helper for routes answering 204. */
export const NoContent = Type.Null({ description: 'No content' });
