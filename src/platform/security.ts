import type { FastifyRequest } from 'fastify';
import type { RateLimit } from './config.js';

/**
 * Route `config.rateLimit` for a limit per caller: the signed-in user, else the client address
 * (X-Forwarded-For behind a proxy: trustProxy). A client-chosen id (a device id) is never the
 * key, or changing it would lift the limit. Over the limit: 429 `rate_limited` with Retry-After.
 */
export function perCallerRateLimit(name: string, limit: RateLimit) {
  return {
    max: limit.max,
    timeWindow: limit.timeWindowMs,
    keyGenerator: (req: FastifyRequest) => `${name}|${req.user ? `user:${req.user.id}` : `ip:${req.ip}`}`,
  };
}
