import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rows } from './db.js';
import { testDbKind, useFreshDatabase } from '../test/db.js';

describe('database', () => {
  const database = useFreshDatabase();

  it('is migrated and of the expected kind', async () => {
    expect(database.kind).toBe(testDbKind());
    const r = await rows<{ n: number }>(database.db, sql`select count(*)::int as n from users`);
    expect(r[0]?.n).toBe(0);
  });

  it('reads int8 as numbers on both drivers', async () => {
    const r = await rows<{ n: number }>(database.db, sql`select 9007199254740991::int8 as n`);
    expect(r[0]?.n).toBe(Number.MAX_SAFE_INTEGER);
  });
});
