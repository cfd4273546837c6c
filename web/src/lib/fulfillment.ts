/** Shipments with their tracking timelines, SLA breaches and fake-tracking flags. */
import { query, request, type Page } from '../api';

export type ShipmentStatus = 'label_created' | 'picked_up' | 'in_transit' | 'out_for_delivery' | 'delivered' | 'exception';

export interface Shipment {
  id: string;
  order_id: string;
  carrier: string;
  tracking_number: string;
  status: ShipmentStatus;
  items: { order_item_id: string; quantity: number }[];
  flags: string[];
  has_open_flags: boolean;
  created_at: string;
  delivered_at: string | null;
  timeline: { status: ShipmentStatus; at: string; postal_code: string | null; description: string }[];
}

export interface FulfillmentFlag {
  id: string;
  shop_id: string;
  order_id: string;
  shipment_id: string;
  rule: string;
  details: Record<string, unknown>;
  status: 'open' | 'cleared';
  created_at: string;
  cleared_at: string | null;
  note: string | null;
}

/** The carriers the platform integrates; `sandbox` issues tracking numbers itself. */
export const CARRIERS = ['sandbox'] as const;

export interface ShipmentInput {
  carrier: string;
  tracking_number?: string;
  items?: { order_item_id: string; quantity: number }[];
}

export const fulfillment = {
  ship: (orderId: string, body: ShipmentInput, idempotencyKey: string) =>
    request<Shipment>('POST', `/v1/orders/${encodeURIComponent(orderId)}/shipments`, body, { headers: { 'Idempotency-Key': idempotencyKey } }),
  flags: (params: { status?: 'open' | 'cleared'; limit?: number; cursor?: string | null }) =>
    request<Page<FulfillmentFlag>>('GET', `/v1/admin/fulfillment/flags${query(params)}`),
  clearFlag: (id: string, note: string) => request<FulfillmentFlag>('POST', `/v1/admin/fulfillment/flags/${encodeURIComponent(id)}/clear`, { note }),
};

/** Per order item, how many are not in a shipment yet. */
export function unshipped(items: { id: string; quantity: number }[], shipments: Pick<Shipment, 'items'>[]): Map<string, number> {
  const left = new Map(items.map((i) => [i.id, i.quantity]));
  for (const s of shipments) for (const it of s.items) left.set(it.order_item_id, (left.get(it.order_item_id) ?? 0) - it.quantity);
  return left;
}
