import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Cart } from '../../../lib/commerce';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { CartIcon } from '../../../components/Icons';
import { Loading } from '../../../components/Loading';

/** The cart's loading, error and empty states; renders `children` once the cart has items. */
export function CartGate({
  cart,
  emptyText,
  testId,
  children,
}: {
  cart: UseQueryResult<Cart>;
  emptyText: string;
  testId: string;
  children: (cart: Cart) => ReactNode;
}) {
  const { t } = useTranslation();
  if (cart.isPending) return <Loading />;
  if (cart.isError) return <ErrorAlert error={cart.error} onRetry={() => void cart.refetch()} />;
  if (cart.data.shops.length > 0) return <>{children(cart.data)}</>;
  return (
    <section className="panel">
      <EmptyState title={t('cart.empty.title')} icon={<CartIcon />} testId={testId}>
        <p>{emptyText}</p>
        <Link to="/feed" className="button button--primary">
          {t('cart.empty.browse')}
        </Link>
      </EmptyState>
    </section>
  );
}
