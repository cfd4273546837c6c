/** Markets, invitation codes and seller applications (qualification review). */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { query, request, type Page } from '../api';
import type { Money } from '../i18n/format';
import { EMPTY_ADDRESS, toShippingAddress, type AddressForm } from './address';
import type { ShippingAddress } from './commerce';
import { postMultipart } from './upload';

export const SHOP_MODES = ['self_fulfilled', 'managed'] as const;
export type ShopMode = (typeof SHOP_MODES)[number];
export const DOCUMENT_KINDS = ['local_stock_proof', 'sales_statement', 'licence'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
export const APPLICATION_STATUSES = ['submitted', 'in_review', 'needs_info', 'approved', 'rejected'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];
export type ReviewAction = 'start_review' | 'approve' | 'reject' | 'needs_info';
/** What the document upload accepts (checked again by content on the server). */
export const DOCUMENT_TYPES = 'application/pdf,image/jpeg,image/png';
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

export interface PublicMarket {
  code: string;
  currency: string;
  timezone: string;
  tax_rate_bps: number;
  ship_within_hours: number;
  required_documents: DocumentKind[];
  sales_threshold: Money | null;
  slots_left: number | null;
  applications_open: boolean;
}

export interface AdminMarket {
  code: string;
  currency: string;
  timezone: string;
  tax_rate_bps: number;
  required_documents: DocumentKind[];
  sales_threshold: Money | null;
  slot_quota: number | null;
  slots_taken: number;
  /** Days a video or live click attributes the cart line it led to (1–90). */
  attribution_window_days: number;
  updated_at: string | null;
}

export type MarketEdit = Partial<Pick<AdminMarket, 'tax_rate_bps' | 'required_documents' | 'sales_threshold' | 'slot_quota' | 'attribution_window_days'>>;

export interface Invitation {
  id: string;
  /** The full code: only in the answer that created it. */
  code?: string;
  code_hint: string;
  market: string;
  category: string;
  max_uses: number;
  uses: number;
  expires_at: string;
  revoked_at: string | null;
  status: 'active' | 'expired' | 'revoked' | 'used_up';
  created_at: string;
}

export interface ApplicationDocument {
  id: string;
  kind: DocumentKind;
  content_type: string;
  bytes: number;
  url: string;
  created_at: string;
}

/** A warehouse's address: a shipping address without recipient and phone; the postal code may be missing. */
export type WarehouseAddress = Omit<ShippingAddress, 'name' | 'phone' | 'postal_code'> & { postal_code?: string };

/** The fields an applicant fills in (and may change when resubmitting). */
export interface ApplicationFields {
  mode: ShopMode;
  company_name: string;
  registration_number: string;
  tax_id: string;
  contact: { name: string; email: string; phone: string };
  yearly_sales: { amount: number; currency: string; marketplace: string };
  warehouses: { name: string; address: WarehouseAddress }[];
  document_ids: string[];
}

export interface Application extends Omit<ApplicationFields, 'document_ids'> {
  id: string;
  applicant_id: string;
  market: string;
  category: string;
  documents: ApplicationDocument[];
  status: ApplicationStatus;
  checks: { check: string; passed: boolean; reason: string | null }[];
  questions: string[] | null;
  shop_id: string | null;
  timeline: {
    from: ApplicationStatus | null;
    to: ApplicationStatus;
    at: string;
    actor_role: 'applicant' | 'operator' | 'system';
    note: string | null;
    questions: string[] | null;
  }[];
  created_at: string;
}

type PageParams = { limit?: number; cursor?: string | null };

export const sellers = {
  markets: async () => (await request<{ data: PublicMarket[] }>('GET', '/v1/markets')).data,
  adminMarkets: async () => (await request<{ data: AdminMarket[] }>('GET', '/v1/admin/markets')).data,
  editMarket: (code: string, body: MarketEdit) => request<AdminMarket>('PATCH', `/v1/admin/markets/${encodeURIComponent(code)}`, body),

  invitations: (params: PageParams) => request<Page<Invitation>>('GET', `/v1/invitations${query(params)}`),
  createInvitation: (body: { market: string; category: string; max_uses: number; expires_at: string }) => request<Invitation>('POST', '/v1/invitations', body),
  revokeInvitation: (id: string) => request<Invitation>('POST', `/v1/invitations/${encodeURIComponent(id)}/revoke`, {}),

  uploadDocument: (kind: DocumentKind, file: File, onProgress: (fraction: number) => void) => {
    const form = new FormData();
    form.append('kind', kind);
    form.append('file', file, file.name);
    return postMultipart<ApplicationDocument>('/v1/seller-applications/documents', form, onProgress);
  },
  apply: (body: ApplicationFields & { invitation_code: string; category: string }, idempotencyKey: string) =>
    request<Application>('POST', '/v1/seller-applications', body, { headers: { 'Idempotency-Key': idempotencyKey } }),
  mine: (params: PageParams) => request<Page<Application>>('GET', `/v1/seller-applications/mine${query(params)}`),
  queue: (params: PageParams & { status?: ApplicationStatus }) => request<Page<Application>>('GET', `/v1/seller-applications${query(params)}`),
  application: (id: string) => request<Application>('GET', `/v1/seller-applications/${encodeURIComponent(id)}`),
  review: (id: string, body: { action: ReviewAction; note?: string; questions?: string[] }) =>
    request<Application>('POST', `/v1/seller-applications/${encodeURIComponent(id)}/review`, body),
  resubmit: (id: string, body: Partial<ApplicationFields> & { note?: string }) =>
    request<Application>('POST', `/v1/seller-applications/${encodeURIComponent(id)}/resubmit`, body),
};

/** Stores an application the server answered with and refreshes the lists it is in. */
export function useApplicationMutation<V>(fn: (v: V) => Promise<Application>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (a) => {
      qc.setQueryData(['application', a.id], a);
      void qc.invalidateQueries({ queryKey: ['applications'] });
    },
  });
}

/** A warehouse typed into the address fields (its name in the name field) → the API's shape. */
export function toWarehouse(a: AddressForm): ApplicationFields['warehouses'][number] {
  const { name, phone: _phone, ...address } = toShippingAddress(a);
  return { name, address };
}

/** An application's warehouse back into the address fields. */
export function fromWarehouse(w: ApplicationFields['warehouses'][number]): AddressForm {
  return { ...EMPTY_ADDRESS, ...w.address, line2: w.address.line2 ?? '', region: w.address.region ?? '', postal_code: w.address.postal_code ?? '', name: w.name };
}

/** The applicant may change and resubmit after `needs_info` or after failing the automatic checks. */
export function canResubmit(a: Application): boolean {
  return a.status === 'needs_info' || (a.status === 'rejected' && a.timeline.at(-1)?.actor_role === 'system');
}
