import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../lib/format';
import type { InboundShipment, SupplyOffer } from '../lib/managed';
import { DataTable, type Column } from './DataTable';
import { StatusBadge } from './StatusBadge';

/** A supply offer with its variants (supply price, quantity, retail price once accepted); `children` are actions. */
export function OfferCard({ offer, children }: { offer: SupplyOffer; children?: ReactNode }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const variantColumns = useOfferVariantColumns(offer);
  return (
    <li className="case-card" data-testid="supply-offer" data-offer-id={offer.id}>
      <div className="shipment__head">
        <strong>{offer.title}</strong>
        <StatusBadge kind="offerStatus" status={offer.status} />
      </div>
      <p className="muted">
        {fmt.dateTime(offer.created_at)}
        {offer.category && ` · ${offer.category}`} · <span className="mono">{offer.shop_id}</span>
      </p>
      {offer.note && <p className="facts__note">{t('supply.note', { note: offer.note })}</p>}
      {children ?? (
        <DataTable
          wrap={false}
          columns={[
            ...variantColumns,
            { header: t('supply.retailPrice'), num: true, cell: (v) => (v.retail_price ? fmt.money(v.retail_price) : '—') },
          ]}
          rows={offer.variants}
          rowKey={(v) => v.index}
        />
      )}
    </li>
  );
}

type OfferVariant = SupplyOffer['variants'][number];

/** The columns every table of an offer's variants starts with: the variant, its supply price and quantity. */
export function useOfferVariantColumns(offer: SupplyOffer): Column<OfferVariant>[] {
  const { t } = useTranslation();
  const fmt = useFormat();
  return [
    { header: t('supply.variant'), cell: (v) => variantLabel(offer, v.index, t('supply.single')) },
    { header: t('supply.supplyPrice'), num: true, cell: (v) => fmt.money(v.supply_price) },
    { header: t('supply.quantity'), num: true, cell: (v) => fmt.number(v.quantity_available) },
  ];
}

/** "Red / L", or `single` for an offer without options. */
export function variantLabel(offer: SupplyOffer, index: number, single: string): string {
  const values = offer.variants[index]?.option_values ?? [];
  return values.length ? values.join(' / ') : single;
}

/** An inbound shipment: announced and counted quantities per SKU; `children` replace the table (the receiving form). */
export function InboundCard({ shipment, skuLabel, children }: { shipment: InboundShipment; skuLabel?: (skuId: string) => string; children?: ReactNode }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  return (
    <li className="case-card" data-testid="inbound-shipment" data-inbound-id={shipment.id}>
      <div className="shipment__head">
        <strong className="mono">{shipment.id}</strong>
        <StatusBadge kind="inboundStatus" status={shipment.status} />
      </div>
      <p className="muted">
        {fmt.dateTime(shipment.created_at)}
        {shipment.tracking_number && ` · ${shipment.carrier ?? ''} ${shipment.tracking_number}`} · <span className="mono">{shipment.shop_id}</span>
      </p>
      {shipment.note && <p className="facts__note">{t('inbound.note', { note: shipment.note })}</p>}
      {children ?? (
        <DataTable
          wrap={false}
          columns={[
            { header: t('inbound.sku'), cell: (i) => skuLabel?.(i.sku_id) ?? <span className="mono">{i.sku_id}</span> },
            { header: t('inbound.expected'), num: true, cell: (i) => fmt.number(i.expected_quantity) },
            { header: t('inbound.received'), num: true, cell: (i) => (i.received_quantity === null ? '—' : fmt.number(i.received_quantity)) },
            {
              header: t('inbound.discrepancy'),
              num: true,
              className: (i) => `num${i.discrepancy ? ' text-bad' : ''}`,
              testId: 'discrepancy',
              cell: (i) => (i.discrepancy === null ? '—' : i.discrepancy > 0 ? `+${fmt.number(i.discrepancy)}` : fmt.number(i.discrepancy)),
            },
          ]}
          rows={shipment.items}
          rowKey={(i) => i.sku_id}
        />
      )}
    </li>
  );
}
