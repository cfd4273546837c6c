import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { aftersales, caseDueAt, type CaseStatus } from '../lib/aftersales';
import { useFormat } from '../lib/format';
import { Countdown } from './Countdown';
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
    <div className="table-wrap" data-testid="cases">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t('cases.columns.case')}</th>
            <th scope="col">{t('cases.columns.type')}</th>
            <th scope="col">{t('cases.columns.opened')}</th>
            <th scope="col">{t('cases.columns.status')}</th>
            <th scope="col">{t('cases.columns.due')}</th>
            <th scope="col" className="num">
              {t('cases.columns.amount')}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => {
            const due = caseDueAt(c);
            return (
              <tr key={c.id} data-testid="case-row" data-case-id={c.id}>
                <td>
                  <Link to={detailPath(c.id)} className="mono order-id">
                    {c.id}
                  </Link>
                  <div className="muted mono">{c.order_id}</div>
                </td>
                <td>{t(`caseType.${c.type}`)}</td>
                <td>{fmt.dateTime(c.created_at)}</td>
                <td>
                  <StatusBadge kind="caseStatus" status={c.status} />
                </td>
                <td>{due && <Countdown to={due} />}</td>
                <td className="num">{fmt.money(c.amount)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <LoadMore query={cases} />
    </div>
  );
}
