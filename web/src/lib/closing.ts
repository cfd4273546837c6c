/**
 * Closing the loop (issue 6): the market link policy and its cut-over, notifications, Shopify
 * imports and replacing external anchors with in-platform products.
 */
import { useQuery } from '@tanstack/react-query';
import { query, request, type Page } from '../api';
import type { Money } from '../i18n/format';
import { postMultipart, type Upload } from './upload';

export type LinkPolicyMode = 'semi_closed' | 'closed';

export interface CutoverCounts {
  market: string;
  at: string;
  anchors_deactivated: number;
  video_anchors_deactivated?: number | null;
  store_links_retired?: number | null;
  captions_flagged: number;
  owners_notified: number;
}

export interface LinkPolicy {
  market: string;
  mode: LinkPolicyMode;
  cutover_at: string | null;
  clicks: { count: number; cost: Money };
  last_cutover: CutoverCounts | null;
}

export interface CutoverOwner {
  id: string;
  name: string;
  /** -1: not recorded. */
  anchors: number;
  store_links: number;
  captions: number;
}

export interface CutoverReport {
  market: string;
  mode: LinkPolicyMode;
  cutover_at: string | null;
  report: CutoverCounts | null;
  owners: Page<CutoverOwner>;
}

export interface Notification {
  id: string;
  type: string;
  title: string;
  body: string;
  data: unknown;
  read_at: string | null;
  created_at: string;
}

/** What a `links.cutover` notification carries. */
export interface CutoverNotice {
  market: string;
  anchors: Array<{ id: string; kind: 'video_anchor' | 'showcase_link' | string; video_id: string | null; url: string; title: string | null }>;
  flagged_videos: string[];
}

export function cutoverNotice(n: Notification): CutoverNotice | null {
  if (n.type !== 'links.cutover' || !n.data || typeof n.data !== 'object') return null;
  const d = n.data as Partial<CutoverNotice>;
  return { market: d.market ?? '', anchors: Array.isArray(d.anchors) ? d.anchors : [], flagged_videos: Array.isArray(d.flagged_videos) ? d.flagged_videos : [] };
}

export type ImportStatus = 'queued' | 'running' | 'done' | 'failed';

export interface ImportSummary {
  id: string;
  shop_id: string;
  status: ImportStatus | string;
  file_name: string;
  rows_total: number;
  rows_done: number;
  products_created: number;
  products_skipped: number;
  variants_created: number;
  rows_skipped: number;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface ReportLine {
  row: number;
  handle: string;
  reason: string;
  message: string;
}

export interface ImportView extends ImportSummary {
  report: ReportLine[];
}

export const importFinished = (i: Pick<ImportSummary, 'status'>) => i.status === 'done' || i.status === 'failed';

export interface ProductBrief {
  id: string;
  title: string;
  status: string;
  images: string[];
  price_range: { min: Money; max: Money };
  available: number;
}

export interface AnchorProposal {
  anchor: { id: string; kind: 'video' | 'showcase'; video_id: string | null; url: string; title: string | null; active: boolean };
  handle: string | null;
  product: ProductBrief | null;
  replaced_by: ProductBrief | null;
}

export interface ReplacementChoice {
  anchor_id: string;
  product_id: string | null;
}

export interface ChoiceProblem {
  index: number;
  anchor_id: string;
  reason: string;
}

const enc = encodeURIComponent;

export const closing = {
  linkPolicy: (market: string) => request<LinkPolicy>('GET', `/v1/admin/markets/${enc(market)}/link-policy`),
  setLinkPolicy: (market: string, body: { mode: LinkPolicyMode; cutover_at?: string }) => request<LinkPolicy>('PUT', `/v1/admin/markets/${enc(market)}/link-policy`, body),
  cutoverReport: (market: string, params: { limit?: number; cursor?: string | null } = {}) =>
    request<CutoverReport>('GET', `/v1/admin/markets/${enc(market)}/cutover-report${query(params)}`),

  notifications: (params: { limit?: number; cursor?: string | null; unread?: boolean } = {}) =>
    request<Page<Notification>>('GET', `/v1/notifications${query({ limit: params.limit, cursor: params.cursor, unread: params.unread ? 'true' : undefined })}`),
  markRead: (id: string) => request<Notification>('POST', `/v1/notifications/${enc(id)}/read`),

  imports: (shopId: string, params: { limit?: number; cursor?: string | null } = {}) => request<Page<ImportSummary>>('GET', `/v1/shops/${enc(shopId)}/imports${query(params)}`),
  import: (id: string) => request<ImportView>('GET', `/v1/imports/${enc(id)}`),
  rerunImport: async (id: string) => (await request<{ import: ImportView }>('POST', `/v1/imports/${enc(id)}/run`)).import,

  proposals: (shopId: string, params: { limit?: number; cursor?: string | null } = {}) =>
    request<Page<AnchorProposal>>('GET', `/v1/shops/${enc(shopId)}/anchor-replacements${query(params)}`),
  applyReplacements: (shopId: string, choices: ReplacementChoice[]) =>
    request<{ results: Array<{ index: number; anchor_id: string; outcome: 'replaced' | 'unchanged' | 'skipped' }> }>('POST', `/v1/shops/${enc(shopId)}/anchor-replacements`, { choices }),
};

/** Upload a Shopify product export (multipart, with upload progress 0…1). */
export function uploadImport(shopId: string, file: File, onProgress: (fraction: number) => void): Upload<ImportView> {
  const form = new FormData();
  form.append('file_name', file.name);
  form.append('file', file, file.name);
  const upload = postMultipart<{ import: ImportView }>(`/v1/shops/${enc(shopId)}/imports`, form, onProgress);
  return { promise: upload.promise.then((r) => r.import), abort: upload.abort };
}

/** Unread notifications for the badge: up to 10 are counted ("9+" beyond), refreshed every minute. */
export function useUnreadCount(enabled: boolean) {
  const q = useQuery({
    queryKey: ['notifications', 'unread-count'],
    queryFn: () => closing.notifications({ unread: true, limit: 10 }),
    enabled,
    refetchInterval: 60_000,
  });
  return { count: q.data?.data.length ?? 0, more: !!q.data?.next_cursor };
}
