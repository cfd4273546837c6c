import { useTranslation } from 'react-i18next';
import type { OrderItem } from '../../../lib/commerce';
import type { Shipment } from '../../../lib/fulfillment';
import { useFormat } from '../../../lib/format';
import { StatusBadge } from '../../../components/StatusBadge';

/** An order's parcels: carrier, tracking number, what is in each and its tracking timeline. */
export function Shipments({ shipments, items, seller }: { shipments: Shipment[]; items: OrderItem[]; seller: boolean }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const title = (id: string) => items.find((i) => i.id === id)?.title ?? id;
  return (
    <section className="panel" aria-labelledby="order-shipments" data-testid="shipments">
      <h2 id="order-shipments">{t('shipments.title')}</h2>
      {shipments.map((s) => (
        <article key={s.id} className="shipment" data-testid="shipment" data-shipment-id={s.id}>
          <div className="shipment__head">
            <strong>{t(`carriers.${s.carrier}`, { defaultValue: s.carrier })}</strong>
            <span className="mono" data-testid="tracking-number">
              {s.tracking_number}
            </span>
            <StatusBadge kind="shipmentStatus" status={s.status} />
          </div>
          {seller && s.has_open_flags && (
            <div role="alert" className="alert alert--warn notices" data-testid="shipment-flagged">
              {t('shipments.flagged', { rules: fmt.list(s.flags.map((r) => t(`flagRule.${r}`, { defaultValue: r }))) })}
            </div>
          )}
          {s.receipt_confirmed_at && (
            <p data-testid="receipt-confirmed">{t(seller ? 'receipt.confirmedByBuyer' : 'receipt.confirmedByYou', { time: fmt.dateTime(s.receipt_confirmed_at) })}</p>
          )}
          <p className="shipment__items">{fmt.list(s.items.map((i) => t('shipments.itemQuantity', { title: title(i.order_item_id), quantity: fmt.number(i.quantity) })))}</p>
          {s.timeline.length === 0 ? (
            <p className="muted">{t('shipments.noScans')}</p>
          ) : (
            <ol className="timeline" data-testid="tracking-timeline">
              {[...s.timeline].reverse().map((e, i) => (
                <li key={`${e.status}-${e.at}-${i}`}>
                  <span className="timeline__dot" aria-hidden="true" />
                  <div>
                    <p>{t(`shipmentStatus.${e.status}`, { defaultValue: e.status })}</p>
                    {/* The carrier's own words, as it sent them. */}
                    <p className="timeline__detail">
                      {e.description}
                      {e.postal_code && ` · ${e.postal_code}`}
                    </p>
                    <time dateTime={e.at} className="muted">
                      {fmt.dateTime(e.at)}
                    </time>
                  </div>
                </li>
              ))}
            </ol>
          )}
        </article>
      ))}
    </section>
  );
}
