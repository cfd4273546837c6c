import { asc, eq } from 'drizzle-orm';
import type { Clock } from './clock.js';
import type { Db } from './db.js';
import { badRequest, notFound } from './errors.js';
import { markets } from './schema.js';

/**
 * Markets are data (decision 008): the `markets` table, seeded with the numbers of the source
 * articles and edited by operators. `market(code)` stays synchronous for its many callers: it
 * reads a process-wide cache that `loadMarkets` fills when the app starts, after every edit on
 * this node, and every MARKETS_REFRESH_MS (edits made on another node show up within that).
 */
export interface MarketConfig {
  code: string;
  currency: string;
  timezone: string;
  /** Sales tax / VAT applied at checkout, in basis points of the goods subtotal. */
  taxRateBps: number;
  /** Ship within this long after payment (self-fulfilled shops). */
  shipWithinMs: number;
  /** How long checkout holds stock for an unpaid payment. */
  reservationTtlMs: number;
  /** Carrier pickup within this long of the label (shipment marked shipped). */
  pickupWithinMs: number;
  /** Delivery within this long of pickup (platform logistics). */
  deliveryWithinMs: number;
  /** A shipment with no carrier scan this long after being marked shipped is flagged. */
  noScanFlagMs: number;
  /** An order still not shipped this long after its ship-by time is cancelled and refunded. */
  autoCancelGraceMs: number;
  /** A delivered order completes this long after delivery (the after-sales window). */
  afterSalesWindowMs: number;
  /** The seller answers an after-sales case within this long; silence accepts it. */
  caseAnswerWithinMs: number;
  /** The buyer ships an accepted return within this long, else the case closes. */
  returnShipWithinMs: number;
  /** The seller confirms receipt of a return within this long of it being shipped, else it is confirmed. */
  returnReceiptWithinMs: number;
  /** After a seller rejects a case the buyer may escalate within this long, else the case closes. */
  caseEscalateWithinMs: number;
  /** Documents a seller application must carry. */
  requiredDocuments: string[];
  /** Yearly sales in one category (minor units of `currency`) an applicant must prove; null = none. */
  salesThreshold: number | null;
  /** Most shops the market takes; null = unlimited. */
  slotQuota: number | null;
  /** Days a video or live click keeps attributing the cart line it led to (affiliate pay at checkout), 1–90. */
  attributionWindowDays: number;
  /** `semi_closed` (external anchors allowed, click-outs recorded) or `closed`; set by the links module. */
  linkPolicyMode: string;
  /** When the market switches (switched) to `closed`; null = no cut-over scheduled. */
  cutoverAt: Date | null;
  updatedAt: Date | null;
  updatedBy: string | null;
}

/** How often every node reloads the markets table (operator edits reach other nodes within this). */
export const MARKETS_REFRESH_MS = 60_000;

/** The live cache, keyed by market code: read-only for callers, refilled in place by `loadMarkets`. */
export const MARKETS: Readonly<Record<string, MarketConfig>> = {};

export function market(code: string): MarketConfig {
  const m = MARKETS[code];
  if (!m) throw new Error(`unknown market ${code}`);
  return m;
}

export function listMarkets(): MarketConfig[] {
  return Object.values(MARKETS).sort((a, b) => a.code.localeCompare(b.code));
}

/** Reads the markets table into the cache; returns the markets. */
export async function loadMarkets(db: Db): Promise<MarketConfig[]> {
  const found = await db.select().from(markets).orderBy(asc(markets.code));
  const cache = MARKETS as Record<string, MarketConfig>;
  for (const code of Object.keys(cache)) delete cache[code];
  for (const m of found) cache[m.code] = m;
  return found;
}

/** Reloads the cache every `intervalMs` until the returned function is called; a failed reload keeps the old cache. */
export function startMarketRefresh(db: Db, onError: (err: unknown) => void, intervalMs = MARKETS_REFRESH_MS): () => void {
  const timer = setInterval(() => loadMarkets(db).catch(onError), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Fields operators may edit (the link policy has its own route). */
export type MarketPatch = Partial<
  Pick<
    MarketConfig,
    | 'taxRateBps'
    | 'shipWithinMs'
    | 'reservationTtlMs'
    | 'pickupWithinMs'
    | 'deliveryWithinMs'
    | 'noScanFlagMs'
    | 'autoCancelGraceMs'
    | 'afterSalesWindowMs'
    | 'caseAnswerWithinMs'
    | 'returnShipWithinMs'
    | 'returnReceiptWithinMs'
    | 'caseEscalateWithinMs'
    | 'requiredDocuments'
    | 'salesThreshold'
    | 'slotQuota'
    | 'attributionWindowDays'
  >
>;

/** Changes a market (the caller validates field ranges) and reloads this node's cache. */
export async function updateMarket(
  db: Db,
  clock: Clock,
  operatorId: string,
  code: string,
  patch: MarketPatch | Partial<Pick<MarketConfig, 'linkPolicyMode' | 'cutoverAt'>>,
): Promise<MarketConfig> {
  if (Object.keys(patch).length === 0) throw badRequest('validation_failed', 'Send at least one field to change', [{ field: '/', rule: 'minProperties' }]);
  const [row] = await db
    .update(markets)
    .set({ ...patch, updatedAt: clock.now(), updatedBy: operatorId })
    .where(eq(markets.code, code))
    .returning();
  if (!row) throw notFound('Market', code);
  await loadMarkets(db);
  return row;
}

/** Locks a market's row until the transaction ends, so decisions that count its slots run one at a time. */
export async function lockMarket(tx: Db, code: string): Promise<void> {
  const [row] = await tx.select({ code: markets.code }).from(markets).where(eq(markets.code, code)).for('update');
  if (!row) throw notFound('Market', code);
}
