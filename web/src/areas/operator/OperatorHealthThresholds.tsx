import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Field } from '../../components/Field';
import { FilterSelect } from '../../components/FilterSelect';
import { FormError } from '../../components/FormError';
import { Loading } from '../../components/Loading';
import { useToast } from '../../components/Toast';
import { formatRegion } from '../../i18n/format';
import { useFormat } from '../../lib/format';
import { ACTION_TYPES, HEALTH_METRICS, operator, RATE_METRICS, type ActionType, type HealthMetric, type HealthRule, type HealthThresholds } from '../../lib/operator';
import { sellers } from '../../lib/sellers';
import { keys } from '../../api/keys';

/** A rule as the form holds it: rates as percentages, everything as typed text. */
interface RuleForm {
  metric: HealthMetric;
  threshold: string;
  minOrders: string;
  action: ActionType;
  param: string;
  /** Kept as they came (the form does not edit them). */
  comparison?: HealthRule['comparison'];
  minRatings?: number;
}

const PARAM_KEY: Partial<Record<ActionType, 'max_new_listings_per_day' | 'max_orders_per_day' | 'reserve_bps'>> = {
  listing_limit: 'max_new_listings_per_day',
  order_cap: 'max_orders_per_day',
  payout_hold: 'reserve_bps',
};

const isRate = (m: string) => RATE_METRICS.includes(m);
const trimNumber = (n: number) => String(Math.round(n * 10_000) / 10_000);

function toForm(r: HealthRule): RuleForm {
  const key = PARAM_KEY[r.action];
  const raw = key ? r.params?.[key] : undefined;
  return {
    metric: r.metric,
    threshold: trimNumber(isRate(r.metric) ? r.threshold * 100 : r.threshold),
    minOrders: String(r.min_orders),
    action: r.action,
    param: raw === undefined ? '' : key === 'reserve_bps' ? trimNumber(raw / 100) : String(raw),
    comparison: r.comparison,
    minRatings: r.min_ratings,
  };
}

/** The rule for the API, or the names of its invalid fields. */
function fromForm(f: RuleForm): HealthRule | string[] {
  const bad: string[] = [];
  const threshold = Number(f.threshold);
  if (f.threshold.trim() === '' || !Number.isFinite(threshold) || threshold < 0 || (isRate(f.metric) && threshold > 100) || (f.metric === 'average_rating' && threshold > 5)) bad.push('threshold');
  const minOrders = Number(f.minOrders);
  if (f.minOrders.trim() === '' || !Number.isInteger(minOrders) || minOrders < 0) bad.push('minOrders');
  const key = PARAM_KEY[f.action];
  let params: HealthRule['params'];
  if (key) {
    const n = Number(f.param);
    if (f.param.trim() === '' || !Number.isFinite(n)) bad.push('param');
    else if (key === 'reserve_bps') {
      if (n <= 0 || n > 100) bad.push('param');
      else params = { reserve_bps: Math.round(n * 100) };
    } else if (!Number.isInteger(n) || n < 0) bad.push('param');
    else params = { [key]: n };
  }
  if (bad.length > 0) return bad;
  return {
    metric: f.metric,
    threshold: isRate(f.metric) ? threshold / 100 : threshold,
    min_orders: minOrders,
    action: f.action,
    ...(params ? { params } : {}),
    ...(f.comparison ? { comparison: f.comparison } : {}),
    ...(f.minRatings !== undefined ? { min_ratings: f.minRatings } : {}),
  };
}

/** Seller-health thresholds per market: the window, when a silent shop is frozen, and the rules that act on a breach. */
export function OperatorHealthThresholds() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const markets = useQuery({ queryKey: keys.adminMarkets(), queryFn: sellers.adminMarkets });
  const [market, setMarket] = useState('');
  const code = market || markets.data?.[0]?.code || '';
  const thresholds = useQuery({ queryKey: keys.healthThresholds(code), queryFn: () => operator.thresholds(code), enabled: code !== '' });
  return (
    <section className="panel" aria-labelledby="thresholds-title">
      <div className="panel__head">
        <h2 id="thresholds-title">{t('console.thresholds.title')}</h2>
        <FilterSelect label={t('application.market')} value={code} onChange={(e) => setMarket(e.target.value)} data-testid="thresholds-market">
          {(markets.data ?? []).map((m) => (
            <option key={m.code} value={m.code}>
              {formatRegion(m.code, fmt.locale)}
            </option>
          ))}
        </FilterSelect>
      </div>
      <p className="muted">{t('console.thresholds.intro')}</p>
      {markets.isError ? (
        <ErrorAlert error={markets.error} onRetry={() => void markets.refetch()} />
      ) : markets.isPending || (code !== '' && thresholds.isPending) ? (
        <Loading />
      ) : thresholds.isError ? (
        <ErrorAlert error={thresholds.error} onRetry={() => void thresholds.refetch()} />
      ) : thresholds.data ? (
        <ThresholdsForm key={code} market={code} value={thresholds.data} />
      ) : null}
    </section>
  );
}

function ThresholdsForm({ market, value }: { market: string; value: HealthThresholds }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const qc = useQueryClient();
  const toast = useToast();
  const [windowDays, setWindowDays] = useState(String(value.window_days));
  const [freezeDays, setFreezeDays] = useState(String(value.freeze_after_days));
  const [rules, setRules] = useState<RuleForm[]>(value.rules.map(toForm));
  const [invalid, setInvalid] = useState<{ window?: boolean; freeze?: boolean; rules: Record<number, string[]> }>({ rules: {} });
  const save = useMutation({
    mutationFn: (body: { window_days: number; freeze_after_days: number; rules: HealthRule[] }) => operator.saveThresholds(market, body),
    onSuccess: () => {
      toast({ text: t('console.thresholds.saved', { market: formatRegion(market, fmt.locale) }) });
      void qc.invalidateQueries({ queryKey: keys.healthThresholds(market) });
    },
  });
  const days = (s: string) => {
    const n = Number(s);
    return Number.isInteger(n) && n >= 1 && n <= 365 ? n : null;
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = rules.map(fromForm);
    const ruleErrors = Object.fromEntries(parsed.flatMap((r, i) => (Array.isArray(r) && typeof r[0] === 'string' ? [[i, r as string[]]] : [])));
    const w = days(windowDays);
    const f = days(freezeDays);
    setInvalid({ window: w === null, freeze: f === null, rules: ruleErrors });
    if (w === null || f === null || Object.keys(ruleErrors).length > 0) return;
    save.mutate({ window_days: w, freeze_after_days: f, rules: parsed as HealthRule[] });
  };
  const setRule = (i: number, patch: Partial<RuleForm>) => setRules(rules.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const rowErrors = (i: number) => {
    const bad = invalid.rules[i] ?? [];
    return { threshold: bad.includes('threshold'), minOrders: bad.includes('minOrders'), param: bad.includes('param') };
  };
  return (
    <form className="form" onSubmit={submit} noValidate data-testid="thresholds-form">
      <div className="form-row">
        <Field
          label={t('console.thresholds.windowDays')}
          name="window-days"
          inputMode="numeric"
          value={windowDays}
          onChange={(e) => setWindowDays(e.target.value)}
          hint={t('console.thresholds.windowHint')}
          error={invalid.window ? t('console.thresholds.daysInvalid') : null}
        />
        <Field
          label={t('console.thresholds.freezeAfterDays')}
          name="freeze-days"
          inputMode="numeric"
          value={freezeDays}
          onChange={(e) => setFreezeDays(e.target.value)}
          hint={t('console.thresholds.freezeHint')}
          error={invalid.freeze ? t('console.thresholds.daysInvalid') : null}
        />
      </div>
      <div className="table-wrap">
        <table className="table" data-testid="threshold-rules">
          <caption className="visually-hidden">{t('console.thresholds.rules')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('health.metricLabel')}</th>
              <th scope="col">{t('health.threshold')}</th>
              <th scope="col">{t('console.thresholds.minOrders')}</th>
              <th scope="col">{t('health.leadsTo')}</th>
              <th scope="col">{t('shopAction.params')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('operator.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rules.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  {t('console.thresholds.noRules')}
                </td>
              </tr>
            )}
            {rules.map((r, i) => (
              <tr key={i} data-testid="threshold-rule">
                <td>
                  <select aria-label={t('health.metricLabel')} value={r.metric} onChange={(e) => setRule(i, { metric: e.target.value as HealthMetric, comparison: undefined })}>
                    {HEALTH_METRICS.map((m) => (
                      <option key={m} value={m}>
                        {t(`health.metric.${m}`)}
                      </option>
                    ))}
                  </select>
                </td>
                <td className={rowErrors(i).threshold ? 'cell--invalid' : undefined}>
                  <input
                    aria-label={t('health.threshold')}
                    aria-invalid={rowErrors(i).threshold}
                    inputMode="decimal"
                    size={6}
                    value={r.threshold}
                    onChange={(e) => setRule(i, { threshold: e.target.value })}
                  />{' '}
                  <span className="muted">{isRate(r.metric) ? t('console.thresholds.percent') : r.metric === 'average_rating' ? t('console.thresholds.below') : t('console.thresholds.count')}</span>
                  {rowErrors(i).threshold && <p className="cell__error">{t('console.thresholds.thresholdInvalid')}</p>}
                </td>
                <td className={rowErrors(i).minOrders ? 'cell--invalid' : undefined}>
                  <input aria-label={t('console.thresholds.minOrders')} aria-invalid={rowErrors(i).minOrders} inputMode="numeric" size={4} value={r.minOrders} onChange={(e) => setRule(i, { minOrders: e.target.value })} />
                  {rowErrors(i).minOrders && <p className="cell__error">{t('shopAction.countInvalid')}</p>}
                </td>
                <td>
                  <select aria-label={t('health.leadsTo')} value={r.action} onChange={(e) => setRule(i, { action: e.target.value as ActionType, param: '' })}>
                    {ACTION_TYPES.map((a) => (
                      <option key={a} value={a}>
                        {t(`actionType.${a}`)}
                      </option>
                    ))}
                  </select>
                </td>
                <td className={rowErrors(i).param ? 'cell--invalid' : undefined}>
                  {PARAM_KEY[r.action] ? (
                    <>
                      <input
                        aria-label={t(PARAM_KEY[r.action] === 'reserve_bps' ? 'shopAction.reservePercent' : PARAM_KEY[r.action] === 'max_orders_per_day' ? 'shopAction.maxOrders' : 'shopAction.maxListings')}
                        aria-invalid={rowErrors(i).param}
                        inputMode="decimal"
                        size={5}
                        value={r.param}
                        onChange={(e) => setRule(i, { param: e.target.value })}
                      />{' '}
                      <span className="muted">{t(PARAM_KEY[r.action] === 'reserve_bps' ? 'console.thresholds.percent' : 'console.thresholds.perDay')}</span>
                      {rowErrors(i).param && <p className="cell__error">{t(PARAM_KEY[r.action] === 'reserve_bps' ? 'shopAction.reserveInvalid' : 'shopAction.countInvalid')}</p>}
                    </>
                  ) : (
                    <span className="muted">{t('console.thresholds.noParams')}</span>
                  )}
                </td>
                <td className="num">
                  <button type="button" className="button button--small button--ghost" onClick={() => setRules(rules.filter((_, j) => j !== i))}>
                    {t('console.thresholds.remove')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="form-actions">
        <button
          type="button"
          className="button"
          onClick={() => setRules([...rules, { metric: 'late_dispatch_rate', threshold: '', minOrders: '10', action: 'warning', param: '' }])}
          data-testid="add-rule"
        >
          {t('console.thresholds.addRule')}
        </button>
        <button type="submit" className="button button--primary" disabled={save.isPending}>
          {t('console.thresholds.save')}
        </button>
      </div>
      <FormError error={save.error} />
    </form>
  );
}
