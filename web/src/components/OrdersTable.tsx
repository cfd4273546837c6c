import { useInfiniteQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { commerce } from '../lib/commerce';
import { useFormat } from '../lib/format';
import { DataTable } from './DataTable';
import { EmptyState } from './EmptyState';
import { ErrorAlert } from './ErrorAlert';
import { BoxIcon } from './Icons';
import { Loading } from './Loading';
import { LoadMore } from './LoadMore';
import { ProductImage } from './ProductImage';
import { StatusBadge } from './StatusBadge';
import { keys } from '../api/keys';

/**
 * Orders of the buyer, or of a shop (seller), with status, total, date and a link to each.
 * `limit` shows only the newest few (no "more" button). An unpaid order waiting for the buyer's
 * 3-D-Secure verification shows as "Awaiting payment verification" (with `actions` for the buyer).
 */
export function OrdersTable({
  role,
  shopId,
  detailPath,
  empty,
  limit,
  testId,
  actions,
}: {
  role: 'buyer' | 'seller';
  shopId?: string;
  detailPath: (id: string) => string;
  empty?: ReactNode;
  limit?: number;
  testId?: string;
  /** Buyer lists: what to offer on an order awaiting its payment verification (resume, cancel). */
  actions?: (paymentId: string) => ReactNode;
}) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const orders = useInfiniteQuery({
    queryKey: keys.orders(role, shopId ?? null, limit ?? null),
    queryFn: ({ pageParam }) => commerce.orders({ role, shop_id: shopId, limit: limit ?? 20, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => (limit ? undefined : (last.next_cursor ?? undefined)),
  });

  if (orders.isPending) return <Loading />;
  if (orders.isError) return <ErrorAlert error={orders.error} onRetry={() => void orders.refetch()} />;
  const rows = orders.data.pages.flatMap((p) => p.data);
  if (rows.length === 0) {
    return (
      <EmptyState title={t('orders.emptyTitle')} icon={<BoxIcon />} testId={testId ? `${testId}-empty` : 'orders-empty'}>
        <p>{role === 'seller' ? t('orders.emptySeller') : t('orders.emptyBuyer')}</p>
        {empty}
      </EmptyState>
    );
  }
  return (
    <DataTable
      wrapTestId={testId ?? 'orders-table'}
      className="table--orders"
      columns={[
        {
          header: t('orders.columns.order'),
          cell: (o) => (
            <Link to={detailPath(o.id)} className="mono order-id">
              {o.id}
            </Link>
          ),
        },
        {
          header: t('orders.columns.items'),
          cell: (o) => {
            const first = o.items[0];
            if (!first) return null;
            return (
              <span className="order-items" data-testid="order-items">
                <ProductImage src={first.image} alt="" className="order-items__thumb" />
                <span>
                  {role === 'buyer' ? <Link to={`/products/${first.product_id}`}>{first.title}</Link> : first.title}
                  {o.items.length > 1 && <span className="muted"> {t('orders.moreItems', { count: o.items.length - 1, n: fmt.number(o.items.length - 1) })}</span>}
                </span>
              </span>
            );
          },
        },
        { header: role === 'seller' ? t('orders.columns.buyer') : t('orders.columns.shop'), cell: (o) => (role === 'seller' ? (o.buyer?.name ?? '') : (o.shop?.name ?? '')) },
        { header: t('orders.columns.date'), cell: (o) => fmt.dateTime(o.created_at) },
        {
          header: t('orders.columns.status'),
          cell: (o) =>
            o.awaiting_verification ? (
              <>
                <StatusBadge kind="orderStatus" status="awaiting_verification" />
                {role === 'buyer' && actions?.(o.awaiting_verification.payment_id)}
              </>
            ) : (
              <StatusBadge kind="orderStatus" status={o.status} />
            ),
        },
        { header: t('orders.columns.total'), num: true, cell: (o) => fmt.money(o.total) },
      ]}
      rows={rows}
      rowKey={(o) => o.id}
      rowProps={(o) => ({ 'data-testid': 'order-row', 'data-order-id': o.id })}
    >
      <LoadMore query={orders} />
    </DataTable>
  );
}
