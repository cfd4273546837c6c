import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { RangePicker, useRangeChoice } from '../../../components/analytics/common';
import { DataTable } from '../../../components/DataTable';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { finance, type MovementLine } from '../../../lib/finance';
import { useFormat } from '../../../lib/format';
import { keys } from '../../../api/keys';

/**
 * Every movement of the shop's money in a date range — sales into escrow, refunds, the platform's
 * and creators' commission, the release to available, subsidies, payouts — with the balance
 * (escrow + available) after each line, opening and closing.
 */
export function MovementStatement({ shopId }: { shopId: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { choice, range, valid, update } = useRangeChoice('30');
  const q = useQuery({
    queryKey: keys.finance(shopId, 'statement', range),
    queryFn: () => finance.statement(shopId, range),
    placeholderData: keepPreviousData,
  });
  return (
    <div data-testid="movement-statement">
      <div className="analytics__bar">
        <h3>{t('finance.movements.title')}</h3>
        <RangePicker value={choice} valid={valid} onChange={update} />
      </div>
      <p className="muted">{t('finance.movements.note')}</p>
      {q.isPending ? (
        <Loading />
      ) : q.isError ? (
        <ErrorAlert error={q.error} onRetry={() => void q.refetch()} />
      ) : (
        <>
          <dl className="stats">
            <div>
              <dt>{t('finance.movements.opening')}</dt>
              <dd data-testid="statement-opening">{fmt.money(q.data.opening)}</dd>
            </div>
            <div>
              <dt>{t('finance.movements.closing')}</dt>
              <dd data-testid="statement-closing">{fmt.money(q.data.closing)}</dd>
            </div>
          </dl>
          {q.data.lines.length === 0 ? (
            <p className="muted">{t('finance.movements.empty')}</p>
          ) : (
            <DataTable<MovementLine>
              className="table--statement table--movements"
              wrapTestId="movement-lines"
              columns={[
                { header: t('finance.columns.date'), cell: (l) => fmt.dateTime(l.at) },
                { header: t('finance.columns.line'), cell: (l) => t(`finance.movements.kind.${l.kind}`) },
                { header: t('finance.movements.bucket'), cell: (l) => t(`finance.movements.buckets.${l.bucket}`) },
                { header: t('finance.columns.order'), className: 'mono', cell: (l) => l.order_id },
                { header: t('finance.columns.amount'), num: true, cell: (l) => fmt.money(l.amount) },
                { header: t('finance.movements.balance'), num: true, cell: (l) => fmt.money(l.balance) },
              ]}
              rows={q.data.lines}
              rowKey={(l, i) => `${l.at}-${i}`}
              rowProps={() => ({ 'data-testid': 'movement-line' })}
            />
          )}
        </>
      )}
    </div>
  );
}
