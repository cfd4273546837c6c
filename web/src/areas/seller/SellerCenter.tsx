import { useTranslation } from 'react-i18next';
import { Outlet } from 'react-router';
import { EmptyState } from '../../components/EmptyState';
import { FilterSelect } from '../../components/FilterSelect';
import { StoreIcon } from '../../components/Icons';
import { PageHeader } from '../../components/PageHeader';
import { TabsNav } from '../../components/TabsNav';
import { useShopChoice, type SellerContext } from '../../lib/shops';

const SECTIONS = [
  { to: '/seller', labelKey: 'seller.tabs.overview', end: true },
  { to: '/seller/products', labelKey: 'seller.tabs.products', end: false },
  { to: '/seller/videos', labelKey: 'seller.tabs.videos', end: false },
  { to: '/seller/orders', labelKey: 'seller.tabs.orders', end: false },
  { to: '/seller/after-sales', labelKey: 'seller.tabs.afterSales', end: false },
  { to: '/seller/finance', labelKey: 'seller.tabs.finance', end: false },
  { to: '/seller/imports', labelKey: 'imports.tab', end: false },
  { to: '/seller/anchors', labelKey: 'anchorReplacement.tab', end: false },
  { to: '/seller/analytics', labelKey: 'analytics.nav', end: false },
  { to: '/seller/health', labelKey: 'shopHealth.tab', end: false },
];
/** A managed shop only supplies goods: it offers them and sends them to the platform's warehouse. */
const MANAGED_SECTIONS = [
  { to: '/seller/supply-offers', labelKey: 'seller.tabs.supplyOffers', end: false },
  { to: '/seller/inbound', labelKey: 'seller.tabs.inbound', end: false },
];
const WITH_MANAGED = [...SECTIONS, ...MANAGED_SECTIONS];

/** Seller center: the shop's overview, products, videos, orders, after-sales and finance, one section per tab. */
export function SellerCenter() {
  const { t } = useTranslation();
  const { shop, shops, choose } = useShopChoice();
  return (
    <>
      <PageHeader
        title={t('seller.title')}
        subtitle={t('seller.subtitle')}
        actions={
          shops.length > 1 && shop ? (
            <FilterSelect label={t('seller.shopPicker')} value={shop.id} onChange={(e) => choose(e.target.value)}>
              {shops.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </FilterSelect>
          ) : undefined
        }
      />
      {!shop ? (
        <section className="panel">
          <EmptyState title={t('seller.shops.emptyTitle')} icon={<StoreIcon />}>
            {t('seller.shops.emptyText')}
          </EmptyState>
        </section>
      ) : (
        <>
          <TabsNav tabs={shop.mode === 'managed' ? WITH_MANAGED : SECTIONS} label={t('seller.tabs.label')} />
          <Outlet context={{ shop } satisfies SellerContext} />
        </>
      )}
    </>
  );
}
