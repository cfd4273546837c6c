import { sql } from 'drizzle-orm';
import { rows, type Db } from '../platform/db.js';

/**
 * A fingerprint of the whole database: per table of the public schema, its row count and an md5
 * of all its rows (as text, sorted). Two equal fingerprints mean no row was added, removed or
 * changed. Test support for the sweeps ("bad input changes nothing").
 */
export type Fingerprint = Map<string, { rows: number; hash: string }>;

export async function tableNames(db: Db): Promise<string[]> {
  const list = await rows<{ name: string }>(
    db,
    sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
  );
  return list.map((r) => r.name);
}

/**
 * Never fingerprinted: rate-limit counters count attempts, refused ones included, by design (a
 * failed sign-in must spend the budget). They are bookkeeping of requests, not domain state.
 */
export const ATTEMPT_COUNTERS: ReadonlySet<string> = new Set(['rate_limit_counters']);

export async function fingerprint(db: Db, exclude: ReadonlySet<string> = new Set()): Promise<Fingerprint> {
  // Tables are listed each time: modules added while the app runs (migrations) are included.
  const tables = (await tableNames(db)).filter((t) => !exclude.has(t) && !ATTEMPT_COUNTERS.has(t));
  const parts = tables.map(
    (t) => `select '${t}' as t, count(*)::int as n, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from "${t}" x`,
  );
  const result = await rows<{ t: string; n: number; h: string }>(db, sql.raw(parts.join(' union all ')));
  return new Map(result.map((r) => [r.t, { rows: Number(r.n), hash: r.h }]));
}

/** Tables whose rows differ between two fingerprints, with the row counts before → after. */
export function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  const changed: string[] = [];
  for (const n of names) {
    const a = before.get(n);
    const b = after.get(n);
    if (a?.hash !== b?.hash) changed.push(`${n} (${a?.rows ?? '-'} → ${b?.rows ?? '-'} rows)`);
  }
  return changed.sort();
}
