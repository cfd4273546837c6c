import { Type, type Static } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requireUser, SESSION_COOKIE } from '../../platform/auth.js';
import { DAY } from '../../platform/clock.js';
import { errors } from '../../platform/http-schemas.js';
import { enforceLimits } from '../../platform/rate-limit.js';
import { clientAddress, perAddressRateLimit } from '../../platform/security.js';
import type { Db } from '../../platform/db.js';
import { authenticate, createSession, getUser, normalizeEmail, revokeSession, signUp, toPublicUser, updateProfile } from './service.js';
import { Literals, Locale, User } from './views.js';

const Email = Type.String({ format: 'email', maxLength: 254 });
const Password = Type.String({ minLength: 8, maxLength: 200 });
const Name = Type.String({ minLength: 1, maxLength: 100 });

const Shop = Type.Object({
  id: Type.String(),
  name: Type.String(),
  market: Type.String(),
  currency: Type.String(),
  timezone: Type.String(),
  mode: Literals(['self_fulfilled', 'managed']),
  status: Literals(['active', 'suspended', 'frozen']),
  role: Literals(['owner', 'staff']),
});
type ShopOfUser = Static<typeof Shop>;

/**
 * What the account routes need of modules above identity (decision 021), filled by the
 * composition root: identity is the bottom module and imports none.
 */
export interface IdentityRouteDeps {
  /** The shops the user is a member of, with the user's role (sellers). */
  shopsOfUser(db: Db, userId: string): Promise<ShopOfUser[]>;
  /** Refuses links in text a user writes; `userId` null while signing up (links). */
  assertTextLinkFree(db: Db, userId: string | null, fields: Record<string, string | null | undefined>): Promise<void>;
}

const Me = Type.Object({ user: Type.Composite([User, Type.Object({ shops: Type.Array(Shop) })]) });
const AuthResult = Type.Object({ token: Type.String(), user: User });

export async function identityRoutes(server: FastifyInstance, deps: IdentityRouteDeps): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock, config } = app.ctx;

  const startSession = async (reply: FastifyReply, userId: string) => {
    const { token, expiresAt } = await createSession(db, clock, userId, config.sessionTtlDays);
    reply.setCookie(SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      // Secure when configured, and always on a request that came over https (X-Forwarded-Proto counts: trustProxy).
      secure: config.cookieSecure || reply.request.protocol === 'https',
      expires: expiresAt,
      maxAge: Math.floor((config.sessionTtlDays * DAY) / 1000),
    });
    return token;
  };

  app.post(
    '/auth/sign-up',
    {
      config: { auth: 'public', rateLimit: perAddressRateLimit('signup', config.signUpRateLimit) },
      schema: {
        tags: ['identity'],
        summary: 'Create an account (buyer role) and start a session',
        security: [],
        body: Type.Object(
          { email: Email, password: Password, name: Name, locale: Type.Optional(Locale) },
          { additionalProperties: false },
        ),
        description:
          'The password must not be on common or breached password lists, easy to guess, or contain the email: 422 `weak_password` with `details.reason` (`common`, `guessable`, `contains_email`). Sign-ups are limited per client address (429 `rate_limited`).',
        response: { 201: AuthResult, ...errors(400, 409, 422, 429) },
      },
    },
    async (req, reply) => {
      await deps.assertTextLinkFree(db, null, { name: req.body.name });
      const user = await signUp(db, clock, req.body);
      const token = await startSession(reply, user.id);
      return reply.code(201).send({ token, user: toPublicUser(user) });
    },
  );

  app.post(
    '/auth/sign-in',
    {
      config: { auth: 'public' },
      // Two limits in one counting statement: per account (the email exactly as sign-in looks it
      // up, so no spelling of it escapes the count) from any address, and per client address
      // whatever the email. Counted before the password is checked; a locked account refuses
      // even the right password until its window ends.
      preHandler: async (req, reply) =>
        enforceLimits(db, clock, reply, [
          { key: `signin:email:${normalizeEmail(req.body.email)}`, max: config.signInRateLimit.max, windowMs: config.signInRateLimit.timeWindowMs },
          { key: `signin:address:${clientAddress(req.ip)}`, max: config.signInAddressRateLimit.max, windowMs: config.signInAddressRateLimit.timeWindowMs },
        ]),
      schema: {
        tags: ['identity'],
        summary: 'Sign in with email and password',
        description: 'Limited per account email and per client address (429 `rate_limited` with Retry-After). No password-strength check: existing passwords keep working.',
        security: [],
        body: Type.Object({ email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: AuthResult, ...errors(400, 401, 429) },
      },
    },
    async (req, reply) => {
      const { email, password } = req.body;
      const user = await authenticate(db, email, password);
      const token = await startSession(reply, user.id);
      return { token, user: toPublicUser(user) };
    },
  );

  app.post(
    '/auth/sign-out',
    { config: { auth: 'public' }, schema: { tags: ['identity'], summary: 'End the current session (a no-op when signed out)', response: { 204: Type.Null() } } },
    async (req, reply) => {
      if (req.user) await revokeSession(db, clock, req.user.sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: config.cookieSecure || req.protocol === 'https' });
      return reply.code(204).send(null);
    },
  );

  const me = async (userId: string) => {
    const [user, shops] = await Promise.all([getUser(db, userId), deps.shopsOfUser(db, userId)]);
    return { user: { ...toPublicUser(user), shops } };
  };

  app.get(
    '/me',
    { config: { auth: 'user' }, schema: { tags: ['identity'], summary: 'The signed-in account, its roles and shops', response: { 200: Me, ...errors(401) } } },
    async (req) => me(requireUser(req).id),
  );

  app.patch(
    '/me',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['identity'],
        summary: 'Update name or preferred language',
        body: Type.Object(
          { name: Type.Optional(Name), locale: Type.Optional(Type.Union([Locale, Type.Null()])) },
          { additionalProperties: false },
        ),
        response: { 200: Me, ...errors(400, 401, 422) },
      },
    },
    async (req) => {
      const user = requireUser(req);
      await deps.assertTextLinkFree(db, user.id, { name: req.body.name });
      await updateProfile(db, user.id, req.body);
      return me(user.id);
    },
  );
}
