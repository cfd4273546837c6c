import type { Static } from '@sinclair/typebox';
import { count, eq, sum } from 'drizzle-orm';
import type { Db } from '../../platform/db.js';
import { badRequest, notFound } from '../../platform/errors.js';
import { MARKETS } from '../../platform/markets.js';
import { listAudit } from '../audit/index.js';
import { getUser } from '../identity/index.js';
import { linkClicks } from './schema.js';
import { policyMode } from './service.js';
import type { CutoverReportOut, LinkPolicy } from './views.js';

/**
 * A market's link policy as operators read it: its mode, click-outs, and the report the last
 * cut-over left in the audit log. The cut-over itself is a flow (`src/flows/cutover.ts`,
 * decision 010): it turns off anchors and flags captions in content, which sits above links.
 */
export interface CutoverReport {
  market: string;
  at: string;
  /** Video anchors and showcase links together. */
  anchors_deactivated: number;
  /** Of those, external anchors on videos… */
  video_anchors_deactivated?: number;
  /** …and showcase links (a seller's store link is a showcase link). */
  store_links_retired?: number;
  captions_flagged: number;
  owners_notified: number;
}

/** What a cut-over did to one owner (kept in its audit entry). */
export interface CutoverOwner {
  id: string;
  anchors: number;
  store_links: number;
  captions: number;
}

export type LinkPolicyView = Static<typeof LinkPolicy>;

export async function linkPolicyView(db: Db, code: string): Promise<LinkPolicyView> {
  const m = MARKETS[code];
  if (!m) throw notFound('Market', code);
  const [clicks] = await db.select({ n: count(), cost: sum(linkClicks.costAmount) }).from(linkClicks).where(eq(linkClicks.market, code));
  const last = await listAudit(db, { action: 'link_policy.cutover', targetType: 'market', targetId: code, limit: 1 });
  return {
    market: code,
    mode: policyMode(code),
    cutover_at: m.cutoverAt?.toISOString() ?? null,
    clicks: { count: clicks?.n ?? 0, cost: { amount: Number(clicks?.cost ?? 0), currency: m.currency } },
    last_cutover: (last.data[0]?.data as { report?: CutoverReport } | undefined)?.report ?? null,
  };
}

export type CutoverReportView = Static<typeof CutoverReportOut>;

/**
 * The last cut-over of a market, from its audit entry: the counts, and the owners notified with
 * what each lost (`limit` owners from `cursor`, an offset). Entries written before the per-owner
 * counts were kept list the owners with their counts unknown (-1).
 */
export async function cutoverReport(db: Db, code: string, opts: { limit?: number; cursor?: string } = {}): Promise<CutoverReportView> {
  const m = MARKETS[code];
  if (!m) throw notFound('Market', code);
  const offset = opts.cursor === undefined ? 0 : Number(opts.cursor);
  if (!Number.isSafeInteger(offset) || offset < 0) throw badRequest('invalid_cursor', 'Unknown cursor');
  const limit = opts.limit ?? 50;
  const [entry] = (await listAudit(db, { action: 'link_policy.cutover', targetType: 'market', targetId: code, limit: 1 })).data;
  const data = entry?.data as { report?: CutoverReport; notified?: string[]; owners?: CutoverOwner[] } | undefined;
  const owners = data?.owners ?? (data?.notified ?? []).map((id) => ({ id, anchors: -1, store_links: -1, captions: -1 }));
  const slice = owners.slice(offset, offset + limit);
  const names = await Promise.all(slice.map((o) => getUser(db, o.id).then((u) => u.name, () => '')));
  return {
    market: code,
    mode: policyMode(code),
    cutover_at: m.cutoverAt?.toISOString() ?? null,
    report: data?.report ? { ...data.report, video_anchors_deactivated: data.report.video_anchors_deactivated ?? null, store_links_retired: data.report.store_links_retired ?? null } : null,
    owners: { data: slice.map((o, i) => ({ ...o, name: names[i]! })), next_cursor: offset + limit < owners.length ? String(offset + limit) : null },
  };
}

