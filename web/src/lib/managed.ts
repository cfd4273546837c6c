/** Fully-managed mode: supply offers, inbound shipments to platform warehouses, platform fulfilment. */
import { query, request, type Page } from '../api';
import type { Money } from '../i18n/format';
import type { OrderItem, ShippingAddress } from './commerce';

export const OFFER_STATUSES = ['submitted', 'accepted', 'rejected'] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];
export const INBOUND_STATUSES = ['expected', 'received', 'received_with_discrepancies'] as const;
export type InboundStatus = (typeof INBOUND_STATUSES)[number];

export interface SupplyOffer {
  id: string;
  shop_id: string;
  status: OfferStatus;
  title: string;
  description: string;
  category: string | null;
  option_names: string[];
  variants: { index: number; option_values: string[]; supply_price: Money; quantity_available: number; sku_id: string | null; retail_price: Money | null }[];
  product_id: string | null;
  note: string | null;
  created_at: string;
}

export interface OfferInput {
  title: string;
  description?: string;
  category?: string;
  option_names?: string[];
  variants: { option_values?: string[]; supply_price: Money; quantity_available: number }[];
}

export interface InboundShipment {
  id: string;
  shop_id: string;
  warehouse_id: string;
  carrier: string | null;
  tracking_number: string | null;
  status: InboundStatus;
  items: { sku_id: string; expected_quantity: number; received_quantity: number | null; discrepancy: number | null }[];
  note: string | null;
  received_at: string | null;
  created_at: string;
}

export interface PlatformWarehouse {
  id: string;
  name: string;
  is_default: boolean;
}

/** A managed shop's paid order, as the platform's shipping queue lists it. */
export interface ManagedOrder {
  id: string;
  shop: { id: string; name: string };
  status: string;
  total: Money;
  items: Pick<OrderItem, 'id' | 'sku_id' | 'title' | 'option_values' | 'quantity'>[];
  shipping_address: ShippingAddress;
  paid_at: string | null;
  ship_by: string | null;
  shipments: { id: string; carrier: string; tracking_number: string; status: string }[];
}

type PageParams = { limit?: number; cursor?: string | null };
const idem = (key: string) => ({ headers: { 'Idempotency-Key': key } });
const shopPath = (shopId: string, rest: string) => `/v1/shops/${encodeURIComponent(shopId)}/${rest}`;

export const managed = {
  offers: (shopId: string, params: PageParams & { status?: OfferStatus }) => request<Page<SupplyOffer>>('GET', `${shopPath(shopId, 'supply-offers')}${query(params)}`),
  createOffer: (shopId: string, body: OfferInput, key: string) => request<SupplyOffer>('POST', shopPath(shopId, 'supply-offers'), body, idem(key)),
  inbound: (shopId: string, params: PageParams) => request<Page<InboundShipment>>('GET', `${shopPath(shopId, 'inbound-shipments')}${query(params)}`),
  createInbound: (shopId: string, body: { warehouse_id: string; carrier?: string; tracking_number?: string; items: { sku_id: string; quantity: number }[] }, key: string) =>
    request<InboundShipment>('POST', shopPath(shopId, 'inbound-shipments'), body, idem(key)),
  warehouses: () => request<Page<PlatformWarehouse>>('GET', '/v1/platform-warehouses?limit=100'),

  offerQueue: (params: PageParams & { status?: OfferStatus }) => request<Page<SupplyOffer>>('GET', `/v1/admin/supply-offers${query(params)}`),
  acceptOffer: (id: string, retailPrices: { variant_index: number; price: Money }[], key: string) =>
    request<SupplyOffer>('POST', `/v1/admin/supply-offers/${encodeURIComponent(id)}/accept`, { retail_prices: retailPrices }, idem(key)),
  rejectOffer: (id: string, note: string) => request<SupplyOffer>('POST', `/v1/admin/supply-offers/${encodeURIComponent(id)}/reject`, { note }),
  inboundQueue: (params: PageParams & { status?: InboundStatus }) => request<Page<InboundShipment>>('GET', `/v1/admin/inbound-shipments${query(params)}`),
  receive: (id: string, body: { items: { sku_id: string; received_quantity: number }[]; note?: string }, key: string) =>
    request<InboundShipment>('POST', `/v1/admin/inbound-shipments/${encodeURIComponent(id)}/receive`, body, idem(key)),
  orders: (params: PageParams) => request<Page<ManagedOrder>>('GET', `/v1/admin/managed-orders${query(params)}`),
};
