import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../test/db.js';
import { MINUTE, SettableClock } from './clock.js';
import { rows, type Database } from './db.js';
import { enqueue, JobRunner } from './jobs.js';
import { jobs } from './schema.js';

describe('jobs', () => {
  let database: Database;
  const clock = new SettableClock('2026-05-01T12:00:00Z');
  beforeAll(async () => {
    database = await freshDatabase({ poolSize: 6 });
    await database.db.execute(sql`create table job_effects (job_id text not null, note text)`);
  });
  afterAll(() => database.close());

  const effectsOf = async (jobId: string) =>
    rows<{ n: number }>(database.db, sql`select count(*)::int as n from job_effects where job_id = ${jobId}`).then((r) => r[0]!.n);

  const recordingRunner = (id: string) =>
    new JobRunner(database.db, clock, { workerId: id, backoffBaseMs: MINUTE }).register('record', async (tx, _payload, job) => {
      await new Promise((r) => setTimeout(r, 5));
      await tx.execute(sql`insert into job_effects (job_id, note) values (${job.id}, ${id})`);
    });

  it('runs a job once when the clock passes its time, even with two workers racing', async () => {
    const runAt = new Date(clock.now().getTime() + 10 * MINUTE);
    const ids = await Promise.all(Array.from({ length: 12 }, () => enqueue(database.db, clock, 'record', {}, { runAt })));
    const a = recordingRunner('worker-a');
    const b = recordingRunner('worker-b');

    expect(await Promise.all([a.runDue(), b.runDue()])).toEqual([0, 0]); // not due yet
    clock.advance(10 * MINUTE);
    const [ra, rb] = await Promise.all([a.runDue(), b.runDue()]);
    expect(ra + rb).toBe(12);
    for (const id of ids) expect(await effectsOf(id!)).toBe(1);
    expect(await Promise.all([a.runDue(), b.runDue()])).toEqual([0, 0]);
    const statuses = await database.db.select({ status: jobs.status }).from(jobs).where(eq(jobs.type, 'record'));
    expect(statuses.every((s) => s.status === 'done')).toBe(true);
  });

  it('retries with exponential backoff and gives up after max attempts', async () => {
    let calls = 0;
    const runner = new JobRunner(database.db, clock, { backoffBaseMs: MINUTE }).register('flaky', async (tx) => {
      calls++;
      await tx.execute(sql`insert into job_effects (job_id, note) values ('flaky', 'rolled back')`);
      throw new Error(`boom ${calls}`);
    });
    const id = (await enqueue(database.db, clock, 'flaky', {}, { maxAttempts: 3 }))!;
    expect(await runner.runDue()).toBe(1);
    expect(await runner.runDue()).toBe(0); // backing off 1 minute
    clock.advance(MINUTE);
    expect(await runner.runDue()).toBe(1);
    clock.advance(MINUTE);
    expect(await runner.runDue()).toBe(0); // second backoff is 2 minutes
    clock.advance(MINUTE);
    expect(await runner.runDue()).toBe(1);
    clock.advance(60 * MINUTE);
    expect(await runner.runDue()).toBe(0);
    const [job] = await database.db.select().from(jobs).where(eq(jobs.id, id));
    expect(job).toMatchObject({ status: 'failed', attempts: 3, lastError: 'boom 3' });
    expect(await effectsOf('flaky')).toBe(0); // the failed attempts' writes were rolled back
  });

  it('runs a handler outside a transaction when asked, keeping its writes on failure', async () => {
    const runner = new JobRunner(database.db, clock, { backoffBaseMs: MINUTE }).register(
      'long-work',
      async (db, _p, job) => {
        await db.execute(sql`insert into job_effects (job_id, note) values (${job.id}, 'outside')`);
        if (job.attempts === 1) throw new Error('first attempt fails after writing');
      },
      { transaction: false },
    );
    const id = (await enqueue(database.db, clock, 'long-work', {}))!;
    await runner.runDue();
    expect(await effectsOf(id)).toBe(1); // not rolled back: such handlers must be safe to re-run
    clock.advance(MINUTE);
    await runner.runDue();
    expect(await effectsOf(id)).toBe(2);
    const [job] = await database.db.select().from(jobs).where(eq(jobs.id, id));
    expect(job!.status).toBe('done');
  });

  it('polls each lane in its own loop, so slow media work does not hold up timers', async () => {
    let releaseSlow!: () => void;
    const slowGate = new Promise<void>((r) => (releaseSlow = r));
    const runner = new JobRunner(database.db, clock)
      .register('slow-media', async () => slowGate, { transaction: false, lane: 'media' })
      .register('timer', async (tx, _p, job) => {
        await tx.execute(sql`insert into job_effects (job_id, note) values (${job.id}, 'timer')`);
      });
    await enqueue(database.db, clock, 'slow-media', {});
    const timerJob = (await enqueue(database.db, clock, 'timer', {}))!;
    runner.start(5);
    const deadline = Date.now() + 10_000;
    while ((await effectsOf(timerJob)) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await effectsOf(timerJob)).toBe(1); // ran while the media job was still working
    releaseSlow();
    await runner.stop();
  });

  it('enqueues a job with a unique key only once', async () => {
    const first = await enqueue(database.db, clock, 'record', {}, { uniqueKey: 'only-once' });
    const second = await enqueue(database.db, clock, 'record', {}, { uniqueKey: 'only-once' });
    expect(first).toMatch(/^job_/);
    expect(second).toBeNull();
  });

  it('claims again a job whose worker died (lease expired)', async () => {
    const id = (await enqueue(database.db, clock, 'record', {}))!;
    // A worker claimed it and died: running, locked 10 minutes ago by a dead worker.
    await database.db
      .update(jobs)
      .set({ status: 'running', lockedBy: 'dead', lockedAt: new Date(clock.now().getTime() - 10 * MINUTE), attempts: 1 })
      .where(eq(jobs.id, id));
    const runner = new JobRunner(database.db, clock, { leaseMs: 5 * MINUTE }).register('record', async (tx, _p, job) => {
      await tx.execute(sql`insert into job_effects (job_id, note) values (${job.id}, 'rescued')`);
    });
    await runner.runDue();
    expect(await effectsOf(id)).toBe(1);
  });

  it('commits a job once when its lease passed to another worker while it ran (the late worker rolls back)', async () => {
    const id = (await enqueue(database.db, clock, 'stolen'))!;
    const errors: unknown[] = [];
    const late = new JobRunner(database.db, clock, { workerId: 'late', onError: (e) => errors.push(e) }).register('stolen', async (tx, _p, job) => {
      await tx.execute(sql`insert into job_effects (job_id, note) values (${job.id}, 'late')`);
      // Meanwhile the lease ran out and another worker claimed the job (it now runs it).
      await tx.execute(sql`update jobs set locked_by = 'other', attempts = attempts + 1 where id = ${job.id}`);
    });
    expect(await late.runDue()).toBe(1);
    expect(await effectsOf(id)).toBe(0);
    // Not marked done by the late worker (the simulated claim rolled back with its transaction).
    const [row] = await database.db.select().from(jobs).where(eq(jobs.id, id));
    expect(row!.status).toBe('running');
    expect(errors).toEqual([]);
  });
});
