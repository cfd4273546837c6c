/**
 * Live selling: sessions, the creator's console calls and the room's event stream (SSE).
 */
import { useEffect, useState } from 'react';
import { client, data, q, type Query } from '../api/client';
import type { BodyOf, ResponseOf } from '../api/types';
import type { Money } from '../i18n/format';
import type { ProductSummary } from './commerce';

export type LiveSession = ResponseOf<'/v1/live/{id}'>;
export type LiveStatus = LiveSession['status'];
/** Who ended a live: its creator, or the platform (no sign of life from the console; too long). */
export type LiveEndReason = NonNullable<LiveSession['end_reason']>;
export type Allotment = LiveSession['allotments'][number];

/** How often the creator console tells the server it is still open (the server ends a live after 30 minutes without). */
export const HEARTBEAT_MS = 60_000;

// The room's event stream (SSE, not described by the OpenAPI document) carries these.
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

const id = (value: string) => ({ params: { path: { id: value } } });

export const live = {
  list: (opts: Query<{ status?: LiveStatus; limit?: number; cursor?: string }> = {}) => data(client.GET('/v1/live', { params: { query: q(opts) } })),
  mine: (opts: Query<{ limit?: number; cursor?: string }> = {}) => data(client.GET('/v1/creators/me/live', { params: { query: q(opts) } })),
  get: (liveId: string) => data(client.GET('/v1/live/{id}', id(liveId))),
  attestation: () => data(client.GET('/v1/live/attestation')),
  create: (body: BodyOf<'/v1/live'>) => data(client.POST('/v1/live', { body })),
  start: (liveId: string) => data(client.POST('/v1/live/{id}/start', { ...id(liveId), body: { attestation: true } })),
  pin: (liveId: string, productId: string) => data(client.POST('/v1/live/{id}/pin', { ...id(liveId), body: { product_id: productId } })),
  allot: (liveId: string, items: BodyOf<'/v1/live/{id}/allotments', 'put'>) => data(client.PUT('/v1/live/{id}/allotments', { ...id(liveId), body: items })),
  end: (liveId: string) => data(client.POST('/v1/live/{id}/end', id(liveId))),
  heartbeat: (liveId: string) => data(client.POST('/v1/live/{id}/heartbeat', id(liveId))),
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
