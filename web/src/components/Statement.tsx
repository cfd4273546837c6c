import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Balances, StatementLine } from '../lib/finance';
import { useFormat } from '../lib/format';
import { LoadMore } from './LoadMore';

/** Pending, available and paid-out money, as stat tiles. */
export function BalanceStats({ balances }: { balances: Balances }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  return (
    <dl className="stats" data-testid="balances">
      <div>
        <dt>{t('finance.pending')}</dt>
        <dd data-testid="balance-pending">{fmt.money(balances.pending)}</dd>
      </div>
      <div>
        <dt>{t('finance.available')}</dt>
        <dd data-testid="balance-available">{fmt.money(balances.available)}</dd>
      </div>
      <div>
        <dt>{t('finance.paidOut')}</dt>
        <dd data-testid="balance-paid-out">{fmt.money(balances.paid_out)}</dd>
      </div>
    </dl>
  );
}

/** Every line of an account's statement, oldest first, with "Load more"; `empty` when there is none. */
export function Statement({
  lines,
  more,
  empty,
}: {
  lines: StatementLine[];
  more: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
  empty: ReactNode;
}) {
  const { t } = useTranslation();
  const fmt = useFormat();
  if (lines.length === 0) return empty;
  return (
    <div className="table-wrap" data-testid="statement">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t('finance.columns.date')}</th>
            <th scope="col">{t('finance.columns.line')}</th>
            <th scope="col">{t('finance.columns.order')}</th>
            <th scope="col" className="num">
              {t('finance.columns.amount')}
            </th>
          </tr>
        </thead>
        <tbody>
          {lines.map((l, i) => (
            <tr key={`${l.at}-${i}`} data-testid="statement-line">
              <td>{fmt.dateTime(l.at)}</td>
              <td>
                {t(`statementKind.${l.kind}`, { defaultValue: l.description })}
                {l.breakdown && (
                  <p className="muted timeline__detail">
                    {t('finance.breakdown', {
                      held: fmt.money(l.breakdown.held),
                      commission: fmt.money(l.breakdown.commission),
                      affiliate: fmt.money(l.breakdown.affiliate),
                      subsidy: fmt.money(l.breakdown.subsidy),
                    })}
                  </p>
                )}
              </td>
              <td className="mono">{l.order_id}</td>
              <td className="num">{fmt.money(l.amount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <LoadMore query={more} />
    </div>
  );
}
