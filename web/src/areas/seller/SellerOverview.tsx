import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { OrdersTable } from '../../components/OrdersTable';
import { ShopCard } from './components/ShopCard';
import { useMe } from '../../lib/session';
import { useSellerShop } from '../../lib/shops';

/** The current time, refreshed every half minute (for "now in the shop's time zone"). */
function useNow(intervalMs = 30_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = setInterval(() => setNow(new Date()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

/** The seller's shops and the newest orders of the shop being worked on. */
export function SellerOverview() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const shop = useSellerShop();
  const now = useNow();
  const shops = me?.shops ?? [];
  return (
    <>
      <section className="panel" aria-labelledby="seller-shops">
        <h2 id="seller-shops">{t('seller.shops.title')}</h2>
        <div className="grid grid--2">
          {shops.map((s) => (
            <ShopCard key={s.id} shop={s} now={now} />
          ))}
        </div>
      </section>
      <section className="panel" aria-labelledby="seller-orders">
        <div className="panel__head">
          <h2 id="seller-orders">{t('seller.orders.recent')}</h2>
          <Link to="/seller/orders">{t('seller.orders.all')}</Link>
        </div>
        <OrdersTable
          role="seller"
          shopId={shops.length > 1 ? shop.id : undefined}
          limit={5}
          detailPath={(id) => `/seller/orders/${id}`}
          testId="seller-orders"
        />
      </section>
    </>
  );
}
