import createClient from 'openapi-fetch';
import { ApiError, CSRF_HEADERS, apiErrorOf, query } from './http';
import type { paths } from './schema';

/**
 * The typed API client (openapi-fetch over the generated `paths`): same-origin session cookie,
 * the CSRF header on every call, query strings as `query()` builds them, and a failed fetch as an
 * ApiError('network_error'). Call it through `data(...)`, which turns an error answer into its ApiError.
 */
export const client = createClient<paths>({
  credentials: 'same-origin',
  headers: { accept: 'application/json', ...CSRF_HEADERS },
  querySerializer: (params) => query(params as Parameters<typeof query>[0]).slice(1),
  fetch: async (req) => {
    try {
      return await fetch(req);
    } catch (err) {
      throw new ApiError('network_error', 0, err instanceof Error ? err.message : 'Network error');
    }
  },
});

/** The body of a successful answer (undefined for 204), or the ApiError of a failed one. */
export async function data<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const res = await call;
  if (!res.response.ok) throw apiErrorOf(res.response.status, res.response.statusText, res.error);
  return res.data as T;
}

/** `Idempotency-Key` header for a mutation that may be retried. */
export const idempotent = (key: string) => ({ headers: { 'Idempotency-Key': key } });

/** Query parameters as pages hold them: `null` (no cursor yet) stands for absent. */
export type Query<Q> = { [K in keyof Q]?: Q[K] | null };

/** The query without its null values, as the route's parameters. */
export function q<Q>(params: Query<Q>): Q {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== null)) as Q;
}
