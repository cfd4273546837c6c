import type { Static } from '@sinclair/typebox';
import { and, desc, eq, gte, like, lt } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { badRequest } from '../../platform/errors.js';
import { isId, newId } from '../../platform/ids.js';
import { auditLog } from './schema.js';
import type { AuditEntry as AuditEntrySchema } from './views.js';

export interface AuditEntry {
  /** The operator who acted; null for the system (a scheduled job). */
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string;
  data?: Record<string, unknown>;
}

/** An entry as the service reads it; the route adds `actor`. */
export type AuditView = Omit<Static<typeof AuditEntrySchema>, 'actor'>;

/** Appends entries to the audit log (in the caller's transaction, so they commit with the change). */
export async function recordAudit(db: Db, clock: Clock, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const at = clock.now();
  await db.insert(auditLog).values(entries.map((e) => ({ id: newId('aud'), at, actorId: e.actorId, action: e.action, targetType: e.targetType, targetId: e.targetId, data: e.data ?? {} })));
}

/**
 * Runs an operator's change and writes its audit entries in one transaction: the entries commit
 * with the change, or neither does. `entries` sees the change's result (ids, the state it left).
 */
export async function audited<T>(db: Db, clock: Clock, change: (tx: Db) => Promise<T>, entries: (result: T) => AuditEntry | AuditEntry[]): Promise<T> {
  return db.transaction(async (tx) => {
    const result = await change(tx);
    const e = entries(result);
    await recordAudit(tx, clock, Array.isArray(e) ? e : [e]);
    return result;
  });
}

export interface AuditFilter {
  limit?: number;
  cursor?: string;
  /** An exact action, or every action of a kind with a trailing `.*` (`commission_rule.*`). */
  action?: string;
  actorId?: string;
  targetType?: string;
  targetId?: string;
  /** Entries at or after `from` and before `to` (platform clock). */
  from?: Date;
  to?: Date;
}

/** The audit log, newest first, filtered by action, actor, target and time. */
export async function listAudit(db: Db, opts: AuditFilter = {}): Promise<{ data: AuditView[]; next_cursor: string | null }> {
  const limit = opts.limit ?? 20;
  if (opts.cursor !== undefined && !isId(opts.cursor, 'aud')) throw badRequest('invalid_cursor', 'Unknown cursor');
  const prefix = opts.action?.endsWith('.*') ? opts.action.slice(0, -1) : null;
  const rows = await db
    .select()
    .from(auditLog)
    .where(
      and(
        prefix !== null ? like(auditLog.action, `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`) : opts.action ? eq(auditLog.action, opts.action) : undefined,
        opts.actorId ? eq(auditLog.actorId, opts.actorId) : undefined,
        opts.targetType ? eq(auditLog.targetType, opts.targetType) : undefined,
        opts.targetId ? eq(auditLog.targetId, opts.targetId) : undefined,
        opts.from ? gte(auditLog.at, opts.from) : undefined,
        opts.to ? lt(auditLog.at, opts.to) : undefined,
        opts.cursor ? lt(auditLog.id, opts.cursor) : undefined,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit).map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    actor_id: r.actorId,
    action: r.action,
    target_type: r.targetType,
    target_id: r.targetId,
    data: r.data,
  }));
  return { data: page, next_cursor: rows.length > limit ? page[page.length - 1]!.id : null };
}
