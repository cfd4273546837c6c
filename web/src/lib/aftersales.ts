/** After-sales cases: refunds, returns, replacements, escalations and operator decisions. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { client, data, idempotent, q, type Query } from '../api/client';
import type { BodyOf, QueryOf, ResponseOf } from '../api/types';
import { newIdempotencyKey, type OrderEvent } from './commerce';
import { postMultipart } from './upload';
import { keys } from '../api/keys';

export const CASE_TYPES = ['refund_only', 'return_and_refund', 'replacement'] as const;
export type CaseType = (typeof CASE_TYPES)[number];
export const REASON_CODES = ['not_received', 'damaged', 'not_as_described', 'wrong_item', 'changed_mind', 'other'] as const;
export type ReasonCode = (typeof REASON_CODES)[number];
export type AfterSalesCase = ResponseOf<'/v1/after-sales/{id}'>;
export type CaseStatus = AfterSalesCase['status'];
export const DECISION_OUTCOMES = ['full_refund', 'partial_refund', 'reject'] as const;
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];

export type OpenCaseInput = BodyOf<'/v1/orders/{id}/after-sales'>;

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

type ActionPath = `/v1/after-sales/{id}/${CaseAction}`;
/** The body an action takes (`decide`: outcome, amount and note; `return`: carrier and tracking; …). */
export type CaseActionBody = BodyOf<ActionPath>;

export const aftersales = {
  open: (orderId: string, body: OpenCaseInput, idempotencyKey: string) =>
    data(client.POST('/v1/orders/{id}/after-sales', { params: { path: { id: orderId } }, body, ...idempotent(idempotencyKey) })),
  list: (params: Query<QueryOf<'/v1/after-sales'>>) => data(client.GET('/v1/after-sales', { params: { query: q(params) } })),
  get: (id: string) => data(client.GET('/v1/after-sales/{id}', { params: { path: { id } } })),
  act: (id: string, action: CaseAction, body: CaseActionBody = {}) =>
    data(client.POST(`/v1/after-sales/{id}/${action}`, { params: { path: { id } }, body, ...idempotent(newIdempotencyKey()) })),
  /** Uploads one evidence photo (multipart); attach its id when opening the case. */
  uploadEvidence: (file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return postMultipart('/v1/after-sales/evidence', form).promise;
  },
};

/** An action on a case; refreshes the case, the lists and its order. */
export function useCaseAction(c: AfterSalesCase) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ action, body }: { action: CaseAction; body?: CaseActionBody }) => aftersales.act(c.id, action, body),
    onSuccess: (updated) => {
      qc.setQueryData(keys.case(c.id), updated);
      void qc.invalidateQueries({ queryKey: keys.cases() });
      void qc.invalidateQueries({ queryKey: keys.order(c.order_id) });
    },
  });
}
