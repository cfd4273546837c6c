import { DAY, SettableClock } from '../platform/clock.js';
import type { Db } from '../platform/db.js';
import { followAnchor } from '../flows/index.js';
import { setShowcaseLinks, setVideoExternalAnchors } from '../modules/content/index.js';
import { Random } from '../simulate/random.js';
import type { HistoryWorld } from './history.js';

/**
 * The semi-closed loop in the demo: its market (US, semi-closed like every market until an
 * operator cuts it over) starts with external store links, as sellers coming from their own
 * stores have them, and 90 days of click-outs through them:
 * - the demo creator's first STORE_LINK_VIDEOS published videos (with room for one more anchor)
 *   each carry a link to the creator's gear list, and the creator's profile one to their store;
 * - the demo seller's profile links to the shop's old store (Replace links proposes products for it).
 * Each click-out is recorded through the same flow as `GET /out/<anchor>` (followAnchor), at its
 * past time on its own clock, so the operator's link-policy page counts them and, once the market
 * is cut over, the seller's before/after comparison has a "before". No cut-over is scheduled:
 * the demo is for walking through it (README: Demo). The draws come from their own PRNG, so the
 * rest of the history is the same with or without them.
 */
export const STORE_LINK_VIDEOS = 3;
export const STORE_LINK_SEED = 16;
/** Click-outs per link and day: 0 … MAX_DAILY_CLICKS. */
export const MAX_DAILY_CLICKS = 2;

export const DEMO_STORE_LINKS = {
  video: { url: 'https://creator-gear.example.com/list', title: 'My full gear list' },
  creator: { url: 'https://creator-gear.example.com/', title: 'My gear store' },
  seller: { url: 'https://demo-outdoor.example.com/', title: 'Demo Outdoor Co. web store' },
};

export async function seedDemoStoreLinks(db: Db, world: HistoryWorld, range: { begin: number; now: number }): Promise<{ anchors: number; clicks: number }> {
  const clock = new SettableClock(range.begin);
  const sellerId = world.shops.find((s) => s.id === world.journey.shopId)!.ownerId;
  const anchors: Array<{ id: string; from: number }> = [];
  const creator = await setShowcaseLinks(db, clock, world.creatorId, [DEMO_STORE_LINKS.creator]);
  const seller = await setShowcaseLinks(db, clock, sellerId, [DEMO_STORE_LINKS.seller]);
  for (const l of [...creator.links, ...seller.links]) anchors.push({ id: l.id, from: range.begin });
  const videos = world.videos
    .filter((v) => v.publishedAt && v.publishedAt.getTime() < range.now && v.productIds.length < 5)
    .sort((a, b) => a.publishedAt!.getTime() - b.publishedAt!.getTime())
    .slice(0, STORE_LINK_VIDEOS);
  for (const v of videos) {
    const from = Math.max(range.begin, v.publishedAt!.getTime());
    clock.set(from);
    const view = await setVideoExternalAnchors(db, clock, v.id, world.creatorId, [DEMO_STORE_LINKS.video]);
    for (const a of view.anchors) if (a.type === 'external') anchors.push({ id: a.id, from });
  }
  const rnd = new Random(STORE_LINK_SEED);
  const clicks: Array<{ at: number; anchorId: string; device: string }> = [];
  for (const a of anchors) {
    for (let day = a.from; day < range.now; day += DAY) {
      for (let n = rnd.int(0, MAX_DAILY_CLICKS); n > 0; n--) {
        const at = day + rnd.int(0, DAY - 1);
        if (at < range.now) clicks.push({ at, anchorId: a.id, device: `demo-viewer-${String(rnd.int(0, 599)).padStart(3, '0')}` });
      }
    }
  }
  clicks.sort((x, y) => x.at - y.at);
  for (const c of clicks) {
    clock.set(c.at);
    await followAnchor(db, clock, c.anchorId, { userId: null, deviceId: c.device });
  }
  return { anchors: anchors.length, clicks: clicks.length };
}
