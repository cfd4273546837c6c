/**
 * Per-market defaults (SPEC.md: the numbers of the source articles). A later issue moves markets
 * into the database as operator-editable data; until then this is the single source.
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
}

const HOUR = 3_600_000;
const SLA = { pickupWithinMs: 24 * HOUR, deliveryWithinMs: 72 * HOUR, noScanFlagMs: 48 * HOUR, autoCancelGraceMs: 24 * HOUR, afterSalesWindowMs: 7 * 24 * HOUR };
const AFTER_SALES = { caseAnswerWithinMs: 48 * HOUR, returnShipWithinMs: 5 * 24 * HOUR, returnReceiptWithinMs: 8 * 24 * HOUR, caseEscalateWithinMs: 3 * 24 * HOUR };

export const MARKETS: Record<string, MarketConfig> = {
  US: { code: 'US', currency: 'USD', timezone: 'America/New_York', taxRateBps: 0, shipWithinMs: 72 * HOUR, reservationTtlMs: 15 * 60_000, ...SLA, ...AFTER_SALES },
  GB: { code: 'GB', currency: 'GBP', timezone: 'Europe/London', taxRateBps: 2000, shipWithinMs: 72 * HOUR, reservationTtlMs: 15 * 60_000, ...SLA, ...AFTER_SALES },
  CN: { code: 'CN', currency: 'CNY', timezone: 'Asia/Shanghai', taxRateBps: 0, shipWithinMs: 48 * HOUR, reservationTtlMs: 15 * 60_000, ...SLA, ...AFTER_SALES },
};

export function market(code: string): MarketConfig {
  const m = MARKETS[code];
  if (!m) throw new Error(`unknown market ${code}`);
  return m;
}
