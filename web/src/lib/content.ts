/** Videos with product anchors, the feed, creator showcases, and the upload with progress. */
import { client, data, q, type Query } from '../api/client';
import type { ItemOf, ResponseOf } from '../api/types';
import type { ProductSummary } from './commerce';
import { deviceId } from './events';
import { postMultipart, type Upload } from './upload';

export type Video = ResponseOf<'/v1/videos/{id}'>;
export type VideoStatus = Video['status'];
export type Anchor = Video['anchors'][number];
export type FeedVideo = ItemOf<'/v1/feed'>;
export type Showcase = ResponseOf<'/v1/creators/{id}/showcase'>;

/** The product anchors of a video. */
export function productAnchors(video: Video): ProductSummary[] {
  return video.anchors.flatMap((a) => (a.type === 'product' && a.product ? [a.product] : []));
}

export type ExternalAnchor = Extract<Anchor, { type: 'external' }>;
/** An external store link as it is written: URL and optional title. */
export interface ExternalLinkInput {
  url: string;
  title?: string | null;
}

/** A video's external store links that buyers can follow (a cut-over turns them off; only their owner still sees those). */
export function externalAnchors(video: Video): ExternalAnchor[] {
  return video.anchors.flatMap((a) => (a.type === 'external' && a.active ? [a] : []));
}

/** At most this many anchors (products and store links together) on one video. */
export const MAX_VIDEO_ANCHORS = 5;
/** At most this many store links on a profile showcase. */
export const MAX_SHOWCASE_LINKS = 10;

type PageParams = Query<{ limit?: number; cursor?: string }>;

export const content = {
  /** With the device id, so an anonymous viewer's watched videos come last (as the events name them). */
  feed: (params: PageParams) => data(client.GET('/v1/feed', { params: { query: q(params), header: { 'x-device-id': deviceId() } } })),
  video: (id: string) => data(client.GET('/v1/videos/{id}', { params: { path: { id } } })),
  creatorVideos: (creatorId: string, params: PageParams = {}) =>
    data(client.GET('/v1/creators/{id}/videos', { params: { path: { id: creatorId }, query: q(params) } })),
  showcase: (creatorId: string) => data(client.GET('/v1/creators/{id}/showcase', { params: { path: { id: creatorId } } })),
  /** A creator's (or seller's) shops, for the page that lists their products. */
  creatorShops: (creatorId: string) => data(client.GET('/v1/creators/{id}/shops', { params: { path: { id: creatorId } } })),
  /** Processes again a video that failed on our side (`can_retry`). */
  retry: (id: string) => data(client.POST('/v1/videos/{id}/retry', { params: { path: { id } } })),
  /** Deletes one of your videos: it leaves the feed and your profile. */
  remove: (id: string) => data(client.DELETE('/v1/videos/{id}', { params: { path: { id } } })),
  editCaption: (id: string, caption: string) => data(client.PATCH('/v1/videos/{id}', { params: { path: { id } }, body: { caption } })),
  /** The external links a text carries and whether the market's policy refuses them. */
  checkLinks: (text: string) => data(client.POST('/v1/links/check', { body: { text } })),
  /** Your market and its link policy (`semi_closed` allows external store links), as `POST /v1/links/check` tells for an empty text. */
  linkPolicy: () => data(client.POST('/v1/links/check', { body: { text: '' } })),
  setVideoLinks: (id: string, anchors: ExternalLinkInput[]) => data(client.PUT('/v1/videos/{id}/external-anchors', { params: { path: { id } }, body: { anchors } })),
  setShowcaseLinks: (links: ExternalLinkInput[]) => data(client.PUT('/v1/creators/me/showcase-links', { body: { links } })),
};

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
  const upload = postMultipart('/v1/videos', form, onProgress);
  return { promise: upload.promise.then((res) => res.video), abort: upload.abort };
}
