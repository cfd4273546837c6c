import { Type } from '@sinclair/typebox';
import { and, count, eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStrategies } from '../strategies.js';
import { freshDatabase } from '../test/db.js';
import { SettableClock, type Clock } from './clock.js';
import { loadConfig } from './config.js';
import type { Database } from './db.js';
import { errorBody } from './errors.js';
import { buildHttpApp } from './http.js';
import { enqueue, JobRunner } from './jobs.js';
import { jobs } from './schema.js';
import { HOUR } from './clock.js';

/** A route with a visible effect (it enqueues a job row) to count effects by. */
async function effectRoutes(app: FastifyInstance) {
  const { db, clock } = app.ctx;
  app.post(
    '/effects',
    { config: { auth: 'public', idempotent: true }, schema: { body: Type.Object({ label: Type.String(), fail: Type.Optional(Type.Boolean()) }) } },
    async (req, reply) => {
      const body = req.body as { label: string; fail?: boolean };
      await new Promise((r) => setTimeout(r, 30)); // widen the race window
      if (body.fail) return reply.code(503).send(errorBody('unavailable', 'try later'));
      const id = await enqueue(db, clock, 'effect', { label: body.label });
      return reply.code(201).send({ id, label: body.label });
    },
  );
}

describe('Idempotency-Key', () => {
  let database: Database;
  let app: FastifyInstance;
  const clock = new SettableClock('2026-01-01T00:00:00Z');
  const effects = async (label: string) =>
    (await database.db.select({ n: count() }).from(jobs).where(and(eq(jobs.type, 'effect'), sql`${jobs.payload}->>'label' = ${label}`)))[0]!.n;

  beforeAll(async () => {
    database = await freshDatabase();
    const config = loadConfig({}, { webDist: '/nonexistent' });
    const secrets = { payments: 'whsec_idempotency_test', carrier: 'whsec_idempotency_test' };
    const strategiesOn = (on: Clock) => buildStrategies({ clock: on, secrets, config });
    app = await buildHttpApp({
      ctx: { database, db: database.db, clock, config, jobs: new JobRunner(database.db, clock), secrets, strategies: strategiesOn(clock), strategiesOn },
      resolveSession: async () => null,
      routes: [effectRoutes],
    });
  });
  afterAll(async () => {
    await app.close();
    await database.close();
  });

  const post = (key: string | undefined, payload: object) =>
    app.inject({ method: 'POST', url: '/v1/effects', payload, headers: key ? { 'idempotency-key': key } : {} });

  it('replays the stored response without a second effect', async () => {
    const before = await effects('a');
    const first = await post('key-1', { label: 'a' });
    const second = await post('key-1', { label: 'a' });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.body).toBe(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await effects('a')).toBe(before + 1);
  });

  it('answers 422 idempotency_mismatch for the same key with another body', async () => {
    await post('key-2', { label: 'b' });
    const before = await effects('b');
    const res = await post('key-2', { label: 'different' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('idempotency_mismatch');
    expect(await effects('b')).toBe(before);
  });

  it('produces one effect for concurrent requests with one key', async () => {
    const before = await effects('c');
    const results = await Promise.all(Array.from({ length: 8 }, () => post('key-3', { label: 'c' })));
    expect(new Set(results.map((r) => r.body)).size).toBe(1);
    expect(results.every((r) => r.statusCode === 201)).toBe(true);
    expect(await effects('c')).toBe(before + 1);
  });

  it('does not store server errors, so a retry runs again', async () => {
    const failed = await post('key-4', { label: 'd', fail: true });
    expect(failed.statusCode).toBe(503);
    const retry = await post('key-4', { label: 'd', fail: true });
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
  });

  it('forgets keys after 24 hours', async () => {
    const before = await effects('e');
    await post('key-5', { label: 'e' });
    clock.advance(24 * HOUR + 1);
    const again = await post('key-5', { label: 'e' });
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(await effects('e')).toBe(before + 2);
  });

  it('without a key, every request has its effect', async () => {
    const before = await effects('f');
    await post(undefined, { label: 'f' });
    await post(undefined, { label: 'f' });
    expect(await effects('f')).toBe(before + 2);
  });

  it('refuses a malformed key', async () => {
    const res = await post('x'.repeat(300), { label: 'g' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_idempotency_key');
  });
});
