import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { CoinsIcon } from '../../components/Icons';
import { Loading } from '../../components/Loading';
import { BalanceStats, Statement } from '../../components/Statement';
import { finance } from '../../lib/finance';
import { useSellerShop } from '../../lib/shops';
import { keys } from '../../api/keys';
import { MovementStatement } from './components/MovementStatement';

/** The shop's money: pending in escrow, available, paid out, payout hold, and its statement. */
export function SellerFinance() {
  const { t } = useTranslation();
  const shop = useSellerShop();
  const q = useInfiniteQuery({
    queryKey: keys.finance(shop.id),
    queryFn: ({ pageParam }) => finance.shop(shop.id, { limit: 20, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.statement.next_cursor ?? undefined,
  });
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorAlert error={q.error} onRetry={() => void q.refetch()} />;
  const first = q.data.pages[0]!;
  return (
    <section className="panel" aria-labelledby="finance-title" data-testid="seller-finance">
      <h2 id="finance-title">{t('finance.title')}</h2>
      {first.payout_hold && (
        <div role="alert" className="alert alert--warn notices" data-testid="payout-hold">
          {t('finance.payoutHold')}
        </div>
      )}
      <BalanceStats balances={first} />
      <p className="muted">{t('finance.note')}</p>
      <MovementStatement shopId={shop.id} />
      <h3 className="section-gap">{t('finance.statement')}</h3>
      <Statement
        lines={q.data.pages.flatMap((p) => p.statement.data)}
        more={q}
        empty={
          <EmptyState title={t('finance.emptyTitle')} icon={<CoinsIcon />} testId="statement-empty">
            {t('finance.emptyShop')}
          </EmptyState>
        }
      />
    </section>
  );
}
