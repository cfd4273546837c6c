import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { aftersales, isOpen, latestCaseId } from '../../../lib/aftersales';
import type { Order } from '../../../lib/commerce';
import { CaseActions } from './CaseActions';
import { CaseDetails } from '../../../components/CaseDetails';
import { CaseRequestForm } from './CaseRequestForm';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Loading } from '../../../components/Loading';
import { keys } from '../../../api/keys';

/** Orders the buyer may open a case on (the server also checks the after-sales window). */
const CASE_OPENABLE: readonly string[] = ['shipped', 'delivered'];

/** The order's after-sales: its latest case with the viewer's actions, or the buyer's request form. */
export function OrderAfterSales({ order, seller }: { order: Order; seller: boolean }) {
  const { t } = useTranslation();
  const [requesting, setRequesting] = useState(false);
  const caseId = latestCaseId(order.timeline);
  const current = useQuery({ queryKey: keys.case(caseId), queryFn: () => aftersales.get(caseId!), enabled: caseId !== null });
  const canRequest = !seller && CASE_OPENABLE.includes(order.status) && (!current.data || !isOpen(current.data));

  return (
    <>
      {caseId &&
        (current.isPending ? (
          <Loading />
        ) : current.isError ? (
          <ErrorAlert error={current.error} onRetry={() => void current.refetch()} />
        ) : (
          <CaseDetails c={current.data} items={order.items}>
            {seller && (
              <p>
                <Link to={`/seller/after-sales/${current.data.id}`}>{t('cases.open')}</Link>
              </p>
            )}
            <CaseActions c={current.data} role={seller ? 'seller' : 'buyer'} />
          </CaseDetails>
        ))}
      {canRequest && (
        <section className="panel" aria-labelledby="case-request-title">
          <h2 id="case-request-title">{t('caseRequest.title')}</h2>
          {requesting ? (
            <CaseRequestForm order={order} onDone={() => setRequesting(false)} />
          ) : (
            <>
              <p className="muted">{t('caseRequest.intro')}</p>
              <button type="button" className="button" onClick={() => setRequesting(true)} data-testid="request-after-sales">
                {t('caseRequest.button')}
              </button>
            </>
          )}
        </section>
      )}
    </>
  );
}
