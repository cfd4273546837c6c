import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { useFormat } from '../../lib/format';
import { byCurrency, formatDay, operator, utcDay, type OverviewDay } from '../../lib/operator';
import { keys } from '../../api/keys';

/** The console's front page: one UTC day of platform figures, the queues waiting, and 14 days of paid orders. */
export function OperatorOverview() {
  const { t } = useTranslation();
  const fmt = useFormat();
  const day = (d: string) => formatDay(d, fmt.locale);
  const [date, setDate] = useState('');
  const overview = useQuery({ queryKey: keys.adminOverview(date), queryFn: () => operator.overview(date || undefined) });
  const o = overview.data;
  return (
    <section className="panel" aria-labelledby="overview-title" data-testid="overview">
      <div className="panel__head">
        <h2 id="overview-title">{o ? t('console.overview.titleOn', { date: day(o.date) }) : t('console.overview.title')}</h2>
        <label className="shop-picker">
          <span>{t('console.overview.day')}</span>
          <input type="date" value={date || (o?.date ?? '')} max={utcDay(new Date())} onChange={(e) => setDate(e.target.value)} data-testid="overview-date" />
        </label>
      </div>
      {overview.isPending ? (
        <Loading />
      ) : overview.isError ? (
        <ErrorAlert error={overview.error} onRetry={() => void overview.refetch()} />
      ) : (
        <>
          <p className="muted">{t('console.overview.utcNote')}</p>
          <dl className="stats" data-testid="overview-figures">
            <Figure label={t('console.overview.gmv')} testId="gmv">
              {o!.gmv.length === 0 ? t('console.overview.noSales') : byCurrency(o!.gmv).map((m) => <span key={m.currency} className="figure__line">{fmt.money(m)}</span>)}
            </Figure>
            <Figure label={t('console.overview.orders')} testId="orders" note={t('console.overview.paidOf', { paid: fmt.number(o!.paid_orders) })}>
              {fmt.number(o!.orders)}
            </Figure>
            <Figure label={t('console.overview.openCases')} testId="open-cases" note={t('console.overview.escalated', { n: fmt.number(o!.escalated_cases) })}>
              {fmt.number(o!.open_cases)}
            </Figure>
            <Figure label={t('console.overview.slaBreaches')} testId="sla-breaches" tone={o!.sla_breaches > 0 ? 'warn' : undefined}>
              {fmt.number(o!.sla_breaches)}
            </Figure>
            <Figure label={t('console.overview.flags')} testId="flags" note={t('console.overview.openFlags', { n: fmt.number(o!.open_flags) })}>
              {fmt.number(o!.flags)}
            </Figure>
            <Figure label={t('console.overview.newApplications')} testId="new-applications">
              {/* The applications list opens filtered to `submitted`: the queue this figure counts. */}
              <Link to="/operator/applications" data-testid="new-applications-link">
                {fmt.number(o!.new_applications)}
              </Link>
            </Figure>
            <Figure
              label={t('console.overview.shops')}
              testId="shops"
             
              note={t('console.overview.shopsNote', { suspended: fmt.number(o!.shops.suspended), frozen: fmt.number(o!.shops.frozen) })}
            >
              {fmt.number(o!.shops.active)}
            </Figure>
          </dl>
          <Series days={o!.series} />
        </>
      )}
    </section>
  );
}

function Figure({ label, children, note, testId, tone }: { label: string; children: ReactNode; note?: string; testId: string; tone?: 'warn' }) {
  return (
    <div className={`figure${tone ? ` figure--${tone}` : ''}`} data-testid={`figure-${testId}`}>
      <dt>{label}</dt>
      <dd>{children}</dd>
      {note && <dd className="figure__note">{note}</dd>}
    </div>
  );
}

/** Paid orders per day as an inline SVG sparkline, with the GMV of each day in its tooltip and a table for screen readers. */
function Series({ days }: { days: OverviewDay[] }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  const day = (d: string) => formatDay(d, fmt.locale);
  if (days.length === 0) return null;
  const width = 560;
  const height = 80;
  const pad = 6;
  const max = Math.max(1, ...days.map((d) => d.paid_orders));
  const x = (i: number) => pad + (i * (width - 2 * pad)) / Math.max(1, days.length - 1);
  const y = (v: number) => height - pad - (v * (height - 2 * pad)) / max;
  const points = days.map((d, i) => `${x(i).toFixed(1)},${y(d.paid_orders).toFixed(1)}`).join(' ');
  const gmv = (d: OverviewDay) => (d.gmv.length === 0 ? t('console.overview.noSales') : fmt.list(byCurrency(d.gmv).map((m) => fmt.money(m))));
  return (
    <figure className="sparkline" data-testid="overview-series">
      <figcaption>{t('console.overview.seriesTitle', { days: fmt.number(days.length) })}</figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={t('console.overview.seriesLabel')} preserveAspectRatio="none">
        <polyline points={points} fill="none" stroke="currentColor" strokeWidth="2" vectorEffect="non-scaling-stroke" />
        {days.map((d, i) => (
          <circle key={d.date} cx={x(i)} cy={y(d.paid_orders)} r="3" fill="currentColor">
            <title>{t('console.overview.point', { date: day(d.date), paid: fmt.number(d.paid_orders), gmv: gmv(d) })}</title>
          </circle>
        ))}
      </svg>
      <div className="sparkline__axis muted" aria-hidden="true">
        <span>{day(days[0]!.date)}</span>
        <span>{day(days[days.length - 1]!.date)}</span>
      </div>
      <table className="visually-hidden">
        <caption>{t('console.overview.seriesLabel')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('console.overview.day')}</th>
            <th scope="col">{t('console.overview.paidOrders')}</th>
            <th scope="col">{t('console.overview.gmv')}</th>
          </tr>
        </thead>
        <tbody>
          {days.map((d) => (
            <tr key={d.date}>
              <td>{day(d.date)}</td>
              <td>{fmt.number(d.paid_orders)}</td>
              <td>{gmv(d)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
