import { useState, type FormEvent } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { DataTable } from '../../components/DataTable';
import { PagedList } from '../../components/PagedList';
import { useFormat } from '../../lib/format';
import { auditReason, operator, type AuditEntry, type AuditFilter } from '../../lib/operator';
import { usePaged } from '../../lib/paging';
import { keys } from '../../api/keys';

/** Kinds of action the filter offers (the API matches `<kind>.*`). */
const ACTION_KINDS = [
  'shop_action',
  'health_thresholds',
  'market',
  'link_policy',
  'invitation',
  'application',
  'commission_rule',
  'payout_hold',
  'payouts',
  'fulfillment_flag',
  'case',
  'supply_offer',
  'inbound',
  'shipment',
  'product',
  'external_anchor',
  'video',
] as const;

/** A date input's day (local) → the ISO start of that day, or of the next day for an inclusive end. */
const dayStart = (day: string, plusDays = 0) => {
  const d = new Date(`${day}T00:00:00`);
  d.setDate(d.getDate() + plusDays);
  return d.toISOString();
};

/** The audit log: who did what to which object, when, and why; filtered by kind, actor, object and days. */
export function OperatorAudit() {
  const { t } = useTranslation();
  const [draft, setDraft] = useState({ kind: '', actor: '', target: '', from: '', to: '' });
  const [filter, setFilter] = useState<AuditFilter>({});
  const list = usePaged(keys.audit(filter), (cursor) => operator.audit({ ...filter, limit: 25, cursor }));
  const set = (k: keyof typeof draft) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilter({
      action: draft.kind ? `${draft.kind}.*` : undefined,
      actor: draft.actor.trim() || undefined,
      target_id: draft.target.trim() || undefined,
      from: draft.from ? dayStart(draft.from) : undefined,
      to: draft.to ? dayStart(draft.to, 1) : undefined,
    });
  };
  const clear = () => {
    setDraft({ kind: '', actor: '', target: '', from: '', to: '' });
    setFilter({});
  };
  return (
    <section className="panel" aria-labelledby="audit-title">
      <h2 id="audit-title">{t('audit.title')}</h2>
      <p className="muted">{t('audit.intro')}</p>
      <form className="form" onSubmit={apply} data-testid="audit-filters" role="search">
        <div className="form-row">
          <div className="field">
            <label htmlFor="field-audit-kind">{t('audit.kind')}</label>
            <select id="field-audit-kind" value={draft.kind} onChange={set('kind')}>
              <option value="">{t('audit.allKinds')}</option>
              {ACTION_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`audit.kinds.${k}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="field-audit-actor">{t('audit.actor')}</label>
            <input id="field-audit-actor" type="search" value={draft.actor} onChange={set('actor')} placeholder={t('audit.actorPlaceholder')} />
          </div>
          <div className="field">
            <label htmlFor="field-audit-target">{t('audit.target')}</label>
            <input id="field-audit-target" type="search" value={draft.target} onChange={set('target')} placeholder={t('audit.targetPlaceholder')} />
          </div>
          <div className="field">
            <label htmlFor="field-audit-from">{t('audit.from')}</label>
            <input id="field-audit-from" type="date" value={draft.from} onChange={set('from')} />
          </div>
          <div className="field">
            <label htmlFor="field-audit-to">{t('audit.to')}</label>
            <input id="field-audit-to" type="date" value={draft.to} min={draft.from || undefined} onChange={set('to')} />
          </div>
        </div>
        <div className="form-actions">
          <button type="submit" className="button button--primary">
            {t('audit.apply')}
          </button>
          <button type="button" className="button button--ghost" onClick={clear}>
            {t('audit.clear')}
          </button>
        </div>
      </form>
      <PagedList list={list} emptyTitle={t('audit.emptyTitle')} emptyText={t('audit.emptyText')} testId="audit">
        {(rows) => (
          <DataTable
            columns={[{ header: t('audit.when') }, { header: t('audit.who') }, { header: t('audit.what') }, { header: t('audit.target') }, { header: t('audit.why') }]}
            rows={rows}
            rowKey={(e) => e.id}
            renderRow={(e) => <AuditRow key={e.id} entry={e} />}
          />
        )}
      </PagedList>
    </section>
  );
}

/** What was done, in words: a shop action names its kind ("Suspended a shop"). */
function actionText(t: TFunction, e: AuditEntry): string {
  const type = (e.data as { type?: unknown } | null)?.type;
  if (e.action === 'shop_action.created' && typeof type === 'string') return t(`auditAction.shop_action.created_type.${type}`, { defaultValue: t('auditAction.shop_action.created') });
  return t(`auditAction.${e.action}`, { defaultValue: e.action });
}

/** The operator console page of the entry's object, where there is one. */
function targetPage(e: AuditEntry): string | null {
  switch (e.target_type) {
    case 'shop':
      return `/operator/shops/${e.target_id}`;
    case 'after_sales_case':
      return `/operator/disputes/${e.target_id}`;
    case 'seller_application':
      return `/operator/applications/${e.target_id}`;
    case 'market':
      return '/operator/markets';
    default:
      return null;
  }
}

function AuditRow({ entry: e }: { entry: AuditEntry }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const reason = auditReason(e);
  const details = Object.entries((e.data ?? {}) as Record<string, unknown>).filter(([k, v]) => k !== 'reason' && v !== null && v !== undefined);
  return (
    <tr data-testid="audit-row" data-action={e.action} data-target-id={e.target_id}>
      <td>{fmt.dateTime(e.at)}</td>
      <td data-testid="audit-actor">
        {e.actor ? (
          <>
            <div>{e.actor.name}</div>
            <div className="muted">{e.actor.email}</div>
          </>
        ) : e.actor_id ? (
          <span className="mono">{e.actor_id}</span>
        ) : (
          <span className="muted">{t('audit.system')}</span>
        )}
      </td>
      <td>
        <div data-testid="audit-action">{actionText(t, e)}</div>
        {details.length > 0 && (
          <details>
            <summary className="muted">{t('audit.details')}</summary>
            {/* The recorded change, as stored (field names are technical). */}
            <pre className="mono audit-data" lang="en">
              {JSON.stringify(Object.fromEntries(details), null, 1)}
            </pre>
          </details>
        )}
      </td>
      <td>
        <div>{t(`audit.targetTypes.${e.target_type}`, { defaultValue: e.target_type })}</div>
        {targetPage(e) ? (
          <Link to={targetPage(e)!} className="mono muted">
            {e.target_id}
          </Link>
        ) : (
          <div className="mono muted">{e.target_id}</div>
        )}
      </td>
      <td data-testid="audit-reason">{reason ?? <span className="muted">{t('audit.noReason')}</span>}</td>
    </tr>
  );
}
