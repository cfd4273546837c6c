import { createHash } from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from './clock.js';
import { HOUR } from './clock.js';
import type { Db } from './db.js';
import { badRequest, conflict, unprocessable } from './errors.js';
import { idempotencyKeys } from './schema.js';

/**
 * `Idempotency-Key` for mutating routes that declare `config: { idempotent: true }`.
 *
 * The first request with a key claims it (insert, primary key (scope, key)); its response is
 * stored when it is sent and replayed to every retry for 24 h with `Idempotent-Replayed: true`.
 * The same key with a different method, route or body answers 422 `idempotency_mismatch`.
 * A retry that arrives while the first request is still running waits for it (up to
 * `waitMs`), then replays; if it is still running, 409 `idempotency_in_progress`.
 * A response with a 5xx status or a 429 (rate limited) is not stored: the key is released and a
 * retry runs again.
 */
export const IDEMPOTENCY_TTL_MS = 24 * HOUR;
const KEY_RE = /^[\x21-\x7e]{1,255}$/;

declare module 'fastify' {
  interface FastifyContextConfig {
    idempotent?: boolean;
  }
  interface FastifyRequest {
    idempotency?: { scope: string; key: string };
  }
}

function requestHash(req: FastifyRequest): string {
  return createHash('sha256')
    .update(`${req.method} ${req.routeOptions.url ?? req.url}\n${JSON.stringify(req.params ?? {})}\n${JSON.stringify(req.body ?? null)}`)
    .digest('hex');
}

export function registerIdempotency(app: FastifyInstance, db: Db, clock: Clock, waitMs = 10_000): void {
  app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.routeOptions.config?.idempotent) return;
    const raw = req.headers['idempotency-key'];
    if (raw === undefined) return;
    const key = Array.isArray(raw) ? raw[0]! : raw;
    if (!KEY_RE.test(key)) {
      throw badRequest('invalid_idempotency_key', 'Idempotency-Key must be 1–255 printable ASCII characters');
    }
    const scope = req.user?.id ?? 'anonymous';
    const hash = requestHash(req);
    const now = clock.now();
    const deadline = Date.now() + waitMs;
    for (;;) {
      const claimed = await db
        .insert(idempotencyKeys)
        .values({ scope, key, requestHash: hash, status: 'in_progress', createdAt: now })
        .onConflictDoNothing()
        .returning({ key: idempotencyKeys.key });
      if (claimed.length === 1) {
        req.idempotency = { scope, key };
        return;
      }
      const [row] = await db
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
      if (!row) continue; // released between our insert and select: claim again
      if (row.createdAt.getTime() < now.getTime() - IDEMPOTENCY_TTL_MS) {
        // Expired (the hourly purge has not reached it yet): forget it and claim again.
        await db
          .delete(idempotencyKeys)
          .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key), eq(idempotencyKeys.createdAt, row.createdAt)));
        continue;
      }
      if (row.requestHash !== hash) {
        throw unprocessable('idempotency_mismatch', 'This Idempotency-Key was used with a different request');
      }
      if (row.status === 'completed') {
        reply.header('idempotent-replayed', 'true');
        reply.header('content-type', row.responseType ?? 'application/json; charset=utf-8');
        return reply.code(row.responseStatus ?? 200).send(row.responseBody);
      }
      if (Date.now() > deadline) {
        throw conflict('idempotency_in_progress', 'A request with this Idempotency-Key is still being processed');
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  });

  app.addHook('onSend', async (req, reply, payload) => {
    const claim = req.idempotency;
    if (!claim) return payload;
    req.idempotency = undefined;
    const where = and(eq(idempotencyKeys.scope, claim.scope), eq(idempotencyKeys.key, claim.key));
    if (reply.statusCode >= 500 || reply.statusCode === 429) {
      await db.delete(idempotencyKeys).where(where);
      return payload;
    }
    const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : payload == null ? '' : String(payload);
    await db
      .update(idempotencyKeys)
      .set({
        status: 'completed',
        responseStatus: reply.statusCode,
        responseBody: body,
        responseType: String(reply.getHeader('content-type') ?? 'application/json; charset=utf-8'),
      })
      .where(where);
    return payload;
  });
}

/** Deletes stored responses older than 24 h (run by a periodic job). */
export async function purgeIdempotencyKeys(db: Db, clock: Clock): Promise<number> {
  const res = await db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, new Date(clock.now().getTime() - IDEMPOTENCY_TTL_MS)))
    .returning({ key: idempotencyKeys.key });
  return res.length;
}

