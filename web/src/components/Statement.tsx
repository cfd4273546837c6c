import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Balances, Payout, StatementLine } from '../lib/finance';
import { useFormat } from '../lib/format';
import { DataTable } from './DataTable';
import { LoadMore } from './LoadMore';
import { StatusBadge } from './StatusBadge';

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

/**
 * Every line of an account's statement, oldest first, with "Load more"; `empty` when there is
 * none. `creator`: a creator's own lines (a settlement is their commission on the order).
 */
export function Statement({
  lines,
  more,
  empty,
  perspective = 'shop',
}: {
  lines: StatementLine[];
  more: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
  empty: ReactNode;
  perspective?: 'shop' | 'creator';
}) {
  const { t } = useTranslation();
  const fmt = useFormat();
  if (lines.length === 0) return empty;
  return (
    <DataTable
      className="table--statement"
      wrapTestId="statement"
      columns={[
        { header: t('finance.columns.date'), cell: (l) => fmt.dateTime(l.at) },
        {
          header: t('finance.columns.line'),
          cell: (l) => (
            <>
              {perspective === 'creator' && l.kind === 'settlement' ? t('creatorStatementKind.settlement') : t(`statementKind.${l.kind}`, { defaultValue: l.description })}
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
              {l.payout && <PayoutDetail payout={l.payout} badge={l.kind === 'payout'} />}
            </>
          ),
        },
        { header: t('finance.columns.order'), className: 'mono', cell: (l) => l.order_id },
        { header: t('finance.columns.amount'), num: true, cell: (l) => fmt.money(l.amount) },
      ]}
      rows={lines}
      rowKey={(l, i) => `${l.at}-${i}`}
      rowProps={() => ({ 'data-testid': 'statement-line' })}
    >
      <LoadMore query={more} />
    </DataTable>
  );
}

/** Where a payout stands: its status (on the payout line) and when it arrived or came back, and why. */
function PayoutDetail({ payout, badge }: { payout: Payout; badge: boolean }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const detail =
    payout.status === 'paid' && payout.paid_at
      ? t('payoutDetail.paid', { at: fmt.dateTime(payout.paid_at) })
      : payout.status === 'failed' && payout.failed_at
        ? t('payoutDetail.failed', {
            at: fmt.dateTime(payout.failed_at),
            reason: t(`payoutFailure.${payout.failure_reason ?? ''}`, { defaultValue: payout.failure_reason ?? '' }),
          })
        : t('payoutDetail.inTransit', { at: fmt.dateTime(payout.created_at) });
  return (
    <p className="muted timeline__detail" data-testid="payout-detail">
      {badge && <StatusBadge kind="payoutStatus" status={payout.status} />} {detail}
    </p>
  );
}
