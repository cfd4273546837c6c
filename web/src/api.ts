/**
 * Typed access to the Loopshop HTTP API. The session lives in the HttpOnly `loopshop_session`
 * cookie the server sets; the web app never sees or stores the token.
 */

export type Locale = 'en' | 'zh-CN';
export type Role = 'buyer' | 'creator' | 'seller' | 'operator';

export type { Money } from './i18n/format';

export interface User {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  locale: Locale | null;
  created_at: string;
}

export interface Shop {
  id: string;
  name: string;
  market: string;
  currency: string;
  timezone: string;
  mode: 'self_fulfilled' | 'managed' | string;
  status: 'active' | 'suspended' | 'frozen' | string;
  role: 'owner' | 'staff' | string;
}

export interface Me extends User {
  shops: Shop[];
}

export interface Reconciliation {
  balanced: boolean;
  entries: number;
  accounts: number;
  problems: { code: string; message: string }[];
}

export interface ValidationDetail {
  field: string;
  rule: string;
  message: string;
}

/** Every failed call ends up here: API error bodies, HTTP errors without one, network failures. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Validation details of a `validation_failed` answer, or []. */
  get fields(): ValidationDetail[] {
    return Array.isArray(this.details) ? (this.details as ValidationDetail[]) : [];
  }
}

/**
 * CSRF proof the server asks of every mutating request signed in by the session cookie (no other
 * site can add a custom header without a CORS preflight); sent on every call, reads included.
 */
export const CSRF_HEADERS: Readonly<Record<string, string>> = { 'x-requested-with': 'loopshop' };

export interface RequestOptions {
  /** Extra headers, e.g. `Idempotency-Key` on a checkout. */
  headers?: Record<string, string>;
}

export async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        ...CSRF_HEADERS,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...opts.headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError('network_error', 0, err instanceof Error ? err.message : 'Network error');
  }
  if (res.status === 204) return undefined as T;
  return parseResponse<T>(res.status, res.statusText, await res.text());
}

/** Turns a response body into its JSON value, or throws the ApiError it describes. */
export function parseResponse<T>(status: number, statusText: string, text: string): T {
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy error page, for instance): handled below.
  }
  if (status < 200 || status >= 300) {
    const e = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
    if (e && typeof e.code === 'string') {
      throw new ApiError(e.code, status, typeof e.message === 'string' ? e.message : e.code, e.details ?? null);
    }
    throw new ApiError(`http_${status}`, status, statusText || `HTTP ${status}`);
  }
  return json as T;
}

/** `?a=1&b=x` from the defined values (arrays repeat the key); '' when there are none. */
export function query(params: Record<string, string | number | undefined | null | string[]>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((item) => q.append(k, item));
    else q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A page of a list route. */
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export const api = {
  me: async (): Promise<Me | null> => {
    try {
      return (await request<{ user: Me }>('GET', '/v1/me')).user;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return null;
      throw err;
    }
  },
  updateMe: async (patch: { name?: string; locale?: Locale | null }): Promise<Me> =>
    (await request<{ user: Me }>('PATCH', '/v1/me', patch)).user,
  signIn: (body: { email: string; password: string }) => request<{ token: string; user: User }>('POST', '/v1/auth/sign-in', body),
  signUp: (body: { email: string; password: string; name: string; locale?: Locale }) =>
    request<{ token: string; user: User }>('POST', '/v1/auth/sign-up', body),
  signOut: async (): Promise<void> => {
    try {
      await request<void>('POST', '/v1/auth/sign-out');
    } catch (err) {
      // Already signed out (expired session): the outcome the user wanted.
      if (!(err instanceof ApiError && err.status === 401)) throw err;
    }
  },
  reconcile: () => request<Reconciliation>('GET', '/v1/admin/ledger/reconcile'),
};
