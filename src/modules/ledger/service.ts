import { sql, type SQL } from 'drizzle-orm';
import { Type } from '@sinclair/typebox';
import { rows, type Db } from '../../platform/db.js';
import { badRequest, unprocessable } from '../../platform/errors.js';
import { newId, isId } from '../../platform/ids.js';
import { assertCurrency } from '../../platform/money.js';
import type { Clock } from '../../platform/clock.js';

/**
 * Double-entry ledger (DESIGN.md "Ledger").
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
 * The known account types (anything else matching ACCOUNT_RE is accepted and may go negative).
 *
 * `payouts_paid` is the outside world on the payee side, the mirror of `buyer_funds`: a payout
 * the rail paid moves from `payouts_in_transit` to it (docs/decisions/016-payouts-complete.md).
 * Money arriving there has left the platform, so it only ever receives positive postings and its
 * balance is everything ever paid out (while `buyer_funds` runs negative by everything paid in).
 * It is not non-negative: it holds nothing the platform owes, needs no overdraft check, and a
 * cached balance would make every settled payout queue on its row lock.
 */
export const ACCOUNT_TYPES = [
  'buyer_funds',
  ...NON_NEGATIVE_ACCOUNT_TYPES,
  'platform_commission',
  'platform_subsidy',
  'refunds',
  'payouts_paid',
] as const;

/** `escrow:ord_123` → `escrow`. */
export function accountType(account: string): string {
  const i = account.indexOf(':');
  return i < 0 ? account : account.slice(0, i);
}

export function isValidAccount(account: unknown): account is string {
  return typeof account === 'string' && account.length <= MAX_ACCOUNT_LENGTH && ACCOUNT_RE.test(account);
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
  platformCommission: () => 'platform_commission',
  platformSubsidy: () => 'platform_subsidy',
  payoutsInTransit: () => 'payouts_in_transit',
  /** Money paid out to shops and creators (left the platform); see ACCOUNT_TYPES. */
  payoutsPaid: () => 'payouts_paid',
  refunds: () => 'refunds',
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
  /** What kind of movement this is, e.g. `payment_captured`, `refund`, `payout`. */
  kind: string;
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
    | 'non_negative_flag_mismatch';
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

const KIND_RE = /^[a-z][a-z0-9_.:-]{0,63}$/;

interface Leg {
  account: string;
  currency: string;
  delta: bigint;
}

function validate(input: EntryInput): Leg[] {
  if (typeof input !== 'object' || input === null) throw badRequest('invalid_entry', 'An entry is an object');
  if (typeof input.kind !== 'string' || !KIND_RE.test(input.kind)) {
    throw badRequest('invalid_entry_kind', 'Entry kind is a lowercase word of up to 64 characters', { kind: input.kind });
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
      throw badRequest('invalid_account', `"${String(p.account)}" is not a ledger account name`, { index, account: p.account });
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
  t: { from: string; to: string; amount: number; currency: string; kind: string; reference?: string | null; memo?: string | null },
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

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();

/**
 * The balance of an account (0 for an account that has never been posted to): the cached one,
 * or the sum of its postings for an account without a cache (which reads all of them).
 */
export async function getBalance(db: Db, account: string, currency: string): Promise<number> {
  const [row] = await rows<{ balance: number }>(
    db,
    hasCachedBalance(account)
      ? sql`select balance from ledger_accounts where account = ${account} and currency = ${currency}`
      : sql`select coalesce(sum(amount), 0)::bigint as balance from ledger_postings where account = ${account} and currency = ${currency}`,
  );
  return row?.balance ?? 0;
}

/** All currencies of one account: `[{ currency, balance, non_negative }]`. */
export async function getBalances(
  db: Db,
  account: string,
): Promise<Array<{ currency: string; balance: number; non_negative: boolean }>> {
  if (hasCachedBalance(account)) {
    return rows(db, sql`select currency, balance, non_negative from ledger_accounts where account = ${account} order by currency`);
  }
  return rows(
    db,
    sql`select a.currency, (select coalesce(sum(p.amount), 0)::bigint from ledger_postings p
                             where p.account = a.account and p.currency = a.currency) as balance, a.non_negative
        from ledger_accounts a where a.account = ${account} order by a.currency`,
  );
}

/** Accounts of one non-negative type (e.g. `seller_payable`) holding more than zero (payout batches). */
export async function positiveBalances(db: Db, type: (typeof NON_NEGATIVE_ACCOUNT_TYPES)[number]): Promise<Array<{ account: string; currency: string; balance: number }>> {
  return rows(
    db,
    sql`select account, currency, balance from ledger_accounts
        where split_part(account, ':', 1) = ${type} and balance > 0 order by account, currency`,
  );
}

interface EntryRow {
  id: string;
  kind: string;
  reference: string | null;
  memo: string | null;
  created_at: Date | string;
}

async function withPostings(db: Db, entries: EntryRow[]): Promise<LedgerEntry[]> {
  if (entries.length === 0) return [];
  const ids = sql.join(entries.map((e) => sql`${e.id}`), sql`, `);
  const ps = await rows<Posting & { entry_id: string }>(
    db,
    sql`select id, entry_id, account, currency, amount from ledger_postings where entry_id in (${ids}) order by id`,
  );
  const by = new Map<string, Posting[]>();
  for (const p of ps) {
    const list = by.get(p.entry_id) ?? [];
    list.push({ id: p.id, account: p.account, currency: p.currency, amount: p.amount });
    by.set(p.entry_id, list);
  }
  return entries.map((e) => ({
    id: e.id,
    kind: e.kind,
    reference: e.reference,
    memo: e.memo,
    created_at: iso(e.created_at),
    postings: by.get(e.id) ?? [],
  }));
}

/** One entry with its postings, or null. */
export async function getEntry(db: Db, id: string): Promise<LedgerEntry | null> {
  const found = await rows<EntryRow>(
    db,
    sql`select id, kind, reference, memo, created_at from ledger_entries where id = ${id}`,
  );
  const [entry] = await withPostings(db, found);
  return entry ?? null;
}

/** The entries recorded for a business object (e.g. an order), oldest first. */
export async function listEntriesByReference(db: Db, reference: string): Promise<LedgerEntry[]> {
  const found = await rows<EntryRow>(
    db,
    sql`select id, kind, reference, memo, created_at from ledger_entries where reference = ${reference} order by id`,
  );
  return withPostings(db, found);
}

/**
 * An account's postings, oldest first, paginated by posting id (ids are time-sortable): pass the
 * `next_cursor` of one page as `cursor` to get the next; null when there is no more.
 */
export async function listPostings(
  db: Db,
  account: string,
  opts: { limit?: number; cursor?: string | null; currency?: string } = {},
): Promise<Page<AccountPosting>> {
  const limit = opts.limit ?? 50;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 500) {
    throw badRequest('invalid_limit', 'limit is a whole number from 1 to 500');
  }
  if (opts.cursor != null && !isId(opts.cursor, 'pst')) throw badRequest('invalid_cursor', 'Unknown cursor');
  const conds: SQL[] = [sql`p.account = ${account}`];
  if (opts.currency !== undefined) conds.push(sql`p.currency = ${opts.currency}`);
  if (opts.cursor != null) conds.push(sql`p.id > ${opts.cursor}`);
  const found = await rows<{
    id: string;
    entry_id: string;
    account: string;
    currency: string;
    amount: number;
    kind: string;
    reference: string | null;
    created_at: Date | string;
  }>(
    db,
    sql`select p.id, p.entry_id, p.account, p.currency, p.amount, e.kind, e.reference, e.created_at
      from ledger_postings p join ledger_entries e on e.id = p.entry_id
      where ${sql.join(conds, sql` and `)}
      order by p.id limit ${limit + 1}`,
  );
  const more = found.length > limit;
  const data = found.slice(0, limit).map((r) => ({ ...r, created_at: iso(r.created_at) }));
  return { data, next_cursor: more ? (data[data.length - 1]?.id ?? null) : null };
}

// ---------------------------------------------------------------------------------------------
// Reconciliation
// ---------------------------------------------------------------------------------------------

/** At most this many problems of one kind are listed; the last one then says how many more. */
export const MAX_PROBLEMS_PER_CHECK = 100;

/** bigint/numeric sums arrive as text (cast in SQL) so they never lose precision. */
const big = (v: unknown): number | string => {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : String(v);
};

const NON_NEG_TYPES_SQL = sql.join(
  NON_NEGATIVE_ACCOUNT_TYPES.map((t) => sql`${t}`),
  sql`, `,
);

/**
 * Proves the ledger is consistent, with set-based SQL in one read-only REPEATABLE READ snapshot
 * (so it is exact even while entries are being posted):
 * - every entry has at least two postings and its postings sum to zero per currency;
 * - every cached balance equals the sum of its postings, and the balance column of every
 *   account without a cache (derived from its postings) is 0;
 * - no non-negative account is below zero (cached or derived), and the non-negative flag matches
 *   the account type;
 * - every posting's (account, currency) row exists.
 * `balanced` is true iff no problem was found.
 */
export async function reconcile(db: Db): Promise<ReconcileReport> {
  return db.transaction(
    async (tx) => {
      const problems: ReconcileProblem[] = [];
      const capped = <R extends { total: number | string }>(found: R[], code: ReconcileProblem['code'], each: (r: R) => ReconcileProblem) => {
        for (const r of found) problems.push(each(r));
        const total = Number(found[0]?.total ?? 0);
        if (total > found.length) {
          problems.push({ code, message: `${total - found.length} more ${code} problems not listed`, more: total - found.length });
        }
      };
      const limit = MAX_PROBLEMS_PER_CHECK;

      const [counts] = await rows<{ entries: number; accounts: number; postings: number }>(
        tx,
        sql`select (select count(*) from ledger_entries)::int as entries,
                   (select count(*) from ledger_accounts)::int as accounts,
                   (select count(*) from ledger_postings)::int as postings`,
      );

      capped(
        await rows<{ entry_id: string; currency: string; sum: string; total: number }>(
          tx,
          sql`select entry_id, currency, sum(amount)::text as sum, (count(*) over ())::int as total
            from ledger_postings group by entry_id, currency having sum(amount) <> 0
            order by entry_id, currency limit ${limit}`,
        ),
        'unbalanced_entry',
        (r) => ({
          code: 'unbalanced_entry',
          message: `Entry ${r.entry_id} does not balance in ${r.currency} (sum ${r.sum})`,
          entry_id: r.entry_id,
          currency: r.currency,
          sum: big(r.sum),
        }),
      );

      capped(
        await rows<{ entry_id: string; postings: number; total: number }>(
          tx,
          sql`select e.id as entry_id, count(p.id)::int as postings, (count(*) over ())::int as total
            from ledger_entries e left join ledger_postings p on p.entry_id = e.id
            group by e.id having count(p.id) < 2 order by e.id limit ${limit}`,
        ),
        'too_few_postings',
        (r) => ({
          code: 'too_few_postings',
          message: `Entry ${r.entry_id} has ${r.postings} posting(s); at least two are required`,
          entry_id: r.entry_id,
          postings: r.postings,
        }),
      );

      // Cached balance vs. postings, and negative non-negative accounts, in one pass.
      const accountRows = await rows<{
        account: string;
        currency: string;
        non_negative: boolean;
        balance: string;
        derived: string;
        mismatch: boolean;
        cached: boolean;
        negative: boolean;
        flag_mismatch: boolean;
      }>(
        tx,
        sql`with sums as (
              select account, currency, sum(amount) as total from ledger_postings group by account, currency
            ), checked as (
              select a.account, a.currency, a.non_negative, a.balance::text as balance,
                     coalesce(s.total, 0)::text as derived,
                     case when split_part(a.account, ':', 1) in (${NON_NEG_TYPES_SQL})
                          then a.balance <> coalesce(s.total, 0) else a.balance <> 0 end as mismatch,
                     split_part(a.account, ':', 1) in (${NON_NEG_TYPES_SQL}) as cached,
                     a.non_negative and (a.balance < 0 or coalesce(s.total, 0) < 0) as negative,
                     a.non_negative <> (split_part(a.account, ':', 1) in (${NON_NEG_TYPES_SQL})) as flag_mismatch
              from ledger_accounts a left join sums s on s.account = a.account and s.currency = a.currency
            )
            select * from checked where mismatch or negative or flag_mismatch
            order by account, currency limit ${3 * limit}`,
      );
      for (const r of accountRows) {
        const where = { account: r.account, currency: r.currency };
        if (r.mismatch && !r.cached) {
          problems.push({
            code: 'balance_mismatch',
            message: `${r.account} ${r.currency} has no cached balance (it is derived from postings), but its balance column holds ${r.balance}`,
            ...where,
            balance: big(r.balance),
            postings_sum: big(r.derived),
          });
        } else if (r.mismatch) {
          problems.push({
            code: 'balance_mismatch',
            message: `Cached balance of ${r.account} ${r.currency} is ${r.balance} but its postings sum to ${r.derived}`,
            ...where,
            balance: big(r.balance),
            postings_sum: big(r.derived),
          });
        }
        if (r.negative) {
          problems.push({
            code: 'negative_balance',
            message: `Non-negative account ${r.account} is below zero in ${r.currency}`,
            ...where,
            balance: big(r.balance),
            postings_sum: big(r.derived),
          });
        }
        if (r.flag_mismatch) {
          problems.push({
            code: 'non_negative_flag_mismatch',
            message: `Account ${r.account} ${r.currency} is flagged non_negative=${r.non_negative}, its type says ${isNonNegativeAccount(r.account)}`,
            ...where,
            non_negative: r.non_negative,
          });
        }
      }

      capped(
        await rows<{ account: string; currency: string; postings: number; total: number }>(
          tx,
          sql`select p.account, p.currency, count(*)::int as postings, (count(*) over ())::int as total
            from ledger_postings p
            where not exists (select 1 from ledger_accounts a where a.account = p.account and a.currency = p.currency)
            group by p.account, p.currency order by p.account, p.currency limit ${limit}`,
        ),
        'missing_account',
        (r) => ({
          code: 'missing_account',
          message: `${r.postings} posting(s) refer to ${r.account} ${r.currency}, which has no account row`,
          account: r.account,
          currency: r.currency,
          postings: r.postings,
        }),
      );

      return {
        balanced: problems.length === 0,
        entries: counts?.entries ?? 0,
        accounts: counts?.accounts ?? 0,
        postings: counts?.postings ?? 0,
        problems,
      };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}

/** Human-readable lines for `loopshop reconcile`; exit non-zero when `!report.balanced`. */
export function formatReconcileReport(report: ReconcileReport): string {
  const head = `${report.balanced ? 'BALANCED' : 'NOT BALANCED'}: ${report.entries} entries, ${report.postings} postings, ${report.accounts} accounts, ${report.problems.length} problem(s)`;
  return [head, ...report.problems.map((p) => `  [${p.code}] ${p.message}`)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// JSON schemas for routes (OpenAPI)
// ---------------------------------------------------------------------------------------------

export const ReconcileProblemSchema = Type.Object(
  {
    code: Type.String(),
    message: Type.String(),
  },
  { additionalProperties: true },
);

export const ReconcileReportSchema = Type.Object(
  {
    balanced: Type.Boolean(),
    entries: Type.Integer(),
    accounts: Type.Integer(),
    postings: Type.Integer(),
    problems: Type.Array(ReconcileProblemSchema),
  },
  { $id: 'LedgerReconcileReport', title: 'LedgerReconcileReport' },
);

export const PostingSchema = Type.Object({
  id: Type.String(),
  account: Type.String(),
  currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  amount: Type.Integer({ description: 'Signed minor units: negative leaves the account, positive arrives' }),
});

export const LedgerEntrySchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  reference: Type.Union([Type.String(), Type.Null()]),
  memo: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
  postings: Type.Array(PostingSchema),
});
