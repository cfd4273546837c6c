import { badRequest } from './errors.js';

/**
 * Money is an integer amount of minor units (cents, fen…) plus an ISO 4217 currency code.
 * Never a float. Arithmetic refuses to mix currencies and to leave the safe-integer range.
 *
 * Rounding rules (docs/decisions/002-money.md):
 * - rates are given in basis points (1 bp = 0.01 %) and applied with `applyRate`, which rounds
 *   half away from zero to a whole minor unit, computed exactly with BigInt;
 * - splitting an amount over several parts uses `allocate` (largest remainder), so the parts
 *   always add up to the whole — no cent is created or lost.
 */
export interface Money {
  amount: number;
  currency: string;
}

const CURRENCY_RE = /^[A-Z]{3}$/;

export function assertCurrency(currency: string): void {
  if (!CURRENCY_RE.test(currency)) {
    throw badRequest('invalid_currency', `"${currency}" is not an ISO 4217 currency code`);
  }
}

export function assertMinorUnits(amount: number): void {
  if (!Number.isSafeInteger(amount)) {
    throw badRequest('invalid_amount', 'Amounts are whole numbers of minor units (e.g. cents)');
  }
}

export function money(amount: number, currency: string): Money {
  assertMinorUnits(amount);
  assertCurrency(currency);
  return { amount, currency };
}

function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) {
    throw badRequest('currency_mismatch', `Cannot combine ${a.currency} with ${b.currency}`);
  }
}

function checked(amount: number, currency: string): Money {
  if (!Number.isSafeInteger(amount)) throw badRequest('amount_overflow', 'Amount is out of range');
  return { amount, currency };
}

export function add(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return checked(a.amount + b.amount, a.currency);
}

export function subtract(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return checked(a.amount - b.amount, a.currency);
}

export function multiply(a: Money, quantity: number): Money {
  if (!Number.isSafeInteger(quantity)) throw badRequest('invalid_quantity', 'Quantity must be a whole number');
  return checked(a.amount * quantity, a.currency);
}

export function sum(items: Money[], currency: string): Money {
  return items.reduce((acc, m) => add(acc, m), money(0, currency));
}

/** amount × bps / 10 000, rounded half away from zero. */
export function applyRate(amount: number, bps: number): number {
  assertMinorUnits(amount);
  if (!Number.isSafeInteger(bps)) throw badRequest('invalid_rate', 'Rates are whole basis points');
  const product = BigInt(amount) * BigInt(bps);
  const negative = product < 0n;
  const abs = negative ? -product : product;
  let q = abs / 10_000n;
  if ((abs % 10_000n) * 2n >= 10_000n) q += 1n;
  const result = Number(negative ? -q : q);
  assertMinorUnits(result);
  return result;
}

/**
 * Splits `total` into parts proportional to `weights` (non-negative integers, not all zero);
 * the parts sum to `total` exactly. Leftover units go to the largest remainders, ties to the
 * earlier part.
 */
export function allocate(total: number, weights: number[]): number[] {
  assertMinorUnits(total);
  if (weights.length === 0 || weights.some((w) => !Number.isSafeInteger(w) || w < 0)) {
    throw badRequest('invalid_weights', 'Weights are non-negative whole numbers');
  }
  const wsum = weights.reduce((a, b) => a + b, 0);
  if (wsum === 0) throw badRequest('invalid_weights', 'At least one weight must be positive');
  const sign = total < 0 ? -1n : 1n;
  const abs = BigInt(Math.abs(total));
  const W = BigInt(wsum);
  const parts = weights.map((w) => (abs * BigInt(w)) / W);
  const rems = weights.map((w, i) => ({ i, r: (abs * BigInt(w)) % W }));
  let left = abs - parts.reduce((a, b) => a + b, 0n);
  rems.sort((x, y) => (x.r === y.r ? x.i - y.i : x.r > y.r ? -1 : 1));
  for (const { i } of rems) {
    if (left === 0n) break;
    parts[i] = (parts[i] ?? 0n) + 1n;
    left -= 1n;
  }
  return parts.map((p) => Number(p * sign));
}

/** Digits after the decimal point for a currency (USD 2, JPY 0), from Intl. */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}
