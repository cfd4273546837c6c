import { DAY, type Clock } from '../platform/clock.js';
import type { Db } from '../platform/db.js';
import { getShowcase, videoFacts } from '../modules/content/index.js';
import { createLive } from '../modules/live/index.js';

/**
 * A scheduled demo live session for the demo creator: tomorrow, with the first showcase products
 * pinned, streaming one of the creator's demo clips (rendered by the demo video jobs at
 * `/media/videos/<id>.mp4`), so the live console has something to start. Call inside the demo
 * seed, after the demo videos and showcase.
 */
export async function seedDemoLive(db: Db, clock: Clock, creatorId: string): Promise<void> {
  const [video] = await videoFacts(db, { creatorId });
  const showcase = await getShowcase(db, creatorId);
  if (!video || showcase.products.length === 0) return;
  await createLive(db, clock, creatorId, {
    title: 'Trail gear live: tents, lanterns and socks',
    stream_url: `/media/videos/${video.id}.mp4`,
    scheduled_at: new Date(clock.now().getTime() + DAY).toISOString(),
    product_ids: showcase.products.slice(0, 3).map((p) => p.id),
  });
}
