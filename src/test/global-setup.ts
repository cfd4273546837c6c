import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../platform/db.js';
import { startPgCluster } from './pg-cluster.js';

export const TEMPLATE_DB = 'loopshop_template';

/**
 * Runs once per Vitest project. For `postgres`, uses DATABASE_URL or starts a throwaway cluster,
 * and builds a migrated template database every test file copies. For `pglite`, migrates once
 * and dumps the data dir, which every test file loads into a fresh in-memory PGlite.
 */
export default async function setup(project: TestProject) {
  const kind = project.config.env?.LOOPSHOP_TEST_DB ?? 'pglite';
  if (kind === 'postgres') {
    let stop: (() => void) | undefined;
    let adminUrl = process.env.DATABASE_URL;
    if (!adminUrl) {
      const cluster = await startPgCluster();
      adminUrl = cluster.url;
      stop = cluster.stop;
      console.log(`[postgres] throwaway PostgreSQL cluster on 127.0.0.1:${cluster.port}`);
    } else {
      console.log('[postgres] using DATABASE_URL');
    }
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${TEMPLATE_DB}`);
    await admin.query(`create database ${TEMPLATE_DB}`);
    await admin.end();
    const tplUrl = withDatabase(adminUrl, TEMPLATE_DB);
    const tpl = await openDatabase({ url: tplUrl, poolSize: 1 });
    await tpl.migrate();
    await tpl.close();
    project.provide('pgAdminUrl', adminUrl);
    return () => stop?.();
  }
  const seed = await openDatabase({});
  await seed.migrate();
  const dump = await seed.dumpDataDir!();
  await seed.close();
  const file = path.join(os.tmpdir(), `loopshop-pglite-template-${process.pid}.tar`);
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplate', file);
  console.log('[pglite] in-memory PGlite per test file');
  return undefined;
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgliteTemplate: string;
  }
}
