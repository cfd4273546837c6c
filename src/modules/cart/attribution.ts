import { sql } from 'drizzle-orm';
import { rows, type Db } from '../../platform/db.js';
import { DAY } from '../../platform/clock.js';
import { market } from '../../platform/markets.js';
import { videoAttributionSql } from '../content/index.js';
import { liveAttributionSql } from '../live/index.js';
import { isShopMemberSql } from '../sellers/index.js';
import type { CartSource } from './schema.js';

/**
 * Affiliate attribution from facts the server knows (issue 14, hole 1). The buyer says where it
 * came from (`video_id` or `live_id`); the server decides who, if anyone, earns on the line:
 * the creator of that video while it is visible and anchors the line's product, or the host of
 * that live while the product is pinned (allotted) in it. Nobody earns on their own purchase,
 * and no member of the selling shop earns on its products. A client-sent `creator_id` is never
 * read. A source that does not hold leaves the line without attribution; the add still succeeds.
 *
 * - At the click (adding the line): a live must be `live` now. The line keeps the content it
 *   came from, the payee known then, and the time of the click (`clicked_at`).
 * - At checkout: the same facts again for every line in one statement (a live may have ended
 *   since: the click happened while it was on), and the click at most the shop market's
 *   `attributionWindowDays` old. What fails gives an order item without creator (and without the
 *   content, so live rooms and analytics credit only what is proven).
 */

/** One cart line to attribute: its key, the product and shop of its SKU, and what the line stores. */
export interface AttributionLine {
  key: string;
  product_id: string;
  shop_id: string;
  source: CartSource;
}

/** What an order item (or, at the click, a cart line) is attributed to; `creator_id` is the payee. */
export type Attribution = Pick<CartSource, 'video_id' | 'live_id' | 'creator_id'>;

/** Is a click at `clickedAt` (ISO) still inside the window of `marketCode` at `now`? */
export function clickInWindow(clickedAt: string | undefined, marketCode: string, now: Date): boolean {
  if (!clickedAt) return false;
  const at = Date.parse(clickedAt);
  if (!Number.isFinite(at) || at > now.getTime()) return false;
  return now.getTime() - at <= market(marketCode).attributionWindowDays * DAY;
}

/**
 * Resolves every line in ONE statement (none when no line names any content): at the
 * `'click'` a live must be live now; at `'checkout'` an ended one still counts (the caller then
 * applies `clickInWindow` with the shop's market). Lines absent from the answer have no
 * attribution.
 */
export async function resolveAttribution(db: Db, buyerId: string, lines: AttributionLine[], moment: 'click' | 'checkout'): Promise<Map<string, Attribution>> {
  const candidates = lines.filter((l) => l.source.video_id || l.source.live_id);
  const out = new Map<string, Attribution>();
  if (candidates.length === 0) return out;
  const input = candidates.map((l) => ({ k: l.key, video_id: l.source.video_id ?? null, live_id: l.source.live_id ?? null, product_id: l.product_id, shop_id: l.shop_id }));
  const statuses = moment === 'click' ? (['live'] as const) : (['live', 'ended'] as const);
  const found = await rows<{ k: string; video_id: string | null; video_creator: string | null; live_id: string | null; live_host: string | null; member: boolean }>(
    db,
    sql`select x.k, x.video_id, x.video_creator, x.live_id, x.live_host,
          ${isShopMemberSql(sql`x.shop_id`, sql`coalesce(x.live_host, x.video_creator)`)} as member
        from (select l.k, l.shop_id, l.video_id, l.live_id,
                ${videoAttributionSql(sql`l.video_id`, sql`l.product_id`)} as video_creator,
                ${liveAttributionSql(sql`l.live_id`, sql`l.product_id`, statuses)} as live_host
              from json_to_recordset(${JSON.stringify(input)}::json) as l(k text, video_id text, live_id text, product_id text, shop_id text)) x`,
  );
  for (const r of found) {
    // A live the buyer is in wins over a video also named (its id also draws the live's allotment).
    const content: Attribution | null = r.live_host ? { live_id: r.live_id! } : r.video_creator ? { video_id: r.video_id! } : null;
    if (!content) continue;
    const payee = r.live_host ?? r.video_creator!;
    out.set(r.k, payee !== buyerId && !r.member ? { ...content, creator_id: payee } : content);
  }
  return out;
}
