/** Videos with product anchors, the feed, creator showcases, and the upload with progress. */
import { query, request, type Page } from '../api';
import type { ProductSummary } from './commerce';
import { deviceId } from './events';
import { postMultipart, type Upload } from './upload';

export type VideoStatus = 'processing' | 'ready' | 'failed';

export interface Anchor {
  type: 'product' | 'external' | string;
  product?: ProductSummary;
  url?: string;
}

export interface Video {
  id: string;
  caption: string;
  status: VideoStatus | string;
  failure_reason?: string | null;
  media_url: string | null;
  poster_url: string | null;
  duration_ms: number | null;
  width: number | null;
  height: number | null;
  creator: { id: string; name: string };
  anchors: Anchor[];
  created_at?: string;
  published_at?: string | null;
}

export interface Showcase {
  creator: { id: string; name: string };
  products: ProductSummary[];
}

/** The product anchors of a video (external ones are for a later issue). */
export function productAnchors(video: Video): ProductSummary[] {
  return video.anchors.flatMap((a) => (a.type === 'product' && a.product ? [a.product] : []));
}

export const content = {
  /** With the device id, so an anonymous viewer's watched videos come last (as the events name them). */
  feed: (params: { limit?: number; cursor?: string | null }) =>
    request<Page<Video>>('GET', `/v1/feed${query(params)}`, undefined, { headers: { 'x-device-id': deviceId() } }),
  video: async (id: string): Promise<Video> => unwrapVideo(await request<Video | { video: Video }>('GET', `/v1/videos/${encodeURIComponent(id)}`)),
  creatorVideos: (creatorId: string, params: { limit?: number; cursor?: string | null } = {}) =>
    request<Page<Video>>('GET', `/v1/creators/${encodeURIComponent(creatorId)}/videos${query(params)}`),
  showcase: (creatorId: string) => request<Showcase>('GET', `/v1/creators/${encodeURIComponent(creatorId)}/showcase`),
};

function unwrapVideo(res: Video | { video: Video }): Video {
  return 'video' in res && res.video && typeof res.video === 'object' ? res.video : (res as Video);
}

export interface UploadInput {
  file: File;
  caption: string;
  productIds: string[];
}

/** `POST /v1/videos` as multipart with upload progress; `onProgress` gets the fraction sent, 0…1. */
export function uploadVideo(input: UploadInput, onProgress: (fraction: number) => void): Upload<Video> {
  const form = new FormData();
  form.append('caption', input.caption);
  for (const id of input.productIds) form.append('product_ids[]', id);
  // The file last, so the server has the other fields when the (large) file arrives.
  form.append('file', input.file, input.file.name);
  const upload = postMultipart<Video | { video: Video }>('/v1/videos', form, onProgress);
  return { promise: upload.promise.then(unwrapVideo), abort: upload.abort };
}
