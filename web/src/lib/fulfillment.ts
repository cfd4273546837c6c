/** Shipments with their tracking timelines, SLA breaches and fake-tracking flags. */
import { client, data, idempotent } from '../api/client';
import type { BodyOf, ItemOf, ResponseOf } from '../api/types';

export type Shipment = ResponseOf<'/v1/orders/{id}/shipments', 'post'>;
export type ShipmentStatus = Shipment['status'];
export type FulfillmentFlag = ItemOf<'/v1/admin/fulfillment/flags'>;

/** The carriers the platform integrates; `sandbox` issues tracking numbers itself. */
export const CARRIERS = ['sandbox'] as const;

export type ShipmentInput = BodyOf<'/v1/orders/{id}/shipments'>;

export const fulfillment = {
  ship: (orderId: string, body: ShipmentInput, idempotencyKey: string) =>
    data(client.POST('/v1/orders/{id}/shipments', { params: { path: { id: orderId } }, body, ...idempotent(idempotencyKey) })),
  flags: (params: { status?: 'open' | 'cleared'; limit?: number; cursor?: string | null }) =>
    data(client.GET('/v1/admin/fulfillment/flags', { params: { query: { ...params, cursor: params.cursor ?? undefined } } })),
  clearFlag: (id: string, note: string) => data(client.POST('/v1/admin/fulfillment/flags/{id}/clear', { params: { path: { id } }, body: { note } })),
};

/** Per order item, how many are not in a shipment yet. */
export function unshipped(items: { id: string; quantity: number }[], shipments: Pick<Shipment, 'items'>[]): Map<string, number> {
  const left = new Map(items.map((i) => [i.id, i.quantity]));
  for (const s of shipments) for (const it of s.items) left.set(it.order_item_id, (left.get(it.order_item_id) ?? 0) - it.quantity);
  return left;
}
