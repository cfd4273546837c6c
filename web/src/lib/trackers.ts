/** React hooks that turn what the buyer sees and does into analytics events (lib/events.ts). */
import { useEffect, useRef, type RefObject } from 'react';
import type { Cart } from './commerce';
import { productAnchors, type Video } from './content';
import { onPageHide, track, type EventFields } from './events';

/** Share of a video that must be on screen for it to count as shown (the feed plays it from there). */
const SHOWN = 0.6;
/** Largest jump between two time updates still counted as watching (a bigger one is a seek). */
const MAX_STEP_S = 1.5;
const DAY_MS = 86_400_000;

/** The video's ids as events carry them: its creator, and the shop of its first product anchor. */
export function videoRefs(video: Video): EventFields {
  const shop = productAnchors(video)[0]?.shop_id;
  return { video_id: video.id, creator_id: video.creator.id, shop_id: shop };
}

/**
 * Feed video: `impression` the first time it is shown (≥ 60 % on screen), and a `view` each time
 * the viewer leaves it (scrolls away, hides the page, leaves the feed) with the time actually
 * played, the video's duration and whether it played to the end at least once (it loops).
 */
export function useVideoEvents(box: RefObject<HTMLElement | null>, mediaRef: RefObject<HTMLVideoElement | null>, video: Video): void {
  useEffect(() => {
    const el = box.current;
    const media = mediaRef.current;
    if (!el || !media) return;
    const refs = videoRefs(video);
    let impressed = false;
    let onScreen = false;
    let watching = false;
    let watchedS = 0;
    let completed = false;
    let last: number | null = null;

    const onTime = () => {
      if (!watching) return;
      const now = media.currentTime;
      const d = media.duration;
      if (last !== null) {
        const step = now - last;
        if (step > 0 && step <= MAX_STEP_S) watchedS += step;
        else if (step < 0 && Number.isFinite(d) && d > 0 && last >= d - MAX_STEP_S) {
          // Looped: the rest of the last pass and the start of this one.
          watchedS += d - last + now;
          completed = true;
        }
      }
      if (Number.isFinite(d) && d > 0 && now >= d - 0.3) completed = true;
      last = now;
    };
    const start = () => {
      if (watching) return;
      if (!impressed) {
        impressed = true;
        track('impression', refs);
      }
      watching = true;
      watchedS = 0;
      completed = false;
      last = media.currentTime;
    };
    const end = () => {
      if (!watching) return;
      onTime();
      watching = false;
      last = null;
      const durationMs = Number.isFinite(media.duration) && media.duration > 0 ? Math.round(media.duration * 1000) : (video.duration_ms ?? 0);
      const watchedMs = Math.min(Math.round(watchedS * 1000), DAY_MS);
      if (watchedMs > 0 && durationMs > 0) track('view', { ...refs, watched_ms: watchedMs, duration_ms: Math.min(durationMs, DAY_MS), completed });
    };

    const observer = new IntersectionObserver(
      ([entry]) => {
        if (!entry) return;
        onScreen = entry.intersectionRatio >= SHOWN;
        if (onScreen && document.visibilityState === 'visible') start();
        else if (!onScreen) end();
      },
      { threshold: [0, SHOWN, 1] },
    );
    observer.observe(el);
    media.addEventListener('timeupdate', onTime);
    const offHide = onPageHide(end);
    // Back on the page with the video still on screen: a new view.
    const onVisibility = () => {
      if (document.visibilityState === 'visible' && onScreen) start();
    };
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      end();
      observer.disconnect();
      media.removeEventListener('timeupdate', onTime);
      offHide();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [box, mediaRef, video]);
}

/** Sends `type` once per mount (and again when `key` changes) while `fields` is not null. */
export function useTrackOnce(type: 'product_click', key: string, fields: EventFields | null): void {
  const sent = useRef<string | null>(null);
  useEffect(() => {
    if (!fields || sent.current === key) return;
    sent.current = key;
    track(type, fields);
  }, [type, key, fields]);
}

/**
 * Checkout page: one `checkout_started` per shop in the cart, once per visit, naming the video,
 * product and creator when all the shop's lines share one.
 */
export function useCheckoutStarted(cart: Cart | undefined): void {
  const sent = useRef(false);
  useEffect(() => {
    if (!cart || cart.shops.length === 0 || sent.current) return;
    sent.current = true;
    for (const s of cart.shops) {
      const only = (values: (string | undefined)[]) => (new Set(values).size === 1 ? values[0] : undefined);
      track('checkout_started', {
        shop_id: s.shop.id,
        product_id: only(s.items.map((i) => i.product_id)),
        video_id: only(s.items.map((i) => i.source?.video_id)),
        live_id: only(s.items.map((i) => i.source?.live_id)),
        creator_id: only(s.items.map((i) => i.source?.creator_id)),
      });
    }
  }, [cart]);
}

/**
 * Live room: `live_join` when the viewer opens the room and `live_leave` when they leave it
 * (navigate away, close or hide the page), each once per visit.
 */
export function useLivePresenceEvents(liveId: string | undefined, creatorId: string | undefined): void {
  useEffect(() => {
    if (!liveId) return;
    const fields = { live_id: liveId, creator_id: creatorId };
    track('live_join', fields);
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      track('live_leave', fields);
    };
    const offHide = onPageHide(leave);
    return () => {
      offHide();
      leave();
    };
  }, [liveId, creatorId]);
}
