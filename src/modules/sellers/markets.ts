import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { badRequest, notFound } from '../../platform/errors.js';
import { listMarkets, MARKETS, updateMarket, type MarketConfig, type MarketPatch } from '../../platform/markets.js';
import type { Money } from '../../platform/money.js';
import { shopCountsByMarket } from './service.js';

/** Market durations as the API names them (milliseconds). */
export const MARKET_DURATIONS = [
  'ship_within_ms',
  'reservation_ttl_ms',
  'pickup_within_ms',
  'delivery_within_ms',
  'no_scan_flag_ms',
  'auto_cancel_grace_ms',
  'after_sales_window_ms',
  'case_answer_within_ms',
  'return_ship_within_ms',
  'return_receipt_within_ms',
  'case_escalate_within_ms',
] as const;
type Duration = (typeof MARKET_DURATIONS)[number];
type DurationKey = keyof MarketPatch & `${string}Ms`;
const camel = (k: Duration) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) as DurationKey;

export type MarketView = { [K in Duration]: number } & {
  code: string;
  currency: string;
  timezone: string;
  tax_rate_bps: number;
  required_documents: string[];
  sales_threshold: Money | null;
  slot_quota: number | null;
  slots_taken: number;
  attribution_window_days: number;
  link_policy_mode: string;
  cutover_at: string | null;
  updated_at: string | null;
  updated_by: string | null;
};

function marketView(m: MarketConfig, taken: number): MarketView {
  return {
    code: m.code,
    currency: m.currency,
    timezone: m.timezone,
    tax_rate_bps: m.taxRateBps,
    ...(Object.fromEntries(MARKET_DURATIONS.map((k) => [k, m[camel(k)]])) as { [K in Duration]: number }),
    required_documents: m.requiredDocuments,
    sales_threshold: m.salesThreshold === null ? null : { amount: m.salesThreshold, currency: m.currency },
    slot_quota: m.slotQuota,
    slots_taken: taken,
    attribution_window_days: m.attributionWindowDays,
    link_policy_mode: m.linkPolicyMode,
    cutover_at: m.cutoverAt?.toISOString() ?? null,
    updated_at: m.updatedAt?.toISOString() ?? null,
    updated_by: m.updatedBy,
  };
}

/** Every market with every setting and its taken slots (operators). */
export async function adminMarkets(db: Db): Promise<MarketView[]> {
  const taken = await shopCountsByMarket(db);
  return listMarkets().map((m) => marketView(m, taken.get(m.code) ?? 0));
}

export interface PublicMarket {
  code: string;
  currency: string;
  timezone: string;
  tax_rate_bps: number;
  ship_within_hours: number;
  required_documents: string[];
  sales_threshold: Money | null;
  slots_left: number | null;
  applications_open: boolean;
}

/** What applicants and buyers may know about the markets. */
export async function publicMarkets(db: Db): Promise<PublicMarket[]> {
  const taken = await shopCountsByMarket(db);
  return listMarkets().map((m) => {
    const left = m.slotQuota === null ? null : Math.max(0, m.slotQuota - (taken.get(m.code) ?? 0));
    return {
      code: m.code,
      currency: m.currency,
      timezone: m.timezone,
      tax_rate_bps: m.taxRateBps,
      ship_within_hours: m.shipWithinMs / 3_600_000,
      required_documents: m.requiredDocuments,
      sales_threshold: m.salesThreshold === null ? null : { amount: m.salesThreshold, currency: m.currency },
      slots_left: left,
      applications_open: left !== 0,
    };
  });
}

export type MarketEdit = Partial<{ [K in Duration]: number }> & {
  tax_rate_bps?: number;
  required_documents?: string[];
  sales_threshold?: Money | null;
  slot_quota?: number | null;
  attribution_window_days?: number;
};

/** An operator's edit (ranges checked by the route schema); every node's cache follows within MARKETS_REFRESH_MS. */
export async function editMarket(db: Db, clock: Clock, operatorId: string, code: string, edit: MarketEdit): Promise<MarketView> {
  const current = MARKETS[code];
  if (!current) throw notFound('Market', code);
  const patch: MarketPatch = {};
  for (const k of MARKET_DURATIONS) if (edit[k] !== undefined) patch[camel(k)] = edit[k];
  if (edit.tax_rate_bps !== undefined) patch.taxRateBps = edit.tax_rate_bps;
  if (edit.required_documents !== undefined) patch.requiredDocuments = [...new Set(edit.required_documents)];
  if (edit.slot_quota !== undefined) patch.slotQuota = edit.slot_quota;
  if (edit.attribution_window_days !== undefined) patch.attributionWindowDays = edit.attribution_window_days;
  if (edit.sales_threshold !== undefined) {
    if (edit.sales_threshold && edit.sales_threshold.currency !== current.currency) {
      throw badRequest('invalid_currency', `The ${current.code} threshold is in ${current.currency}`, { currency: current.currency });
    }
    patch.salesThreshold = edit.sales_threshold?.amount ?? null;
  }
  const updated = await updateMarket(db, clock, operatorId, current.code, patch);
  return marketView(updated, (await shopCountsByMarket(db)).get(updated.code) ?? 0);
}
