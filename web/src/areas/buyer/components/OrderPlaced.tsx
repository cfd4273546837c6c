import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { CheckoutResult } from '../../../lib/commerce';
import { useFormat } from '../../../lib/format';
import { StatusBadge } from '../../../components/StatusBadge';

/** After a successful payment: one order per shop, each with a link to its page. */
export function OrderPlaced({ result, shopNames }: { result: CheckoutResult; shopNames: Record<string, string> }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  return (
    <section className="panel confirmation" data-testid="order-confirmation" aria-labelledby="confirmation-title">
      <div className="confirmation__head">
        <span className="confirmation__check" aria-hidden="true" />
        <div>
          <h2 id="confirmation-title">{t('checkout.done.paid', { amount: fmt.money(result.payment.amount) })}</h2>
          <p className="muted">{result.orders.length > 1 ? t('checkout.done.splitText', { n: fmt.number(result.orders.length) }) : t('checkout.done.text')}</p>
        </div>
      </div>
      <ul className="order-list">
        {result.orders.map((o) => (
          <li key={o.id} className="order-row" data-testid="placed-order">
            <div>
              <p className="order-row__shop">{shopNames[o.shop_id] ?? t('orders.shopFallback')}</p>
              <p className="muted order-row__id">{t('orders.number', { id: o.id })}</p>
            </div>
            <StatusBadge kind="orderStatus" status={o.status} />
            <strong>{fmt.money(o.total)}</strong>
            <Link to={`/orders/${o.id}`} className="button button--small">
              {t('orders.view')}
            </Link>
          </li>
        ))}
      </ul>
      <div className="confirmation__actions">
        <Link to="/orders" className="button">
          {t('checkout.done.allOrders')}
        </Link>
        <Link to="/feed" className="button button--primary">
          {t('checkout.done.keepShopping')}
        </Link>
      </div>
    </section>
  );
}
