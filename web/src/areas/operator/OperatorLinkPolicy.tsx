import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { DataTable } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { FormError } from '../../components/FormError';
import { Loading } from '../../components/Loading';
import { LoadMore } from '../../components/LoadMore';
import { useToast } from '../../components/Toast';
import { formatRegion } from '../../i18n/format';
import { closing, type LinkPolicy, type LinkPolicyMode } from '../../lib/closing';
import { useFormat } from '../../lib/format';
import { sellers, type AdminMarket } from '../../lib/sellers';
import { keys } from '../../api/keys';

/**
 * The link policy per market: semi-closed (external links allowed, click-outs paid) or closed;
 * schedule, move or cancel the cut-over, and after it its report.
 */
export function OperatorLinkPolicy() {
  const { t } = useTranslation();
  const markets = useQuery({ queryKey: keys.adminMarkets(), queryFn: sellers.adminMarkets });
  return (
    <section className="panel" aria-labelledby="link-policy-title">
      <h2 id="link-policy-title">{t('linkPolicy.title')}</h2>
      <p className="muted">{t('linkPolicy.intro')}</p>
      {markets.isPending ? (
        <Loading />
      ) : markets.isError ? (
        <ErrorAlert error={markets.error} onRetry={() => void markets.refetch()} />
      ) : markets.data.length === 0 ? (
        <EmptyState title={t('linkPolicy.noMarkets')} />
      ) : (
        <ul className="case-list" data-testid="link-policies">
          {markets.data.map((m) => (
            <MarketPolicy key={m.code} market={m} />
          ))}
        </ul>
      )}
    </section>
  );
}

/** `YYYY-MM-DDTHH:mm` in the browser's time zone, for a datetime-local input. */
function localInputValue(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function MarketPolicy({ market }: { market: AdminMarket }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const policy = useQuery({ queryKey: keys.linkPolicy(market.code), queryFn: () => closing.linkPolicy(market.code) });
  const name = formatRegion(market.code, fmt.locale);
  return (
    <li className="case-card" data-testid="link-policy" data-market={market.code}>
      <div className="shipment__head">
        <strong>{name}</strong>
        {policy.data && (
          <span className={`badge badge--${policy.data.mode === 'closed' ? 'ok' : policy.data.cutover_at ? 'warn' : 'neutral'}`} data-testid="link-policy-mode">
            {t(`linkPolicy.modes.${policy.data.mode}`)}
          </span>
        )}
      </div>
      {policy.isPending ? (
        <Loading />
      ) : policy.isError ? (
        <ErrorAlert error={policy.error} onRetry={() => void policy.refetch()} />
      ) : (
        <PolicyDetails market={market} policy={policy.data} name={name} />
      )}
    </li>
  );
}

function PolicyDetails({ market, policy, name }: { market: AdminMarket; policy: LinkPolicy; name: string }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const qc = useQueryClient();
  const toast = useToast();
  const scheduled = policy.mode === 'semi_closed' && policy.cutover_at ? policy.cutover_at : null;
  const [when, setWhen] = useState(() => localInputValue(scheduled ? new Date(scheduled) : new Date(Date.now() + 7 * 86_400_000)));
  const [invalid, setInvalid] = useState(false);
  const [confirmNow, setConfirmNow] = useState(false);
  const save = useMutation({
    mutationFn: (body: { mode: LinkPolicyMode; cutover_at?: string }) => closing.setLinkPolicy(market.code, body),
    onSuccess: (next, body) => {
      qc.setQueryData(keys.linkPolicy(market.code), next);
      void qc.invalidateQueries({ queryKey: keys.cutoverReport(market.code) });
      setConfirmNow(false);
      const key = body.mode === 'semi_closed' ? (scheduled ? 'cancelled' : 'reopened') : body.cutover_at ? 'scheduled' : 'closedNow';
      toast({ text: t(`linkPolicy.saved.${key}`, { market: name }) });
    },
  });
  const schedule = (e: FormEvent) => {
    e.preventDefault();
    const at = new Date(when);
    const bad = when === '' || Number.isNaN(at.getTime()) || at.getTime() <= Date.now();
    setInvalid(bad);
    if (!bad) save.mutate({ mode: 'closed', cutover_at: at.toISOString() });
  };
  const inputId = `cutover-at-${market.code}`;

  return (
    <div className="stack" data-testid="link-policy-details">
      <dl className="stats">
        <div>
          <dt>{t('linkPolicy.mode')}</dt>
          <dd>{t(`linkPolicy.modes.${policy.mode}`)}</dd>
        </div>
        <div>
          <dt>{policy.mode === 'closed' ? t('linkPolicy.closedAt') : t('linkPolicy.scheduledAt')}</dt>
          <dd data-testid="cutover-at">{policy.cutover_at ? fmt.dateTime(policy.cutover_at, market.timezone) : t('linkPolicy.none')}</dd>
        </div>
        <div>
          <dt>{t('linkPolicy.clicks')}</dt>
          <dd>{t('linkPolicy.clicksValue', { n: fmt.number(policy.clicks.count), cost: fmt.money(policy.clicks.cost) })}</dd>
        </div>
      </dl>
      {policy.cutover_at && <p className="muted">{t('linkPolicy.timezoneNote', { timezone: market.timezone })}</p>}

      {policy.mode === 'semi_closed' ? (
        <form className="form" onSubmit={schedule} noValidate>
          <div className={`field${invalid ? ' field--invalid' : ''}`}>
            <label htmlFor={inputId}>{scheduled ? t('linkPolicy.reschedule') : t('linkPolicy.scheduleAt')}</label>
            <input
              id={inputId}
              type="datetime-local"
              name={inputId}
              value={when}
              aria-invalid={invalid}
              aria-describedby={`${inputId}-hint`}
              onChange={(e) => setWhen(e.target.value)}
              data-testid="cutover-input"
            />
            <p id={`${inputId}-hint`} className={invalid ? 'field__error' : 'field__hint'}>
              {invalid ? t('linkPolicy.futureOnly') : t('linkPolicy.localTime')}
            </p>
          </div>
          <div className="button-row">
            <button type="submit" className="button button--primary" disabled={save.isPending} data-testid="schedule-cutover">
              {scheduled ? t('linkPolicy.rescheduleButton') : t('linkPolicy.scheduleButton')}
            </button>
            {scheduled && (
              <button type="button" className="button" disabled={save.isPending} onClick={() => save.mutate({ mode: 'semi_closed' })} data-testid="cancel-cutover">
                {t('linkPolicy.cancelButton')}
              </button>
            )}
            {confirmNow ? (
              <>
                <button type="button" className="button button--danger" disabled={save.isPending} onClick={() => save.mutate({ mode: 'closed' })} data-testid="confirm-close-now">
                  {t('linkPolicy.confirmCloseNow')}
                </button>
                <button type="button" className="button button--ghost" onClick={() => setConfirmNow(false)}>
                  {t('common.cancel')}
                </button>
              </>
            ) : (
              <button type="button" className="button button--ghost" onClick={() => setConfirmNow(true)}>
                {t('linkPolicy.closeNow')}
              </button>
            )}
          </div>
          {confirmNow && <p className="alert alert--warn">{t('linkPolicy.closeNowWarning', { market: name })}</p>}
        </form>
      ) : (
        <div className="button-row">
          <button type="button" className="button" disabled={save.isPending} onClick={() => save.mutate({ mode: 'semi_closed' })} data-testid="reopen">
            {t('linkPolicy.reopen')}
          </button>
          <span className="muted">{t('linkPolicy.reopenNote')}</span>
        </div>
      )}
      <FormError error={save.error} />
      {policy.last_cutover && <CutoverReportView market={market} />}
    </div>
  );
}

/** What the last cut-over turned off, and whom it notified. */
function CutoverReportView({ market }: { market: AdminMarket }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const report = useInfiniteQuery({
    queryKey: keys.cutoverReport(market.code),
    queryFn: ({ pageParam }) => closing.cutoverReport(market.code, { limit: 20, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.owners.next_cursor ?? undefined,
  });
  if (report.isPending) return <Loading />;
  if (report.isError) return <ErrorAlert error={report.error} onRetry={() => void report.refetch()} />;
  const r = report.data.pages[0]!.report;
  if (!r) return null;
  const owners = report.data.pages.flatMap((p) => p.owners.data);
  const count = (n: number | null | undefined) => (n === null || n === undefined || n < 0 ? t('linkPolicy.report.unknown') : fmt.number(n));
  return (
    <section className="cutover-report" aria-labelledby={`report-${market.code}`} data-testid="cutover-report">
      <h3 id={`report-${market.code}`}>{t('linkPolicy.report.title', { time: fmt.dateTime(r.at, market.timezone) })}</h3>
      <dl className="stats">
        <div>
          <dt>{t('linkPolicy.report.anchors')}</dt>
          <dd>{count(r.video_anchors_deactivated ?? r.anchors_deactivated)}</dd>
        </div>
        <div>
          <dt>{t('linkPolicy.report.storeLinks')}</dt>
          <dd>{count(r.store_links_retired)}</dd>
        </div>
        <div>
          <dt>{t('linkPolicy.report.notified')}</dt>
          <dd>{count(r.owners_notified)}</dd>
        </div>
        <div>
          <dt>{t('linkPolicy.report.captions')}</dt>
          <dd>{count(r.captions_flagged)}</dd>
        </div>
      </dl>
      {owners.length === 0 ? (
        <p className="muted">{t('linkPolicy.report.nobody')}</p>
      ) : (
        <DataTable
          caption={t('linkPolicy.report.ownersCaption')}
          columns={[
            { header: t('linkPolicy.report.owner'), cell: (o) => o.name || o.id },
            { header: t('linkPolicy.report.anchors'), num: true, cell: (o) => count(o.anchors) },
            { header: t('linkPolicy.report.storeLinks'), num: true, cell: (o) => count(o.store_links) },
            { header: t('linkPolicy.report.captions'), num: true, cell: (o) => count(o.captions) },
          ]}
          rows={owners}
          rowKey={(o) => o.id}
        >
          <LoadMore query={report} />
        </DataTable>
      )}
    </section>
  );
}
