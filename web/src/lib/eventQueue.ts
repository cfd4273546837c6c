/**
 * The batching queue of the app's analytics events (lib/events.ts wires it to the browser). No
 * DOM and no imports: time, ids, storage and the network are injected, so it is tested alone.
 */

export type ClientEventType = 'impression' | 'view' | 'product_click' | 'add_to_cart' | 'checkout_started' | 'live_join' | 'live_leave' | 'outbound_click';

export interface EventFields {
  video_id?: string;
  product_id?: string;
  sku_id?: string;
  live_id?: string;
  shop_id?: string;
  creator_id?: string;
  watched_ms?: number;
  duration_ms?: number;
  completed?: boolean;
  url?: string;
}

export interface ClientEvent extends EventFields {
  event_id: string;
  type: ClientEventType;
  at: string;
}

/** What became of one POST: sent, worth sending again later, or refused for good. */
export type PostOutcome = 'ok' | 'retry' | 'drop';

export interface Transport {
  post(body: string, keepalive: boolean): Promise<PostOutcome>;
  /** True when the browser took the body for delivery. */
  beacon(body: string): boolean;
}

/** A small key-value store (localStorage, or a stand-in in tests). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface QueueOptions {
  /** Send as soon as this many events wait (default 50). */
  flushAt?: number;
  /** Events per request; the server takes at most 500. */
  maxBatch?: number;
  /** Oldest events are dropped beyond this many waiting (default 2000). */
  maxQueued?: number;
  /** Largest body sent with sendBeacon or a keepalive fetch (browsers allow 64 KiB in flight). */
  beaconBytes?: number;
  /** First retry delay after a failed POST; doubles per failure up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  now?: () => number;
  newId?: () => string;
  /** Where events that could not be sent when the page was left wait for the next page. */
  store?: KeyValueStore | null;
}

export const PENDING_KEY = 'loopshop.events.pending';
export const FLUSH_EVERY_MS = 5000;

const bytes = (s: string) => new TextEncoder().encode(s).length;

/** A random v4 UUID; `crypto.randomUUID` needs a secure context, `getRandomValues` does not. */
export function uuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The batching queue. Time, ids, storage and the network are injected so it can be tested alone. */
export class EventQueue {
  readonly #deviceId: string;
  readonly #transport: Transport;
  readonly #o: Required<Omit<QueueOptions, 'store'>> & { store: KeyValueStore | null };
  #queue: ClientEvent[] = [];
  #sending: Promise<void> | null = null;
  #failures = 0;
  #retryAt = 0;

  constructor(deviceId: string, transport: Transport, opts: QueueOptions = {}) {
    this.#deviceId = deviceId;
    this.#transport = transport;
    this.#o = {
      flushAt: opts.flushAt ?? 50,
      maxBatch: Math.min(opts.maxBatch ?? 500, 500),
      maxQueued: opts.maxQueued ?? 2000,
      beaconBytes: opts.beaconBytes ?? 60_000,
      backoffMs: opts.backoffMs ?? FLUSH_EVERY_MS,
      maxBackoffMs: opts.maxBackoffMs ?? 60_000,
      now: opts.now ?? Date.now,
      newId: opts.newId ?? uuid,
      store: opts.store ?? null,
    };
    // Events a previous page could not send (the server ignores any it did receive).
    const saved = this.#read();
    if (saved.length > 0) {
      this.#o.store?.removeItem(PENDING_KEY);
      this.#queue.push(...saved);
    }
  }

  get deviceId(): string {
    return this.#deviceId;
  }

  /** Events waiting to be sent (not those of a request in flight). */
  get pending(): readonly ClientEvent[] {
    return this.#queue;
  }

  /** Queues one event; starts a send when `flushAt` are waiting. */
  track(type: ClientEventType, fields: EventFields = {}): ClientEvent {
    const event: ClientEvent = { event_id: this.#o.newId(), type, at: new Date(this.#o.now()).toISOString(), ...definedOnly(fields) };
    this.#queue.push(event);
    if (this.#queue.length > this.#o.maxQueued) this.#queue.splice(0, this.#queue.length - this.#o.maxQueued);
    if (this.#queue.length >= this.#o.flushAt) void this.flush();
    return event;
  }

  /**
   * Sends everything waiting, `maxBatch` per request, one request at a time. A network failure,
   * 429 or 5xx puts the batch back in front and backs off (`force` ignores the back-off); any
   * other refusal drops the batch, which would be refused again.
   */
  flush(force = false): Promise<void> {
    if (this.#sending) return this.#sending;
    if (this.#queue.length === 0 || (!force && this.#o.now() < this.#retryAt)) return Promise.resolve();
    this.#sending = (async () => {
      try {
        while (this.#queue.length > 0) {
          const batch = this.#queue.splice(0, this.#o.maxBatch);
          const body = this.#body(batch);
          const outcome = await this.#transport.post(body, bytes(body) <= this.#o.beaconBytes).catch((): PostOutcome => 'retry');
          if (outcome === 'retry') {
            this.#queue.unshift(...batch);
            this.#failures += 1;
            this.#retryAt = this.#o.now() + Math.min(this.#o.maxBackoffMs, this.#o.backoffMs * 2 ** (this.#failures - 1));
            return;
          }
          this.#failures = 0;
          this.#retryAt = 0;
        }
      } finally {
        this.#sending = null;
      }
    })();
    return this.#sending;
  }

  /**
   * The page is being hidden or left: everything waiting goes out with sendBeacon in bodies the
   * browser accepts; what it refuses is kept for the next page (localStorage).
   */
  flushOnHide(): void {
    const left: ClientEvent[] = [];
    for (const chunk of this.#chunks(this.#queue)) {
      if (!this.#transport.beacon(this.#body(chunk))) left.push(...chunk);
    }
    this.#queue = left;
    if (left.length > 0) this.#write(left);
  }

  #body(events: ClientEvent[]): string {
    return JSON.stringify({ device_id: this.#deviceId, events });
  }

  /** Splits events into bodies of at most `beaconBytes` and `maxBatch` events. */
  #chunks(events: ClientEvent[]): ClientEvent[][] {
    const overhead = bytes(this.#body([]));
    const out: ClientEvent[][] = [];
    let chunk: ClientEvent[] = [];
    let size = overhead;
    for (const e of events) {
      const n = bytes(JSON.stringify(e)) + 1;
      if (chunk.length > 0 && (size + n > this.#o.beaconBytes || chunk.length >= this.#o.maxBatch)) {
        out.push(chunk);
        chunk = [];
        size = overhead;
      }
      chunk.push(e);
      size += n;
    }
    if (chunk.length > 0) out.push(chunk);
    return out;
  }

  #read(): ClientEvent[] {
    try {
      const raw = this.#o.store?.getItem(PENDING_KEY);
      const list: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(list) ? (list as ClientEvent[]).filter((e) => e && typeof e.event_id === 'string' && typeof e.type === 'string') : [];
    } catch {
      return [];
    }
  }

  #write(events: ClientEvent[]): void {
    try {
      this.#o.store?.setItem(PENDING_KEY, JSON.stringify([...this.#read(), ...events].slice(-this.#o.maxQueued)));
    } catch {
      // Storage full or blocked: these events are lost.
    }
  }
}

function definedOnly(fields: EventFields): EventFields {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== null && v !== '')) as EventFields;
}

