import { isIPv4, isIPv6 } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { RateLimit } from './config.js';

/**
 * The client address a limit counts on: `req.ip`, which is the peer address unless the peer is
 * a proxy the operator listed in LOOPSHOP_TRUST_PROXY (then the address that proxy saw, from
 * X-Forwarded-For). An IPv4-mapped IPv6 address counts as its IPv4 address; any other IPv6
 * address counts as its /64, the block one subscriber usually holds, so rotating through it
 * does not lift a limit.
 */
export function clientAddress(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head, tail = ''] = ip.split('::') as [string, string?];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // An embedded IPv4 tail (a::1.2.3.4) takes two groups; it never reaches the first four.
  const rightGroups = right.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const groups = ip.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - rightGroups)).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}

/**
 * Route `config.rateLimit` for a limit per caller: the signed-in user, else the client address
 * (`clientAddress`). A client-chosen id (a device id) is never the key, or changing it would lift
 * the limit. Counted in the shared store (every node, one budget). Over the limit: 429
 * `rate_limited` with Retry-After.
 */
export function perCallerRateLimit(name: string, limit: RateLimit) {
  return {
    max: limit.max,
    timeWindow: limit.timeWindowMs,
    keyGenerator: (req: FastifyRequest) => `${name}|${req.user ? `user:${req.user.id}` : `ip:${clientAddress(req.ip)}`}`,
  };
}

/** Route `config.rateLimit` for a limit per client address only (sign-up). */
export function perAddressRateLimit(name: string, limit: RateLimit) {
  return {
    max: limit.max,
    timeWindow: limit.timeWindowMs,
    keyGenerator: (req: FastifyRequest) => `${name}|ip:${clientAddress(req.ip)}`,
  };
}
