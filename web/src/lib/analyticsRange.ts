/** Date ranges, time series intervals and price band edges of the dashboards (no DOM, no imports: tested alone). */

export type Interval = 'hour' | 'day' | 'week' | 'month';

export interface Range {
  from: string;
  to: string;
}

export const DAY_MS = 86_400_000;
export const MAX_RANGE_DAYS = 400;

/** `YYYY-MM-DD` of a date in the viewer's time zone. */
export function isoDay(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Local midnight of a `YYYY-MM-DD` day, `plusDays` later. */
function midnight(day: string, plusDays = 0): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d + plusDays);
}

/** The last `days` days up to and including today (viewer's time zone). */
export function lastDays(days: number, today = new Date()): { fromDay: string; toDay: string } {
  return { fromDay: isoDay(new Date(today.getFullYear(), today.getMonth(), today.getDate() - (days - 1))), toDay: isoDay(today) };
}

/** The API range of whole days `fromDay`…`toDay` (both included), or null when it is not a valid range. */
export function rangeOfDays(fromDay: string, toDay: string): Range | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(fromDay) || !/^\d{4}-\d{2}-\d{2}$/.test(toDay)) return null;
  const from = midnight(fromDay);
  const to = midnight(toDay, 1);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || from >= to) return null;
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS) return null;
  return { from: from.toISOString(), to: to.toISOString() };
}

/** The time series interval that fits a range: hours up to 2 days, days up to ~3 months, else weeks. */
export function intervalFor(range: Range): Interval {
  const days = (Date.parse(range.to) - Date.parse(range.from)) / DAY_MS;
  return days <= 2 ? 'hour' : days <= 93 ? 'day' : 'week';
}

/**
 * Band edges typed by the seller in major units ("10, 25, 50") as the route's `bands` parameter
 * in minor units ("1000,2500,5000"), or null when they are not ascending positive amounts.
 */
export function bandsParam(text: string, fractionDigits: number): string | null {
  const parts = text
    .split(/[,，;\s]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0 || parts.length > 20) return null;
  const minor: number[] = [];
  for (const p of parts) {
    const m = new RegExp(`^(\\d{1,10})(?:[.](\\d{0,${fractionDigits}}))?$`).exec(p);
    if (!m) return null;
    const n = Number(m[1]) * 10 ** fractionDigits + Number((m[2] ?? '').padEnd(fractionDigits, '0') || '0');
    if (!Number.isSafeInteger(n) || n <= 0 || (minor.length > 0 && n <= minor[minor.length - 1]!)) return null;
    minor.push(n);
  }
  return minor.join(',');
}
