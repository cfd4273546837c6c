import { minorUnitDigits } from '../i18n/format';

/**
 * A price typed by a person ("19.99", "19,99", "1 299") → integer minor units of `currency`, or
 * null when it is not a valid non-negative amount with at most the currency's decimals. Parsed as
 * a decimal string, never through floats.
 */
export function parseMoneyInput(input: string, currency: string): number | null {
  const s = input.trim().replace(/[\s\u00a0]/g, '').replace(',', '.');
  const digits = minorUnitDigits(currency);
  const m = /^(\d{1,12})(?:\.(\d*))?$/.exec(s);
  if (!m) return null;
  const frac = m[2] ?? '';
  if (frac.length > digits) return null;
  const minor = Number(m[1]) * 10 ** digits + Number(frac.padEnd(digits, '0') || '0');
  return Number.isSafeInteger(minor) ? minor : null;
}

/** Minor units → the plain decimal a price input shows ("19.99"), no grouping, no symbol. */
export function moneyInputValue(amount: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  if (digits === 0) return String(amount);
  const abs = String(Math.abs(amount)).padStart(digits + 1, '0');
  return `${amount < 0 ? '-' : ''}${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
}
