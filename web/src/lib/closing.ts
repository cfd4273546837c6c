/**
 * Closing the loop (issue 6): the market link policy and its cut-over, notifications, Shopify
 * imports and replacing external anchors with in-platform products.
 */
import { useQuery } from '@tanstack/react-query';
import { client, data, q, type Query } from '../api/client';
import type { BodyOf, ItemOf, ResponseOf } from '../api/types';
import type { Locale } from '../api';
import { postMultipart, type Upload } from './upload';
import { keys } from '../api/keys';

export type LinkPolicy = ResponseOf<'/v1/admin/markets/{market}/link-policy'>;
export type LinkPolicyMode = LinkPolicy['mode'];
export type CutoverCounts = NonNullable<LinkPolicy['last_cutover']>;
export type CutoverReport = ResponseOf<'/v1/admin/markets/{market}/cutover-report'>;
export type CutoverOwner = CutoverReport['owners']['data'][number];
export type Notification = ItemOf<'/v1/notifications'>;

/** What a `links.cutover` notification carries. */
export interface CutoverNotice {
  market: string;
  anchors: Array<{ id: string; kind: string; video_id: string | null; url: string; title: string | null }>;
  flagged_videos: string[];
}

export function cutoverNotice(n: Notification): CutoverNotice | null {
  if (n.type !== 'links.cutover' || !n.data || typeof n.data !== 'object') return null;
  const d = n.data as Partial<CutoverNotice>;
  return { market: d.market ?? '', anchors: Array.isArray(d.anchors) ? d.anchors : [], flagged_videos: Array.isArray(d.flagged_videos) ? d.flagged_videos : [] };
}

export type ImportSummary = ItemOf<'/v1/shops/{id}/imports'>;
export type ImportView = ResponseOf<'/v1/imports/{id}'>;
export type ImportStatus = ImportSummary['status'];
export type ReportLine = ImportView['report'][number];

export const importFinished = (i: Pick<ImportSummary, 'status'>) => i.status === 'done' || i.status === 'failed';

export type AnchorProposal = ItemOf<'/v1/shops/{id}/anchor-replacements'>;
export type ProductBrief = NonNullable<AnchorProposal['product']>;
export type ReplacementChoice = BodyOf<'/v1/shops/{id}/anchor-replacements'>['choices'][number];

/** One refused choice (a 422's details). */
export interface ChoiceProblem {
  index: number;
  anchor_id: string;
  reason: string;
}

type PageParams = Query<{ limit?: number; cursor?: string }>;
const market = (code: string) => ({ params: { path: { market: code } } });
const id = (value: string) => ({ params: { path: { id: value } } });
const page = (value: string, query: PageParams) => ({ params: { path: { id: value }, query: q(query) } });

export const closing = {
  linkPolicy: (code: string) => data(client.GET('/v1/admin/markets/{market}/link-policy', market(code))),
  setLinkPolicy: (code: string, body: { mode: LinkPolicyMode; cutover_at?: string }) =>
    data(client.PUT('/v1/admin/markets/{market}/link-policy', { ...market(code), body })),
  cutoverReport: (code: string, params: PageParams = {}) =>
    data(client.GET('/v1/admin/markets/{market}/cutover-report', { params: { path: { market: code }, query: q(params) } })),

  notifications: (params: PageParams & { unread?: boolean; locale?: Locale } = {}) =>
    data(client.GET('/v1/notifications', { params: { query: q({ limit: params.limit, cursor: params.cursor, unread: params.unread || undefined, locale: params.locale }) } })),
  markRead: (notificationId: string) => data(client.POST('/v1/notifications/{id}/read', id(notificationId))),

  imports: (shopId: string, params: PageParams = {}) => data(client.GET('/v1/shops/{id}/imports', page(shopId, params))),
  import: (importId: string) => data(client.GET('/v1/imports/{id}', id(importId))),
  rerunImport: async (importId: string) => (await data(client.POST('/v1/imports/{id}/run', id(importId)))).import,

  proposals: (shopId: string, params: PageParams = {}) => data(client.GET('/v1/shops/{id}/anchor-replacements', page(shopId, params))),
  applyReplacements: (shopId: string, choices: ReplacementChoice[]) =>
    data(client.POST('/v1/shops/{id}/anchor-replacements', { ...id(shopId), body: { choices } })),
};

/** Upload a Shopify product export (multipart, with upload progress 0…1). */
export function uploadImport(shopId: string, file: File, onProgress: (fraction: number) => void): Upload<ImportView> {
  const form = new FormData();
  form.append('file_name', file.name);
  form.append('file', file, file.name);
  const upload = postMultipart('/v1/shops/{id}/imports', form, onProgress, { id: shopId });
  return { promise: upload.promise.then((r) => r.import), abort: upload.abort };
}

/** Unread notifications for the badge: up to 10 are counted ("9+" beyond), refreshed every minute. */
export function useUnreadCount(enabled: boolean) {
  const q = useQuery({
    queryKey: keys.notifications('unread-count'),
    queryFn: () => closing.notifications({ unread: true, limit: 10 }),
    enabled,
    refetchInterval: 60_000,
  });
  return { count: q.data?.data.length ?? 0, more: !!q.data?.next_cursor };
}
