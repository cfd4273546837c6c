/** Markets, invitation codes and seller applications (qualification review). */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { client, data, idempotent, q, type Query } from '../api/client';
import type { BodyOf, ItemOf, QueryOf, ResponseOf } from '../api/types';
import { EMPTY_ADDRESS, toShippingAddress, type AddressForm } from './address';
import { postMultipart } from './upload';
import { keys } from '../api/keys';

export const SHOP_MODES = ['self_fulfilled', 'managed'] as const;
export type ShopMode = (typeof SHOP_MODES)[number];
export const DOCUMENT_KINDS = ['local_stock_proof', 'sales_statement', 'licence'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
export const isDocumentKind = (k: string): k is DocumentKind => (DOCUMENT_KINDS as readonly string[]).includes(k);
export const APPLICATION_STATUSES = ['submitted', 'in_review', 'needs_info', 'approved', 'rejected'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];
export type ReviewAction = 'start_review' | 'approve' | 'reject' | 'needs_info';
/** What the document upload accepts (checked again by content on the server). */
export const DOCUMENT_TYPES = 'application/pdf,image/jpeg,image/png';
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

export type PublicMarket = ItemOf<'/v1/markets'>;
export type AdminMarket = ItemOf<'/v1/admin/markets'>;
export type MarketEdit = BodyOf<'/v1/admin/markets/{code}', 'patch'>;
export type Invitation = ResponseOf<'/v1/invitations', 'post'>;
export type Application = ResponseOf<'/v1/seller-applications/{id}'>;
export type ApplicationDocument = Application['documents'][number];
type ApplyBody = BodyOf<'/v1/seller-applications'>;
/** The fields an applicant fills in (and may change when resubmitting). */
export type ApplicationFields = Omit<ApplyBody, 'invitation_code' | 'category'>;
/** A warehouse's address: a shipping address without recipient and phone; the postal code may be missing. */
export type WarehouseAddress = ApplicationFields['warehouses'][number]['address'];

type PageParams = Query<{ limit?: number; cursor?: string }>;
const id = (value: string) => ({ params: { path: { id: value } } });

export const sellers = {
  markets: async () => (await data(client.GET('/v1/markets'))).data,
  adminMarkets: async () => (await data(client.GET('/v1/admin/markets'))).data,
  editMarket: (code: string, body: MarketEdit) => data(client.PATCH('/v1/admin/markets/{code}', { params: { path: { code } }, body })),

  invitations: (params: PageParams) => data(client.GET('/v1/invitations', { params: { query: q(params) } })),
  createInvitation: (body: BodyOf<'/v1/invitations'>) => data(client.POST('/v1/invitations', { body })),
  revokeInvitation: (invitationId: string) => data(client.POST('/v1/invitations/{id}/revoke', id(invitationId))),

  uploadDocument: (kind: DocumentKind, file: File, onProgress: (fraction: number) => void) => {
    const form = new FormData();
    form.append('kind', kind);
    form.append('file', file, file.name);
    return postMultipart('/v1/seller-applications/documents', form, onProgress);
  },
  apply: (body: ApplyBody, idempotencyKey: string) => data(client.POST('/v1/seller-applications', { body, ...idempotent(idempotencyKey) })),
  mine: (params: PageParams) => data(client.GET('/v1/seller-applications/mine', { params: { query: q(params) } })),
  queue: (params: Query<QueryOf<'/v1/seller-applications'>>) => data(client.GET('/v1/seller-applications', { params: { query: q(params) } })),
  application: (applicationId: string) => data(client.GET('/v1/seller-applications/{id}', id(applicationId))),
  review: (applicationId: string, body: BodyOf<'/v1/seller-applications/{id}/review'>) =>
    data(client.POST('/v1/seller-applications/{id}/review', { ...id(applicationId), body })),
  resubmit: (applicationId: string, body: BodyOf<'/v1/seller-applications/{id}/resubmit'>) =>
    data(client.POST('/v1/seller-applications/{id}/resubmit', { ...id(applicationId), body })),
};

/** Stores an application the server answered with and refreshes the lists it is in. */
export function useApplicationMutation<V>(fn: (v: V) => Promise<Application>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (a) => {
      qc.setQueryData(keys.application(a.id), a);
      void qc.invalidateQueries({ queryKey: keys.applications() });
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
