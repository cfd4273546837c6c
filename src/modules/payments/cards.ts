import { AppError, badRequest } from '../../platform/errors.js';
import type { CardDetails } from './provider.js';

/** Digits of a card number typed with optional spaces or dashes. */
export function cardDigits(number: string): string {
  return number.replace(/[\s-]/g, '');
}

/** The Luhn (mod 10) check every card number passes. */
export function luhnValid(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Provider-independent checks done before anything is reserved or charged (bad input changes
 * nothing): a malformed number → 400 `invalid_card`; a card whose expiry month has ended on
 * the platform clock → 402 `card_expired`. Returns the normalized digits.
 */
export function checkCard(card: CardDetails, now: Date): string {
  const digits = cardDigits(card.number);
  if (!luhnValid(digits)) throw badRequest('invalid_card', 'The card number is not valid');
  // A card is valid through the last day of its expiry month (UTC).
  const endOfMonth = Date.UTC(card.exp_year, card.exp_month, 1);
  if (endOfMonth <= now.getTime()) {
    throw new AppError('card_expired', 402, 'The card has expired', { exp_month: card.exp_month, exp_year: card.exp_year });
  }
  return digits;
}
