import type { FastifyRequest } from 'fastify';
import { forbidden, unauthorized } from './errors.js';

/** The signed-in account behind a request (resolved by the identity module). */
export interface AuthUser {
  id: string;
  email: string;
  name: string;
  roles: string[];
  locale: string | null;
  sessionId: string;
}

export type SessionResolver = (token: string) => Promise<AuthUser | null>;

export const SESSION_COOKIE = 'loopshop_session';

/**
 * CSRF proof: mutating requests signed in by the session cookie must carry this header (any
 * value; the web app sends `X-Requested-With: loopshop`). Bearer-token calls do not need it.
 */
export const CSRF_HEADER = 'x-requested-with';

/** Bearer token from the Authorization header, else the HttpOnly session cookie. */
export function tokenFrom(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (h) {
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    return m ? m[1]! : null;
  }
  return req.cookies?.[SESSION_COOKIE] ?? null;
}

export function requireUser(req: FastifyRequest): AuthUser {
  if (!req.user) throw unauthorized();
  return req.user;
}

export function hasRole(user: AuthUser | null | undefined, role: string): boolean {
  return !!user && user.roles.includes(role);
}

/** The caller must be signed in and hold at least one of `roles`. */
export function requireRole(req: FastifyRequest, ...roles: string[]): AuthUser {
  const user = requireUser(req);
  if (!roles.some((r) => user.roles.includes(r))) {
    throw forbidden(`This needs the ${roles.join(' or ')} role.`, 'role_required');
  }
  return user;
}

/**
 * Who may call a route, declared once per route as `config: { auth }` and checked by one
 * `onRequest` hook of the /v1 scope (src/platform/http.ts), before the body is parsed and validated:
 * `'public'` anyone; `'user'` any signed-in account; a list of roles: an account holding one of them.
 * Routes under /v1/admin are for operators by their scope and declare nothing. Per-object checks
 * (shop membership, ownership → 404) stay in the services.
 */
export type RouteAuth = 'public' | 'user' | readonly string[];

/** Refuses a request its route's `auth` does not let in: 401 without a session, 403 role_required without the role. */
export function checkAccess(req: FastifyRequest, auth: RouteAuth): void {
  if (auth === 'public') return;
  if (auth === 'user') requireUser(req);
  else requireRole(req, ...auth);
}

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthUser | null;
  }
  interface FastifyContextConfig {
    /** Who may call the route (see RouteAuth). */
    auth?: RouteAuth;
  }
}
