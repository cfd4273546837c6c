import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { EChart, type ChartOption } from '../../components/charts/EChart';
import type { Money } from '../../i18n/format';
import { analytics, creatorAnalyticsUrl, type CreatorLiveStats, type CreatorVideoStats } from '../../lib/analytics';
import { finance } from '../../lib/finance';
import { CsvLink, escapeHtml, NameCell, QueryView, RangePicker, TableHead, useAnalyticsFormat, useRangeChoice, type AnalyticsFormat } from '../../components/analytics/common';
import { keys } from '../../api/keys';

/** Videos the chart shows (the table and the CSV have them all). */
const CHART_VIDEOS = 10;

/** Money amounts per currency added up. */
function sumMoney(lists: Money[][]): Money[] {
  const by = new Map<string, number>();
  for (const m of lists.flat()) by.set(m.currency, (by.get(m.currency) ?? 0) + m.amount);
  return [...by].map(([currency, amount]) => ({ currency, amount }));
}

/**
 * Creator analytics (creator center): per video the views, completion, orders, GMV and the
 * affiliate earnings estimate for a date range, as a chart and a table with CSV, next to what has
 * been settled (`/v1/creators/me/earnings`); below, the same range per live session (room joins,
 * clicks, add-to-carts, orders, GMV, earnings) with its own CSV. Loaded lazily with ECharts.
 */
export function CreatorAnalytics() {
  const { t } = useTranslation();
  const f = useAnalyticsFormat();
  const { choice, range, valid, update } = useRangeChoice('30');
  const q = useQuery({ queryKey: keys.creatorAnalytics(range), queryFn: () => analytics.creator(range), placeholderData: keepPreviousData });
  const earned = useQuery({ queryKey: keys.creatorEarningsSummary(), queryFn: () => finance.earnings({ limit: 1 }) });
  const option = useMemo(() => (q.data ? chartOption(q.data.videos.slice(0, CHART_VIDEOS), t, f) : null), [q.data, t, f]);
  const list = (ms: Money[]) => (ms.length === 0 ? f.money({ amount: 0, currency: earned.data?.currency ?? 'USD' }) : ms.map((m) => f.money(m)).join(' · '));

  return (
    <>
      <section className="panel analytics-panel" aria-labelledby="creator-analytics" data-testid="creator-analytics">
        <div className="panel__head">
          <h2 id="creator-analytics">{t('creatorAnalytics.title')}</h2>
          <div className="analytics-panel__actions">
            <RangePicker value={choice} valid={valid} onChange={update} />
            <CsvLink href={creatorAnalyticsUrl(range, true)} name="creator-analytics" />
          </div>
        </div>
        <QueryView q={q} empty={(d) => d.videos.length === 0} emptyTitle={t('creatorAnalytics.emptyTitle')} emptyText={t('creatorAnalytics.emptyText')} emptyTestId="creator-analytics-empty">
          {(data) => (
          <>
            <dl className="stats analytics-stats">
              <div>
                <dt>{t('analytics.steps.views')}</dt>
                <dd data-testid="creator-total-views">{f.number(data.videos.reduce((n, v) => n + v.views, 0))}</dd>
              </div>
              <div>
                <dt>{t('analytics.steps.orders')}</dt>
                <dd>{f.number(data.videos.reduce((n, v) => n + v.orders, 0))}</dd>
              </div>
              <div>
                <dt>{t('creatorAnalytics.estimate')}</dt>
                <dd>{list(sumMoney(data.videos.map((v) => v.earnings_estimate)))}</dd>
              </div>
              <div>
                <dt>{t('creatorAnalytics.settled')}</dt>
                <dd data-testid="creator-commission-settled">{earned.data ? f.money(earned.data.commission) : t('analytics.noValue')}</dd>
              </div>
            </dl>
            <p className="muted analytics-caption">{t('creatorAnalytics.note')}</p>
            {option && <EChart option={option} height={300} label={t('creatorAnalytics.chartLabel')} testId="creator-chart" />}
            <div className="table-wrap">
              <table className="table analytics-table" data-testid="creator-videos-table">
                <TableHead text={[t('analytics.funnel.by.video')]} numeric={[t('analytics.steps.views'), t('analytics.top.completion'), t('analytics.steps.orders'), t('analytics.funnel.gmv'), t('creatorAnalytics.estimate')]} />
                <tbody>
                  {data.videos.map((v) => (
                    <tr key={v.video_id} data-testid="creator-video-row">
                      <td>{v.caption || v.video_id}</td>
                      <td className="num">{f.number(v.views)}</td>
                      <td className="num">{f.rate(v.completion_rate)}</td>
                      <td className="num">{f.number(v.orders)}</td>
                      <td className="num">{list(v.gmv)}</td>
                      <td className="num">{list(v.earnings_estimate)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
          )}
        </QueryView>
      </section>
      <section className="panel analytics-panel" aria-labelledby="creator-lives" data-testid="creator-lives">
        <div className="panel__head">
          <h2 id="creator-lives">{t('creatorAnalytics.lives.title')}</h2>
          <div className="analytics-panel__actions">
            <CsvLink href={creatorAnalyticsUrl(range, true, 'lives')} name="creator-analytics-lives" testId="creator-lives-csv" />
          </div>
        </div>
        <QueryView q={q} empty={(d) => d.lives.length === 0} emptyTitle={t('creatorAnalytics.lives.emptyTitle')} emptyText={t('creatorAnalytics.lives.emptyText')} emptyTestId="creator-lives-empty">
          {(data) => <LivesTable lives={data.lives} list={list} />}
        </QueryView>
      </section>
    </>
  );
}

/** One row per live session of the range: when it started, room joins, clicks, add-to-carts, orders, GMV and earnings. */
function LivesTable({ lives, list }: { lives: CreatorLiveStats[]; list: (ms: Money[]) => string }) {
  const { t } = useTranslation();
  const f = useAnalyticsFormat();
  const tone = (s: CreatorLiveStats['status']) => (s === 'live' ? 'bad' : s === 'scheduled' ? 'info' : 'neutral');
  return (
    <>
      <p className="muted analytics-caption">{t('creatorAnalytics.lives.note')}</p>
      <div className="table-wrap">
        <table className="table analytics-table" data-testid="creator-lives-table">
          <TableHead text={[t('analytics.funnel.by.live'), t('creatorAnalytics.lives.started')]} numeric={[t('creatorAnalytics.lives.joins'), t('analytics.steps.product_clicks'), t('analytics.steps.add_to_carts'), t('analytics.steps.orders'), t('analytics.funnel.gmv'), t('creatorAnalytics.estimate')]} />
          <tbody>
            {lives.map((l) => (
              <tr key={l.live_id} data-testid="creator-live-row" data-live-id={l.live_id}>
                <td>
                  <NameCell id={l.live_id} name={l.title} />{' '}
                  <span className={`badge badge--${tone(l.status)}`} data-testid="creator-live-status">
                    {t(`live.status.${l.status}`)}
                  </span>
                </td>
                <td className="analytics-nowrap">{l.started_at ? f.dayHour(l.started_at) : t('creatorAnalytics.lives.notStarted')}</td>
                <td className="num" data-testid="creator-live-joins">
                  {f.number(l.live_joins)}
                </td>
                <td className="num">{f.number(l.product_clicks)}</td>
                <td className="num">{f.number(l.add_to_carts)}</td>
                <td className="num">{f.number(l.orders)}</td>
                <td className="num">{list(l.gmv)}</td>
                <td className="num">{list(l.earnings_estimate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function chartOption(videos: CreatorVideoStats[], t: (k: string) => string, f: AnalyticsFormat): ChartOption {
  const short = (s: string) => (s.length > 18 ? `${s.slice(0, 17)}…` : s);
  return {
    grid: { left: 56, right: 56, top: 40, bottom: 64 },
    legend: { top: 0 },
    tooltip: {
      trigger: 'axis',
      formatter: (ps: unknown) => {
        const v = videos[(ps as { dataIndex: number }[])[0]?.dataIndex ?? 0];
        if (!v) return '';
        return [
          escapeHtml(v.caption || v.video_id),
          `${t('analytics.steps.views')}: ${f.number(v.views)}`,
          `${t('analytics.steps.orders')}: ${f.number(v.orders)}`,
          `${t('creatorAnalytics.estimate')}: ${v.earnings_estimate.map((m) => f.money(m)).join(' · ') || f.number(0)}`,
        ].join('<br/>');
      },
    },
    xAxis: { type: 'category', data: videos.map((v) => short(v.caption || v.video_id)), axisLabel: { rotate: 20, hideOverlap: true } },
    yAxis: [
      { type: 'value', name: t('analytics.steps.views'), minInterval: 1, axisLabel: { formatter: (n: number) => f.compact(n) } },
      { type: 'value', name: t('analytics.steps.orders'), minInterval: 1, splitLine: { show: false }, axisLabel: { formatter: (n: number) => f.compact(n) } },
    ],
    series: [
      { type: 'bar', name: t('analytics.steps.views'), yAxisIndex: 0, data: videos.map((v) => v.views) },
      { type: 'bar', name: t('analytics.steps.orders'), yAxisIndex: 1, data: videos.map((v) => v.orders) },
    ],
  };
}
