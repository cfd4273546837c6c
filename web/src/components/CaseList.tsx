import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { aftersales, caseDueAt, type CaseStatus } from '../lib/aftersales';
import { useFormat } from '../lib/format';
import { Countdown } from './Countdown';
import { DataTable } from './DataTable';
import { EmptyState } from './EmptyState';
import { ErrorAlert } from './ErrorAlert';
import { ReceiptIcon } from './Icons';
import { Loading } from './Loading';
import { LoadMore } from './LoadMore';
import { StatusBadge } from './StatusBadge';
import { keys } from '../api/keys';

/** After-sales cases of the seller's shop or (operator) the platform, newest first, with their deadline. */
export function CaseList({
  role,
  shopId,
  status,
  detailPath,
  emptyText,
}: {
  role: 'seller' | 'operator';
  shopId?: string;
  status?: CaseStatus;
  detailPath: (id: string) => string;
  emptyText: string;
}) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const cases = useInfiniteQuery({
    queryKey: keys.cases(role, shopId ?? null, status ?? null),
    queryFn: ({ pageParam }) => aftersales.list({ role, shop_id: shopId, status, limit: 20, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  if (cases.isPending) return <Loading />;
  if (cases.isError) return <ErrorAlert error={cases.error} onRetry={() => void cases.refetch()} />;
  const rows = cases.data.pages.flatMap((p) => p.data);
  if (rows.length === 0) {
    return (
      <EmptyState title={t('cases.emptyTitle')} icon={<ReceiptIcon />} testId="cases-empty">
        {emptyText}
      </EmptyState>
    );
  }
  return (
    <DataTable
      wrapTestId="cases"
      className="table--cases"
      columns={[
        {
          header: t('cases.columns.case'),
          cell: (c) => (
            <>
              <Link to={detailPath(c.id)} className="mono order-id">
                {c.id}
              </Link>
              <div className="muted mono">{c.order_id}</div>
            </>
          ),
        },
        { header: t('cases.columns.type'), cell: (c) => t(`caseType.${c.type}`) },
        { header: t('cases.columns.opened'), cell: (c) => fmt.dateTime(c.created_at) },
        { header: t('cases.columns.status'), cell: (c) => <StatusBadge kind="caseStatus" status={c.status} /> },
        {
          header: t('cases.columns.due'),
          cell: (c) => {
            const due = caseDueAt(c);
            return due && <Countdown to={due} />;
          },
        },
        { header: t('cases.columns.amount'), num: true, cell: (c) => fmt.money(c.amount) },
      ]}
      rows={rows}
      rowKey={(c) => c.id}
      rowProps={(c) => ({ 'data-testid': 'case-row', 'data-case-id': c.id })}
    >
      <LoadMore query={cases} />
    </DataTable>
  );
}
