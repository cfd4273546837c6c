/**
 * Live selling: sessions, the creator's console calls and the room's event stream (SSE).
 */
import { useEffect, useState } from 'react';
import { query, request, type Page } from '../api';
import type { Money } from '../i18n/format';
import type { ProductSummary } from './commerce';

export type LiveStatus = 'scheduled' | 'live' | 'ended';
/** Who ended a live: its creator, or the platform (no sign of life from the console; too long). */
export type LiveEndReason = 'creator' | 'idle' | 'max_duration';

/** How often the creator console tells the server it is still open (the server ends a live after 30 minutes without). */
export const HEARTBEAT_MS = 60_000;

export interface Allotment {
  sku_id: string;
  product_id: string;
  option_values: string[];
  quantity: number;
  remaining: number;
  sold: number;
  status: 'open' | 'closed';
}

export interface LiveSession {
  id: string;
  creator: { id: string; name: string };
  title: string;
  stream_url: string;
  status: LiveStatus;
  scheduled_at: string;
  started_at: string | null;
  ended_at: string | null;
  end_reason: LiveEndReason | null;
  attestation: { by: string; at: string; version: string } | null;
  pinned_product_id: string | null;
  products: ProductSummary[];
  allotments: Allotment[];
}

export interface RoomSku {
  sku_id: string;
  option_values: string[];
  price: Money;
  available: number;
  allotment: { quantity: number; remaining: number } | null;
}

export interface RoomProduct {
  id: string;
  shop_id: string;
  title: string;
  images: string[];
  option_names: string[];
  skus: RoomSku[];
}

export interface Purchase {
  id: string;
  buyer: string;
  product_id: string;
  sku_id: string;
  title: string;
  quantity: number;
  at: string;
}

export interface RoomState {
  live: LiveSession;
  viewers: number;
  pinned: RoomProduct | null;
  purchases: Purchase[];
}

export const live = {
  list: (opts: { status?: LiveStatus; limit?: number; cursor?: string | null } = {}) =>
    request<Page<LiveSession>>('GET', `/v1/live${query({ status: opts.status, limit: opts.limit, cursor: opts.cursor })}`),
  mine: (opts: { limit?: number; cursor?: string | null } = {}) =>
    request<Page<LiveSession>>('GET', `/v1/creators/me/live${query({ limit: opts.limit, cursor: opts.cursor })}`),
  get: (id: string) => request<LiveSession>('GET', `/v1/live/${encodeURIComponent(id)}`),
  attestation: () => request<{ version: string; text: string }>('GET', '/v1/live/attestation'),
  create: (body: { title: string; stream_url: string; scheduled_at?: string; product_ids?: string[] }) => request<LiveSession>('POST', '/v1/live', body),
  start: (id: string) => request<LiveSession>('POST', `/v1/live/${encodeURIComponent(id)}/start`, { attestation: true }),
  pin: (id: string, productId: string) => request<LiveSession>('POST', `/v1/live/${encodeURIComponent(id)}/pin`, { product_id: productId }),
  allot: (id: string, items: Array<{ sku_id: string; quantity: number }>) =>
    request<LiveSession>('PUT', `/v1/live/${encodeURIComponent(id)}/allotments`, items),
  end: (id: string) => request<LiveSession>('POST', `/v1/live/${encodeURIComponent(id)}/end`),
  heartbeat: (id: string) => request<void>('POST', `/v1/live/${encodeURIComponent(id)}/heartbeat`),
};

export type RoomConnection = 'connecting' | 'open' | 'reconnecting';

/**
 * The room as the server streams it: a snapshot, then changes (viewers, pinned, stock,
 * purchase, status, ended). EventSource reconnects by itself (a new snapshot each time); an
 * ended room stops it.
 */
export function useLiveRoom(id: string | undefined): { room: RoomState | null; connection: RoomConnection; notFound: boolean } {
  const [room, setRoom] = useState<RoomState | null>(null);
  const [connection, setConnection] = useState<RoomConnection>('connecting');
  const [notFound, setNotFound] = useState(false);

  useEffect(() => {
    if (!id) return undefined;
    setRoom(null);
    setNotFound(false);
    setConnection('connecting');
    let snapshots = 0;
    const source = new EventSource(`/v1/live/${encodeURIComponent(id)}/stream`);
    const on = <T,>(event: string, apply: (data: T, prev: RoomState) => RoomState) =>
      source.addEventListener(event, (e) => {
        const data = JSON.parse((e as MessageEvent<string>).data) as T;
        setRoom((prev) => (prev ? apply(data, prev) : prev));
      });
    source.addEventListener('snapshot', (e) => {
      snapshots++;
      setRoom(JSON.parse((e as MessageEvent<string>).data) as RoomState);
      setConnection('open');
    });
    on<{ viewers: number }>('viewers', (d, prev) => ({ ...prev, viewers: d.viewers }));
    on<{ pinned: RoomProduct | null; products: ProductSummary[] }>('pinned', (d, prev) => ({
      ...prev,
      pinned: d.pinned,
      live: { ...prev.live, pinned_product_id: d.pinned?.id ?? null, products: d.products },
    }));
    on<{ product_id: string | null; skus: RoomSku[]; allotments: Allotment[] }>('stock', (d, prev) => ({
      ...prev,
      pinned: prev.pinned && prev.pinned.id === d.product_id ? { ...prev.pinned, skus: d.skus } : prev.pinned,
      live: { ...prev.live, allotments: d.allotments },
    }));
    on<{ purchase: Purchase }>('purchase', (d, prev) => ({ ...prev, purchases: [d.purchase, ...prev.purchases.filter((p) => p.id !== d.purchase.id)].slice(0, 10) }));
    on<{ live: LiveSession }>('status', (d, prev) => ({ ...prev, live: d.live }));
    source.addEventListener('ended', (e) => {
      const d = JSON.parse((e as MessageEvent<string>).data) as { live: LiveSession };
      setRoom((prev) => (prev ? { ...prev, live: d.live } : prev));
      source.close();
    });
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        // Closed without reconnecting before any snapshot: the room does not exist (404).
        if (snapshots === 0) setNotFound(true);
      } else setConnection('reconnecting');
    };
    return () => source.close();
  }, [id]);

  return { room, connection, notFound };
}
