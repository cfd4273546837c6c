import { and, count, eq, gte, inArray, lt, sum } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { badRequest, unprocessable } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { market, MARKETS } from '../../platform/markets.js';
import { listShopsForUser } from '../sellers/index.js';
import { findLinks, isAllowedHost, type LinkSpan } from './detect.js';
import { linkClicks } from './schema.js';

/**
 * The link policy every user-written text goes through (decision 010). A market is
 * `semi_closed` (external anchors allowed, each click-out recorded with its cost) or `closed`
 * (no external link in any text, no external anchor).
 */
export const LINK_POLICY_MODES = ['semi_closed', 'closed'] as const;
export type LinkPolicyMode = (typeof LINK_POLICY_MODES)[number];

export interface LinkSettings {
  /** Domains (and subdomains) that are the platform's own, never external. */
  platformDomains: string[];
  /** The market of a user who is no member of any shop (creators, buyers). */
  defaultMarket: string;
  /** What one click-out costs its anchor's owner, in minor units of the market currency. */
  clickCostMinor: number;
}

export function linkSettings(env: NodeJS.ProcessEnv = process.env): LinkSettings {
  const cost = Number(env.LOOPSHOP_CLICK_COST_MINOR || 10);
  if (!Number.isInteger(cost) || cost < 0) throw new Error(`LOOPSHOP_CLICK_COST_MINOR must be a non-negative integer, got "${env.LOOPSHOP_CLICK_COST_MINOR}"`);
  return {
    platformDomains: (env.LOOPSHOP_PLATFORM_DOMAINS || 'loopshop.dev,localhost').split(',').map((d) => d.trim()).filter(Boolean),
    defaultMarket: env.LOOPSHOP_DEFAULT_MARKET || 'US',
    clickCostMinor: cost,
  };
}

/** Read once from the environment (LOOPSHOP_PLATFORM_DOMAINS, LOOPSHOP_DEFAULT_MARKET, LOOPSHOP_CLICK_COST_MINOR). */
export const LINK_SETTINGS: Readonly<LinkSettings> = linkSettings();

/** External links in a text (platform links left out). */
export const externalLinks = (text: string): LinkSpan[] => findLinks(text, { allowedDomains: LINK_SETTINGS.platformDomains });

/** A market not (yet) in this process's cache (scripts before `loadMarkets`) is not closed. */
export const policyMode = (marketCode: string): LinkPolicyMode => (MARKETS[marketCode]?.linkPolicyMode === 'closed' ? 'closed' : 'semi_closed');

export type LinkViolation = LinkSpan & { field: string };

function forbidden(spans: LinkViolation[]) {
  return unprocessable('external_link_forbidden', 'External links are not allowed in this market', { spans });
}

/**
 * In a `closed` market, refuses texts that carry an external link: 422 `external_link_forbidden`
 * with `details.spans` ({ field, start, end, text, url, reason }, offsets into the text as sent).
 * Call it before writing, so a refused write changes nothing.
 */
export function assertLinkFree(marketCode: string, fields: Record<string, string | null | undefined>): void {
  if (policyMode(marketCode) !== 'closed') return;
  const spans = Object.entries(fields).flatMap(([field, text]) => (text ? externalLinks(text).map((s) => ({ field, ...s })) : []));
  if (spans.length > 0) throw forbidden(spans);
}

/** A user's market: that of their first shop, else the default market (creators, buyers, new accounts). */
export async function userMarket(db: Db, userId: string | null): Promise<string> {
  const shops = userId ? await listShopsForUser(db, userId) : [];
  return shops[0]?.market ?? LINK_SETTINGS.defaultMarket;
}

/** `assertLinkFree` in the market of the user who writes (null: someone signing up). */
export async function assertUserTextLinkFree(db: Db, userId: string | null, fields: Record<string, string | null | undefined>): Promise<void> {
  assertLinkFree(await userMarket(db, userId), fields);
}

/** IPv4 ranges that are no other site: this host, private networks, link-local, CGNAT, unspecified, multicast and reserved. */
const NON_PUBLIC_IPV4 = [/^0\./, /^10\./, /^127\./, /^169\.254\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./, /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./, /^(22[4-9]|2[3-5]\d)\./];

/**
 * Why `parsed` may not be an external anchor's target, or null when it may: not http(s); carries
 * userinfo (`https://user:pass@host/`, `https://user@host/`: the part before `@` reads like the
 * host); a host without a dot (`localhost`, IPv6 literals); a non-public IPv4 address; or one of
 * the platform's own hosts: LOOPSHOP_PLATFORM_DOMAINS (and subdomains) and `ownHosts` (the host
 * the request came on). WHATWG URL parsing has already normalised case, IDN (punycode) and IPv4
 * forms (`0x7f.1`, `2130706433` → `127.0.0.1`); a trailing dot is ignored in the comparison.
 */
export function externalUrlProblem(parsed: URL, ownHosts: readonly string[] = []): string | null {
  if (!['http:', 'https:'].includes(parsed.protocol)) return 'must be an http(s) link';
  if (parsed.username !== '' || parsed.password !== '') return 'must not carry a user name or password';
  const host = parsed.hostname.replace(/\.$/, '');
  if (!host.includes('.')) return 'must name a public host';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host) && NON_PUBLIC_IPV4.some((r) => r.test(host))) return 'must name a public host';
  const own = [...LINK_SETTINGS.platformDomains, ...ownHosts.map((h) => h.replace(/:\d+$/, '').replace(/^\[|\]$/g, ''))].filter(Boolean);
  if (isAllowedHost(host, own)) return 'must link to another site than this platform';
  return null;
}

/** The stored URL of an external anchor, when it may still be followed out (`/out/<anchor>` re-checks anchors stored before the rules). */
export function safeExternalRedirect(url: string, ownHosts: readonly string[] = []): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  return externalUrlProblem(parsed, ownHosts) === null ? parsed.href : null;
}

/**
 * Checks an external anchor before it is stored: only in a `semi_closed` market (else 422
 * `external_link_forbidden`), an http(s) URL without userinfo to a public host that is not the
 * platform's (400 `invalid_external_url`; see externalUrlProblem). Returns the URL as stored.
 */
export function checkExternalAnchor(marketCode: string, field: string, url: string, ownHosts: readonly string[] = []): string {
  const trimmed = url.trim();
  if (policyMode(marketCode) === 'closed') {
    throw forbidden([{ field, start: 0, end: url.length, text: url, url: trimmed, reason: 'url' }]);
  }
  let parsed: URL;
  try {
    parsed = new URL(/^[a-z][a-z0-9+.-]*:/i.test(trimmed) ? trimmed : `https://${trimmed}`);
  } catch {
    throw badRequest('invalid_external_url', `${field} is not a URL`, { field });
  }
  const problem = externalUrlProblem(parsed, ownHosts);
  if (problem) throw badRequest('invalid_external_url', `${field} ${problem}: an http(s) link to another site`, { field, reason: problem });
  return parsed.href;
}

/** Records one click-out on an active external anchor with its cost in the market currency; returns the cost. */
export async function recordClick(
  db: Db,
  clock: Clock,
  click: { anchorId: string; ownerId: string; market: string; viewerId: string | null; deviceId: string | null },
): Promise<{ amount: number; currency: string }> {
  const cost = { amount: LINK_SETTINGS.clickCostMinor, currency: market(click.market).currency };
  await db.insert(linkClicks).values({ id: newId('clk'), ...click, costAmount: cost.amount, currency: cost.currency, at: clock.now() });
  return cost;
}

/**
 * Click-outs on the external anchors of `ownerIds` recorded in [from, to), and what they cost
 * (minor units of the market currency; per currency, as recorded).
 */
export async function clickOutTotals(
  db: Db,
  q: { ownerIds: string[]; market: string; from: Date; to: Date },
): Promise<{ count: number; cost: number }> {
  if (q.ownerIds.length === 0 || q.from >= q.to) return { count: 0, cost: 0 };
  const [row] = await db
    .select({ n: count(), cost: sum(linkClicks.costAmount) })
    .from(linkClicks)
    .where(and(inArray(linkClicks.ownerId, q.ownerIds), eq(linkClicks.market, q.market), gte(linkClicks.at, q.from), lt(linkClicks.at, q.to)));
  return { count: row?.n ?? 0, cost: Number(row?.cost ?? 0) };
}
