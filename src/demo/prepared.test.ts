import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY } from '../platform/clock.js';
import { rows } from '../platform/db.js';
import { testApp, type TestApp } from '../test/app.js';
import { shiftDemoTimes } from './prepared.js';

describe('prepared demo: moving its times forward', () => {
  let t: TestApp;
  const preparedAt = new Date('2026-03-02T09:00:00Z');

  beforeAll(async () => {
    t = await testApp();
    // A stand-in for the hourly rollups: a unique time where the shifted rows land on each other's old times.
    await t.db.execute(sql`create table shift_probe (id int primary key, at timestamptz unique, day date, never timestamptz)`);
    await t.db.execute(sql`insert into shift_probe values
      (1, '2026-02-16T20:00:00Z', '2026-02-16', null),
      (2, '2026-02-23T20:00:00Z', '2026-02-23', null),
      (3, '2026-03-02T08:00:00Z', '2026-03-02', null)`);
    await t.account({ email: 'shifted@example.com' });
  });
  afterAll(async () => {
    await t?.db.execute(sql`drop table if exists shift_probe`);
    await t?.close();
  });

  const probe = () => rows<{ id: number; at: string; day: string; never: string | null }>(t.db, sql`select id, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI') as at, to_char(day, 'YYYY-MM-DD') as day, never from shift_probe order by id`);

  it('does nothing within the first week', async () => {
    t.clock.set(new Date(preparedAt.getTime() + 6 * DAY));
    expect(await shiftDemoTimes(t.db, t.clock, preparedAt)).toBe(0);
    expect((await probe())[0]).toEqual({ id: 1, at: '2026-02-16T20:00', day: '2026-02-16', never: null });
  });

  it('moves every time and date of every table by the whole weeks passed, keeping weekday and hour', async () => {
    const [before] = await rows<{ created_at: Date }>(t.db, sql`select created_at from users where email = 'shifted@example.com'`);
    t.clock.set(new Date(preparedAt.getTime() + 2 * 7 * DAY + 3 * DAY));
    expect(await shiftDemoTimes(t.db, t.clock, preparedAt)).toBe(2);
    expect(await probe()).toEqual([
      { id: 1, at: '2026-03-02T20:00', day: '2026-03-02', never: null },
      { id: 2, at: '2026-03-09T20:00', day: '2026-03-09', never: null },
      { id: 3, at: '2026-03-16T08:00', day: '2026-03-16', never: null },
    ]);
    const [after] = await rows<{ created_at: Date }>(t.db, sql`select created_at from users where email = 'shifted@example.com'`);
    expect(new Date(after!.created_at).getTime() - new Date(before!.created_at).getTime()).toBe(14 * DAY);
  });
});
