import type { CartSource } from './commerce';

const VIDEO_ID = /^vid_[0-9a-z]{26}$/;
const LIVE_ID = /^[a-z]{2,4}_[0-9a-z]{26}$/;

/**
 * Where a visitor found a product, carried through sign-in on the product page's address
 * (`/products/:id?video=…`), so the add to cart after signing in names the same video or live
 * (the server decides the attribution from its own facts either way).
 */
export function productPathFor(productId: string, source?: CartSource): string {
  const q = new URLSearchParams();
  if (source?.video_id) q.set('video', source.video_id);
  if (source?.live_id) q.set('live', source.live_id);
  const query = q.toString();
  return `/products/${encodeURIComponent(productId)}${query ? `?${query}` : ''}`;
}

/** The source named by a product page's address; ids of the wrong shape are dropped. */
export function sourceFromQuery(params: URLSearchParams): CartSource | undefined {
  const video = params.get('video');
  const live = params.get('live');
  const source: CartSource = {
    ...(video && VIDEO_ID.test(video) ? { video_id: video } : {}),
    ...(live && LIVE_ID.test(live) ? { live_id: live } : {}),
  };
  return Object.keys(source).length > 0 ? source : undefined;
}
