import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatRegion } from '../i18n/format';
import { useFormat } from '../lib/format';
import type { Application } from '../lib/sellers';
import { DocumentLink } from './DocumentUpload';
import { StatusBadge } from './StatusBadge';

/**
 * A seller application as its applicant and operators see it: company data, documents, the
 * automatic checks with their reasons, open questions and the timeline; `children` are the
 * viewer's actions.
 */
export function ApplicationDetails({ a, children }: { a: Application; children?: ReactNode }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const region = (code: string | undefined) => formatRegion(code ?? '', fmt.locale);
  const usedBy = (u: { used_by: string }) => t(`applicationCheckReason.usedBy.${u.used_by}`);
  const checkReason = (c: Application['checks'][number]): string => {
    const p = c.params;
    switch (c.code) {
      case 'no_seller_slots':
        return t('applicationCheckReason.no_seller_slots', { market: region(p.market), taken: fmt.number(p.taken ?? 0), quota: fmt.number(p.quota ?? 0) });
      case 'sales_below_threshold':
        return t('applicationCheckReason.sales_below_threshold', {
          market: region(p.market),
          category: p.category ?? '',
          sales: p.yearly_sales ? fmt.money(p.yearly_sales) : '',
          threshold: p.threshold ? fmt.money(p.threshold) : '',
        });
      case 'missing_documents':
        return t('applicationCheckReason.missing_documents', { documents: fmt.list((p.documents ?? []).map((k) => t(`documentKind.${k}`, { defaultValue: k }))) });
      case 'already_registered':
        return [
          p.registration_number && t('applicationCheckReason.registrationUsed', { value: p.registration_number.value, usedBy: usedBy(p.registration_number) }),
          p.tax_id && t('applicationCheckReason.taxIdUsed', { value: p.tax_id.value, usedBy: usedBy(p.tax_id) }),
        ]
          .filter(Boolean)
          .join(' ');
      case 'no_local_warehouse':
        return t('applicationCheckReason.no_local_warehouse', { market: region(p.market) });
      default:
        return c.reason ?? '';
    }
  };
  const fact = (label: string, value: ReactNode, wide = false) => (
    <div className={wide ? 'facts__wide' : undefined}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
  return (
    <section className="panel" aria-labelledby={`app-${a.id}`} data-testid="application" data-application-id={a.id}>
      <div className="panel__head">
        <h2 id={`app-${a.id}`}>{a.company_name}</h2>
        <StatusBadge kind="applicationStatus" status={a.status} />
      </div>
      <dl className="facts application-facts">
        {fact(t('application.market'), formatRegion(a.market, fmt.locale))}
        {fact(t('application.category'), a.category)}
        {fact(t('application.mode'), t(`shopMode.${a.mode}`))}
        {fact(t('application.registrationNumber'), <span className="mono">{a.registration_number}</span>)}
        {fact(t('application.taxId'), <span className="mono">{a.tax_id}</span>)}
        {fact(t('application.contact'), fmt.list([a.contact.name, a.contact.email, a.contact.phone]))}
        {fact(
          t('application.yearlySales'),
          t('application.salesOn', { amount: fmt.money({ amount: a.yearly_sales.amount, currency: a.yearly_sales.currency }), marketplace: a.yearly_sales.marketplace }),
        )}
        {fact(t('application.submitted'), fmt.dateTime(a.created_at))}
        {fact(
          t('application.warehouses'),
          a.warehouses.length === 0
            ? t('application.noWarehouses')
            : a.warehouses.map((w, i) => (
                <span key={i} className="facts__note">
                  {w.name}: {[w.address.line1, w.address.line2, w.address.city, w.address.region, w.address.postal_code, formatRegion(w.address.country, fmt.locale)].filter(Boolean).join(', ')}
                </span>
              )),
          true,
        )}
        {fact(
          t('application.documents'),
          a.documents.length === 0 ? (
            t('application.noDocuments')
          ) : (
            <ul className="doc-list" data-testid="application-documents">
              {a.documents.map((d) => (
                <li key={d.id}>
                  <DocumentLink doc={d} />
                </li>
              ))}
            </ul>
          ),
          true,
        )}
      </dl>
      <h3>{t('application.checks')}</h3>
      {a.checks.length === 0 ? (
        <p className="muted">{t('application.noChecks')}</p>
      ) : (
        <ul className="checks" data-testid="application-checks">
          {a.checks.map((c) => (
            <li key={c.check} className={c.passed ? 'checks__ok' : 'checks__bad'} data-check={c.check} data-passed={c.passed}>
              <strong>
                {t('application.checkResult', {
                  check: t(`applicationCheck.${c.check}`, { defaultValue: c.check }),
                  result: c.passed ? t('application.passed') : t('application.failed'),
                })}
              </strong>
              {/* The reason in the viewer's language from its code and facts; the server's English only for checks stored before codes. */}
              {c.code ? (
                <span className="muted" data-testid="check-reason">
                  {checkReason(c)}
                </span>
              ) : (
                c.reason && (
                  <span className="muted" lang="en" data-testid="check-reason">
                    {c.reason}
                  </span>
                )
              )}
            </li>
          ))}
        </ul>
      )}
      {a.status === 'needs_info' && a.questions && (
        <div className="alert alert--warn" data-testid="application-questions">
          <strong>{t('application.questions')}</strong>
          <ol>
            {a.questions.map((q, i) => (
              <li key={i}>{q}</li>
            ))}
          </ol>
        </div>
      )}
      {children}
      <h3>{t('application.timeline')}</h3>
      <ol className="timeline" data-testid="application-timeline">
        {[...a.timeline].reverse().map((e, i) => (
          <li key={`${e.at}-${i}`}>
            <span className="timeline__dot" aria-hidden="true" />
            <div>
              <p>{t(`applicationStatus.${e.to}`)}</p>
              <p className="timeline__detail">
                {t(`applicationActor.${e.actor_role}`)}
                {e.note && ` · ${e.note}`}
              </p>
              <time dateTime={e.at} className="muted">
                {fmt.dateTime(e.at)}
              </time>
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}
