import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import { AppError } from '../../platform/errors.js';

/**
 * New passwords (sign-up; any future password change) are refused when they are on the common
 * and breached password lists or easy to guess from them (zxcvbn-ts with its common-password list
 * (breach corpora) and keyboard patterns: a score below 2, under about 10⁸ guesses), or when they are or contain
 * the account's email or its local part. Sign-in never checks this: an existing weak password
 * keeps working.
 */
const zxcvbn = new ZxcvbnFactory({ dictionary: common.dictionary, graphs: common.adjacencyGraphs });

/** zxcvbn score (0–4) a new password must reach. */
export const MIN_PASSWORD_SCORE = 2;

export type WeakPasswordReason = 'contains_email' | 'common' | 'guessable';

/** Why a new password is refused, or null when it is fine. `email` is the normalized email. */
export function weakPasswordReason(password: string, email: string): WeakPasswordReason | null {
  const pw = password.normalize('NFKC').toLowerCase();
  const local = email.split('@')[0] ?? '';
  if (pw.includes(email) || (local.length >= 3 && pw.includes(local))) return 'contains_email';
  // zxcvbn's cost grows with length; the first 100 characters decide (the limit is 200).
  // Synchronous, a few milliseconds; the language packs' word lists would cost ten times that.
  const result = zxcvbn.check(password.slice(0, 100), [email, local]);
  if (result.score >= MIN_PASSWORD_SCORE) return null;
  const onList = result.sequence.some((m) => m.pattern === 'dictionary' && String(m.dictionaryName).startsWith('passwords'));
  return onList ? 'common' : 'guessable';
}

const MESSAGES: Record<WeakPasswordReason, string> = {
  contains_email: 'The password must not be or contain your email address',
  common: 'This password is on lists of common or breached passwords; choose another',
  guessable: 'This password is too easy to guess; use a longer one, e.g. a few unrelated words',
};

/** 422 `weak_password` with `details.reason` when a new password is refused. */
export function assertStrongPassword(password: string, email: string): void {
  const reason = weakPasswordReason(password, email);
  if (reason) throw new AppError('weak_password', 422, MESSAGES[reason], { field: '/password', reason });
}
