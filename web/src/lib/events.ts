/**
 * The app's analytics events (`POST /v1/events`): queued with a client event id (the server
 * counts a repeated id once), sent in batches every few seconds or as soon as 50 are waiting, and
 * with `navigator.sendBeacon` when the page is hidden or left. The signed-in user is the session
 * cookie's (sendBeacon sends same-origin cookies too); every batch also names the anonymous
 * device id kept in localStorage, which is what an anonymous batch is attributed to.
 */
import { EventQueue, FLUSH_EVERY_MS, uuid, type ClientEventType, type EventFields, type KeyValueStore, type Transport } from './eventQueue';

export type { ClientEvent, ClientEventType, EventFields } from './eventQueue';

export const EVENTS_URL = '/v1/events';
export const DEVICE_KEY = 'loopshop.device';

function storage(): KeyValueStore | null {
  try {
    const s = window.localStorage;
    s.getItem(DEVICE_KEY);
    return s;
  } catch {
    return null;
  }
}

let memoryDeviceId: string | null = null;

/** This browser's anonymous device id (kept in localStorage; for this page only when storage is blocked). */
export function deviceId(): string {
  const s = storage();
  const saved = s?.getItem(DEVICE_KEY);
  if (saved && /^[A-Za-z0-9_-]{8,64}$/.test(saved)) return saved;
  const id = memoryDeviceId ?? uuid();
  memoryDeviceId = id;
  try {
    s?.setItem(DEVICE_KEY, id);
  } catch {
    // Blocked: the in-memory id lasts for this page.
  }
  return id;
}

const browserTransport: Transport = {
  async post(body, keepalive) {
    try {
      const res = await fetch(EVENTS_URL, {
        method: 'POST',
        credentials: 'same-origin',
        // The CSRF proof the server asks of cookie-signed mutations (as api.ts sends it); a beacon
        // cannot set headers, and the browser's `Sec-Fetch-Site: same-origin` is its proof instead.
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-requested-with': 'loopshop' },
        body,
        keepalive,
      });
      if (res.ok) return 'ok';
      return res.status === 429 || res.status >= 500 ? 'retry' : 'drop';
    } catch {
      return 'retry';
    }
  },
  beacon(body) {
    if (typeof navigator.sendBeacon !== 'function') return false;
    try {
      return navigator.sendBeacon(EVENTS_URL, new Blob([body], { type: 'application/json' }));
    } catch {
      return false;
    }
  },
};

let client: EventQueue | null = null;
const hideHooks = new Set<() => void>();

/** The client, started on first use: the timer, page-hide beacons and outbound-click tracking. */
function theClient(): EventQueue {
  if (client) return client;
  const queue = new EventQueue(deviceId(), browserTransport, { store: storage() });
  client = queue;
  window.setInterval(() => void queue.flush(), FLUSH_EVERY_MS);
  const onHide = () => {
    for (const hook of hideHooks) hook();
    queue.flushOnHide();
  };
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') onHide();
  });
  window.addEventListener('pagehide', onHide);
  document.addEventListener('click', onOutboundClick, true);
  return queue;
}

/** Starts the client (at app start, so outbound clicks and events left by a previous page are sent). */
export function startEventClient(): void {
  theClient();
}

/** Queues an event of the signed-in user or this device. */
export function track(type: ClientEventType, fields: EventFields = {}): void {
  try {
    theClient().track(type, fields);
  } catch {
    // Analytics never breaks the page.
  }
}

/** Runs `hook` (e.g. to end a view) right before the queue is sent on page hide; returns the unsubscribe. */
export function onPageHide(hook: () => void): () => void {
  hideHooks.add(hook);
  return () => hideHooks.delete(hook);
}

/**
 * A click on a link that leaves the platform (another origin, or the `/out/…` way out through an
 * external anchor) becomes `outbound_click`, with the video, shop and creator of the closest
 * element that names them (`data-video-id`, `data-shop-id`, `data-creator-id`).
 */
function onOutboundClick(e: MouseEvent): void {
  const a = (e.target as Element | null)?.closest?.('a[href]') as HTMLAnchorElement | null;
  if (!a) return;
  let url: URL;
  try {
    url = new URL(a.href, window.location.href);
  } catch {
    return;
  }
  if (!/^https?:$/.test(url.protocol)) return;
  if (url.origin === window.location.origin && !url.pathname.startsWith('/out/')) return;
  const near = (attr: string) => a.closest(`[${attr}]`)?.getAttribute(attr) ?? undefined;
  track('outbound_click', {
    url: url.href.slice(0, 2048),
    video_id: near('data-video-id'),
    shop_id: near('data-shop-id'),
    creator_id: near('data-creator-id'),
  });
}
