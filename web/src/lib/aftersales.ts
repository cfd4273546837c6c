/** After-sales cases: refunds, returns, replacements, escalations and operator decisions. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { query, request, type Page } from '../api';
import type { Money } from '../i18n/format';
import { newIdempotencyKey, type OrderEvent } from './commerce';
import { postMultipart } from './upload';

export const CASE_TYPES = ['refund_only', 'return_and_refund', 'replacement'] as const;
export type CaseType = (typeof CASE_TYPES)[number];
export const REASON_CODES = ['not_received', 'damaged', 'not_as_described', 'wrong_item', 'changed_mind', 'other'] as const;
export type CaseStatus =
  | 'requested'
  | 'seller_accepted'
  | 'seller_rejected'
  | 'escalated'
  | 'return_shipped'
  | 'return_received'
  | 'refunded'
  | 'resolved_buyer'
  | 'resolved_seller'
  | 'closed';
export const DECISION_OUTCOMES = ['full_refund', 'partial_refund', 'reject'] as const;
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];

export interface AfterSalesCase {
  id: string;
  order_id: string;
  shop_id: string;
  type: CaseType;
  status: CaseStatus;
  reason: string;
  reason_code: string | null;
  order_item_id: string | null;
  quantity: number | null;
  /** What the buyer claims. */
  amount: Money;
  refunded: Money;
  evidence: { id: string; url: string }[];
  return: { carrier: string; tracking_number: string; shipped_at: string } | null;
  seller_due_at: string | null;
  return_due_at: string | null;
  receipt_due_at: string | null;
  escalation_due_at: string | null;
  decision: { outcome: DecisionOutcome; amount: Money; note: string; at: string } | null;
  timeline: { type: string; at: string; by_role: 'buyer' | 'seller' | 'operator' | 'system'; note: string | null }[];
  created_at: string;
}

export interface OpenCaseInput {
  type: CaseType;
  reason: string;
  reason_code?: string;
  order_item_id?: string;
  amount?: number;
  evidence_ids?: string[];
}

export type CaseAction = 'accept' | 'reject' | 'escalate' | 'decide' | 'return' | 'confirm-receipt' | 'withdraw';

const TERMINAL: readonly CaseStatus[] = ['refunded', 'resolved_buyer', 'resolved_seller', 'closed'];
export const isOpen = (c: AfterSalesCase) => !TERMINAL.includes(c.status);

/** The deadline the case is waiting on, if any: the seller's answer, the return, its receipt, an escalation. */
export function caseDueAt(c: AfterSalesCase): string | null {
  const due: Partial<Record<CaseStatus, string | null>> = {
    requested: c.seller_due_at,
    seller_rejected: c.escalation_due_at,
    seller_accepted: c.return_due_at,
    return_shipped: c.receipt_due_at,
  };
  return due[c.status] ?? null;
}

/** The newest case opened on an order, from the order's timeline (`after_sales_opened`). */
export function latestCaseId(timeline: OrderEvent[]): string | null {
  const opened = timeline.filter((e) => e.type === 'after_sales_opened' && typeof e.data?.case_id === 'string');
  return opened.length ? String(opened.reduce((a, b) => (b.at >= a.at ? b : a)).data!.case_id) : null;
}

export const aftersales = {
  open: (orderId: string, body: OpenCaseInput, idempotencyKey: string) =>
    request<AfterSalesCase>('POST', `/v1/orders/${encodeURIComponent(orderId)}/after-sales`, body, { headers: { 'Idempotency-Key': idempotencyKey } }),
  list: (params: { role: 'buyer' | 'seller' | 'operator'; status?: CaseStatus; shop_id?: string; limit?: number; cursor?: string | null }) =>
    request<Page<AfterSalesCase>>('GET', `/v1/after-sales${query(params)}`),
  get: (id: string) => request<AfterSalesCase>('GET', `/v1/after-sales/${encodeURIComponent(id)}`),
  act: (id: string, action: CaseAction, body: Record<string, unknown> = {}) =>
    request<AfterSalesCase>('POST', `/v1/after-sales/${encodeURIComponent(id)}/${action}`, body, { headers: { 'Idempotency-Key': newIdempotencyKey() } }),
  /** Uploads one evidence photo (multipart); attach its id when opening the case. */
  uploadEvidence: (file: File): Promise<{ id: string; url: string }> => {
    const form = new FormData();
    form.append('file', file, file.name);
    return postMultipart<{ id: string; url: string }>('/v1/after-sales/evidence', form).promise;
  },
};

/** An action on a case; refreshes the case, the lists and its order. */
export function useCaseAction(c: AfterSalesCase) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ action, body }: { action: CaseAction; body?: Record<string, unknown> }) => aftersales.act(c.id, action, body),
    onSuccess: (updated) => {
      qc.setQueryData(['case', c.id], updated);
      void qc.invalidateQueries({ queryKey: ['cases'] });
      void qc.invalidateQueries({ queryKey: ['order', c.order_id] });
    },
  });
}
