import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { DataTable, type Column } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Field } from '../../components/Field';
import { FormError } from '../../components/FormError';
import { Loading } from '../../components/Loading';
import { NoteForm } from '../../components/NoteForm';
import { PagedList } from '../../components/PagedList';
import { useToast } from '../../components/Toast';
import { formatRegion } from '../../i18n/format';
import { useFormat } from '../../lib/format';
import { ACTION_TYPES, operator, RATE_METRICS, SHOP_STATUSES, type ActionParams, type ActionType, type Breach, type HealthMetrics, type ShopAction, type ShopStatus } from '../../lib/operator';
import { usePaged } from '../../lib/paging';
import { keys } from '../../api/keys';

/** The metrics the shop list shows next to the order count. */
const LIST_METRICS = ['late_dispatch_rate', 'cancellation_rate', 'refund_rate', 'average_rating'] as const;
const DECISIONS = ['grant', 'deny'] as const;

const TONE: Record<string, string> = { active: 'ok', frozen: 'warn', suspended: 'bad', reversed: 'neutral', pending: 'warn', granted: 'ok', denied: 'bad' };

/** A status label for shops, actions and appeals. */
export function ConsoleBadge({ kind, status }: { kind: 'shopStatus' | 'actionStatus' | 'appealStatus'; status: string }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge--${TONE[status] ?? 'neutral'}`} data-status={status} data-testid={`${kind}-badge`}>
      {t(`${kind}.${status}`, { defaultValue: status })}
    </span>
  );
}

/** A metric's value as people read it: rates as percentages, the rating with one decimal, counts as numbers. */
export function useMetricFormat() {
  const { t } = useTranslation();
  const fmt = useFormat();
  return (metric: string, value: number | null | undefined) => {
    if (value === null || value === undefined) return t('health.noValue');
    if (RATE_METRICS.includes(metric)) return new Intl.NumberFormat(fmt.locale, { style: 'percent', maximumFractionDigits: 1 }).format(value);
    if (metric === 'average_rating') return new Intl.NumberFormat(fmt.locale, { maximumFractionDigits: 1 }).format(value);
    return fmt.number(value);
  };
}

/** Shops with their health: search by name, filter by status, open one to act on it. */
export function OperatorShops() {
  const { t } = useTranslation();
  const [typed, setTyped] = useState('');
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<ShopStatus | ''>('');
  // Search as one types, once the typing pauses.
  useEffect(() => {
    const id = setTimeout(() => setQ(typed.trim()), 300);
    return () => clearTimeout(id);
  }, [typed]);
  const list = usePaged(keys.adminShops(q, status), (cursor) => operator.shops({ q: q || undefined, status: status || undefined, limit: 20, cursor }));
  return (
    <section className="panel" aria-labelledby="shops-title">
      <div className="panel__head">
        <h2 id="shops-title">{t('console.shops.title')}</h2>
      </div>
      <form className="form-row" role="search" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="field-shop-search">{t('console.shops.search')}</label>
          <input id="field-shop-search" type="search" value={typed} onChange={(e) => setTyped(e.target.value)} placeholder={t('console.shops.searchPlaceholder')} data-testid="shop-search" />
        </div>
        <div className="field">
          <label htmlFor="field-shop-status">{t('console.shops.status')}</label>
          <select id="field-shop-status" value={status} onChange={(e) => setStatus(e.target.value as ShopStatus | '')} data-testid="shop-status-filter">
            <option value="">{t('operator.all')}</option>
            {SHOP_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`shopStatus.${s}`)}
              </option>
            ))}
          </select>
        </div>
      </form>
      <PagedList list={list} emptyTitle={t('console.shops.emptyTitle')} emptyText={t('console.shops.emptyText')} testId="admin-shops">
        {(rows) => <ShopsTable rows={rows} />}
      </PagedList>
    </section>
  );
}

type Row = Awaited<ReturnType<typeof operator.shops>>['data'][number];

function ShopsTable({ rows }: { rows: Row[] }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const metric = useMetricFormat();
  return (
    <DataTable
      columns={[
        {
          header: t('console.shops.shop'),
          cell: (s) => (
            <>
              <Link to={`/operator/shops/${s.id}`}>
                {s.name}
              </Link>
              <div className="muted">{t(`shopMode.${s.mode}`, { defaultValue: s.mode })}</div>
            </>
          ),
        },
        { header: t('application.market'), cell: (s) => formatRegion(s.market, fmt.locale) },
        { header: t('console.shops.status'), cell: (s) => <ConsoleBadge kind="shopStatus" status={s.status} /> },
        { header: t('health.metric.orders'), num: true, cell: (s) => fmt.number(s.health.metrics.orders) },
        ...LIST_METRICS.map((m): Column<Row> => ({ header: t(`health.metric.${m}`), num: true, cell: (s) => metric(m, s.health.metrics[m]) })),
        {
          header: t('health.breaches'),
          cell: (s) =>
            s.health.breaches.length === 0 ? (
              <span className="muted">{t('health.noBreaches')}</span>
            ) : (
              <span className="text-bad">{fmt.list(s.health.breaches.map((b) => t(`health.metric.${b.metric}`, { defaultValue: b.metric })))}</span>
            ),
        },
        {
          header: t('console.shops.activeActions'),
          cell: (s) =>
            s.active_actions.length === 0 ? (
              <span className="muted">{t('console.shops.noActions')}</span>
            ) : (
              <span className="chips">
                {s.active_actions.map((a) => (
                  <span key={a.id} className="chip">
                    {t(`actionType.${a.type}`)}
                  </span>
                ))}
              </span>
            ),
        },
      ]}
      rows={rows}
      rowKey={(s) => s.id}
      rowProps={(s) => ({ 'data-testid': 'admin-shop-row', 'data-shop-id': s.id })}
    />
  );
}

/** One shop: its health over the window, its breaches, the actions against it (with appeals), and the forms to act. */
export function OperatorShop() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const { id = '' } = useParams();
  const health = useQuery({ queryKey: keys.shopHealth(id), queryFn: () => operator.health(id) });
  return (
    <>
      <p>
        <Link to="/operator/shops" className="back-link">
          {t('console.shops.back')}
        </Link>
      </p>
      {health.isPending ? (
        <Loading />
      ) : health.isError ? (
        <ErrorAlert error={health.error} onRetry={() => void health.refetch()} />
      ) : (
        <>
          <section className="panel" aria-labelledby="shop-health-title" data-testid="shop-health">
            <div className="panel__head">
              <h2 id="shop-health-title">{health.data.shop_name}</h2>
              <ConsoleBadge kind="shopStatus" status={health.data.status} />
            </div>
            <p className="muted">
              {t('health.window', { days: fmt.number(health.data.window_days), time: fmt.dateTime(health.data.computed_at) })} · <span className="mono">{id}</span>
            </p>
            <Metrics metrics={health.data.metrics} />
            <Breaches breaches={health.data.breaches} />
          </section>
          <ApplyAction shopId={id} />
          <section className="panel" aria-labelledby="shop-actions-title">
            <h2 id="shop-actions-title">{t('shopAction.history')}</h2>
            {health.data.actions.length === 0 ? (
              <EmptyState title={t('shopAction.emptyTitle')} testId="shop-actions-empty">
                {t('shopAction.emptyText')}
              </EmptyState>
            ) : (
              <ul className="case-list" data-testid="shop-actions">
                {health.data.actions.map((a) => (
                  <ActionCard key={a.id} action={a} />
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </>
  );
}

/** Shared with the seller's own shop health page. */
export function Metrics({ metrics }: { metrics: HealthMetrics }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const metric = useMetricFormat();
  const keys = ['orders', 'late_dispatch_rate', 'cancellation_rate', 'fake_tracking_flags', 'refund_rate', 'not_as_described_cases', 'dispute_losses', 'average_rating'] as const;
  return (
    <dl className="stats" data-testid="health-metrics">
      {keys.map((k) => (
        <div key={k}>
          <dt>{t(`health.metric.${k}`)}</dt>
          <dd>{metric(k, metrics[k])}</dd>
          {k === 'average_rating' && <dd className="figure__note">{t('health.ratings', { count: metrics.rating_count, n: fmt.number(metrics.rating_count) })}</dd>}
        </div>
      ))}
    </dl>
  );
}

/** Shared with the seller's own shop health page. */
export function Breaches({ breaches }: { breaches: Breach[] }) {
  const { t } = useTranslation();
  const metric = useMetricFormat();
  if (breaches.length === 0) return <p className="muted">{t('health.noBreachesLong')}</p>;
  return (
    <DataTable
      testId="health-breaches"
      caption={t('health.breaches')}
      columns={[
        { header: t('health.metricLabel'), cell: (b) => t(`health.metric.${b.metric}`, { defaultValue: b.metric }) },
        { header: t('health.value'), num: true, className: 'num text-bad', cell: (b) => metric(b.metric, b.value) },
        { header: t('health.threshold'), num: true, cell: (b) => metric(b.metric, b.threshold) },
        { header: t('health.leadsTo'), cell: (b) => t(`actionType.${b.action}`) },
      ]}
      rows={breaches}
      rowKey={(b) => `${b.metric}-${b.action}`}
    />
  );
}

/** Which parameter an action type takes, and how the form names it. */
const PARAM_OF: Partial<Record<ActionType, { key: keyof ActionParams; label: string }>> = {
  listing_limit: { key: 'max_new_listings_per_day', label: 'shopAction.maxListings' },
  order_cap: { key: 'max_orders_per_day', label: 'shopAction.maxOrders' },
  payout_hold: { key: 'reserve_bps', label: 'shopAction.reservePercent' },
};

/** The action's parameter from the form: whole counts, or a reserve percentage → basis points. */
function paramsOf(type: ActionType, value: string): ActionParams | null | undefined {
  const p = PARAM_OF[type];
  if (!p) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) return null;
  if (p.key === 'reserve_bps') return n > 0 && n <= 100 ? { reserve_bps: Math.round(n * 100) } : null;
  return Number.isInteger(n) && n >= 0 && n <= 100_000 ? { [p.key]: n } : null;
}

function ApplyAction({ shopId }: { shopId: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const toast = useToast();
  const [type, setType] = useState<ActionType>('warning');
  const [reason, setReason] = useState('');
  const [param, setParam] = useState('');
  const [invalid, setInvalid] = useState<{ reason?: boolean; param?: boolean }>({});
  const apply = useMutation({
    mutationFn: (body: { type: ActionType; reason: string; params?: ActionParams }) => operator.applyAction(shopId, body),
    onSuccess: (a) => {
      toast({ text: t('shopAction.applied', { type: t(`actionType.${a.type}`) }) });
      setReason('');
      setParam('');
      void qc.invalidateQueries({ queryKey: keys.shopHealth(shopId) });
      void qc.invalidateQueries({ queryKey: keys.adminShops() });
      void qc.invalidateQueries({ queryKey: keys.adminOverview() });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const params = paramsOf(type, param);
    const bad = { reason: !reason.trim(), param: params === null };
    setInvalid(bad);
    if (bad.reason || bad.param) return;
    apply.mutate({ type, reason: reason.trim(), ...(params ? { params } : {}) });
  };
  const p = PARAM_OF[type];
  return (
    <section className="panel" aria-labelledby="apply-action-title">
      <h2 id="apply-action-title">{t('shopAction.applyTitle')}</h2>
      <form className="form" onSubmit={submit} noValidate data-testid="apply-action-form">
        <div className="form-row">
          <div className="field">
            <label htmlFor="field-action-type">{t('shopAction.type')}</label>
            <select
              id="field-action-type"
              value={type}
              onChange={(e) => {
                setType(e.target.value as ActionType);
                setParam('');
                setInvalid({});
              }}
            >
              {ACTION_TYPES.map((a) => (
                <option key={a} value={a}>
                  {t(`actionType.${a}`)}
                </option>
              ))}
            </select>
          </div>
          {p && (
            <Field
              label={t(p.label)}
              name="action-param"
              inputMode={p.key === 'reserve_bps' ? 'decimal' : 'numeric'}
              value={param}
              onChange={(e) => setParam(e.target.value)}
              error={invalid.param ? t(p.key === 'reserve_bps' ? 'shopAction.reserveInvalid' : 'shopAction.countInvalid') : null}
            />
          )}
        </div>
        <p className="field__hint">{t(`shopAction.explain.${type}`)}</p>
        <div className={`field${invalid.reason ? ' field--invalid' : ''}`}>
          <label htmlFor="field-action-reason">{t('shopAction.reason')}</label>
          <textarea id="field-action-reason" rows={2} maxLength={2000} value={reason} aria-invalid={!!invalid.reason} onChange={(e) => setReason(e.target.value)} />
          {invalid.reason && <p className="field__error">{t('validation.noteRequired')}</p>}
        </div>
        <FormError error={apply.error} />
        <button type="submit" className={`button ${type === 'suspension' || type === 'freeze' ? 'button--danger' : 'button--primary'}`} disabled={apply.isPending} data-testid="apply-action">
          {t('shopAction.apply')}
        </button>
      </form>
    </section>
  );
}

/** One action with its appeal; an active one can be reversed, a pending appeal decided. */
export function ActionCard({ action, showShop = false }: { action: ShopAction; showShop?: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: keys.shopHealth(action.shop_id) });
    void qc.invalidateQueries({ queryKey: keys.adminShops() });
    void qc.invalidateQueries({ queryKey: keys.shopActions() });
  };
  const reverse = useMutation({ mutationFn: (reason: string) => operator.reverseAction(action.id, reason), onSuccess: refresh });
  const [decision, setDecision] = useState<'grant' | 'deny'>('deny');
  const decide = useMutation({ mutationFn: (reason: string) => operator.decideAppeal(action.id, { decision, reason }), onSuccess: refresh });
  return (
    <li className="case-card" data-testid="shop-action" data-action-id={action.id} data-action-type={action.type}>
      <div className="shipment__head">
        <strong>{t(`actionType.${action.type}`)}</strong>
        <ConsoleBadge kind="actionStatus" status={action.status} />
      </div>
      <ActionFacts action={action}>
        {showShop && (
          <div>
            <dt>{t('console.shops.shop')}</dt>
            <dd>
              <Link to={`/operator/shops/${action.shop_id}`} className="mono">
                {action.shop_id}
              </Link>
            </dd>
          </div>
        )}
      </ActionFacts>
      {action.appeal?.status === 'pending' && (
        <NoteForm name={`appeal-${action.id}`} label={t('shopAction.decisionNote')} submitLabel={t('shopAction.decide')} pending={decide.isPending} error={decide.error} onSubmit={(reason) => decide.mutate(reason)}>
          <fieldset className="choice-row">
            <legend>{t('shopAction.decision')}</legend>
            {DECISIONS.map((d) => (
              <label key={d} className="choice">
                <input type="radio" name={`decision-${action.id}`} value={d} checked={decision === d} onChange={() => setDecision(d)} />
                <span>{t(`shopAction.decisions.${d}`)}</span>
              </label>
            ))}
          </fieldset>
        </NoteForm>
      )}
      {action.status === 'active' && action.appeal?.status !== 'pending' && (
        <NoteForm name={`reverse-${action.id}`} label={t('shopAction.reverseNote')} submitLabel={t('shopAction.reverse')} pending={reverse.isPending} error={reverse.error} onSubmit={(reason) => reverse.mutate(reason)} />
      )}
    </li>
  );
}

/** What an action is (source, date, settings, why, reversal, appeal), for operators and sellers alike. */
export function ActionFacts({ action, children }: { action: ShopAction; children?: ReactNode }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const params = Object.entries(action.params ?? {}).filter(([, v]) => v !== undefined && v !== null);
  return (
    <dl className="facts">
      {children}
      <div>
        <dt>{t('shopAction.source')}</dt>
        <dd>{t(`shopAction.sources.${action.source}`)}</dd>
      </div>
      <div>
        <dt>{t('shopAction.created')}</dt>
        <dd>{fmt.dateTime(action.created_at)}</dd>
      </div>
      {params.length > 0 && (
        <div>
          <dt>{t('shopAction.params')}</dt>
          <dd>
            {fmt.list(
              params.map(([k, v]) =>
                k === 'reserve_bps'
                  ? t('shopAction.param.reserve', { percent: fmt.percent(Number(v) / 10_000) })
                  : t(`shopAction.param.${k}`, { n: fmt.number(Number(v)), defaultValue: `${k}: ${String(v)}` }),
              ),
            )}
          </dd>
        </div>
      )}
      <div className="facts__wide">
        <dt>{t('shopAction.why')}</dt>
        <dd data-testid="action-reason">{action.reason}</dd>
      </div>
      {action.status === 'reversed' && (
        <div className="facts__wide">
          <dt>{t('shopAction.reversed')}</dt>
          <dd>{t('shopAction.reversedOn', { time: action.reversed_at ? fmt.dateTime(action.reversed_at) : '', reason: action.reverse_reason ?? '' })}</dd>
        </div>
      )}
      {action.appeal && (
        <div className="facts__wide" data-testid="action-appeal" data-appeal-status={action.appeal.status}>
          <dt>
            {t('shopAction.appeal')} <ConsoleBadge kind="appealStatus" status={action.appeal.status} />
          </dt>
          <dd>
            <q>{action.appeal.message}</q> <span className="muted">{fmt.dateTime(action.appeal.at)}</span>
            {action.appeal.decision_reason && <div>{t('shopAction.decisionReason', { reason: action.appeal.decision_reason })}</div>}
          </dd>
        </div>
      )}
    </dl>
  );
}
