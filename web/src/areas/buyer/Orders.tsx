import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { OrdersTable } from '../../components/OrdersTable';
import { VerificationActions } from './components/VerificationActions';

/** The buyer's orders, newest first. */
export function Orders() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t('orders.title')} subtitle={t('orders.subtitle')} />
      <section className="panel">
        <OrdersTable
          role="buyer"
          detailPath={(id) => `/orders/${id}`}
          actions={(paymentId) => <VerificationActions paymentId={paymentId} compact />}
          empty={
            <Link to="/feed" className="button button--primary">
              {t('cart.empty.browse')}
            </Link>
          }
        />
      </section>
    </>
  );
}
