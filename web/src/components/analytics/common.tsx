/** Pieces the seller and creator analytics pages share: formatting, CSV links, names of ids, the date range. */
import { useQueries } from '@tanstack/react-query';
import { useMemo, useState, type ReactNode } from 'react';
import { EmptyState } from '../EmptyState';
import { ErrorAlert } from '../ErrorAlert';
import { Loading } from '../Loading';
import { useTranslation } from 'react-i18next';
import { formatMoney, formatNumber, minorUnitDigits, type Money } from '../../i18n/format';
import { lastDays, rangeOfDays, type Range, type VideoLabel } from '../../lib/analytics';
import { commerce } from '../../lib/commerce';
import { content } from '../../lib/content';
import { useLocale } from '../../lib/language';
import './analytics.css';
import { keys } from '../../api/keys';

/**
 * A query's panel body: loading, the error with a retry, the empty state when `empty(data)`
 * (the generic analytics one unless `emptyTitle`/`emptyText` are given), else `children(data)`.
 */
export function QueryView<T>({
  q,
  empty,
  emptyTitle,
  emptyText,
  emptyTestId = 'analytics-empty',
  children,
}: {
  q: { isPending: boolean; isError: boolean; error: unknown; data: T | undefined; refetch: () => unknown };
  empty: (data: T) => boolean;
  emptyTitle?: string;
  emptyText?: string;
  emptyTestId?: string;
  children: (data: T) => ReactNode;
}) {
  const { t } = useTranslation();
  if (q.isPending) return <Loading />;
  if (q.isError || q.data === undefined) return <ErrorAlert error={q.error} onRetry={() => void q.refetch()} />;
  if (empty(q.data)) {
    return (
      <EmptyState title={emptyTitle ?? t('analytics.empty.title')} icon={<ChartIcon />} testId={emptyTestId}>
        {emptyText ?? t('analytics.empty.text')}
      </EmptyState>
    );
  }
  return <>{children(q.data)}</>;
}

/** A table's head: its text columns, then its numeric (right-aligned) ones. */
export function TableHead({ text, numeric }: { text: ReactNode[]; numeric: ReactNode[] }) {
  return (
    <thead>
      <tr>
        {text.map((h, i) => (
          <th key={`text-${i}`} scope="col">
            {h}
          </th>
        ))}
        {numeric.map((h, i) => (
          <th key={`num-${i}`} scope="col" className="num">
            {h}
          </th>
        ))}
      </tr>
    </thead>
  );
}

export const ChartIcon = () => (
  <svg width={40} height={40} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.5} strokeLinecap="round" strokeLinejoin="round">
    <path d="M4 20V4M4 20h16M8 16v-4M12 16V8M16 16v-6" />
  </svg>
);

/** Locale-aware numbers for the dashboards (stable while the language stays, so charts redraw only on new data). */
export function useAnalyticsFormat() {
  const { t } = useTranslation();
  const locale = useLocale();
  return useMemo(() => {
    const pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
    const compact = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 });
    const signed = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' });
    return {
      locale,
      number: (n: number) => formatNumber(n, locale),
      money: (m: Money) => formatMoney(m, locale),
      /** A rate (0…1) as "12.5%"; "n/a" when there was nothing to divide by. */
      rate: (r: number | null | undefined) => (r === null || r === undefined ? t('analytics.noValue') : pct.format(r)),
      /** A relative change as "+12.5%" / "−3%". */
      change: (r: number) => signed.format(r),
      /** Minor units as a plain number of major units (for chart values). */
      major: (m: Money) => m.amount / 10 ** minorUnitDigits(m.currency),
      /** A chart axis amount in major units: "$1.2K". */
      axisMoney: (value: number, currency: string) => new Intl.NumberFormat(locale, { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 }).format(value),
      compact: (value: number) => compact.format(value),
      /** Monday = 1 … Sunday = 7, short ("Mon" / "周一"). */
      weekday: (iso: number) => new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' }).format(Date.UTC(2024, 0, iso)),
      /** An hour of the day ("20:00"). */
      hour: (h: number) => new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' }).format(Date.UTC(2024, 0, 1, h)),
      /** A date, in `timeZone` when given. */
      day: (d: string | number | Date, timeZone?: string) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', ...(timeZone ? { timeZone } : {}) }).format(new Date(d)),
      /** Date and hour, in `timeZone` when given. */
      dayHour: (d: string | number | Date, timeZone?: string) =>
        new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', ...(timeZone ? { timeZone } : {}) }).format(new Date(d)),
      month: (d: string | number | Date, timeZone?: string) => new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', ...(timeZone ? { timeZone } : {}) }).format(new Date(d)),
    };
  }, [locale, t]);
}

export type AnalyticsFormat = ReturnType<typeof useAnalyticsFormat>;

/** "Download CSV" for a table: the route's own CSV (the session cookie authorizes the download). */
export function CsvLink({ href, name, testId }: { href: string; name: string; testId?: string }) {
  const { t } = useTranslation();
  return (
    <a className="button button--small button--ghost" href={href} download={`${name}.csv`} data-testid={testId ?? 'csv-link'}>
      {t('analytics.csv')}
    </a>
  );
}

/** Text for an ECharts tooltip, which is HTML: user content (captions) must not be markup. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export type NamedKind = 'video' | 'product' | 'creator' | 'live';

/**
 * Titles and names of the product and creator ids a table shows (the id itself until it is
 * known). Video rows carry their own label (`VideoNameCell`); live sessions have no name here.
 */
export function useNames(kind: NamedKind, ids: string[]): Map<string, string> {
  const results = useQueries({
    queries: ids.map((id) => ({
      queryKey: keys.analyticsName(kind, id),
      queryFn: async (): Promise<string> => {
        if (kind === 'product') return (await commerce.product(id)).title;
        return (await content.showcase(id)).creator.name;
      },
      enabled: kind === 'product' || kind === 'creator',
      staleTime: 5 * 60_000,
      retry: false,
    })),
  });
  return new Map(ids.flatMap((id, i) => (results[i]?.data ? [[id, results[i].data] as [string, string]] : [])));
}

/** A video row's name: its caption, and when it is gone or failed a tag saying so — never its id. */
export function videoLabelText(t: (k: string, o?: Record<string, unknown>) => string, v: VideoLabel): string {
  const caption = v.caption?.trim() || t('analytics.video.untitled');
  if (v.status === 'unknown') return t('analytics.video.unknown');
  return v.status === 'ready' ? caption : t(`analytics.video.${v.status}`, { caption });
}

export function VideoNameCell({ video }: { video: VideoLabel }) {
  const { t } = useTranslation();
  const caption = video.caption?.trim() || t('analytics.video.untitled');
  return (
    <span className="analytics-name" data-testid="video-name">
      {video.status !== 'ready' && <span className={`badge badge--${video.status === 'processing' ? 'info' : 'warn'}`}>{t(`analytics.video.tag.${video.status}`)}</span>}
      {video.status !== 'unknown' && <span className="analytics-name__title">{caption}</span>}
    </span>
  );
}

/** A name (or the id) with the id underneath. */
export function NameCell({ id, name }: { id: string; name?: string }) {
  return (
    <span className="analytics-name">
      <span className="analytics-name__title">{name || id}</span>
      {name && <span className="analytics-name__id mono">{id}</span>}
    </span>
  );
}

export type Preset = '7' | '30' | '90' | 'custom';
export interface RangeChoice {
  preset: Preset;
  fromDay: string;
  toDay: string;
}

/** The date range of a dashboard: the last 7, 30 or 90 days, or any days (at most 400). */
export function useRangeChoice(initial: Preset = '30') {
  const [choice, setChoice] = useState<RangeChoice>(() => ({ preset: initial, ...lastDays(Number(initial)) }));
  const [range, setRange] = useState<Range>(() => rangeOfDays(choice.fromDay, choice.toDay)!);
  const update = (next: RangeChoice) => {
    const days = next.preset === 'custom' ? next : { ...next, ...lastDays(Number(next.preset)) };
    setChoice(days);
    const r = rangeOfDays(days.fromDay, days.toDay);
    if (r) setRange(r);
  };
  return { choice, range, valid: rangeOfDays(choice.fromDay, choice.toDay) !== null, update };
}

export function RangePicker({ value, valid, onChange }: { value: RangeChoice; valid: boolean; onChange: (next: RangeChoice) => void }) {
  const { t } = useTranslation();
  return (
    <div className="range-picker" data-testid="range-picker">
      <label className="range-picker__field">
        <span>{t('analytics.range.label')}</span>
        <select value={value.preset} onChange={(e) => onChange({ ...value, preset: e.target.value as Preset })} data-testid="range-preset">
          <option value="7">{t('analytics.range.last7')}</option>
          <option value="30">{t('analytics.range.last30')}</option>
          <option value="90">{t('analytics.range.last90')}</option>
          <option value="custom">{t('analytics.range.custom')}</option>
        </select>
      </label>
      {value.preset === 'custom' && (
        <>
          <label className="range-picker__field">
            <span>{t('analytics.range.from')}</span>
            <input type="date" value={value.fromDay} max={value.toDay} onChange={(e) => onChange({ ...value, fromDay: e.target.value })} />
          </label>
          <label className="range-picker__field">
            <span>{t('analytics.range.to')}</span>
            <input type="date" value={value.toDay} min={value.fromDay} onChange={(e) => onChange({ ...value, toDay: e.target.value })} />
          </label>
        </>
      )}
      {!valid && (
        <p role="alert" className="error-text">
          {t('analytics.range.invalid')}
        </p>
      )}
    </div>
  );
}
