import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../lib/format';
import type { InboundShipment, SupplyOffer } from '../lib/managed';
import { StatusBadge } from './StatusBadge';

/** A supply offer with its variants (supply price, quantity, retail price once accepted); `children` are actions. */
export function OfferCard({ offer, children }: { offer: SupplyOffer; children?: ReactNode }) {
  const { t } = useTranslation();
  const fmt = useFormat();
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
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('supply.variant')}</th>
              <th scope="col" className="num">
                {t('supply.supplyPrice')}
              </th>
              <th scope="col" className="num">
                {t('supply.quantity')}
              </th>
              <th scope="col" className="num">
                {t('supply.retailPrice')}
              </th>
            </tr>
          </thead>
          <tbody>
            {offer.variants.map((v) => (
              <tr key={v.index}>
                <td>{variantLabel(offer, v.index, t('supply.single'))}</td>
                <td className="num">{fmt.money(v.supply_price)}</td>
                <td className="num">{fmt.number(v.quantity_available)}</td>
                <td className="num">{v.retail_price ? fmt.money(v.retail_price) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </li>
  );
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
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('inbound.sku')}</th>
              <th scope="col" className="num">
                {t('inbound.expected')}
              </th>
              <th scope="col" className="num">
                {t('inbound.received')}
              </th>
              <th scope="col" className="num">
                {t('inbound.discrepancy')}
              </th>
            </tr>
          </thead>
          <tbody>
            {shipment.items.map((i) => (
              <tr key={i.sku_id}>
                <td>{skuLabel?.(i.sku_id) ?? <span className="mono">{i.sku_id}</span>}</td>
                <td className="num">{fmt.number(i.expected_quantity)}</td>
                <td className="num">{i.received_quantity === null ? '—' : fmt.number(i.received_quantity)}</td>
                <td className={`num${i.discrepancy ? ' text-bad' : ''}`} data-testid="discrepancy">
                  {i.discrepancy === null ? '—' : i.discrepancy > 0 ? `+${fmt.number(i.discrepancy)}` : fmt.number(i.discrepancy)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </li>
  );
}
