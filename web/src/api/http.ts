/** The HTTP conventions of the API every call shares: the error type, the CSRF header, query strings. */

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

/** The ApiError an error answer describes (its `{ error: { code, message, details } }` body, else `http_<status>`). */
export function apiErrorOf(status: number, statusText: string, json: unknown): ApiError {
  const e = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (e && typeof e.code === 'string') {
    return new ApiError(e.code, status, typeof e.message === 'string' ? e.message : e.code, e.details ?? null);
  }
  return new ApiError(`http_${status}`, status, statusText || `HTTP ${status}`);
}

/** Turns a response body into its JSON value, or throws the ApiError it describes. */
export function parseResponse<T>(status: number, statusText: string, text: string): T {
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy error page, for instance): handled by apiErrorOf.
  }
  if (status < 200 || status >= 300) throw apiErrorOf(status, statusText, json);
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
