import { and, asc, desc, eq, gt, lt, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from './db.js';
import { badRequest, notFound } from './errors.js';
import { isId, type IdPrefix } from './ids.js';

/**
 * Keyset pagination by id (ids are sortable: prefix + ULID). A list asks for one row more than
 * the page, and the page's last id is the cursor of the next page when there was more.
 */
export interface IdPage {
  limit?: number;
  cursor?: string;
}

export const DEFAULT_PAGE_LIMIT = 20;

/** 400 `invalid_cursor` unless `cursor` is absent or an id of `prefix`. */
export function checkIdCursor(cursor: string | undefined, prefix: IdPrefix): void {
  if (cursor !== undefined && !isId(cursor, prefix)) throw badRequest('invalid_cursor', 'cursor is not one this list returned');
}

/** The page of `found` (read with `limit + 1`): its first `limit` rows and the next cursor, or null at the end. */
export function pageOf<R extends { id: string }>(found: R[], limit: number): { rows: R[]; next_cursor: string | null } {
  const rows = found.slice(0, limit);
  return { rows, next_cursor: found.length > limit ? rows[rows.length - 1]!.id : null };
}

/**
 * One page of `table`'s rows matching `where`, by id: `newest` first (descending ids) or `oldest`
 * first; the cursor (checked to be an id of `prefix`) is the last id of the previous page.
 */
export async function pageById<T extends PgTable & { id: PgColumn }>(
  db: Db,
  table: T,
  spec: IdPage & { prefix: IdPrefix; order: 'newest' | 'oldest'; where?: Array<SQL | undefined> },
): Promise<{ rows: Array<T['$inferSelect'] & { id: string }>; next_cursor: string | null }> {
  checkIdCursor(spec.cursor, spec.prefix);
  const limit = spec.limit ?? DEFAULT_PAGE_LIMIT;
  const newest = spec.order === 'newest';
  const after = spec.cursor ? (newest ? lt(table.id, spec.cursor) : gt(table.id, spec.cursor)) : undefined;
  const found = (await db
    .select()
    .from(table as PgTable)
    .where(and(...(spec.where ?? []), after))
    .orderBy(newest ? desc(table.id) : asc(table.id))
    .limit(limit + 1)) as Array<T['$inferSelect'] & { id: string }>;
  return pageOf(found, limit);
}

/** The row of `table` with `id`; 404 (`kind` names it: "Supply offer") when there is none. */
export async function rowById<T extends PgTable & { id: PgColumn }>(db: Db, table: T, id: string, kind: string): Promise<T['$inferSelect']> {
  const [row] = (await db
    .select()
    .from(table as PgTable)
    .where(eq(table.id, id))) as Array<T['$inferSelect']>;
  if (!row) throw notFound(kind, id);
  return row;
}
