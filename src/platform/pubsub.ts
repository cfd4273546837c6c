import { sql, type SQL } from 'drizzle-orm';
import type { Database, Db } from './db.js';

/**
 * Messages between server processes over the database: PostgreSQL LISTEN/NOTIFY on a server,
 * the same NOTIFY inside PGlite in one process. Publishing is a `pg_notify` in the caller's
 * transaction, so a message is delivered only if, and when, that transaction commits — a
 * subscriber never hears of a change it cannot read yet, nor of one that was rolled back.
 *
 * Delivery is at most once and not durable (a process that is down or reconnecting misses
 * messages): use it to tell processes "look again", and keep the truth in tables.
 */
const PREFIX = 'loopshop_';
/** PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more. */
export const MAX_PAYLOAD_BYTES = 7_900;

export type Message = Record<string, unknown>;

export function channelOf(topic: string): string {
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(topic)) throw new Error(`invalid topic ${topic}`);
  return `${PREFIX}${topic}`;
}

function encode(message: Message): string {
  const payload = JSON.stringify(message);
  if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) throw new Error(`message of ${Buffer.byteLength(payload)} bytes is too large to publish`);
  return payload;
}

/** Publishes `message` on `topic` when the transaction of `db` commits (at once outside one). */
export async function publish(db: Db, topic: string, message: Message): Promise<void> {
  await db.execute(sql`select pg_notify(${channelOf(topic)}, ${encode(message)})`);
}

/**
 * The `pg_notify(…)` call as an SQL expression, for statements that publish what they wrote
 * (e.g. `select ${notifyExpr('live', sql`json_build_object('id', x.id)::text`)} from x`).
 */
export function notifyExpr(topic: string, payload: SQL): SQL {
  return sql`pg_notify(${channelOf(topic)}, ${payload})`;
}

/**
 * Calls `handler` with every message published on `topic` (by any process), until the returned
 * function is called. A payload that is not a JSON object is ignored.
 */
export async function subscribe(database: Database, topic: string, handler: (message: Message) => void): Promise<() => Promise<void>> {
  return database.listen(channelOf(topic), (payload) => {
    let message: unknown;
    try {
      message = JSON.parse(payload);
    } catch {
      return;
    }
    if (message && typeof message === 'object' && !Array.isArray(message)) handler(message as Message);
  });
}
