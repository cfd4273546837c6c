import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from './db.js';
import { conflict, notFound } from './errors.js';

/**
 * Lifecycles as transition tables (DESIGN.md "Rules of the house"): every entity with a status
 * declares ONE table of allowed transitions — state × event → state, with the guard in words —
 * in its module's `lifecycle.ts`, and every status write goes through `applyTransition`, which
 * writes with a conditional update (the from-state in the WHERE) and refuses anything else with
 * 409 `invalid_transition`, changing nothing. The Mermaid diagrams in docs/architecture.md are
 * generated from these tables (scripts/lifecycle-docs.ts), so the docs cannot drift.
 */
export interface TransitionRule<S extends string, E extends string> {
  from: S | readonly S[];
  event: E;
  to: S;
  /** The condition, in words, that the caller checks before applying (shown in the diagram). */
  guard?: string;
}

export interface Lifecycle<S extends string, E extends string> {
  /** The entity's name, e.g. `order` (used in messages and the docs). */
  readonly name: string;
  readonly states: readonly S[];
  readonly events: readonly E[];
  /** States a new entity may start in. */
  readonly initial: readonly S[];
  readonly rules: ReadonlyArray<{ from: S; event: E; to: S; guard?: string }>;
  /** Where `event` leads from `from`, or null when the table does not allow it. */
  next(from: S, event: E): S | null;
  /** The states `event` may be applied in. */
  fromStates(event: E): S[];
  /** `next`, or 409 `invalid_transition` when the pair is not in the table. */
  assert(from: S, event: E): S;
  /** A Mermaid `stateDiagram-v2` of the table. */
  mermaid(): string;
}

export function defineLifecycle<const S extends string, const E extends string>(spec: {
  name: string;
  states: readonly S[];
  events: readonly E[];
  initial: readonly S[];
  transitions: ReadonlyArray<TransitionRule<S, E>>;
}): Lifecycle<S, E> {
  const rules: Array<{ from: S; event: E; to: S; guard?: string }> = [];
  const table = new Map<string, S>();
  for (const t of spec.transitions) {
    for (const from of (Array.isArray(t.from) ? t.from : [t.from]) as S[]) {
      const key = `${from}\u0000${t.event}`;
      if (table.has(key)) throw new Error(`${spec.name}: (${from}, ${t.event}) is declared twice`);
      if (!spec.states.includes(from) || !spec.states.includes(t.to)) throw new Error(`${spec.name}: unknown state in ${from} → ${t.to}`);
      if (!spec.events.includes(t.event)) throw new Error(`${spec.name}: unknown event ${t.event}`);
      table.set(key, t.to);
      rules.push({ from, event: t.event, to: t.to, ...(t.guard ? { guard: t.guard } : {}) });
    }
  }
  const lc: Lifecycle<S, E> = {
    name: spec.name,
    states: spec.states,
    events: spec.events,
    initial: spec.initial,
    rules,
    next: (from, event) => table.get(`${from}\u0000${event}`) ?? null,
    fromStates: (event) => rules.filter((r) => r.event === event).map((r) => r.from),
    assert(from, event) {
      const to = lc.next(from, event);
      if (to === null) throw invalidTransition(spec.name, from, event);
      return to;
    },
    mermaid() {
      const lines = ['stateDiagram-v2'];
      for (const s of spec.initial) lines.push(`  [*] --> ${s}`);
      // A `;` ends a Mermaid statement and `#` starts an entity: both written as entities.
      const label = (text: string) => text.replace(/[#;]/g, (c) => (c === '#' ? '#35;' : '#59;'));
      for (const r of rules) lines.push(`  ${r.from} --> ${r.to}: ${label(r.event + (r.guard ? ` [${r.guard}]` : ''))}`);
      return lines.join('\n');
    },
  };
  return lc;
}

/**
 * The refusal: 409 `invalid_transition` with the entity, the state it was found in (`from`, also
 * as `status`, the field the older `invalid_state` answers carried) and the event.
 */
export function invalidTransition(entity: string, from: string, event: string) {
  const message = `A ${entity.replace(/_/g, ' ')} that is ${from.replace(/_/g, ' ')} cannot take "${event.replace(/_/g, ' ')}".`;
  return conflict('invalid_transition', message, { entity, from, event, status: from });
}

/** The table, key and status column a lifecycle's entity is stored in. */
export interface LifecycleTarget<T extends PgTable = PgTable> {
  table: T;
  id: PgColumn;
  status: PgColumn;
}

export interface TransitionOptions {
  /** The state the caller already knows (e.g. it holds the row lock); skips the read. */
  from?: string;
  /** Other columns written in the same update (timestamps, reasons). */
  set?: Record<string, unknown>;
  /** Extra conditions for the update (e.g. a version), ANDed with id and from-state. */
  where?: SQL;
}

/** A transition that happened: the states, and the row as the update left it. */
export interface Moved<S extends string, T extends PgTable> {
  from: S;
  to: S;
  row: T['$inferSelect'];
}

/**
 * Applies `event` to the entity `id` with one conditional update (`… WHERE id = $1 AND status =
 * $from`). Returns the from and to states and the updated row, or null when the entity is missing, the table does not
 * allow the event in its state, or another writer moved it first; nothing is written then.
 */
export async function tryTransition<S extends string, E extends string, T extends PgTable>(
  db: Db,
  lc: Lifecycle<S, E>,
  target: LifecycleTarget<T>,
  id: string,
  event: E,
  opts: TransitionOptions = {},
): Promise<Moved<S, T> | null> {
  let from = opts.from as S | undefined;
  if (from === undefined) {
    const status = await statusOf<S>(db, target, id);
    if (status === null) return null;
    from = status;
  }
  const to = lc.next(from, event);
  if (to === null) return null;
  const conds = [eq(target.id, id), eq(target.status, from)];
  if (opts.where) conds.push(opts.where);
  const statusKey = columnKey(target.table, target.status);
  const res = (await db
    .update(target.table as PgTable)
    .set({ ...(opts.set ?? {}), [statusKey]: to })
    .where(and(...conds))
    .returning()) as Array<T['$inferSelect']>;
  return res.length === 0 ? null : { from, to, row: res[0]! };
}

/**
 * `tryTransition`, but a refusal is an error: 404 when the entity does not exist, else 409
 * `invalid_transition`, with the state it was found in.
 */
export async function applyTransition<S extends string, E extends string, T extends PgTable>(
  db: Db,
  lc: Lifecycle<S, E>,
  target: LifecycleTarget<T>,
  id: string,
  event: E,
  opts: TransitionOptions = {},
): Promise<Moved<S, T>> {
  const moved = await tryTransition(db, lc, target, id, event, opts);
  if (moved) return moved;
  const status = await statusOf<S>(db, target, id);
  if (status === null) throw notFound(lc.name.replace(/_/g, ' '), id);
  throw invalidTransition(lc.name, status, event);
}

/** The entity's stored state, or null when there is no such entity. */
async function statusOf<S extends string>(db: Db, target: LifecycleTarget, id: string): Promise<S | null> {
  const [row] = (await db.select({ status: target.status }).from(target.table).where(eq(target.id, id))) as Array<{ status: S }>;
  return row ? row.status : null;
}

/**
 * The two status writers of a lifecycle whose entity is stored in `table` (keyed by its `id`,
 * its state in `status`): `apply` is `applyTransition` (a refusal is an error), `try` is
 * `tryTransition` (null instead), both bound to the lifecycle and the table.
 */
export function lifecycleWriters<S extends string, E extends string, T extends PgTable & { id: PgColumn; status: PgColumn }>(lc: Lifecycle<S, E>, table: T) {
  const target: LifecycleTarget<T> = { table, id: table.id, status: table.status };
  return {
    apply: (db: Db, id: string, event: E, opts?: TransitionOptions) => applyTransition(db, lc, target, id, event, opts),
    try: (db: Db, id: string, event: E, opts?: TransitionOptions) => tryTransition(db, lc, target, id, event, opts),
  };
}

/** The Drizzle property name of a column in its table (what `.set({...})` takes). */
function columnKey(table: PgTable, column: PgColumn): string {
  for (const [key, value] of Object.entries(table)) if (value === column) return key;
  throw new Error(`column ${column.name} is not in its table`);
}

/** SQL for `status IN (states that may take event)`, for set-based sweeps that move many rows. */
export function statusMayTake<S extends string, E extends string>(lc: Lifecycle<S, E>, column: PgColumn, event: E): SQL {
  const from = lc.fromStates(event);
  if (from.length === 0) return sql`false`;
  return sql`${column} in (${sql.join(
    from.map((s) => sql`${s}`),
    sql`, `,
  )})`;
}
