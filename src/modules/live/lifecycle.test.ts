import { eq } from 'drizzle-orm';
import { describe } from 'vitest';
import { newId } from '../../platform/ids.js';
import { itWalksEveryPair } from '../../test/lifecycle-walk.js';
import { liveLifecycle, transitionLive } from './lifecycle.js';
import { liveSessions } from './schema.js';

describe('live session lifecycle', () => {
  itWalksEveryPair(liveLifecycle, ({ db, now }) => ({
    async make(status) {
      const id = newId('liv');
      const times = status === 'scheduled' ? {} : { startedAt: now, lastActiveAt: now, ...(status === 'ended' ? { endedAt: now, endReason: 'creator' as const } : {}) };
      // One creator per session: a creator is live in one session at a time.
      await db.insert(liveSessions).values({ id, creatorId: newId('usr'), title: 'Walk', streamUrl: 'https://stream.example/walk', status, scheduledAt: now, createdAt: now, updatedAt: now, ...times });
      return id;
    },
    apply: (id, event) => transitionLive(db, id, event, { set: event === 'start' ? { startedAt: now } : { endedAt: now } }),
    read: async (id) => (await db.select().from(liveSessions).where(eq(liveSessions.id, id)))[0]!,
  }));
});
