/** Fully-managed mode: supply offers, inbound shipments to platform warehouses, platform fulfilment. */
import { client, data, idempotent, q, type Query } from '../api/client';
import type { BodyOf, ItemOf, QueryOf } from '../api/types';

export const OFFER_STATUSES = ['submitted', 'accepted', 'rejected'] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];
export const INBOUND_STATUSES = ['expected', 'received', 'received_with_discrepancies'] as const;
export type InboundStatus = (typeof INBOUND_STATUSES)[number];

export type SupplyOffer = ItemOf<'/v1/shops/{id}/supply-offers'>;
export type OfferInput = BodyOf<'/v1/shops/{id}/supply-offers'>;
export type InboundShipment = ItemOf<'/v1/shops/{id}/inbound-shipments'>;
export type PlatformWarehouse = ItemOf<'/v1/platform-warehouses'>;
/** A managed shop's paid order, as the platform's shipping queue lists it. */
export type ManagedOrder = ItemOf<'/v1/admin/managed-orders'>;

type PageParams = Query<{ limit?: number; cursor?: string }>;
const path = (id: string) => ({ path: { id } });

export const managed = {
  offers: (shopId: string, params: Query<QueryOf<'/v1/shops/{id}/supply-offers'>>) =>
    data(client.GET('/v1/shops/{id}/supply-offers', { params: { ...path(shopId), query: q(params) } })),
  createOffer: (shopId: string, body: OfferInput, key: string) => data(client.POST('/v1/shops/{id}/supply-offers', { params: path(shopId), body, ...idempotent(key) })),
  inbound: (shopId: string, params: PageParams) => data(client.GET('/v1/shops/{id}/inbound-shipments', { params: { ...path(shopId), query: q(params) } })),
  createInbound: (shopId: string, body: BodyOf<'/v1/shops/{id}/inbound-shipments'>, key: string) =>
    data(client.POST('/v1/shops/{id}/inbound-shipments', { params: path(shopId), body, ...idempotent(key) })),
  warehouses: () => data(client.GET('/v1/platform-warehouses', { params: { query: { limit: 100 } } })),

  offerQueue: (params: Query<QueryOf<'/v1/admin/supply-offers'>>) => data(client.GET('/v1/admin/supply-offers', { params: { query: q(params) } })),
  acceptOffer: (id: string, retailPrices: BodyOf<'/v1/admin/supply-offers/{id}/accept'>['retail_prices'], key: string) =>
    data(client.POST('/v1/admin/supply-offers/{id}/accept', { params: path(id), body: { retail_prices: retailPrices }, ...idempotent(key) })),
  rejectOffer: (id: string, note: string) => data(client.POST('/v1/admin/supply-offers/{id}/reject', { params: path(id), body: { note } })),
  inboundQueue: (params: Query<QueryOf<'/v1/admin/inbound-shipments'>>) => data(client.GET('/v1/admin/inbound-shipments', { params: { query: q(params) } })),
  receive: (id: string, body: BodyOf<'/v1/admin/inbound-shipments/{id}/receive'>, key: string) =>
    data(client.POST('/v1/admin/inbound-shipments/{id}/receive', { params: path(id), body, ...idempotent(key) })),
  orders: (params: PageParams) => data(client.GET('/v1/admin/managed-orders', { params: { query: q(params) } })),
};
