import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db.js';
import { badRequest, notFound } from '../platform/errors.js';
import { emit } from '../platform/events.js';
import { enqueue, type JobRunner } from '../platform/jobs.js';
import { loadMarkets, market, MARKETS, updateMarket } from '../platform/markets.js';
import { recordAudit } from '../modules/audit/index.js';
import { deactivateExternalAnchors, flagLinkedCaptions, listActiveExternalAnchors, listLinkOwners, type ExternalAnchor } from '../modules/content/index.js';
import { linkPolicyView, policyMode, userMarket, type CutoverOwner, type CutoverReport, type LinkPolicyMode, type LinkPolicyView } from '../modules/links/index.js';

/**
 * The market cut-over flow: switching a market from the semi-closed to the closed loop
 * (decision 010). It runs as a job at `cutover_at` on the platform clock (or at once when an
 * operator closes a market without a date), in ONE transaction, so the transaction is the undo
 * of every step: the market becomes `closed` (platform markets), every active external anchor
 * and showcase link of its creators and sellers is turned off and captions with links are
 * flagged (content), each owner is notified with the list (notifications), and the audit log
 * records it all (audit). A market already closed is left alone, so running it again changes
 * nothing.
 */
export const CUTOVER_JOB = 'links.cutover';
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
  const notices = affected.map((userId) => ({
    user_id: userId,
    anchors: anchors.filter((a) => a.ownerId === userId).map(describe),
    flagged_videos: flagged.filter((v) => v.creatorId === userId).map((v) => v.id),
  }));
  await emit(tx, clock, { name: 'links.cut_over', payload: { market: code, owners: notices } });
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

export function registerCutoverJobs(jobs: JobRunner, clock: Clock): void {
  jobs.register(CUTOVER_JOB, async (tx, payload) => {
    const { market: code, at } = payload as { market: string; at: string };
    await loadMarkets(tx);
    // A rescheduled or cancelled cut-over leaves its old job behind: only the current date runs.
    if (MARKETS[code]?.cutoverAt?.toISOString() !== at) return;
    await runCutover(tx, clock, code);
  });
}
