import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Shop } from '../api';
import { EmptyState } from '../components/EmptyState';
import { BoxIcon, StoreIcon } from '../components/Icons';
import { PageHeader } from '../components/PageHeader';
import { formatCurrencyName, formatDateTime, formatRegion } from '../i18n/format';
import { useLocale } from '../lib/language';
import { useMe } from '../lib/session';

/** The current time, refreshed every half minute (for "now in the shop's time zone"). */
function useNow(intervalMs = 30_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = setInterval(() => setNow(new Date()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

function ShopCard({ shop, now }: { shop: Shop; now: Date }) {
  const { t } = useTranslation();
  const locale = useLocale();
  return (
    <article className="shop-card" data-testid="shop-card" aria-labelledby={`shop-${shop.id}`}>
      <header className="shop-card__head">
        <h3 id={`shop-${shop.id}`}>{shop.name}</h3>
        <span className={`badge badge--${shop.status}`}>{t(`shop.status.${shop.status}`, { defaultValue: shop.status })}</span>
      </header>
      <dl className="facts">
        <div>
          <dt>{t('shop.market')}</dt>
          <dd>{formatRegion(shop.market, locale)}</dd>
        </div>
        <div>
          <dt>{t('shop.currency')}</dt>
          <dd>{formatCurrencyName(shop.currency, locale)}</dd>
        </div>
        <div>
          <dt>{t('shop.mode')}</dt>
          <dd>{t(`shop.modes.${shop.mode}`, { defaultValue: shop.mode })}</dd>
        </div>
        <div>
          <dt>{t('shop.yourRole')}</dt>
          <dd>{t(`shop.roles.${shop.role}`, { defaultValue: shop.role })}</dd>
        </div>
        <div className="facts__wide">
          <dt>{t('shop.timeZone')}</dt>
          <dd>
            <span data-testid="shop-timezone">{shop.timezone}</span>
            <span className="muted"> {t('shop.nowThere', { time: formatDateTime(now, locale, shop.timezone) })}</span>
          </dd>
        </div>
      </dl>
      <p className="field__hint">{t('shop.timeZoneNote')}</p>
    </article>
  );
}

/** Seller center: the user's shops and their orders (orders are filled by the orders issue). */
export function SellerCenter() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const now = useNow();
  const shops = me?.shops ?? [];
  return (
    <>
      <PageHeader title={t('seller.title')} subtitle={t('seller.subtitle')} />
      <section className="panel" aria-labelledby="seller-shops">
        <h2 id="seller-shops">{t('seller.shops.title')}</h2>
        {shops.length === 0 ? (
          <EmptyState title={t('seller.shops.emptyTitle')} icon={<StoreIcon />}>
            {t('seller.shops.emptyText')}
          </EmptyState>
        ) : (
          <div className="grid grid--2">
            {shops.map((shop) => (
              <ShopCard key={shop.id} shop={shop} now={now} />
            ))}
          </div>
        )}
      </section>
      <section className="panel" aria-labelledby="seller-orders">
        <h2 id="seller-orders">{t('seller.orders.title')}</h2>
        <EmptyState title={t('seller.orders.emptyTitle')} icon={<BoxIcon />} testId="seller-orders-empty">
          {t('seller.orders.emptyText')}
        </EmptyState>
      </section>
    </>
  );
}
