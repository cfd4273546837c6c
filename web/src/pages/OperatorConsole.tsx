import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { Loading } from '../components/Loading';
import { PageHeader } from '../components/PageHeader';
import { formatDateTime, formatNumber } from '../i18n/format';
import { useErrorMessage } from '../lib/errors';
import { useLocale } from '../lib/language';

/** Operator console: platform health, starting with the ledger reconciliation. */
export function OperatorConsole() {
  const { t } = useTranslation();
  const locale = useLocale();
  const errorMessage = useErrorMessage();
  const recon = useQuery({ queryKey: ['ledger', 'reconcile'], queryFn: api.reconcile });

  return (
    <>
      <PageHeader
        title={t('operator.title')}
        subtitle={t('operator.subtitle')}
        actions={
          <button type="button" className="button" onClick={() => void recon.refetch()} disabled={recon.isFetching}>
            {recon.isFetching ? t('operator.ledger.checking') : t('operator.ledger.recheck')}
          </button>
        }
      />
      <section className="panel" aria-labelledby="ledger-title" data-testid="ledger-status">
        <h2 id="ledger-title">{t('operator.ledger.title')}</h2>
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
    </>
  );
}
