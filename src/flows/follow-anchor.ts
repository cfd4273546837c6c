import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db.js';
import { listProductTitles } from '../modules/catalog/index.js';
import { getExternalAnchor, getShowcase, getVideo } from '../modules/content/index.js';
import { getUser } from '../modules/identity/index.js';
import { policyMode, recordClick, safeExternalRedirect, userMarket } from '../modules/links/index.js';
import { listShopsForUser } from '../modules/sellers/index.js';

/**
 * Following an external anchor (`GET /out/<anchor>`): a click-out recorded in links while the
 * market allows it, else a page of the owner's in-platform products (content, sellers, catalog).
 * One write at most (the click), so there is nothing to undo.
 */
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
