import { formatDateTime, formatFileSize, formatList, formatMoney, formatMoneyRange, formatNumber, type Money } from '../i18n/format';
import { useLocale } from './language';

/** The Intl formatters bound to the active language. */
export function useFormat() {
  const locale = useLocale();
  return {
    locale,
    money: (m: Money | null | undefined) => (m ? formatMoney(m, locale) : ''),
    range: (r: { min: Money; max: Money }) => formatMoneyRange(r.min, r.max, locale),
    number: (n: number) => formatNumber(n, locale),
    /** A count for a small badge: "3", "99+". */
    badge: (n: number) => (n > 99 ? `${formatNumber(99, locale)}+` : formatNumber(n, locale)),
    list: (items: string[]) => formatList(items, locale),
    percent: (fraction: number) => new Intl.NumberFormat(locale, { style: 'percent' }).format(fraction),
    fileSize: (bytes: number) => formatFileSize(bytes, locale),
    /** "0:08" from milliseconds. */
    duration: (ms: number) => {
      const total = Math.round(ms / 1000);
      return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
    },
    /** A variant's option values ("Red / L"). */
    options: (values: string[]) => values.join(' / '),
    dateTime: (d: string | number | Date, timeZone?: string) => formatDateTime(d, locale, timeZone),
  };
}
