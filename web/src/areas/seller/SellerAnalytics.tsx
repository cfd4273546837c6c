import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Shop } from '../../api';
import { EChart, type ChartOption } from '../../components/charts/EChart';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { minorUnitDigits } from '../../i18n/format';
import {
  analytics,
  analyticsUrl,
  bandsParam,
  FUNNEL_STEPS,
  intervalFor,
  type Cutover,
  type CutoverPeriod,
  type Funnel,
  type FunnelBy,
  type FunnelRow,
  type HeatCell,
  type Interval,
  type PriceBand,
  type Range,
  type TopRow,
} from '../../lib/analytics';
import { useSellerShop } from '../../lib/shops';
import {
  ChartIcon,
  CsvLink,
  NameCell,
  QueryView,
  RangePicker,
  TableHead,
  useAnalyticsFormat,
  useNames,
  useRangeChoice,
  VideoNameCell,
  videoLabelText,
  type AnalyticsFormat,
} from '../../components/analytics/common';
import { keys } from '../../api/keys';

/** Rows a funnel or top table shows (the CSV has them all). */
const TABLE_ROWS = 20;
const DEFAULT_BANDS = [1000, 2500, 5000, 10_000, 25_000];
const FUNNEL_BYS: readonly FunnelBy[] = ['video', 'product', 'live'];

/**
 * Seller analytics: funnel per video / product / live session, completion and orders by publish
 * slot, price bands, GMV over time, top videos and creators, and the cut-over comparison — for a
 * date range, every table also as CSV. Loaded lazily (ECharts stays out of the main bundle).
 */
export function SellerAnalytics() {
  const { t } = useTranslation();
  const shop = useSellerShop();
  const { choice, range, valid, update } = useRangeChoice('30');
  return (
    <div className="analytics" data-testid="seller-analytics">
      <div className="analytics__bar">
        <h2 className="analytics__title">{t('analytics.title')}</h2>
        <RangePicker value={choice} valid={valid} onChange={update} />
      </div>
      <FunnelPanel shop={shop} range={range} />
      <div className="grid grid--2 section-gap">
        <HeatmapPanel shop={shop} range={range} />
        <PriceBandsPanel shop={shop} range={range} />
      </div>
      <TimeseriesPanel shop={shop} range={range} />
      <div className="grid grid--2 section-gap">
        <TopPanel shop={shop} range={range} by="video" />
        <TopPanel shop={shop} range={range} by="creator" />
      </div>
      <CutoverPanel shop={shop} />
    </div>
  );
}

function Panel({ id, title, actions, children, testId }: { id: string; title: string; actions?: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <section className="panel analytics-panel" aria-labelledby={id} data-testid={testId}>
      <div className="panel__head">
        <h3 id={id}>{title}</h3>
        {actions && <div className="analytics-panel__actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// Funnel

function FunnelPanel({ shop, range }: { shop: Shop; range: Range }) {
  const { t } = useTranslation();
  const f = useAnalyticsFormat();
  const [by, setBy] = useState<FunnelBy>('video');
  const [selected, setSelected] = useState<string | null>(null);
  const q = useQuery({
    queryKey: keys.analytics(shop.id, 'funnel', by, range),
    queryFn: () => analytics.funnel(shop.id, { ...range, by, limit: TABLE_ROWS }),
    placeholderData: keepPreviousData,
  });
  const rows = q.data?.by === by ? q.data.rows : [];
  const names = useNames(by, rows.map((r) => r.id));
  const shown = rows.find((r) => r.id === selected) ?? q.data?.totals;
  const rateBases = q.data?.rate_bases;
  const option = useMemo(() => (shown && rateBases ? funnelOption(shown, rateBases, t, f) : null), [shown, rateBases, t, f]);
  const label = (row: FunnelRow) =>
    row === q.data?.totals ? t('analytics.funnel.allOf', { shop: shop.name }) : row.video ? videoLabelText(t, row.video) : (names.get(row.id) ?? row.id);

  return (
    <Panel
      id="analytics-funnel"
      title={t('analytics.funnel.title')}
      testId="analytics-funnel"
      actions={<CsvLink href={analyticsUrl(shop.id, 'funnel', { ...range, by, limit: 500 }, true)} name={`funnel-${by}`} />}
    >
      <div className="segmented" role="group" aria-label={t('analytics.funnel.byLabel')}>
        {FUNNEL_BYS.map((b) => (
          <button
            key={b}
            type="button"
            className={`segmented__option${b === by ? ' segmented__option--on' : ''}`}
            aria-pressed={b === by}
            onClick={() => {
              setBy(b);
              setSelected(null);
            }}
          >
            {t(`analytics.funnel.by.${b}`)}
          </button>
        ))}
      </div>
      <QueryView q={q} empty={(d) => d.totals.impressions === 0 && d.totals.views === 0 && d.totals.orders === 0 && d.rows.length === 0}>
        {(d) => (
          <>
            <dl className="stats analytics-stats">
              <div>
                <dt>{t('analytics.steps.views')}</dt>
                <dd data-testid="funnel-total-views">{f.number(d.totals.views)}</dd>
              </div>
              <div>
                <dt>{t('analytics.steps.orders')}</dt>
                <dd data-testid="funnel-total-orders">{f.number(d.totals.orders)}</dd>
              </div>
              <div>
                <dt>{t('analytics.funnel.gmv')}</dt>
                <dd data-testid="funnel-total-gmv">{f.money(d.totals.gmv)}</dd>
              </div>
              <div>
                <dt>{t('analytics.funnel.conversion')}</dt>
                <dd>{f.rate(d.totals.views > 0 ? d.totals.orders / d.totals.views : null)}</dd>
              </div>
            </dl>
            {shown && option && (
              <>
                <p className="muted analytics-caption">{t('analytics.funnel.showing', { name: label(shown) })}</p>
                <EChart option={option} height={340} label={t('analytics.funnel.chartLabel', { name: label(shown) })} testId="funnel-chart" />
              </>
            )}
            {d.rows.length === 0 ? (
              <p className="muted">{t(`analytics.funnel.noRows.${by}`)}</p>
            ) : (
              <div className="table-wrap">
                <p className="muted analytics-caption">{t('analytics.funnel.stagesNote')}</p>
                <table className="table analytics-table" data-testid="funnel-table">
                  <TableHead text={[t(`analytics.funnel.by.${by}`)]} numeric={[...FUNNEL_STEPS.map((s) => t(`analytics.steps.${s}`)), t('analytics.funnel.gmv')]} />
                  <tbody>
                    {d.rows.map((r) => (
                      <tr key={r.id} data-testid="funnel-row" className={r.id === selected ? 'analytics-table__selected' : undefined}>
                        <td>
                          <button
                            type="button"
                            className="link-button"
                            aria-pressed={r.id === selected}
                            title={t('analytics.funnel.showInChart')}
                            onClick={() => setSelected(r.id === selected ? null : r.id)}
                          >
                            {r.video ? <VideoNameCell video={r.video} /> : <NameCell id={r.id} name={names.get(r.id)} />}
                          </button>
                        </td>
                        {FUNNEL_STEPS.map((s) => (
                          <td key={s} className="num">
                            {f.number(r[s])}
                            {s !== 'impressions' && (
                              <span className="analytics-rate" title={t('analytics.funnel.stepRate', { rate: f.rate(r.rates[s]), base: t(`analytics.steps.${d.rate_bases[s]}`) })}>
                                {f.rate(r.rates[s])}
                              </span>
                            )}
                          </td>
                        ))}
                        <td className="num">{f.money(r.gmv)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </QueryView>
    </Panel>
  );
}

function funnelOption(row: FunnelRow, rateBases: Funnel['rate_bases'], t: (k: string, o?: Record<string, unknown>) => string, f: AnalyticsFormat): ChartOption {
  const data = FUNNEL_STEPS.map((s) => ({ name: t(`analytics.steps.${s}`), value: row[s] }));
  const max = Math.max(1, ...data.map((d) => d.value));
  return {
    tooltip: {
      trigger: 'item',
      formatter: (p: unknown) => {
        const i = (p as { dataIndex: number }).dataIndex;
        const step = FUNNEL_STEPS[i]!;
        const base = `${data[i]!.name}: ${f.number(row[step])}`;
        return step === 'impressions' ? base : `${base}<br/>${t('analytics.funnel.stepRate', { rate: f.rate(row.rates[step]), base: t(`analytics.steps.${rateBases[step]}`) })}`;
      },
    },
    series: [
      {
        type: 'funnel',
        sort: 'none',
        min: 0,
        max,
        minSize: '2%',
        gap: 2,
        left: '4%',
        width: '56%',
        label: {
          show: true,
          position: 'right',
          formatter: (p: unknown) => {
            const i = (p as { dataIndex: number }).dataIndex;
            return `${data[i]!.name} · ${f.number(row[FUNNEL_STEPS[i]!])}`;
          },
        },
        data,
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Completion heatmap

function HeatmapPanel({ shop, range }: { shop: Shop; range: Range }) {
  const { t } = useTranslation();
  const f = useAnalyticsFormat();
  const q = useQuery({ queryKey: keys.analytics(shop.id, 'heatmap', range), queryFn: () => analytics.heatmap(shop.id, range), placeholderData: keepPreviousData });
  const completion = useMemo(() => (q.data ? heatmapOption(q.data.cells, q.data.best, 'completion', t, f) : null), [q.data, t, f]);
  const orders = useMemo(() => (q.data ? heatmapOption(q.data.cells, q.data.best, 'orders', t, f) : null), [q.data, t, f]);
  return (
    <Panel
      id="analytics-heatmap"
      title={t('analytics.heatmap.title')}
      testId="analytics-heatmap"
      actions={<CsvLink href={analyticsUrl(shop.id, 'completion-heatmap', { ...range }, true)} name="completion-heatmap" />}
    >
      <QueryView q={q} empty={(d) => d.cells.length === 0}>
        {(d) => (
          <>
            <p className="muted analytics-caption">{t('analytics.heatmap.timezone', { timezone: d.timezone })}</p>
            {d.best ? (
              <p className="analytics-best" data-testid="heatmap-best">
                {t('analytics.heatmap.best', {
                  slot: `${f.weekday(d.best.weekday)} ${f.hour(d.best.hour)}`,
                  rate: f.rate(d.best.completion_rate),
                  views: f.number(d.best.views),
                })}
              </p>
            ) : (
              <p className="muted" data-testid="heatmap-no-best">
                {t('analytics.heatmap.noBest')}
              </p>
            )}
            {completion && <EChart option={completion} height={300} label={t('analytics.heatmap.completionLabel')} testId="heatmap-chart" />}
            <h4 className="analytics-subtitle">{t('analytics.heatmap.ordersTitle')}</h4>
            {orders && <EChart option={orders} height={300} label={t('analytics.heatmap.ordersLabel')} testId="orders-heatmap-chart" />}
          </>
        )}
      </QueryView>
    </Panel>
  );
}

function heatmapOption(
  cells: HeatCell[],
  best: HeatCell | null,
  metric: 'completion' | 'orders',
  t: (k: string, o?: Record<string, unknown>) => string,
  f: AnalyticsFormat,
): ChartOption {
  const hours = Array.from({ length: 24 }, (_, h) => f.hour(h));
  const days = Array.from({ length: 7 }, (_, i) => f.weekday(i + 1));
  const value = (c: HeatCell) => (metric === 'completion' ? (c.completion_rate ?? '-') : c.orders);
  const maxOrders = Math.max(1, ...cells.map((c) => c.orders));
  const isBest = (c: HeatCell) => !!best && c.weekday === best.weekday && c.hour === best.hour;
  return {
    grid: { left: 48, right: 16, top: 28, bottom: 64 },
    tooltip: {
      formatter: (p: unknown) => {
        const c = cells[(p as { dataIndex: number }).dataIndex];
        if (!c) return '';
        return [
          `${f.weekday(c.weekday)} ${f.hour(c.hour)}${isBest(c) ? ` · ${t('analytics.heatmap.bestTag')}` : ''}`,
          t('analytics.heatmap.tipCompletion', { rate: f.rate(c.completion_rate), completed: f.number(c.completed_views), views: f.number(c.views) }),
          t('analytics.heatmap.tipVideos', { n: f.number(c.videos) }),
          t('analytics.heatmap.tipOrders', { n: f.number(c.orders) }),
        ].join('<br/>');
      },
    },
    xAxis: { type: 'category', data: hours, name: t('analytics.heatmap.hourAxis'), nameLocation: 'middle', nameGap: 28, splitArea: { show: true }, axisLabel: { interval: 2 } },
    yAxis: { type: 'category', data: days, name: t('analytics.heatmap.weekdayAxis'), nameLocation: 'start', inverse: true, splitArea: { show: true } },
    visualMap: {
      type: 'continuous',
      min: 0,
      max: metric === 'completion' ? 1 : maxOrders,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: 120,
      formatter: (v: unknown) => (metric === 'completion' ? f.rate(Number(v)) : f.compact(Number(v))),
      inRange: { color: metric === 'completion' ? ['#fdeef0', '#e8455c'] : ['#eaf1fd', '#2f6fde'] },
    },
    series: [
      {
        type: 'heatmap',
        data: cells.map((c) => ({
          value: [c.hour, c.weekday - 1, value(c)],
          ...(isBest(c) ? { itemStyle: { borderColor: '#1c2230', borderWidth: 3 } } : {}),
        })),
        emphasis: { itemStyle: { borderColor: '#1c2230', borderWidth: 1 } },
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Price bands

function PriceBandsPanel({ shop, range }: { shop: Shop; range: Range }) {
  const { t } = useTranslation();
  const f = useAnalyticsFormat();
  const digits = minorUnitDigits(shop.currency);
  const defaultText = DEFAULT_BANDS.map((b) => String(b / 10 ** digits)).join(', ');
  const [text, setText] = useState(defaultText);
  const [bands, setBands] = useState<string | undefined>(undefined);
  const [invalid, setInvalid] = useState(false);
  const q = useQuery({
    queryKey: keys.analytics(shop.id, 'price-bands', range, bands),
    queryFn: () => analytics.priceBands(shop.id, { ...range, bands }),
    placeholderData: keepPreviousData,
  });
  const option = useMemo(() => (q.data ? bandsOption(q.data.bands, t, f) : null), [q.data, t, f]);
  const apply = (e: FormEvent) => {
    e.preventDefault();
    const param = bandsParam(text, digits);
    setInvalid(param === null);
    if (param !== null) setBands(param);
  };
  return (
    <Panel
      id="analytics-bands"
      title={t('analytics.bands.title')}
      testId="analytics-bands"
      actions={<CsvLink href={analyticsUrl(shop.id, 'price-bands', { ...range, bands }, true)} name="price-bands" />}
    >
      <form className="bands-form" onSubmit={apply}>
        <label className="range-picker__field">
          <span>{t('analytics.bands.edges', { currency: shop.currency })}</span>
          <input value={text} onChange={(e) => setText(e.target.value)} inputMode="decimal" aria-invalid={invalid} aria-describedby="bands-hint" data-testid="bands-input" />
        </label>
        <button type="submit" className="button button--small">
          {t('analytics.bands.apply')}
        </button>
        <p id="bands-hint" className={invalid ? 'error-text' : 'muted'}>
          {invalid ? t('analytics.bands.invalid') : t('analytics.bands.hint')}
        </p>
      </form>
      <QueryView q={q} empty={(d) => d.bands.every((b) => b.products === 0)}>
        {(d) => (
          <>
            {option && <EChart option={option} height={280} label={t('analytics.bands.chartLabel')} testId="bands-chart" />}
            <div className="table-wrap">
              <table className="table analytics-table" data-testid="bands-table">
                <TableHead text={[t('analytics.bands.band')]} numeric={[t('analytics.bands.products'), t('analytics.steps.product_clicks'), t('analytics.bands.addToCartRate'), t('analytics.bands.conversion'), t('analytics.funnel.gmv')]} />
                <tbody>
                  {d.bands.map((b) => (
                    <tr key={b.min.amount}>
                      <td className="analytics-nowrap">{bandLabel(b, t, f)}</td>
                      <td className="num">{f.number(b.products)}</td>
                      <td className="num">{f.number(b.product_clicks)}</td>
                      <td className="num">{f.rate(b.add_to_cart_rate)}</td>
                      <td className="num">{f.rate(b.conversion)}</td>
                      <td className="num">{f.money(b.gmv)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </QueryView>
    </Panel>
  );
}

function bandLabel(b: PriceBand, t: (k: string, o?: Record<string, unknown>) => string, f: AnalyticsFormat): string {
  return b.max ? t('analytics.bands.between', { min: f.money(b.min), max: f.money(b.max) }) : t('analytics.bands.above', { min: f.money(b.min) });
}

function bandsOption(bands: PriceBand[], t: (k: string, o?: Record<string, unknown>) => string, f: AnalyticsFormat): ChartOption {
  const pct = (r: number | null) => (r === null ? 0 : Math.round(r * 10_000) / 10_000);
  // Every band keeps its label: slanted when there are more than a few, never left out for overlap.
  const slant = bands.length > 3;
  return {
    grid: { left: 56, right: 24, top: 40, bottom: slant ? 96 : 56 },
    legend: { top: 0 },
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => f.rate(typeof v === 'number' ? v : null) },
    xAxis: {
      type: 'category',
      data: bands.map((b) => bandLabel(b, t, f)),
      axisLabel: { interval: 0, hideOverlap: false, rotate: slant ? 35 : 0 },
      name: t('analytics.bands.priceAxis'),
      nameLocation: 'middle',
      nameGap: slant ? 80 : 32,
    },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => f.rate(v) } },
    series: [
      { type: 'bar', name: t('analytics.bands.addToCartRate'), data: bands.map((b) => pct(b.add_to_cart_rate)) },
      { type: 'bar', name: t('analytics.bands.conversion'), data: bands.map((b) => pct(b.conversion)) },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// GMV, orders and refunds over time

function TimeseriesPanel({ shop, range }: { shop: Shop; range: Range }) {
  const { t } = useTranslation();
  const f = useAnalyticsFormat();
  const [chosen, setChosen] = useState<Interval | 'auto'>('auto');
  const interval = chosen === 'auto' ? intervalFor(range) : chosen;
  const q = useQuery({
    queryKey: keys.analytics(shop.id, 'timeseries', range, interval),
    queryFn: () => analytics.timeseries(shop.id, { ...range, interval }),
    placeholderData: keepPreviousData,
  });
  const option = useMemo(() => (q.data ? timeOption(q.data.points, q.data.currency, q.data.timezone, q.data.interval, t, f) : null), [q.data, t, f]);
  const totals = q.data?.points.reduce(
    (s, p) => ({ orders: s.orders + p.orders, gmv: s.gmv + p.gmv.amount, refunds: s.refunds + p.refunds, refund: s.refund + p.refund_amount.amount }),
    { orders: 0, gmv: 0, refunds: 0, refund: 0 },
  );
  return (
    <Panel
      id="analytics-time"
      title={t('analytics.time.title')}
      testId="analytics-timeseries"
      actions={<CsvLink href={analyticsUrl(shop.id, 'timeseries', { ...range, interval }, true)} name="timeseries" />}
    >
      <label className="range-picker__field">
        <span>{t('analytics.time.interval')}</span>
        <select value={chosen} onChange={(e) => setChosen(e.target.value as Interval | 'auto')}>
          <option value="auto">{t('analytics.time.auto')}</option>
          <option value="hour">{t('analytics.time.hour')}</option>
          <option value="day">{t('analytics.time.day')}</option>
          <option value="week">{t('analytics.time.week')}</option>
          <option value="month">{t('analytics.time.month')}</option>
        </select>
      </label>
      <QueryView q={q} empty={(d) => d.points.length === 0}>
        {(d) => (
          <>
            {totals && (
              <dl className="stats analytics-stats">
                <div>
                  <dt>{t('analytics.funnel.gmv')}</dt>
                  <dd>{f.money({ amount: totals.gmv, currency: d.currency })}</dd>
                </div>
                <div>
                  <dt>{t('analytics.steps.orders')}</dt>
                  <dd>{f.number(totals.orders)}</dd>
                </div>
                <div>
                  <dt>{t('analytics.time.refunds')}</dt>
                  <dd>{t('analytics.time.refundsValue', { n: f.number(totals.refunds), amount: f.money({ amount: totals.refund, currency: d.currency }) })}</dd>
                </div>
              </dl>
            )}
            {option && <EChart option={option} height={320} label={t('analytics.time.chartLabel')} testId="timeseries-chart" />}
          </>
        )}
      </QueryView>
    </Panel>
  );
}

const DAY_MS = 86_400_000;
const INTERVAL_MS: Record<Interval, number> = { hour: 3_600_000, day: DAY_MS, week: 7 * DAY_MS, month: 28 * DAY_MS };

function timeOption(
  points: { start: string; orders: number; gmv: { amount: number; currency: string }; refunds: number; refund_amount: { amount: number; currency: string } }[],
  currency: string,
  timezone: string,
  interval: string,
  t: (k: string, o?: Record<string, unknown>) => string,
  f: AnalyticsFormat,
): ChartOption {
  const when = (ms: number) => (interval === 'hour' ? f.dayHour(ms, timezone) : interval === 'month' ? f.month(ms, timezone) : f.day(ms, timezone));
  const gmvName = t('analytics.funnel.gmv');
  return {
    grid: { left: 64, right: 48, top: 40, bottom: 40 },
    legend: { top: 0 },
    tooltip: {
      trigger: 'axis',
      formatter: (ps: unknown) => {
        const list = ps as { seriesName: string; value: [number, number]; dataIndex: number }[];
        const p = points[list[0]?.dataIndex ?? 0];
        if (!p) return '';
        return [
          when(Date.parse(p.start)),
          `${gmvName}: ${f.money(p.gmv)}`,
          `${t('analytics.steps.orders')}: ${f.number(p.orders)}`,
          `${t('analytics.time.refunds')}: ${t('analytics.time.refundsValue', { n: f.number(p.refunds), amount: f.money(p.refund_amount) })}`,
        ].join('<br/>');
      },
    },
    // Ticks no closer than one interval, so no two ticks carry the same label.
    xAxis: { type: 'time', minInterval: INTERVAL_MS[interval as Interval] ?? DAY_MS, axisLabel: { formatter: (v: number) => when(v), hideOverlap: true } },
    yAxis: [
      { type: 'value', name: gmvName, axisLabel: { formatter: (v: number) => f.axisMoney(v, currency) } },
      { type: 'value', name: t('analytics.time.countAxis'), minInterval: 1, splitLine: { show: false }, axisLabel: { formatter: (v: number) => f.compact(v) } },
    ],
    series: [
      { type: 'line', name: gmvName, yAxisIndex: 0, showSymbol: points.length < 60, data: points.map((p) => [Date.parse(p.start), f.major(p.gmv)]) },
      { type: 'line', name: t('analytics.steps.orders'), yAxisIndex: 1, showSymbol: points.length < 60, data: points.map((p) => [Date.parse(p.start), p.orders]) },
      { type: 'line', name: t('analytics.time.refunds'), yAxisIndex: 1, showSymbol: points.length < 60, data: points.map((p) => [Date.parse(p.start), p.refunds]) },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Top videos and creators

function TopPanel({ shop, range, by }: { shop: Shop; range: Range; by: 'video' | 'creator' }) {
  const { t } = useTranslation();
  const f = useAnalyticsFormat();
  const q = useQuery({
    queryKey: keys.analytics(shop.id, 'top', by, range),
    queryFn: () => analytics.top(shop.id, { ...range, by, limit: TABLE_ROWS }),
    placeholderData: keepPreviousData,
  });
  const names = useNames(by, q.data?.rows.map((r) => r.id) ?? []);
  return (
    <Panel
      id={`analytics-top-${by}`}
      title={t(`analytics.top.${by}Title`)}
      testId={`analytics-top-${by}`}
      actions={<CsvLink href={analyticsUrl(shop.id, 'top', { ...range, by, limit: 100 }, true)} name={`top-${by}s`} />}
    >
      <QueryView q={q} empty={(d) => d.rows.length === 0}>
        {(d) => (
          <div className="table-wrap">
            <table className="table analytics-table" data-testid={`top-${by}-table`}>
              <TableHead text={[t(`analytics.funnel.by.${by}`)]} numeric={[t('analytics.steps.views'), t('analytics.top.completion'), t('analytics.steps.orders'), t('analytics.funnel.gmv'), by === 'creator' ? t('analytics.top.commission') : t('analytics.time.refunds')]} />
              <tbody>
                {d.rows.map((r: TopRow) => (
                  <tr key={r.id}>
                    <td>{r.video ? <VideoNameCell video={r.video} /> : <NameCell id={r.id} name={names.get(r.id)} />}</td>
                    <td className="num">{f.number(r.views)}</td>
                    <td className="num">{f.rate(r.views > 0 ? r.completed_views / r.views : null)}</td>
                    <td className="num">{f.number(r.orders)}</td>
                    <td className="num">{f.money(r.gmv)}</td>
                    <td className="num">{by === 'creator' ? f.money(r.commission) : f.number(r.refunds)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
    </Panel>
  );
}

// ---------------------------------------------------------------------------------------------
// Before and after the market's cut-over

const CUTOVER_ROWS = ['click_outs', 'click_out_cost', 'orders', 'paid_gmv', 'conversion_rate'] as const;

function CutoverPanel({ shop }: { shop: Shop }) {
  const { t } = useTranslation();
  const f = useAnalyticsFormat();
  const q = useQuery({ queryKey: keys.analytics(shop.id, 'cutover'), queryFn: () => analytics.cutover(shop.id) });
  const value = (p: CutoverPeriod | null, k: (typeof CUTOVER_ROWS)[number]): string => {
    if (!p) return t('analytics.noValue');
    const v = p[k];
    return typeof v === 'number' ? (k === 'conversion_rate' ? f.rate(v) : f.number(v)) : f.money(v);
  };
  const raw = (p: CutoverPeriod | null, k: (typeof CUTOVER_ROWS)[number]): number | null => {
    if (!p) return null;
    const v = p[k];
    return typeof v === 'number' ? v : v.amount;
  };
  const change = (c: Cutover, k: (typeof CUTOVER_ROWS)[number]) => {
    const a = raw(c.before, k);
    const b = raw(c.after, k);
    return a === null || b === null || a === 0 ? null : (b - a) / a;
  };
  return (
    <Panel
      id="analytics-cutover"
      title={t('analytics.cutover.title')}
      testId="analytics-cutover"
      actions={q.data?.cutover_at ? <CsvLink href={analyticsUrl(shop.id, 'cutover', {}, true)} name="cutover" /> : undefined}
    >
      {q.isPending ? (
        <Loading />
      ) : q.isError ? (
        <ErrorAlert error={q.error} onRetry={() => void q.refetch()} />
      ) : !q.data || !q.data.cutover_at ? (
        <EmptyState title={t('analytics.cutover.emptyTitle')} icon={<ChartIcon />} testId="cutover-empty">
          {t('analytics.cutover.emptyText')}
        </EmptyState>
      ) : (
        <>
          <p className="muted analytics-caption" data-testid="cutover-summary">
            {t('analytics.cutover.summary', { market: q.data.market, date: f.day(q.data.cutover_at), days: f.number(q.data.window_days) })}
          </p>
          <div className="table-wrap">
            <table className="table analytics-table" data-testid="cutover-table">
              <TableHead text={[t('analytics.cutover.metric')]} numeric={[t('analytics.cutover.before'), t('analytics.cutover.after'), t('analytics.cutover.change')]} />
              <tbody>
                {CUTOVER_ROWS.map((k) => {
                  const c = change(q.data!, k);
                  return (
                    <tr key={k}>
                      <th scope="row">{t(`analytics.cutover.rows.${k}`)}</th>
                      <td className="num">{value(q.data!.before, k)}</td>
                      <td className="num">{value(q.data!.after, k)}</td>
                      <td className="num">{c === null ? t('analytics.noValue') : f.change(c)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {(!q.data.before || !q.data.after) && <p className="muted">{t(q.data.after ? 'analytics.cutover.noBefore' : 'analytics.cutover.noAfter')}</p>}
        </>
      )}
    </Panel>
  );
}
