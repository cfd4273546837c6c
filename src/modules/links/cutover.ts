import { count, eq, sum } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { badRequest, notFound } from '../../platform/errors.js';
import { enqueue, type JobRunner } from '../../platform/jobs.js';
import { loadMarkets, market, MARKETS, updateMarket } from '../../platform/markets.js';
import { listAudit, recordAudit } from '../audit/index.js';
import { listProductTitles } from '../catalog/index.js';
import { deactivateExternalAnchors, flagLinkedCaptions, getExternalAnchor, getShowcase, getVideo, listActiveExternalAnchors, listLinkOwners, type ExternalAnchor } from '../content/index.js';
import { getUser } from '../identity/index.js';
import { notify } from '../notifications/index.js';
import { listShopsForUser } from '../sellers/index.js';
import { linkClicks } from './schema.js';
import { policyMode, recordClick, safeExternalRedirect, userMarket, type LinkPolicyMode } from './service.js';

/**
 * Switching a market from the semi-closed to the closed loop (decision 010). The cut-over runs
 * as a job at `cutover_at` on the platform clock (or at once when an operator closes a market
 * without a date), in one transaction: the market becomes `closed`, every active external anchor
 * and showcase link of its creators and sellers is turned off, captions with links are flagged
 * for their owners to edit, each owner is notified with the list, and the audit log records it
 * all. A market already closed is left alone, so running it again changes nothing.
 */
export const CUTOVER_JOB = 'links.cutover';

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

export interface LinkPolicyView {
  market: string;
  mode: LinkPolicyMode;
  cutover_at: string | null;
  /** Click-outs recorded in the market and what they cost their owners. */
  clicks: { count: number; cost: { amount: number; currency: string } };
  /** What the last cut-over turned off, from the audit log. */
  last_cutover: CutoverReport | null;
}

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

export interface CutoverReportView {
  market: string;
  mode: LinkPolicyMode;
  /** Scheduled (mode still semi_closed) or done (mode closed). */
  cutover_at: string | null;
  /** The last cut-over's report, null before any. */
  report: (Omit<CutoverReport, 'video_anchors_deactivated' | 'store_links_retired'> & { video_anchors_deactivated: number | null; store_links_retired: number | null }) | null;
  /** Who was notified and what was turned off of theirs, a page at a time. */
  owners: { data: Array<CutoverOwner & { name: string }>; next_cursor: string | null };
}

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

/**
 * An operator sets a market's policy. `semi_closed` reopens it at once (turned-off anchors stay
 * off) and cancels a scheduled cut-over; `closed` with a future `cutoverAt` schedules the
 * cut-over, without one runs it now.
 */
export async function setLinkPolicy(
  db: Db,
  clock: Clock,
  operatorId: string,
  code: string,
  input: { mode: LinkPolicyMode; cutoverAt?: Date },
): Promise<LinkPolicyView> {
  if (!MARKETS[code]) throw notFound('Market', code);
  const now = clock.now();
  if (input.cutoverAt && (input.mode !== 'closed' || input.cutoverAt.getTime() <= now.getTime())) {
    throw badRequest('invalid_cutover_at', 'cutover_at is a future time, and only for mode "closed"', { now: now.toISOString() });
  }
  try {
    await db.transaction(async (tx) => {
      await recordAudit(tx, clock, [
        { actorId: operatorId, action: 'link_policy.set', targetType: 'market', targetId: code, data: { mode: input.mode, cutover_at: input.cutoverAt?.toISOString() ?? null } },
      ]);
      if (input.mode === 'semi_closed') {
        await updateMarket(tx, clock, operatorId, code, { linkPolicyMode: 'semi_closed', cutoverAt: null });
      } else if (input.cutoverAt) {
        await updateMarket(tx, clock, operatorId, code, { cutoverAt: input.cutoverAt });
        const at = input.cutoverAt.toISOString();
        await enqueue(tx, clock, CUTOVER_JOB, { market: code, at }, { runAt: input.cutoverAt, uniqueKey: `${CUTOVER_JOB}:${code}:${at}` });
      } else {
        await runCutover(tx, clock, code);
      }
    });
  } finally {
    await loadMarkets(db); // the cache follows what committed, also when the transaction rolled back
  }
  return linkPolicyView(db, code);
}

const describe = (a: ExternalAnchor) => ({ id: a.id, kind: a.kind, video_id: a.videoId, url: a.url, title: a.title });

/** The cut-over itself (in the caller's transaction); null when the market was already closed. */
export async function runCutover(tx: Db, clock: Clock, code: string): Promise<CutoverReport | null> {
  await loadMarkets(tx);
  if (policyMode(code) === 'closed') return null;
  const scheduled = market(code).cutoverAt;
  const now = clock.now();
  await updateMarket(tx, clock, 'system', code, { linkPolicyMode: 'closed', cutoverAt: scheduled && scheduled <= now ? scheduled : now });
  const owners: string[] = [];
  for (const id of await listLinkOwners(tx)) if ((await userMarket(tx, id)) === code) owners.push(id);
  const anchors = await listActiveExternalAnchors(tx, owners);
  await deactivateExternalAnchors(tx, clock, anchors.map((a) => a.id));
  const flagged = await flagLinkedCaptions(tx, clock, owners);
  const affected = [...new Set([...anchors.map((a) => a.ownerId), ...flagged.map((v) => v.creatorId)])];
  await notify(
    tx,
    clock,
    affected.map((userId) => {
      const off = anchors.filter((a) => a.ownerId === userId);
      const videos = flagged.filter((v) => v.creatorId === userId).map((v) => v.id);
      return {
        userId,
        type: 'links.cutover',
        title: `External links are off in ${code}`,
        body:
          `The ${code} market now keeps the whole purchase inside Loopshop. ${off.length} external link(s) were turned off` +
          (videos.length > 0 ? ` and ${videos.length} caption(s) with links need an edit.` : '.') +
          ' Import your catalog and anchor your products instead.',
        data: { market: code, anchors: off.map(describe), flagged_videos: videos },
      };
    }),
  );
  const ownerCounts = (id: string): CutoverOwner => ({
    id,
    anchors: anchors.filter((a) => a.ownerId === id && a.kind === 'video_anchor').length,
    store_links: anchors.filter((a) => a.ownerId === id && a.kind === 'showcase_link').length,
    captions: flagged.filter((v) => v.creatorId === id).length,
  });
  const report: CutoverReport = {
    market: code,
    at: now.toISOString(),
    anchors_deactivated: anchors.length,
    video_anchors_deactivated: anchors.filter((a) => a.kind === 'video_anchor').length,
    store_links_retired: anchors.filter((a) => a.kind === 'showcase_link').length,
    captions_flagged: flagged.length,
    owners_notified: affected.length,
  };
  await recordAudit(tx, clock, [
    { actorId: null, action: 'link_policy.cutover', targetType: 'market', targetId: code, data: { report, notified: affected, owners: affected.map((id) => ownerCounts(id)) } },
    ...anchors.map((a) => ({ actorId: null, action: 'external_anchor.deactivated', targetType: a.kind, targetId: a.id, data: { market: code, ...describe(a), owner_id: a.ownerId } })),
    ...flagged.map((v) => ({ actorId: null, action: 'video.caption_flagged', targetType: 'video', targetId: v.id, data: { market: code, owner_id: v.creatorId } })),
  ]);
  return report;
}

export function registerLinksJobs(jobs: JobRunner, clock: Clock): void {
  jobs.register(CUTOVER_JOB, async (tx, payload) => {
    const { market: code, at } = payload as { market: string; at: string };
    await loadMarkets(tx);
    // A rescheduled or cancelled cut-over leaves its old job behind: only the current date runs.
    if (MARKETS[code]?.cutoverAt?.toISOString() !== at) return;
    await runCutover(tx, clock, code);
  });
}

export type OutAnswer = { redirect: string } | { html: string };

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A buyer taps an external anchor: while it is active in a semi-closed market, the click is
 * recorded with its cost and the buyer redirected; once turned off (or when its URL fails
 * externalUrlProblem, e.g. an anchor stored before those rules), a page lists in-platform products instead: those the video anchors, the owner's shops' and showcase's.
 */
export async function followAnchor(
  db: Db,
  clock: Clock,
  anchorId: string,
  viewer: { userId: string | null; deviceId: string | null },
  ownHosts: readonly string[] = [],
): Promise<OutAnswer> {
  const anchor = await getExternalAnchor(db, anchorId);
  const code = await userMarket(db, anchor.ownerId);
  // Re-checked on every follow: an anchor stored before the rules (userinfo, the platform's own host) never redirects.
  const target = safeExternalRedirect(anchor.url, ownHosts);
  if (target && anchor.active && policyMode(code) === 'semi_closed') {
    await recordClick(db, clock, { anchorId, ownerId: anchor.ownerId, market: code, viewerId: viewer.userId, deviceId: viewer.deviceId });
    return { redirect: target };
  }
  const owner = await getUser(db, anchor.ownerId);
  const shops = await listShopsForUser(db, owner.id);
  const products = new Map<string, string>();
  if (anchor.videoId) for (const a of (await getVideo(db, anchor.videoId, owner.id)).anchors) if (a.type === 'product' && a.product.status === 'live') products.set(a.product.id, a.product.title);
  for (const shop of shops) for (const p of (await listProductTitles(db, { shopId: shop.id, limit: 12 })).data) products.set(p.id, p.title);
  for (const p of (await getShowcase(db, owner.id)).products) products.set(p.id, p.title);
  const items = [...products].slice(0, 24).map(([id, title]) => `<li><a href="/products/${id}">${escapeHtml(title)}</a></li>`);
  const name = escapeHtml(owner.name);
  return {
    html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Shop ${name} on Loopshop</title></head>
<body><main><h1>This link has moved inside Loopshop</h1>
<p>${name} now sells here: buy with Loopshop's checkout, tracking and buyer protection.</p>
${items.length > 0 ? `<ul>${items.join('')}</ul>` : '<p>No products listed yet.</p>'}
<p><a href="/creators/${owner.id}">All of ${name}'s products</a> · <a href="/feed">Back to the feed</a></p></main></body></html>`,
  };
}
