import { afterAll, beforeAll, expect, it } from 'vitest';
import { SettableClock } from '../platform/clock.js';
import type { Database, Db } from '../platform/db.js';
import { AppError } from '../platform/errors.js';
import type { Lifecycle } from '../platform/lifecycle.js';
import { freshDatabase } from './db.js';

/** What the walk needs to know about one lifecycle's entity. */
export interface WalkSubject<S extends string, E extends string> {
  /** A new entity in `state` (inserted directly is fine), with `event`'s guard holding; its id. */
  make(state: S, event: E): Promise<string>;
  /** Applies `event` through the module's transition function (a refusal throws or returns null). */
  apply(id: string, event: E): Promise<unknown>;
  /** The stored row, compared whole before and after a refusal (it must not change). */
  read(id: string): Promise<{ status: string }>;
}

/**
 * Walks every (state, event) pair of `lc`: an entity made in the state takes the event; a pair in
 * the table must move it to the table's state, any other must be refused (409 `invalid_transition`, or
 * null) with the row unchanged. Fails once, listing every pair that misbehaved.
 */
export async function walkLifecycle<S extends string, E extends string>(lc: Lifecycle<S, E>, subject: WalkSubject<S, E>): Promise<void> {
  const wrong: string[] = [];
  let moved = 0;
  for (const state of lc.states) {
    for (const event of lc.events) {
      const pair = `(${state}, ${event})`;
      const id = await subject.make(state, event);
      const before = await subject.read(id);
      if (before.status !== state) {
        wrong.push(`${pair}: made in ${before.status}`);
        continue;
      }
      let refused: boolean;
      try {
        refused = (await subject.apply(id, event)) === null;
      } catch (e) {
        if (!(e instanceof AppError && e.status === 409 && e.code === 'invalid_transition')) {
          wrong.push(`${pair}: threw ${e instanceof AppError ? `${e.status} ${e.code}` : String(e)}`);
          continue;
        }
        refused = true;
      }
      const after = await subject.read(id);
      const to = lc.next(state, event);
      if (to === null) {
        if (!refused) wrong.push(`${pair}: not in the table, but was not refused`);
        try {
          expect(after).toEqual(before);
        } catch {
          wrong.push(`${pair}: refused, but the row changed`);
        }
      } else if (refused) {
        wrong.push(`${pair}: in the table (→ ${to}), but was refused`);
      } else if (after.status !== to) {
        wrong.push(`${pair}: moved to ${after.status}, the table says ${to}`);
      } else {
        moved++;
      }
    }
  }
  if (wrong.length > 0) throw new Error(`${lc.name}: ${wrong.length} pair(s) misbehaved:\n  ${wrong.join('\n  ')}`);
  expect(moved).toBe(lc.rules.length);
}

/** What a subject of {@link itWalksEveryPair} is made with. */
export interface WalkContext {
  db: Db;
  clock: SettableClock;
  /** The clock's time when the walk starts. */
  now: Date;
}

/**
 * In the calling `describe`: a fresh database for the file and the test that walks every (state,
 * event) pair of `lc` ({@link walkLifecycle}) over the subject `subject` builds (after setting up,
 * in the database, whatever its entities need). `event` names the events in the test's title.
 */
export function itWalksEveryPair<S extends string, E extends string>(
  lc: Lifecycle<S, E>,
  subject: (ctx: WalkContext) => WalkSubject<S, E> | Promise<WalkSubject<S, E>>,
  opts: { event?: string } = {},
): void {
  let database: Database;
  const clock = new SettableClock('2026-03-02T09:00:00Z');

  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => database?.close());

  it(`walks every (state, ${opts.event ?? 'event'}) pair: the table moves it, anything else is refused and changes nothing`, async () => {
    await walkLifecycle(lc, await subject({ db: database.db, clock, now: clock.now() }));
  });
}
