/** The operator console's API: overview, shops and their health, shop actions and appeals, health thresholds, commission rules, the audit log. */
import type { Money } from '../api';
import { client, data, q, type Query } from '../api/client';
import type { BodyOf, ItemOf, QueryOf, ResponseOf } from '../api/types';

type PageParams = Query<{ limit?: number; cursor?: string }>;

export type Overview = ResponseOf<'/v1/admin/overview'>;
export type OverviewDay = Overview['series'][number];

export const SHOP_STATUSES = ['active', 'frozen', 'suspended'] as const;
export type ShopStatus = (typeof SHOP_STATUSES)[number];

export const ACTION_TYPES = ['warning', 'listing_limit', 'order_cap', 'payout_hold', 'suspension', 'freeze'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export const HEALTH_METRICS = ['late_dispatch_rate', 'cancellation_rate', 'fake_tracking_flags', 'refund_rate', 'not_as_described_cases', 'dispute_losses', 'average_rating'] as const;
export type HealthMetric = (typeof HEALTH_METRICS)[number];
/** Metrics that are fractions 0..1 (shown and typed as percentages). */
export const RATE_METRICS: readonly string[] = ['late_dispatch_rate', 'cancellation_rate', 'refund_rate'];

export type ShopHealth = ResponseOf<'/v1/shops/{id}/health'>;
export type ShopAction = ShopHealth['actions'][number];
export type ActionParams = ShopAction['params'];
export type Appeal = NonNullable<ShopAction['appeal']>;
export type HealthMetrics = ShopHealth['metrics'];
export type Breach = ShopHealth['breaches'][number];
export type AdminShop = ItemOf<'/v1/admin/shops'>;
export type HealthThresholds = ResponseOf<'/v1/admin/markets/{market}/health-thresholds'>;
export type HealthRule = BodyOf<'/v1/admin/markets/{market}/health-thresholds', 'put'>['rules'][number];
export type CommissionRule = ItemOf<'/v1/admin/commission-rules'>;
export type CommissionRuleInput = BodyOf<'/v1/admin/commission-rules'>;
export type AuditEntry = ItemOf<'/v1/admin/audit'>;

export interface AuditFilter {
  action?: string;
  actor?: string;
  target_type?: string;
  target_id?: string;
  from?: string;
  to?: string;
}

const id = (value: string) => ({ params: { path: { id: value } } });
const market = (code: string) => ({ params: { path: { market: code } } });

export const operator = {
  overview: (date?: string) => data(client.GET('/v1/admin/overview', { params: { query: { date } } })),

  shops: (params: Query<QueryOf<'/v1/admin/shops'>>) => data(client.GET('/v1/admin/shops', { params: { query: q(params) } })),
  health: (shopId: string) => data(client.GET('/v1/shops/{id}/health', id(shopId))),
  applyAction: (shopId: string, body: BodyOf<'/v1/admin/shops/{id}/actions'>) => data(client.POST('/v1/admin/shops/{id}/actions', { ...id(shopId), body })),
  reverseAction: (actionId: string, reason: string) => data(client.POST('/v1/admin/shop-actions/{id}/reverse', { ...id(actionId), body: { reason } })),
  actions: (params: Query<QueryOf<'/v1/admin/shop-actions'>>) => data(client.GET('/v1/admin/shop-actions', { params: { query: q(params) } })),
  decideAppeal: (actionId: string, body: BodyOf<'/v1/admin/shop-actions/{id}/appeal-decision'>) =>
    data(client.POST('/v1/admin/shop-actions/{id}/appeal-decision', { ...id(actionId), body })),
  thresholds: (code: string) => data(client.GET('/v1/admin/markets/{market}/health-thresholds', market(code))),
  saveThresholds: (code: string, body: BodyOf<'/v1/admin/markets/{market}/health-thresholds', 'put'>) =>
    data(client.PUT('/v1/admin/markets/{market}/health-thresholds', { ...market(code), body })),

  commissionRules: (params: PageParams) => data(client.GET('/v1/admin/commission-rules', { params: { query: q(params) } })),
  createCommissionRule: (body: CommissionRuleInput) => data(client.POST('/v1/admin/commission-rules', { body })),
  endCommissionRule: (ruleId: string, effectiveTo: string) => data(client.PATCH('/v1/admin/commission-rules/{id}', { ...id(ruleId), body: { effective_to: effectiveTo } })),

  audit: (params: Query<QueryOf<'/v1/admin/audit'>>) => data(client.GET('/v1/admin/audit', { params: { query: q(params) } })),
};

/** Amounts in several currencies, in currency order (stable for display). */
export function byCurrency(list: Money[]): Money[] {
  return [...list].sort((a, b) => a.currency.localeCompare(b.currency));
}

/** The operator's reason for an audited action, when the entry carries one. */
export function auditReason(e: AuditEntry): string | null {
  const d = e.data as Record<string, unknown> | null;
  if (!d || typeof d !== 'object') return null;
  for (const k of ['reason', 'note', 'reverse_reason', 'decision_reason']) {
    const v = d[k];
    if (typeof v === 'string' && v.trim()) return v;
  }
  return null;
}

/** `YYYY-MM-DD` of a Date in UTC (the platform day of the overview). */
export const utcDay = (d: Date) => d.toISOString().slice(0, 10);

/** A `YYYY-MM-DD` UTC day as a localized date ("Mar 3, 2026" / "2026年3月3日"). */
export function formatDay(day: string, locale: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? day : new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}
