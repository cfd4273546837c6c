import { useTranslation } from 'react-i18next';
import { OrdersTable } from '../../components/OrdersTable';
import { useMe } from '../../lib/session';
import { useSellerShop } from '../../lib/shops';

/** Every order of the shop: buyer, date, status, total; each opens its detail. */
export function SellerOrders() {
  const { t } = useTranslation();
  const { data: me } = useMe();
  const shop = useSellerShop();
  return (
    <section className="panel" aria-labelledby="seller-orders-title">
      <h2 id="seller-orders-title">{t('seller.orders.title')}</h2>
      <OrdersTable role="seller" shopId={(me?.shops.length ?? 0) > 1 ? shop.id : undefined} detailPath={(id) => `/seller/orders/${id}`} testId="seller-orders" />
    </section>
  );
}
