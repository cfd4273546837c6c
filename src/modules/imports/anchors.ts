import type { Static } from '@sinclair/typebox';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { badRequest, unprocessable } from '../../platform/errors.js';
import { isId } from '../../platform/ids.js';
import { recordAudit } from '../audit/index.js';
import { getProductsByIds } from '../catalog/index.js';
import { listExternalAnchorsOf, lockExternalAnchors, replaceExternalAnchors, type ExternalAnchorRecord, type ReplacementItem } from '../content/index.js';
import { listShopMemberIds } from '../sellers/index.js';
import { importedProducts } from './schema.js';
import { stockKeeper } from '../inventory/index.js';
import type { AnchorProposalOut, ChoiceResultOut, ProductBriefOut } from './views.js';

/**
 * "Replace external anchors", the step after a Shopify import (issue 6): for each external anchor
 * of the shop's members (on their videos and showcases) whose URL ends with a product handle the
 * shop imported, propose the product that handle became; then apply the seller's choices.
 *
 * It lives in the imports module, not in content, because it is the import's follow-up: its
 * proposals come from the handle → product map only an import writes (`imported_products`). The
 * anchors stay content's: they are read and swapped through content's functions
 * (content/replacement.ts), so this module never touches content's tables.
 */

export type ProductBrief = Static<typeof ProductBriefOut>;

export type AnchorProposal = Static<typeof AnchorProposalOut>;

/**
 * The handle an external URL names: the last segment of its path (query, fragment and a
 * trailing slash ignored, percent-decoded, lower case). `https://shop.example/products/Trail-Tee/?v=1`
 * → `trail-tee`; a bare `/products/` or `/` → null.
 */
export function handleFromUrl(url: string): string | null {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.split(/[?#]/)[0] ?? '';
  }
  const last = path.split('/').filter((s) => s !== '').at(-1);
  if (last === undefined) return null;
  let handle = last;
  try {
    handle = decodeURIComponent(last);
  } catch {
    // A stray % stays as written.
  }
  handle = handle.trim().toLowerCase();
  return handle === '' || handle === 'products' ? null : handle;
}

const brief = (p: Awaited<ReturnType<typeof getProductsByIds>>[number]): ProductBrief => ({
  id: p.id,
  title: p.title,
  status: p.status,
  images: p.images,
  price_range: p.price_range,
  available: p.available,
});

/** The shop's imported products by lower-cased handle (the first import of a handle wins). */
async function importedByHandle(db: Db, shopId: string, handles: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(handles)];
  if (unique.length === 0) return new Map();
  const rows = await db
    .select({ handle: importedProducts.handle, productId: importedProducts.productId, createdAt: importedProducts.createdAt })
    .from(importedProducts)
    .where(and(eq(importedProducts.shopId, shopId), inArray(sql<string>`lower(${importedProducts.handle})`, unique)))
    .orderBy(importedProducts.createdAt, importedProducts.handle);
  const out = new Map<string, string>();
  for (const r of rows) if (!out.has(r.handle.toLowerCase())) out.set(r.handle.toLowerCase(), r.productId);
  return out;
}

/**
 * Proposals for the shop's external anchors, oldest first, a page at a time (the caller checked
 * membership). Anchors already turned off by a cut-over are listed too: they can still be replaced.
 */
export async function proposeAnchorReplacements(
  db: Db,
  shopId: string,
  opts: { limit?: number; cursor?: string } = {},
): Promise<{ data: AnchorProposal[]; next_cursor: string | null }> {
  if (opts.cursor !== undefined && !isId(opts.cursor, 'anc')) throw badRequest('invalid_cursor', 'Unknown cursor');
  const page = await listExternalAnchorsOf(db, await listShopMemberIds(db, shopId), { after: opts.cursor, limit: opts.limit ?? 50 });
  const handles = page.data.map((a) => handleFromUrl(a.url));
  const byHandle = await importedByHandle(db, shopId, handles.filter((h): h is string => h !== null));
  const ids = [...byHandle.values(), ...page.data.flatMap((a) => (a.replacedByProductId ? [a.replacedByProductId] : []))];
  const products = new Map((await getProductsByIds(db, stockKeeper, ids)).map((p) => [p.id, p]));
  const product = (id: string | null | undefined) => {
    const p = id ? products.get(id) : undefined;
    return p && p.shop_id === shopId ? brief(p) : null;
  };
  return {
    data: page.data.map((a, i) => {
      const handle = handles[i] ?? null;
      return {
        anchor: { id: a.id, kind: a.kind, video_id: a.videoId, url: a.url, title: a.title, active: a.active },
        handle,
        product: product(handle === null ? null : byHandle.get(handle)),
        replaced_by: product(a.replacedByProductId),
      };
    }),
    next_cursor: page.next_cursor,
  };
}

export interface ReplacementChoice {
  anchor_id: string;
  /** null skips the anchor. */
  product_id: string | null;
}

export type ChoiceOutcome = 'replaced' | 'unchanged' | 'skipped';

export type ChoiceResult = Static<typeof ChoiceResultOut>;

export interface ChoiceProblem {
  index: number;
  anchor_id: string;
  product_id: string | null;
  reason: string;
  message: string;
}

/**
 * Applies a seller's choices in one transaction: each chosen product is anchored on the same
 * video (or added to the same showcase) and the external anchor is turned off. Every choice is
 * checked first — the anchor belongs to a member of the shop (`unknown_anchor`), appears once
 * (`duplicate_anchor`), the product is one of the shop's and not suspended (`unknown_product`,
 * `product_suspended`), the anchor was not replaced by another product (`already_replaced`), the
 * video keeps at most 5 anchors (`too_many_anchors`), the showcase at most 50 products
 * (`showcase_full`) — and any problem answers 422 `invalid_choices` listing them by index, with
 * nothing changed. Re-applying changes nothing (`unchanged`). Each replacement is audited.
 */
export async function applyAnchorReplacements(db: Db, clock: Clock, userId: string, shopId: string, choices: ReplacementChoice[]): Promise<{ results: ChoiceResult[] }> {
  return db.transaction(async (tx) => {
    const members = new Set(await listShopMemberIds(tx, shopId));
    const anchors = await lockExternalAnchors(tx, choices.map((c) => c.anchor_id));
    const chosen = choices.flatMap((c) => (c.product_id ? [c.product_id] : []));
    const products = new Map((await getProductsByIds(tx, stockKeeper, chosen)).map((p) => [p.id, p]));
    const problems: ChoiceProblem[] = [];
    const items: ReplacementItem[] = [];
    const seen = new Set<string>();
    choices.forEach((c, index) => {
      const problem = (reason: string, message: string) => problems.push({ index, anchor_id: c.anchor_id, product_id: c.product_id, reason, message });
      const anchor = anchors.get(c.anchor_id);
      if (seen.has(c.anchor_id)) return problem('duplicate_anchor', 'This anchor is chosen more than once');
      seen.add(c.anchor_id);
      if (!anchor || !members.has(anchor.ownerId)) return problem('unknown_anchor', "Not an external anchor of this shop's videos or showcases");
      if (c.product_id === null) return;
      const p = products.get(c.product_id);
      if (!p || p.shop_id !== shopId) return problem('unknown_product', "Not one of this shop's products");
      if (p.status === 'suspended') return problem('product_suspended', 'This product is suspended');
      items.push({ index, anchor, productId: p.id });
    });
    const { problems: more, results } = await replaceExternalAnchors(tx, clock, items, { write: problems.length === 0 });
    for (const m of more) {
      const c = choices[m.index]!;
      problems.push({ index: m.index, anchor_id: c.anchor_id, product_id: c.product_id, reason: m.reason, message: m.message });
    }
    if (problems.length > 0) {
      problems.sort((a, b) => a.index - b.index);
      throw unprocessable('invalid_choices', `${problems.length} choice(s) cannot be applied; nothing was changed`, { choices: problems });
    }
    const byIndex = new Map(results.map((r) => [r.index, r]));
    await recordAudit(
      tx,
      clock,
      items.flatMap((item) => {
        const r = byIndex.get(item.index);
        return r?.changed ? [auditEntry(userId, shopId, item.anchor, item.productId, r.deactivated, r.attached)] : [];
      }),
    );
    return {
      results: choices.map((c, index) => {
        const r = byIndex.get(index);
        return { index, anchor_id: c.anchor_id, product_id: c.product_id, outcome: c.product_id === null ? 'skipped' : r?.changed ? 'replaced' : 'unchanged' };
      }),
    };
  });
}

function auditEntry(userId: string, shopId: string, anchor: ExternalAnchorRecord, productId: string, deactivated: boolean, attached: boolean) {
  return {
    actorId: userId,
    action: 'external_anchor.replaced',
    // The same target types the cut-over's `external_anchor.deactivated` entries use.
    targetType: anchor.kind === 'video' ? 'video_anchor' : 'showcase_link',
    targetId: anchor.id,
    data: { shop_id: shopId, owner_id: anchor.ownerId, video_id: anchor.videoId, url: anchor.url, product_id: productId, deactivated, attached },
  };
}
