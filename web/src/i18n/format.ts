/** Money as the API sends it: integer minor units and an ISO 4217 currency. */
export interface Money {
  amount: number;
  currency: string;
}

/** Digits after the decimal point of a currency's minor unit (USD 2, JPY 0, BHD 3). */
export function minorUnitDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * Money in integer minor units, formatted for `locale`, always with its currency
 * (en: "$12.34", zh-CN: "US$12.34"). Converted exactly, as a decimal string, never through floats.
 */
export function formatMoney(money: Money, locale: string): string {
  return moneyFormat(money.currency, locale).format(decimalOf(money));
}

/**
 * A price range ("$12.00–$18.00" / "US$12.00-18.00") with Intl's range formatting; one price when
 * both ends are equal. Both ends must share a currency.
 */
export function formatMoneyRange(min: Money, max: Money, locale: string): string {
  if (min.amount === max.amount || min.currency !== max.currency) return formatMoney(min, locale);
  return moneyFormat(min.currency, locale).formatRange(decimalOf(min), decimalOf(max));
}

function moneyFormat(currency: string, locale: string): Intl.NumberFormat {
  const digits = minorUnitDigits(currency);
  return new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Minor units as an exact decimal string ("12.34"), never through floats. */
function decimalOf(money: Money): Intl.StringNumericLiteral {
  if (!Number.isSafeInteger(money.amount)) throw new RangeError(`amount must be an integer number of minor units, got ${money.amount}`);
  const digits = minorUnitDigits(money.currency);
  const negative = money.amount < 0;
  const abs = String(Math.abs(money.amount)).padStart(digits + 1, '0');
  const decimal = digits === 0 ? abs : `${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
  return `${negative ? '-' : ''}${decimal}` as Intl.StringNumericLiteral;
}

export function formatNumber(value: number, locale: string): string {
  return new Intl.NumberFormat(locale).format(value);
}

/**
 * A date and time for `locale`. Without `timeZone` it is shown in the viewer's zone. With one (a
 * shop's zone, where a rule is defined in it) the text carries the zone's name, so it is labelled.
 */
export function formatDateTime(date: Date | string | number, locale: string, timeZone?: string): string {
  const d = date instanceof Date ? date : new Date(date);
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    ...(timeZone ? { timeZone, timeZoneName: 'short' as const } : {}),
  }).format(d);
}

/** "United States" / "美国" for a region code; the code itself when the runtime does not know it. */
export function formatRegion(code: string, locale: string): string {
  try {
    return new Intl.DisplayNames([locale], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** "US Dollar (USD)" / "美元 (USD)". */
export function formatCurrencyName(code: string, locale: string): string {
  try {
    const name = new Intl.DisplayNames([locale], { type: 'currency' }).of(code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    return code;
  }
}

/** "Buyer, Seller" / "买家、卖家". */
export function formatList(items: string[], locale: string): string {
  return new Intl.ListFormat(locale, { style: 'narrow', type: 'conjunction' }).format(items);
}

/** A file size: "640 kB" under a megabyte, "12.5 MB" from one, in the units of the language. */
export function formatFileSize(bytes: number, locale: string): string {
  const kilobytes = Math.max(1, Math.round(bytes / 1000));
  const [unit, value] = kilobytes < 1000 ? (['kilobyte', kilobytes] as const) : (['megabyte', bytes / 1_000_000] as const);
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 1 }).format(value);
}
