import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Route, Routes } from 'react-router';
import { api } from '../../api';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { TabsNav } from '../../components/TabsNav';
import { formatDateTime, formatNumber } from '../../i18n/format';
import { useErrorMessage } from '../../lib/errors';
import { useLocale } from '../../lib/language';
import { AfterSalesCase } from '../buyer/AfterSalesCase';
import { NotFound } from '../../pages/NotFound';
import { OperatorApplication, OperatorApplications } from './OperatorApplications';
import { OperatorDisputes } from './OperatorDisputes';
import { OperatorFlags } from './OperatorFlags';
import { OperatorInvitations } from './OperatorInvitations';
import { OperatorManagedOrders, OperatorReceiving, OperatorSupplyOffers } from './OperatorManaged';
import { OperatorMarkets } from './OperatorMarkets';
import { OperatorAppeals } from './OperatorAppeals';
import { OperatorAudit } from './OperatorAudit';
import { OperatorCommission } from './OperatorCommission';
import { OperatorHealthThresholds } from './OperatorHealthThresholds';
import { OperatorOverview } from './OperatorOverview';
import { OperatorShop, OperatorShops } from './OperatorShops';
import { OperatorLinkPolicy } from './OperatorLinkPolicy';
import { keys } from '../../api/keys';

const SECTIONS = [
  { to: '/operator', labelKey: 'console.tabs.overview', end: true },
  { to: '/operator/shops', labelKey: 'console.tabs.shops', end: false },
  { to: '/operator/appeals', labelKey: 'console.tabs.appeals', end: false },
  { to: '/operator/disputes', labelKey: 'operator.tabs.disputes', end: false },
  { to: '/operator/flags', labelKey: 'operator.tabs.flags', end: false },
  { to: '/operator/applications', labelKey: 'operator.tabs.applications', end: false },
  { to: '/operator/invitations', labelKey: 'operator.tabs.invitations', end: false },
  { to: '/operator/markets', labelKey: 'operator.tabs.markets', end: false },
  { to: '/operator/link-policy', labelKey: 'linkPolicy.tab', end: false },
  { to: '/operator/health-thresholds', labelKey: 'console.tabs.thresholds', end: false },
  { to: '/operator/commission', labelKey: 'console.tabs.commission', end: false },
  { to: '/operator/managed-catalog', labelKey: 'operator.tabs.managedCatalog', end: false },
  { to: '/operator/receiving', labelKey: 'operator.tabs.receiving', end: false },
  { to: '/operator/managed-orders', labelKey: 'operator.tabs.managedOrders', end: false },
  { to: '/operator/ledger', labelKey: 'operator.tabs.ledger', end: false },
  { to: '/operator/audit', labelKey: 'console.tabs.audit', end: false },
];

/** Operator console: the ledger's health, the review queues, seller onboarding and the managed operation, one section per tab. */
export function OperatorConsole() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t('operator.title')} subtitle={t('operator.subtitle')} />
      <TabsNav tabs={SECTIONS} label={t('operator.tabs.label')} />
      <Routes>
        <Route index element={<OperatorOverview />} />
        <Route path="shops" element={<OperatorShops />} />
        <Route path="shops/:id" element={<OperatorShop />} />
        <Route path="appeals" element={<OperatorAppeals />} />
        <Route path="health-thresholds" element={<OperatorHealthThresholds />} />
        <Route path="commission" element={<OperatorCommission />} />
        <Route path="ledger" element={<LedgerStatus />} />
        <Route path="audit" element={<OperatorAudit />} />
        <Route path="disputes" element={<OperatorDisputes />} />
        <Route path="disputes/:id" element={<AfterSalesCase role="operator" />} />
        <Route path="flags" element={<OperatorFlags />} />
        <Route path="applications" element={<OperatorApplications />} />
        <Route path="applications/:id" element={<OperatorApplication />} />
        <Route path="invitations" element={<OperatorInvitations />} />
        <Route path="markets" element={<OperatorMarkets />} />
        <Route path="link-policy" element={<OperatorLinkPolicy />} />
        <Route path="managed-catalog" element={<OperatorSupplyOffers />} />
        <Route path="receiving" element={<OperatorReceiving />} />
        <Route path="managed-orders" element={<OperatorManagedOrders />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </>
  );
}

/** The ledger reconciliation: balanced or not, with its problems. */
function LedgerStatus() {
  const { t } = useTranslation();
  const locale = useLocale();
  const errorMessage = useErrorMessage();
  const recon = useQuery({ queryKey: keys.ledger('reconcile'), queryFn: api.reconcile });

  return (
    <section className="panel" aria-labelledby="ledger-title" data-testid="ledger-status">
      <div className="panel__head">
        <h2 id="ledger-title">{t('operator.ledger.title')}</h2>
        <button type="button" className="button" onClick={() => void recon.refetch()} disabled={recon.isFetching}>
          {recon.isFetching ? t('operator.ledger.checking') : t('operator.ledger.recheck')}
        </button>
      </div>
      {recon.isPending ? (
        <Loading />
      ) : recon.isError ? (
        <div role="alert" className="alert alert--error">
          {errorMessage(recon.error)}
        </div>
      ) : (
        <>
          <div className={`status-line ${recon.data.balanced ? 'status-line--ok' : 'status-line--bad'}`}>
            <span className="status-dot" aria-hidden="true" />
            <strong>{recon.data.balanced ? t('operator.ledger.balanced') : t('operator.ledger.unbalanced')}</strong>
            <span className="muted">{t('operator.ledger.checkedAt', { time: formatDateTime(recon.dataUpdatedAt, locale) })}</span>
          </div>
          <dl className="stats">
            <div>
              <dt>{t('operator.ledger.entries')}</dt>
              <dd>{formatNumber(recon.data.entries, locale)}</dd>
            </div>
            <div>
              <dt>{t('operator.ledger.accounts')}</dt>
              <dd>{formatNumber(recon.data.accounts, locale)}</dd>
            </div>
            <div>
              <dt>{t('operator.ledger.problems')}</dt>
              <dd>{formatNumber(recon.data.problems.length, locale)}</dd>
            </div>
          </dl>
          {recon.data.problems.length === 0 ? (
            <p className="muted">{t('operator.ledger.noProblems')}</p>
          ) : (
            <ul className="problems">
              {recon.data.problems.map((p, i) => (
                <li key={i}>
                  <strong>{t(`operator.ledger.problemCodes.${p.code}`, { defaultValue: p.code })}</strong>
                  {/* The API's technical detail stays in English, with its stable code. */}
                  <span className="muted" lang="en">
                    <code>{p.code}</code> {p.message}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
