import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { caseDueAt, type AfterSalesCase } from '../lib/aftersales';
import type { OrderItem } from '../lib/commerce';
import { useFormat } from '../lib/format';
import { Countdown } from './Countdown';
import { StatusBadge } from './StatusBadge';

/**
 * One after-sales case: what was asked and why, the photos, the return parcel, the deadline it
 * waits on, the decision and the timeline; `children` are the actions of the viewer's side.
 */
export function CaseDetails({ c, items, children }: { c: AfterSalesCase; items?: OrderItem[]; children?: ReactNode }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const due = caseDueAt(c);
  const item = c.order_item_id ? (items?.find((i) => i.id === c.order_item_id)?.title ?? c.order_item_id) : null;
  return (
    <section className="panel case" aria-labelledby={`case-${c.id}`} data-testid="case" data-case-id={c.id}>
      <div className="panel__head">
        <h2 id={`case-${c.id}`}>{t(`caseType.${c.type}`)}</h2>
        <StatusBadge kind="caseStatus" status={c.status} />
      </div>
      {due && (
        <p className="case-due">
          {t(`caseDue.${c.status}`)} <Countdown to={due} testId="case-countdown" />
        </p>
      )}
      <dl className="facts">
        <div>
          <dt>{t('cases.reason')}</dt>
          <dd>{c.reason_code ? t(`reasonCode.${c.reason_code}`, { defaultValue: c.reason_code }) : t('reasonCode.other')}</dd>
        </div>
        <div>
          <dt>{t('cases.amount')}</dt>
          <dd>{fmt.money(c.amount)}</dd>
        </div>
        {item && (
          <div>
            <dt>{t('cases.item')}</dt>
            <dd>{c.quantity ? t('shipments.itemQuantity', { title: item, quantity: fmt.number(c.quantity) }) : item}</dd>
          </div>
        )}
        {c.refunded.amount > 0 && (
          <div>
            <dt>{t('cases.refunded')}</dt>
            <dd data-testid="case-refunded">{fmt.money(c.refunded)}</dd>
          </div>
        )}
        <div className="facts__wide">
          <dt>{t('cases.description')}</dt>
          <dd className="case-text">{c.reason}</dd>
        </div>
        {c.return && (
          <div className="facts__wide">
            <dt>{t('cases.returnParcel')}</dt>
            <dd>
              {t(`carriers.${c.return.carrier}`, { defaultValue: c.return.carrier })} <span className="mono">{c.return.tracking_number}</span>
            </dd>
          </div>
        )}
        {c.decision && (
          <div className="facts__wide">
            <dt>{t('cases.decision')}</dt>
            <dd>
              {t(`decision.${c.decision.outcome}`)}
              {c.decision.amount.amount > 0 && ` · ${fmt.money(c.decision.amount)}`}
              <span className="muted facts__note">{c.decision.note}</span>
            </dd>
          </div>
        )}
      </dl>
      {c.evidence.length > 0 && (
        <>
          <h3>{t('cases.evidence')}</h3>
          <ul className="thumbs" data-testid="evidence">
            {c.evidence.map((e, i) => (
              <li key={e.id}>
                <a href={e.url} target="_blank" rel="noreferrer">
                  <img src={e.url} alt={t('cases.photo', { n: i + 1 })} loading="lazy" />
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
      {children}
      <h3>{t('cases.timeline')}</h3>
      <ol className="timeline" data-testid="case-timeline">
        {[...c.timeline].reverse().map((e, i) => (
          <li key={`${e.type}-${e.at}-${i}`}>
            <span className="timeline__dot" aria-hidden="true" />
            <div>
              <p>{t(`caseEvent.${e.type}`, { defaultValue: e.type.replace(/_/g, ' ') })}</p>
              <p className="timeline__detail">
                {t(`caseActor.${e.by_role}`)}
                {/* The opening note is the reason, shown above. */}
                {e.note && e.type !== 'opened' && ` · ${e.note}`}
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
