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
}

const HOUR = 3_600_000;

export const MARKETS: Record<string, MarketConfig> = {
  US: { code: 'US', currency: 'USD', timezone: 'America/New_York', taxRateBps: 0, shipWithinMs: 72 * HOUR, reservationTtlMs: 15 * 60_000 },
  GB: { code: 'GB', currency: 'GBP', timezone: 'Europe/London', taxRateBps: 2000, shipWithinMs: 72 * HOUR, reservationTtlMs: 15 * 60_000 },
  CN: { code: 'CN', currency: 'CNY', timezone: 'Asia/Shanghai', taxRateBps: 0, shipWithinMs: 48 * HOUR, reservationTtlMs: 15 * 60_000 },
};

export function market(code: string): MarketConfig {
  const m = MARKETS[code];
  if (!m) throw new Error(`unknown market ${code}`);
  return m;
}
