import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { SettableClock } from '../../platform/clock.js';
import type { Database } from '../../platform/db.js';
import { newId } from '../../platform/ids.js';
import { freshDatabase } from '../../test/db.js';
import { walkLifecycle } from '../../test/lifecycle-walk.js';
import { liveLifecycle, transitionLive } from './lifecycle.js';
import { liveSessions } from './schema.js';

describe('live session lifecycle', () => {
  let database: Database;
  const clock = new SettableClock('2026-03-02T09:00:00Z');

  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => database?.close());

  it('walks every (state, event) pair: the table moves it, anything else is refused and changes nothing', async () => {
    const { db } = database;
    const now = clock.now();
    await walkLifecycle(liveLifecycle, {
      async make(status) {
        const id = newId('liv');
        const times = status === 'scheduled' ? {} : { startedAt: now, lastActiveAt: now, ...(status === 'ended' ? { endedAt: now, endReason: 'creator' as const } : {}) };
        // One creator per session: a creator is live in one session at a time.
        await db.insert(liveSessions).values({ id, creatorId: newId('usr'), title: 'Walk', streamUrl: 'https://stream.example/walk', status, scheduledAt: now, createdAt: now, updatedAt: now, ...times });
        return id;
      },
      apply: (id, event) => transitionLive(db, id, event, { set: event === 'start' ? { startedAt: now } : { endedAt: now } }),
      read: async (id) => (await db.select().from(liveSessions).where(eq(liveSessions.id, id)))[0]!,
    });
  });
});
