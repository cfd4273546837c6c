import { useTranslation } from 'react-i18next';
import { CaseList } from '../../components/CaseList';
import { useMe } from '../../lib/session';
import { useSellerShop } from '../../lib/shops';

/** The shop's after-sales queue: every case with its status and the deadline it waits on. */
export function SellerAfterSales() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const shop = useSellerShop();
  return (
    <section className="panel" aria-labelledby="seller-cases-title">
      <h2 id="seller-cases-title">{t('cases.title')}</h2>
      <CaseList
        role="seller"
        shopId={(me?.shops.length ?? 0) > 1 ? shop.id : undefined}
        detailPath={(id) => `/seller/after-sales/${id}`}
        emptyText={t('cases.emptySeller')}
      />
    </section>
  );
}
