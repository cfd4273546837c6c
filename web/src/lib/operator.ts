/** The operator console's API: overview, shops and their health, shop actions and appeals, health thresholds, commission rules, the audit log. */
import { query, request, type Money, type Page } from '../api';

type PageParams = { limit?: number; cursor?: string | null };

export interface OverviewDay {
  date: string;
  orders: number;
  paid_orders: number;
  gmv: Money[];
}

export interface Overview {
  date: string;
  timezone: string;
  gmv: Money[];
  orders: number;
  paid_orders: number;
  open_cases: number;
  escalated_cases: number;
  sla_breaches: number;
  flags: number;
  open_flags: number;
  new_applications: number;
  shops: { active: number; suspended: number; frozen: number };
  series: OverviewDay[];
}

export const SHOP_STATUSES = ['active', 'frozen', 'suspended'] as const;
export type ShopStatus = (typeof SHOP_STATUSES)[number];

export const ACTION_TYPES = ['warning', 'listing_limit', 'order_cap', 'payout_hold', 'suspension', 'freeze'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export const HEALTH_METRICS = ['late_dispatch_rate', 'cancellation_rate', 'fake_tracking_flags', 'refund_rate', 'not_as_described_cases', 'dispute_losses', 'average_rating'] as const;
export type HealthMetric = (typeof HEALTH_METRICS)[number];
/** Metrics that are fractions 0..1 (shown and typed as percentages). */
export const RATE_METRICS: readonly string[] = ['late_dispatch_rate', 'cancellation_rate', 'refund_rate'];

export interface ActionParams {
  max_new_listings_per_day?: number;
  max_orders_per_day?: number;
  reserve_bps?: number;
}

export interface Appeal {
  message: string;
  at: string;
  status: 'pending' | 'granted' | 'denied';
  decided_at: string | null;
  decided_by: string | null;
  decision_reason: string | null;
}

export interface ShopAction {
  id: string;
  shop_id: string;
  type: ActionType;
  status: 'active' | 'reversed';
  source: 'automatic' | 'operator';
  reason: string;
  params: ActionParams;
  created_at: string;
  created_by: string | null;
  reversed_at: string | null;
  reversed_by: string | null;
  reverse_reason: string | null;
  appeal: Appeal | null;
}

export interface HealthMetrics {
  orders: number;
  late_dispatch_rate: number;
  cancellation_rate: number;
  fake_tracking_flags: number;
  refund_rate: number;
  not_as_described_cases: number;
  dispute_losses: number;
  average_rating: number | null;
  rating_count: number;
}

export interface Breach {
  metric: string;
  value: number | null;
  threshold: number;
  action: ActionType;
}

export interface ShopHealth {
  shop_id: string;
  status: ShopStatus;
  computed_at: string;
  window_days: number;
  metrics: HealthMetrics;
  breaches: Breach[];
  actions: ShopAction[];
}

export interface AdminShop {
  id: string;
  name: string;
  market: string;
  mode: string;
  status: ShopStatus;
  health: { metrics: HealthMetrics; breaches: Breach[] };
  active_actions: ShopAction[];
}

export interface HealthRule {
  metric: HealthMetric;
  threshold: number;
  min_orders: number;
  min_ratings?: number;
  comparison?: 'gt' | 'gte' | 'lt' | 'lte';
  action: ActionType;
  params?: ActionParams;
}

export interface HealthThresholds {
  market?: string;
  window_days: number;
  freeze_after_days: number;
  rules: HealthRule[];
  updated_at?: string | null;
  updated_by?: string | null;
}

export interface CommissionRule {
  id: string;
  category: string | null;
  rate_bps: number;
  new_shop_days: number | null;
  subsidy_bps: number;
  effective_from: string;
  effective_to: string | null;
  created_by: string;
  created_at: string;
}

export interface CommissionRuleInput {
  category?: string | null;
  rate_bps: number;
  new_shop_days?: number | null;
  subsidy_bps?: number;
  effective_from?: string;
  effective_to?: string | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor_id: string | null;
  actor: { id: string; name: string; email: string } | null;
  action: string;
  target_type: string;
  target_id: string;
  data: unknown;
}

export interface AuditFilter {
  action?: string;
  actor?: string;
  target_type?: string;
  target_id?: string;
  from?: string;
  to?: string;
}

const id = encodeURIComponent;

export const operator = {
  overview: (date?: string) => request<Overview>('GET', `/v1/admin/overview${query({ date })}`),

  shops: (params: PageParams & { q?: string; status?: ShopStatus | '' }) => request<Page<AdminShop>>('GET', `/v1/admin/shops${query(params)}`),
  health: (shopId: string) => request<ShopHealth>('GET', `/v1/shops/${id(shopId)}/health`),
  applyAction: (shopId: string, body: { type: ActionType; reason: string; params?: ActionParams }) =>
    request<ShopAction>('POST', `/v1/admin/shops/${id(shopId)}/actions`, body),
  reverseAction: (actionId: string, reason: string) => request<ShopAction>('POST', `/v1/admin/shop-actions/${id(actionId)}/reverse`, { reason }),
  actions: (params: PageParams & { appeal?: 'pending' | 'all' }) => request<Page<ShopAction>>('GET', `/v1/admin/shop-actions${query(params)}`),
  decideAppeal: (actionId: string, body: { decision: 'grant' | 'deny'; reason: string }) =>
    request<ShopAction>('POST', `/v1/admin/shop-actions/${id(actionId)}/appeal-decision`, body),
  thresholds: (market: string) => request<HealthThresholds>('GET', `/v1/admin/markets/${id(market)}/health-thresholds`),
  saveThresholds: (market: string, body: { window_days: number; freeze_after_days: number; rules: HealthRule[] }) =>
    request<HealthThresholds>('PUT', `/v1/admin/markets/${id(market)}/health-thresholds`, body),

  commissionRules: (params: PageParams) => request<Page<CommissionRule>>('GET', `/v1/admin/commission-rules${query(params)}`),
  createCommissionRule: (body: CommissionRuleInput) => request<CommissionRule>('POST', '/v1/admin/commission-rules', body),
  endCommissionRule: (ruleId: string, effectiveTo: string) => request<CommissionRule>('PATCH', `/v1/admin/commission-rules/${id(ruleId)}`, { effective_to: effectiveTo }),

  audit: (params: PageParams & AuditFilter) => request<Page<AuditEntry>>('GET', `/v1/admin/audit${query({ ...params })}`),
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
