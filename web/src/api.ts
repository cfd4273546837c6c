/**
 * Typed access to the Loopshop HTTP API. The session lives in the HttpOnly `loopshop_session`
 * cookie the server sets; the web app never sees or stores the token.
 */

import { client, data } from './api/client';
import { ApiError } from './api/http';
import type { BodyOf, ResponseOf } from './api/types';

export type { Money } from './i18n/format';

export type Me = ResponseOf<'/v1/me'>['user'];
export type User = ResponseOf<'/v1/auth/sign-in', 'post'>['user'];
export type Shop = Me['shops'][number];
export type Locale = NonNullable<User['locale']>;
export type Role = User['roles'][number];
export type Reconciliation = ResponseOf<'/v1/admin/ledger/reconcile'>;

export { ApiError, apiErrorOf, CSRF_HEADERS, parseResponse, query, type ValidationDetail } from './api/http';

/** A page of a list route. */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export const api = {
  me: async (): Promise<Me | null> => {
    try {
      return (await data(client.GET('/v1/me'))).user;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return null;
      throw err;
    }
  },
  updateMe: async (patch: BodyOf<'/v1/me', 'patch'>): Promise<Me> => (await data(client.PATCH('/v1/me', { body: patch }))).user,
  signIn: (body: BodyOf<'/v1/auth/sign-in'>) => data(client.POST('/v1/auth/sign-in', { body })),
  signUp: (body: BodyOf<'/v1/auth/sign-up'>) => data(client.POST('/v1/auth/sign-up', { body })),
  signOut: async (): Promise<void> => {
    try {
      await data(client.POST('/v1/auth/sign-out'));
    } catch (err) {
      // Already signed out (expired session): the outcome the user wanted.
      if (!(err instanceof ApiError && err.status === 401)) throw err;
    }
  },
  reconcile: () => data(client.GET('/v1/admin/ledger/reconcile')),
};
