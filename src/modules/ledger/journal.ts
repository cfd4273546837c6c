import { sql, type SQL } from 'drizzle-orm';
import { rows, type Db } from '../../platform/db.js';
import { badRequest, unprocessable } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { assertCurrency } from '../../platform/money.js';
import type { Clock } from '../../platform/clock.js';

/**
 * The ledger's journal: the closed lists of account types and entry kinds, validation and the one
 * statement that writes an entry. INTERNAL to the ledger module: other modules move money only
 * through the named entry functions of service.ts (DESIGN.md: "Every money movement is one named
 * ledger function"); a test (ledger/journal.internal.test.ts) fails if any file outside
 * src/modules/ledger imports this one.
 *
 * Sign convention: postings are signed integers of minor units. Every entry has at least two
 * postings and its postings sum to zero per currency. Money *leaving* an account is a negative
 * posting (a debit), money *arriving* is a positive one (a credit). Money flowing in from a buyer
 * debits buyer_funds and credits the order's escrow; paying 10.00 USD is
 *
 *     buyer_funds           -1000 USD
 *     escrow:ord_…          +1000 USD
 *
 * so `buyer_funds` (the outside world / payment provider side) naturally runs negative, while
 * escrow, payables and money in transit hold what the platform owes and can never go below zero.
 *
 * Account names: `<type>` or `<type>:<id>` (e.g. `escrow:ord_…`, `seller_payable:shp_…`). The
 * type decides whether the account is non-negative (see NON_NEGATIVE_ACCOUNT_TYPES). The flag is
 * stored on the account row when the row is created and the stored flag is what is enforced;
 * `reconcile` checks it still matches the type.
 *
 * Balances (decision 006): `ledger_accounts.balance` caches the sum of the account's postings
 * for the non-negative types only (escrow, payables, money in transit): those need a locked,
 * current balance to refuse an overdraft, and each is specific to an order, shop or user. The
 * other accounts (`buyer_funds`, `platform_commission`, `refunds`, …) may go negative, so they
 * need no balance check: their balance is derived from their postings and their column stays 0.
 * Caching one of them would make every payment on the platform queue on its row lock.
 * `reconcile` proves every cached balance equals its postings and every other column is 0.
 *
 * Concurrency: `postEntry` writes an entry in one statement; the cached rows it touches are
 * locked by one upsert in one global order (sorted by account, then currency), so concurrent
 * entries never deadlock and a non-negative account can never be overdrawn by two racing
 * entries (see writeEntry).
 */

// ---------------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------------

export const ACCOUNT_RE = /^[a-z_]+(:[A-Za-z0-9_-]+)?$/;
const MAX_ACCOUNT_LENGTH = 200;
export const MAX_POSTINGS = 100;

/** Account types that may never hold a negative balance: money the platform holds or owes. */
export const NON_NEGATIVE_ACCOUNT_TYPES = [
  'escrow',
  'seller_payable',
  'creator_payable',
  'payouts_in_transit',
] as const;

/**
 * The closed list of account types: an account is `<type>` or `<type>:<id>` with one of these
 * types; any other is refused (400 `invalid_account`) and `reconcile` reports one found in the
 * tables (`unknown_account_type`).
 *
 * `payouts_paid` is the outside world on the payee side, the mirror of `buyer_funds`: a payout
 * the rail paid moves from `payouts_in_transit` to it (docs/decisions/016-payouts-complete.md).
 * Money arriving there has left the platform, so it only ever receives positive postings and its
 * balance is everything ever paid out (while `buyer_funds` runs negative by everything paid in).
 * It is not non-negative: it holds nothing the platform owes, needs no overdraft check, and a
 * cached balance would make every settled payout queue on its row lock.
 *
 * `platform_margin` is the platform's margin on managed orders (decision 007), beside
 * `platform_commission` for the commission on marketplace orders. There is no `refunds` account:
 * a refund moves money from the order's escrow straight back to `buyer_funds` (decision 017).
 */
export const ACCOUNT_TYPES = [
  'buyer_funds',
  ...NON_NEGATIVE_ACCOUNT_TYPES,
  'platform_commission',
  'platform_margin',
  'platform_subsidy',
  'payouts_paid',
] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

/**
 * The closed list of entry kinds, one per money movement and one named function each in
 * service.ts (postCaptures, postRefund, postSettlement, postSubsidy, postPayout, postPayoutPaid,
 * postPayoutFailed). Any other kind is refused (400 `invalid_entry_kind`); `reconcile` reports an
 * entry of a kind not in this list (`unknown_entry_kind`).
 */
export const ENTRY_KINDS = [
  'payment_capture',
  'refund',
  'settlement',
  'commission_subsidy',
  'payout',
  'payout_paid',
  'payout_failed',
] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export const isEntryKind = (kind: unknown): kind is EntryKind => typeof kind === 'string' && (ENTRY_KINDS as readonly string[]).includes(kind);

/** `escrow:ord_123` → `escrow`. */
export function accountType(account: string): string {
  const i = account.indexOf(':');
  return i < 0 ? account : account.slice(0, i);
}

/** A well-formed account name whose type is one of ACCOUNT_TYPES. */
export function isValidAccount(account: unknown): account is string {
  return (
    typeof account === 'string' &&
    account.length <= MAX_ACCOUNT_LENGTH &&
    ACCOUNT_RE.test(account) &&
    (ACCOUNT_TYPES as readonly string[]).includes(accountType(account))
  );
}

/** Whether an account (by its type, the part before ':') refuses to go below zero. */
export function isNonNegativeAccount(account: string): boolean {
  return (NON_NEGATIVE_ACCOUNT_TYPES as readonly string[]).includes(accountType(account));
}

/** Helpers for the conventional account names. */
export const accounts = {
  buyerFunds: () => 'buyer_funds',
  escrow: (orderId: string) => `escrow:${orderId}`,
  sellerPayable: (shopId: string) => `seller_payable:${shopId}`,
  creatorPayable: (userId: string) => `creator_payable:${userId}`,
  platformCommission: () => 'platform_commission' as const,
  platformSubsidy: () => 'platform_subsidy',
  payoutsInTransit: () => 'payouts_in_transit',
  /** Money paid out to shops and creators (left the platform); see ACCOUNT_TYPES. */
  payoutsPaid: () => 'payouts_paid',
  /** The platform's margin on managed orders (decision 007). */
  platformMargin: () => 'platform_margin' as const,
};

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

export interface PostingInput {
  account: string;
  currency: string;
  /** Signed integer minor units, never zero: negative leaves the account, positive arrives. */
  amount: number;
}

export interface EntryInput {
  /** What kind of movement this is: one of ENTRY_KINDS. */
  kind: EntryKind;
  /** The business object it belongs to (order, payout, …), indexed for look-ups. */
  reference?: string | null;
  memo?: string | null;
  postings: PostingInput[];
}

export interface Posting {
  id: string;
  account: string;
  currency: string;
  amount: number;
}

export interface LedgerEntry {
  id: string;
  kind: string;
  reference: string | null;
  memo: string | null;
  /** ISO 8601 */
  created_at: string;
  postings: Posting[];
}

export interface AccountPosting extends Posting {
  entry_id: string;
  kind: string;
  reference: string | null;
  created_at: string;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export interface ReconcileProblem {
  code:
    | 'unbalanced_entry'
    | 'too_few_postings'
    | 'balance_mismatch'
    | 'negative_balance'
    | 'missing_account'
    | 'non_negative_flag_mismatch'
    | 'unknown_entry_kind'
    | 'unknown_account_type';
  message: string;
  [detail: string]: unknown;
}

export interface ReconcileReport {
  /** True iff `problems` is empty. */
  balanced: boolean;
  entries: number;
  /** Number of (account, currency) rows. */
  accounts: number;
  postings: number;
  problems: ReconcileProblem[];
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

interface Leg {
  account: string;
  currency: string;
  delta: bigint;
}

function validate(input: EntryInput): Leg[] {
  if (typeof input !== 'object' || input === null) throw badRequest('invalid_entry', 'An entry is an object');
  if (!isEntryKind(input.kind)) {
    throw badRequest('invalid_entry_kind', `Entry kind is one of ${ENTRY_KINDS.join(', ')}`, { kind: input.kind });
  }
  for (const [field, max] of [['reference', 200], ['memo', 1000]] as const) {
    const v = input[field];
    if (v !== undefined && v !== null && (typeof v !== 'string' || v.length > max)) {
      throw badRequest('invalid_entry', `${field} is a string of at most ${max} characters`);
    }
  }
  if (!Array.isArray(input.postings) || input.postings.length < 2) {
    throw unprocessable('too_few_postings', 'A journal entry has at least two postings', {
      postings: Array.isArray(input.postings) ? input.postings.length : 0,
    });
  }
  if (input.postings.length > MAX_POSTINGS) {
    throw badRequest('too_many_postings', `A journal entry has at most ${MAX_POSTINGS} postings`);
  }
  const sums = new Map<string, bigint>();
  const legs = new Map<string, Leg>();
  input.postings.forEach((p, index) => {
    if (typeof p !== 'object' || p === null) throw badRequest('invalid_posting', 'A posting is an object', { index });
    if (!isValidAccount(p.account)) {
      throw badRequest('invalid_account', `"${String(p.account)}" is not a ledger account name (types: ${ACCOUNT_TYPES.join(', ')})`, { index, account: p.account });
    }
    if (typeof p.currency !== 'string') throw badRequest('invalid_currency', 'Currency is an ISO 4217 code', { index });
    assertCurrency(p.currency);
    if (typeof p.amount !== 'number' || !Number.isSafeInteger(p.amount) || p.amount === 0) {
      throw badRequest('invalid_amount', 'Posting amounts are non-zero whole numbers of minor units', {
        index,
        amount: p.amount,
      });
    }
    const amount = BigInt(p.amount);
    sums.set(p.currency, (sums.get(p.currency) ?? 0n) + amount);
    const key = `${p.account}\u0000${p.currency}`;
    const leg = legs.get(key);
    if (leg) leg.delta += amount;
    else legs.set(key, { account: p.account, currency: p.currency, delta: amount });
  });
  const unbalanced = [...sums].filter(([, s]) => s !== 0n);
  if (unbalanced.length > 0) {
    throw unprocessable('unbalanced_entry', 'The postings of an entry must sum to zero in each currency', {
      sums: Object.fromEntries(unbalanced.map(([c, s]) => [c, Number(s)])),
    });
  }
  // One global order (account, then currency) for the account rows the creating path inserts.
  return [...legs.values()].sort((a, b) =>
    a.account < b.account ? -1 : a.account > b.account ? 1 : a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0,
  );
}

// ---------------------------------------------------------------------------------------------
// Posting
// ---------------------------------------------------------------------------------------------

/** Whether the account keeps a cached balance (non-negative types only; see the header). */
export const hasCachedBalance = isNonNegativeAccount;

const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Writes the entry in ONE statement, inside a transaction (a savepoint in a caller's one) so a
 * refusal writes nothing:
 * - accounts without a cached balance (they may go negative): `insert … on conflict do nothing`
 *   only creates a missing row; an existing row is neither locked nor written, so concurrent
 *   payments never queue on `buyer_funds`;
 * - accounts with a cached balance (non-negative): one upsert adds each delta, rows in the
 *   global (account, currency) order, single pass, so concurrent entries lock them in one order
 *   and never deadlock; the upsert returns the new balances, and a non-negative one below zero
 *   (or out of the safe integer range) refuses the entry by rolling it back. The row lock the
 *   upsert takes makes racing debits see each other's result: no overdraft.
 * - the entry and its postings.
 */
async function writeEntry(
  db: Db,
  legs: Leg[],
  entry: { id: string; kind: string; reference: string | null; memo: string | null; now: Date; postings: Posting[] },
): Promise<void> {
  const created = entry.now.toISOString();
  const cached = legs.filter((l) => hasCachedBalance(l.account));
  const derived = legs.filter((l) => !hasCachedBalance(l.account));
  const accountRows = (list: Leg[], balance: (l: Leg) => bigint) =>
    sql.join(
      list.map((l) => sql`(${l.account}, ${l.currency}, ${hasCachedBalance(l.account)}, ${String(balance(l))}::bigint, ${created}::timestamptz)`),
      sql`, `,
    );
  const parts: SQL[] = [];
  if (derived.length > 0) {
    parts.push(sql`made as (insert into ledger_accounts (account, currency, non_negative, balance, created_at)
      values ${accountRows(derived, () => 0n)} on conflict (account, currency) do nothing)`);
  }
  parts.push(sql`ent as (insert into ledger_entries (id, kind, reference, memo, created_at)
      values (${entry.id}, ${entry.kind}, ${entry.reference}, ${entry.memo}, ${created}::timestamptz))`);
  parts.push(sql`pst as (insert into ledger_postings (id, entry_id, account, currency, amount) values ${sql.join(
    entry.postings.map((p) => sql`(${p.id}, ${entry.id}, ${p.account}, ${p.currency}, ${p.amount}::bigint)`),
    sql`, `,
  )})`);
  const final =
    cached.length === 0
      ? sql`select null::text as account, null::text as currency, null::text as balance where false`
      : sql`insert into ledger_accounts as a (account, currency, non_negative, balance, created_at)
          values ${accountRows(cached, (l) => l.delta)}
          on conflict (account, currency) do update set balance = a.balance + excluded.balance
          returning a.account, a.currency, a.balance::text as balance`;
  await db.transaction(async (tx) => {
    const after = await rows<{ account: string; currency: string; balance: string }>(tx, sql`with ${sql.join(parts, sql`, `)} ${final}`);
    const byKey = new Map(after.map((r) => [keyOf(r.account, r.currency), BigInt(r.balance)]));
    for (const leg of cached) checkBalance(leg, byKey.get(keyOf(leg.account, leg.currency))!);
  });
}

const keyOf = (account: string, currency: string) => `${account}\u0000${currency}`;

/** Refuses (throws, so the caller's transaction rolls the entry back) a balance the leg may not reach. */
function checkBalance(leg: Leg, next: bigint): void {
  if (next < 0n) {
    throw unprocessable('insufficient_funds', `Account ${leg.account} has insufficient funds in ${leg.currency}`, {
      account: leg.account,
      currency: leg.currency,
      balance: Number(next - leg.delta),
      attempted: Number(leg.delta),
    });
  }
  if (next > SAFE_MAX) {
    throw unprocessable('amount_overflow', `Balance of ${leg.account} would leave the safe integer range`, {
      account: leg.account,
      currency: leg.currency,
    });
  }
}

/**
 * Records a balanced journal entry atomically. Refuses (nothing written):
 * - fewer than two postings (422 `too_few_postings`), bad accounts/currencies/amounts (400),
 * - postings that do not sum to zero per currency (422 `unbalanced_entry`),
 * - an entry that would take a non-negative account below zero (422 `insufficient_funds`,
 *   details `{ account, currency, balance, attempted }` where `attempted` is the signed net change
 *   the entry would have applied to that account).
 * Runs in one transaction; inside a caller's transaction it uses a savepoint, so a refusal leaves
 * the caller's transaction usable. (A caller's transaction that already holds other ledger
 * account locks should post one entry per transaction, or lock in the same order.)
 */
export async function postEntry(db: Db, clock: Clock, input: EntryInput): Promise<LedgerEntry> {
  const legs = validate(input);
  const now = clock.now();
  const entry = {
    id: newId('led'),
    kind: input.kind,
    reference: input.reference ?? null,
    memo: input.memo ?? null,
    now,
    postings: input.postings.map((p) => ({ id: newId('pst'), account: p.account, currency: p.currency, amount: p.amount })),
  };
  await writeEntry(db, legs, entry);
  const { id, kind, reference, memo, postings } = entry;
  return { id, kind, reference, memo, created_at: now.toISOString(), postings };
}

/** Moves `amount` (> 0) from one account to another: the common two-posting entry. */
export async function transfer(
  db: Db,
  clock: Clock,
  t: { from: string; to: string; amount: number; currency: string; kind: EntryKind; reference?: string | null; memo?: string | null },
): Promise<LedgerEntry> {
  if (typeof t.amount !== 'number' || !Number.isSafeInteger(t.amount) || t.amount <= 0) {
    throw badRequest('invalid_amount', 'A transfer moves a positive whole number of minor units', { amount: t.amount });
  }
  return postEntry(db, clock, {
    kind: t.kind,
    reference: t.reference ?? null,
    memo: t.memo ?? null,
    postings: [
      { account: t.from, currency: t.currency, amount: -t.amount },
      { account: t.to, currency: t.currency, amount: t.amount },
    ],
  });
}

