/** Card form helpers: formatting as typed and checks mirroring the sandbox provider. */

/** The same in every language. */
export const CARD_NUMBER_PLACEHOLDER = '1234 1234 1234 1234';

/** Digits only. */
export const digitsOf = (s: string) => s.replace(/\D/g, '');

/** "4242424242424242" → "4242 4242 4242 4242" (at most 19 digits). */
export function formatCardNumber(input: string): string {
  return digitsOf(input)
    .slice(0, 19)
    .replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** "1228" / "12/28" → "12/28". */
export function formatExpiry(input: string): string {
  const d = digitsOf(input).slice(0, 4);
  return d.length > 2 ? `${d.slice(0, 2)}/${d.slice(2)}` : d;
}

export function luhnValid(number: string): boolean {
  const d = digitsOf(number);
  if (d.length < 12 || d.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let n = Number(d[d.length - 1 - i]);
    if (i % 2 === 1) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return sum % 10 === 0;
}

/** "12/28" → { month: 12, year: 2028 }, or null. */
export function parseExpiry(input: string): { month: number; year: number } | null {
  const m = /^(\d{2})\/(\d{2})$/.exec(input.trim());
  if (!m) return null;
  const month = Number(m[1]);
  if (month < 1 || month > 12) return null;
  return { month, year: 2000 + Number(m[2]) };
}

export interface CardForm {
  number: string;
  expiry: string;
  cvc: string;
}

/** Translation keys of the problems, per field. */
export function checkCard(card: CardForm, now = new Date()): Partial<Record<keyof CardForm, string>> {
  const errors: Partial<Record<keyof CardForm, string>> = {};
  const number = digitsOf(card.number);
  if (!number) errors.number = 'checkout.card.errors.numberRequired';
  else if (!luhnValid(number)) errors.number = 'checkout.card.errors.numberInvalid';
  const exp = parseExpiry(card.expiry);
  if (!card.expiry.trim()) errors.expiry = 'checkout.card.errors.expiryRequired';
  else if (!exp) errors.expiry = 'checkout.card.errors.expiryInvalid';
  else if (exp.year < now.getFullYear() || (exp.year === now.getFullYear() && exp.month < now.getMonth() + 1)) {
    errors.expiry = 'checkout.card.errors.expired';
  }
  if (!/^\d{3,4}$/.test(card.cvc.trim())) errors.cvc = 'checkout.card.errors.cvcInvalid';
  return errors;
}

/** The sandbox provider's test cards (API.md), shown as a hint on the checkout page. */
export const SANDBOX_CARDS = [
  { number: '4242 4242 4242 4242', outcomeKey: 'checkout.card.test.succeeds' },
  { number: '4000 0000 0000 0002', outcomeKey: 'checkout.card.test.declined' },
  { number: '4000 0000 0000 3220', outcomeKey: 'checkout.card.test.verification' },
] as const;
