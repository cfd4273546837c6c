// Imported with its extension: tests/e2e/format.test.ts loads this file under Node's module resolution.
import { minorUnitDigits } from '../i18n/format.js';

/**
 * A price typed by a person → integer minor units of `currency`, or null when it is not a valid
 * non-negative amount with at most the currency's decimals. Thousands may be grouped by commas,
 * spaces, apostrophes or (with a decimal comma) dots: "1,299.50", "1 299", "1.299,50", "19,99".
 * A lone comma before exactly three digits groups ("1,299" is 1299), otherwise it is the decimal
 * mark. Parsed as a decimal string, never through floats.
 */
export function parseMoneyInput(input: string, currency: string): number | null {
  const s = input.trim().replace(/[\s\u00a0\u202f']/g, '');
  const digits = minorUnitDigits(currency);
  const lastComma = s.lastIndexOf(',');
  const lastDot = s.lastIndexOf('.');
  const oneComma = lastComma >= 0 && s.indexOf(',') === lastComma;
  const loneCommaGroups = lastDot < 0 && s.length - lastComma - 1 === 3;
  const decimal = lastComma > lastDot && oneComma && !loneCommaGroups ? ',' : '.';
  const group = decimal === ',' ? '.' : ',';
  const [whole = '', frac = '', ...extra] = s.split(decimal);
  if (extra.length > 0) return null;
  // Grouped thousands must be whole groups of three: "1,299" yes, "12,99,000" no.
  if (whole.includes(group) && !new RegExp(`^\\d{1,3}(\\${group}\\d{3})+$`).test(whole)) return null;
  const m = /^(\d{1,12})$/.exec(whole.split(group).join(''));
  if (!m || !/^\d*$/.test(frac) || frac.length > digits) return null;
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
