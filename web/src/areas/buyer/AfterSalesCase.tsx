import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { CaseActions } from './components/CaseActions';
import { CaseDetails } from '../../components/CaseDetails';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { StatusBadge } from '../../components/StatusBadge';
import { useFormat } from '../../lib/format';
import { aftersales } from '../../lib/aftersales';
import { keys } from '../../api/keys';

/** One case for its shop (answer it) or an operator (decide it), with a way back to the queue. */
export function AfterSalesCase({ role }: { role: 'seller' | 'operator' }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { id = '' } = useParams();
  const c = useQuery({ queryKey: keys.case(id), queryFn: () => aftersales.get(id) });
  return (
    <>
      <p className="back-link">
        <Link to={role === 'seller' ? '/seller/after-sales' : '/operator/disputes'}>{role === 'seller' ? t('cases.back') : t('operator.disputes.back')}</Link>
      </p>
      {c.isPending ? (
        <Loading />
      ) : c.isError ? (
        <ErrorAlert error={c.error} onRetry={() => void c.refetch()} />
      ) : (
        <CaseDetails c={c.data}>
          <p>
            {role === 'seller' ? (
              <Link to={`/seller/orders/${c.data.order_id}`}>{t('cases.viewOrder', { id: c.data.order_id })}</Link>
            ) : (
              t('cases.orderOf', { id: c.data.order_id })
            )}
          </p>
          {(c.data.shipments ?? []).length > 0 && (
            <ul className="link-list" data-testid="case-shipments">
              {c.data.shipments!.map((s) => (
                <li key={s.id}>
                  {t(`carriers.${s.carrier}`, { defaultValue: s.carrier })} <span className="mono">{s.tracking_number}</span> · <StatusBadge kind="shipmentStatus" status={s.status} />
                  {s.delivered_at && <span className="muted"> · {t('cases.deliveredAt', { time: fmt.dateTime(s.delivered_at) })}</span>}
                </li>
              ))}
            </ul>
          )}
          <CaseActions c={c.data} role={role} />
        </CaseDetails>
      )}
    </>
  );
}
