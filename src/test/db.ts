import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { openDatabase, type Database } from '../platform/db.js';
import { TEMPLATE_DB, withDatabase } from './global-setup.js';

export type TestDbKind = 'pglite' | 'postgres';
export const testDbKind = (): TestDbKind => (process.env.LOOPSHOP_TEST_DB === 'postgres' ? 'postgres' : 'pglite');

/**
 * A new database on the PostgreSQL test server, copied from the migrated template: its URL, and
 * `drop` to remove it.
 */
export async function copyTemplateDatabase(prefix = 't'): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = inject('pgAdminUrl');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`create database ${name} template ${TEMPLATE_DB}`);
        break;
      } catch (e) {
        // Two files copying the template in the same instant: try again shortly.
        if (attempt > 20 || !String((e as Error).message).includes('being accessed')) throw e;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
      }
    }
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(adminUrl, name),
    drop: async () => {
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`).catch(() => undefined);
      await a.end();
    },
  };
}

/**
 * A fresh, migrated database for one test file: an in-memory PGlite loaded from the migrated
 * template, or a new database copied from the template on the PostgreSQL server.
 */
export async function freshDatabase(opts: { poolSize?: number } = {}): Promise<Database> {
  if (testDbKind() === 'postgres') {
    const copy = await copyTemplateDatabase();
    const db = await openDatabase({ url: copy.url, poolSize: opts.poolSize ?? 10 });
    const close = db.close;
    db.close = async () => {
      await close();
      await copy.drop();
    };
    return db;
  }
  const blob = new Blob([readFileSync(inject('pgliteTemplate'))]);
  return openDatabase({ loadDataDir: blob });
}

/**
 * In the calling `describe` (or file): a {@link freshDatabase} opened before its tests and closed
 * after them. The object returned is filled in before the first test runs.
 */
export function useFreshDatabase(opts: { poolSize?: number } = {}): Database {
  const database = {} as Database;
  beforeAll(async () => {
    Object.assign(database, await freshDatabase(opts));
  });
  afterAll(() => database.close?.());
  return database;
}
