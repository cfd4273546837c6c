import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { NoteForm } from '../../components/NoteForm';
import { PagedList } from '../../components/PagedList';
import { useToast } from '../../components/Toast';
import { useFormat } from '../../lib/format';
import type { ShopAction } from '../../lib/operator';
import { usePaged } from '../../lib/paging';
import { useSellerShop } from '../../lib/shops';
import { trust } from '../../lib/trust';
import { ActionFacts, Breaches, ConsoleBadge, Metrics } from '../operator/OperatorShops';
import '../../trust.css';
import { keys } from '../../api/keys';

const STATUS_TONE = { active: 'alert--ok', frozen: 'alert--warn', suspended: 'alert--error' } as const;

/**
 * The shop's health (`/seller/health`): its status, the metrics over the market's window with the
 * thresholds it breaches, and the actions taken on it; an action in force may be appealed once.
 */
export function SellerHealth() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const shop = useSellerShop();
  const health = useQuery({ queryKey: keys.sellerHealth(shop.id), queryFn: () => trust.shopHealth(shop.id) });
  const actions = usePaged(keys.sellerShopActions(shop.id), (cursor) => trust.shopActions(shop.id, { limit: 20, cursor }));
  return (
    <>
      <section className="panel" aria-labelledby="shop-health-title" data-testid="seller-health">
        <h2 id="shop-health-title">{t('shopHealth.title')}</h2>
        {health.isPending ? (
          <Loading />
        ) : health.isError ? (
          <ErrorAlert error={health.error} onRetry={() => void health.refetch()} />
        ) : (
          <>
            <div className={`alert ${STATUS_TONE[health.data.status]} shop-status`} role="status" data-testid="shop-status" data-status={health.data.status}>
              <strong>{t('shopHealth.status')}</strong> <ConsoleBadge kind="shopStatus" status={health.data.status} />
              <span>{t(`shopHealth.statusText.${health.data.status}`)}</span>
            </div>
            <p className="muted">{t('health.window', { days: fmt.number(health.data.window_days), time: fmt.dateTime(health.data.computed_at) })}</p>
            <h3>{t('shopHealth.metrics')}</h3>
            <Metrics metrics={health.data.metrics} />
            <h3>{t('shopHealth.breaches')}</h3>
            <Breaches breaches={health.data.breaches} />
          </>
        )}
      </section>
      <section className="panel" aria-labelledby="shop-actions-title">
        <h2 id="shop-actions-title">{t('shopHealth.actionsTitle')}</h2>
        <PagedList list={actions} emptyTitle={t('shopHealth.actionsEmptyTitle')} emptyText={t('shopHealth.actionsEmptyText')} testId="seller-actions">
          {(rows) => (
            <ul className="case-list">
              {rows.map((a) => (
                <SellerActionCard key={a.id} action={a} />
              ))}
            </ul>
          )}
        </PagedList>
      </section>
    </>
  );
}

function SellerActionCard({ action }: { action: ShopAction }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const toast = useToast();
  const appeal = useMutation({
    mutationFn: (message: string) => trust.appeal(action.id, message),
    onSuccess: () => {
      toast({ text: t('shopHealth.appealed') });
      void qc.invalidateQueries({ queryKey: keys.sellerShopActions(action.shop_id) });
      void qc.invalidateQueries({ queryKey: keys.sellerHealth(action.shop_id) });
    },
  });
  return (
    <li className="case-card" data-testid="seller-action" data-action-id={action.id} data-action-type={action.type}>
      <div className="shipment__head">
        <strong>{t(`actionType.${action.type}`)}</strong>
        <ConsoleBadge kind="actionStatus" status={action.status} />
      </div>
      <p className="field__hint">{t(`shopAction.explain.${action.type}`)}</p>
      <ActionFacts action={action} />
      {action.status === 'active' && !action.appeal && (
        <NoteForm
          name={`appeal-${action.id}`}
          label={t('shopHealth.appealLabel')}
          submitLabel={t('shopHealth.appealSubmit')}
          pending={appeal.isPending}
          error={appeal.error}
          onSubmit={(message) => appeal.mutate(message)}
        />
      )}
    </li>
  );
}
