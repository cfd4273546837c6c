import { useTranslation } from 'react-i18next';
import { CaseList } from '../../components/CaseList';

/** Escalated cases waiting for an operator's decision. */
export function OperatorDisputes() {
  const { t } = useTranslation();
  return (
    <section className="panel" aria-labelledby="disputes-title">
      <h2 id="disputes-title">{t('operator.disputes.title')}</h2>
      <CaseList role="operator" status="escalated" detailPath={(id) => `/operator/disputes/${id}`} emptyText={t('operator.disputes.emptyText')} />
    </section>
  );
}
