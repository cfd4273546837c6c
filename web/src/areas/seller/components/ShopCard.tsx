import { useTranslation } from 'react-i18next';
import type { Shop } from '../../../api';
import { formatCurrencyName, formatDateTime, formatRegion } from '../../../i18n/format';
import { useLocale } from '../../../lib/language';

/** A shop's market, currency, mode, the user's role and the time in the shop's zone. */
export function ShopCard({ shop, now }: { shop: Shop; now: Date }) {
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
