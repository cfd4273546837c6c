import { sql, type SQL } from 'drizzle-orm';
import { Type } from '@sinclair/typebox';
import { rows, type Db } from '../../platform/db.js';
import { badRequest } from '../../platform/errors.js';
import { isId } from '../../platform/ids.js';
import type { Clock } from '../../platform/clock.js';
import {
  accounts,
  ACCOUNT_TYPES,
  ENTRY_KINDS,
  hasCachedBalance,
  isNonNegativeAccount,
  NON_NEGATIVE_ACCOUNT_TYPES,
  postEntry,
  transfer,
  type AccountPosting,
  type LedgerEntry,
  type Page,
  type Posting,
  type PostingInput,
  type ReconcileProblem,
  type ReconcileReport,
} from './journal.js';

export {
  accounts,
  accountType,
  ACCOUNT_TYPES,
  ENTRY_KINDS,
  hasCachedBalance,
  isEntryKind,
  isNonNegativeAccount,
  isValidAccount,
  MAX_POSTINGS,
  NON_NEGATIVE_ACCOUNT_TYPES,
  type AccountPosting,
  type AccountType,
  type EntryKind,
  type LedgerEntry,
  type Page,
  type Posting,
  type ReconcileProblem,
  type ReconcileReport,
} from './journal.js';

/**
 * Double-entry ledger (DESIGN.md "Ledger"). Other modules move money ONLY through the named entry
 * functions below, one per money movement (postCaptures, postRefund, postSettlement, postSubsidy,
 * postPayout, postPayoutPaid, postPayoutFailed); each posts one kind of ENTRY_KINDS between the
 * accounts that movement names. The generic `postEntry`/`transfer` live in journal.ts, internal to
 * this module.
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
// Named entries: one function per money movement
// ---------------------------------------------------------------------------------------------

/**
 * Captured payments: per order one entry `buyer_funds → escrow:<order>` (kind `payment_capture`),
 * all orders of a payment in one call (checkout's paid update is set-based; so is this call: one
 * statement per entry, no read in between).
 */
export async function postCaptures(db: Db, clock: Clock, captures: ReadonlyArray<{ orderId: string; amount: number; currency: string }>): Promise<LedgerEntry[]> {
  const out: LedgerEntry[] = [];
  for (const c of captures) {
    out.push(await transfer(db, clock, { from: accounts.buyerFunds(), to: accounts.escrow(c.orderId), amount: c.amount, currency: c.currency, kind: 'payment_capture', reference: c.orderId }));
  }
  return out;
}

/** A refund: `escrow:<order> → buyer_funds` (kind `refund`). Only `refundOrder` (orders/refunds.ts) calls it. */
export async function postRefund(db: Db, clock: Clock, r: { orderId: string; amount: number; currency: string; memo?: string | null }): Promise<LedgerEntry> {
  return transfer(db, clock, { from: accounts.escrow(r.orderId), to: accounts.buyerFunds(), amount: r.amount, currency: r.currency, kind: 'refund', reference: r.orderId, memo: r.memo ?? null });
}

/**
 * The release of a completed order's escrow (kind `settlement`): `escrow:<order>` −held, split to
 * the platform (`platform_commission`, or `platform_margin` for a managed order), each creator's
 * `creator_payable` and the shop's `seller_payable`. The credits must add up to `held` (else 422
 * `unbalanced_entry`); zero credits are left out.
 */
export async function postSettlement(
  db: Db,
  clock: Clock,
  s: {
    orderId: string;
    currency: string;
    held: number;
    platform: { account: 'platform_commission' | 'platform_margin'; amount: number };
    creators: ReadonlyArray<{ creatorId: string; amount: number }>;
    seller: { shopId: string; amount: number };
    memo?: string | null;
  },
): Promise<LedgerEntry> {
  const c = s.currency;
  const credits: PostingInput[] = [
    { account: s.platform.account, currency: c, amount: s.platform.amount },
    ...s.creators.map((x) => ({ account: accounts.creatorPayable(x.creatorId), currency: c, amount: x.amount })),
    { account: accounts.sellerPayable(s.seller.shopId), currency: c, amount: s.seller.amount },
  ].filter((p) => p.amount !== 0);
  return postEntry(db, clock, { kind: 'settlement', reference: s.orderId, memo: s.memo ?? null, postings: [{ account: accounts.escrow(s.orderId), currency: c, amount: -s.held }, ...credits] });
}

/** A commission-promotion subsidy (kind `commission_subsidy`): `platform_subsidy → seller_payable:<shop>`. */
export async function postSubsidy(db: Db, clock: Clock, s: { orderId: string; shopId: string; amount: number; currency: string }): Promise<LedgerEntry> {
  return transfer(db, clock, {
    from: accounts.platformSubsidy(),
    to: accounts.sellerPayable(s.shopId),
    amount: s.amount,
    currency: s.currency,
    kind: 'commission_subsidy',
    reference: s.orderId,
    memo: 'Ad-subsidy credit of the commission promotion',
  });
}

export type Payee = { type: 'shop' | 'creator'; id: string };
/** The account a payee is paid from (and a failed payout returns to). */
export const payableAccount = (p: Payee): string => (p.type === 'shop' ? accounts.sellerPayable(p.id) : accounts.creatorPayable(p.id));

/** A payout taken from a payee's payable (kind `payout`): `seller_payable|creator_payable → payouts_in_transit`. */
export async function postPayout(db: Db, clock: Clock, p: { payoutId: string; payee: Payee; amount: number; currency: string }): Promise<LedgerEntry> {
  return transfer(db, clock, { from: payableAccount(p.payee), to: accounts.payoutsInTransit(), amount: p.amount, currency: p.currency, kind: 'payout', reference: p.payoutId });
}

/** The rail paid a payout (kind `payout_paid`): `payouts_in_transit → payouts_paid` (the money left the platform). */
export async function postPayoutPaid(db: Db, clock: Clock, p: { payoutId: string; amount: number; currency: string; memo?: string | null }): Promise<LedgerEntry> {
  return transfer(db, clock, { from: accounts.payoutsInTransit(), to: accounts.payoutsPaid(), amount: p.amount, currency: p.currency, kind: 'payout_paid', reference: p.payoutId, memo: p.memo ?? null });
}

/** The rail failed a payout (kind `payout_failed`): `payouts_in_transit →` the payee's payable (paid again by the next batch). */
export async function postPayoutFailed(
  db: Db,
  clock: Clock,
  p: { payoutId: string; payee: Payee; amount: number; currency: string; memo?: string | null },
): Promise<LedgerEntry> {
  return transfer(db, clock, { from: accounts.payoutsInTransit(), to: payableAccount(p.payee), amount: p.amount, currency: p.currency, kind: 'payout_failed', reference: p.payoutId, memo: p.memo ?? null });
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

/** A posting with its entry, and the entry's other postings (what the money moved to or came from). */
export interface MovementPosting {
  id: string;
  entry_id: string;
  account: string;
  amount: number;
  kind: string;
  reference: string | null;
  created_at: string;
  others: Array<{ account: string; amount: number }>;
}

/**
 * The postings in one currency of the accounts `accountsSql` selects (a one-column subquery, so
 * a caller names e.g. every escrow of a shop's orders in one statement) in [`from`, `to`), oldest
 * first, each with its entry's other postings; and the sum of those accounts' postings before
 * `from` (the opening balance).
 */
export async function movementsOf(db: Db, accountsSql: SQL, currency: string, from: Date, to: Date): Promise<{ opening: number; postings: MovementPosting[] }> {
  const mine = sql`p.account in (${accountsSql}) and p.currency = ${currency}`;
  const [open] = await rows<{ n: string | number }>(
    db,
    sql`select coalesce(sum(p.amount), 0)::bigint as n from ledger_postings p join ledger_entries e on e.id = p.entry_id where ${mine} and e.created_at < ${from}`,
  );
  const found = await rows<Omit<MovementPosting, 'others' | 'created_at'> & { created_at: Date | string; others: Array<{ account: string; amount: number }> }>(
    db,
    sql`select p.id, p.entry_id, p.account, p.amount, e.kind, e.reference, e.created_at,
               (select coalesce(json_agg(json_build_object('account', o.account, 'amount', o.amount) order by o.id), '[]'::json)
                from ledger_postings o where o.entry_id = p.entry_id and o.id <> p.id) as others
        from ledger_postings p join ledger_entries e on e.id = p.entry_id
        where ${mine} and e.created_at >= ${from} and e.created_at < ${to}
        order by e.created_at, p.id`,
  );
  return {
    opening: Number(open!.n),
    postings: found.map((r) => ({ ...r, amount: Number(r.amount), created_at: iso(r.created_at), others: r.others.map((o) => ({ account: o.account, amount: Number(o.amount) })) })),
  };
}

/** The sum of an account's postings in one currency per entry kind (kinds without postings are left out). */
export async function totalsByKind(db: Db, account: string, currency: string): Promise<Map<string, number>> {
  const found = await rows<{ kind: string; total: string | number }>(
    db,
    sql`select e.kind, sum(p.amount)::bigint as total from ledger_postings p join ledger_entries e on e.id = p.entry_id
        where p.account = ${account} and p.currency = ${currency} group by e.kind`,
  );
  return new Map(found.map((r) => [r.kind, Number(r.total)]));
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

const KINDS_SQL = sql.join(
  ENTRY_KINDS.map((k) => sql`${k}`),
  sql`, `,
);
const TYPES_SQL = sql.join(
  ACCOUNT_TYPES.map((t) => sql`${t}`),
  sql`, `,
);

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
 * - every posting's (account, currency) row exists;
 * - every entry's kind is one of ENTRY_KINDS and every account's type one of ACCOUNT_TYPES (a row
 *   written around the named functions, e.g. by hand in SQL, is reported).
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

      capped(
        await rows<{ entry_id: string; kind: string; total: number }>(
          tx,
          sql`select id as entry_id, kind, (count(*) over ())::int as total from ledger_entries
            where kind not in (${KINDS_SQL}) order by id limit ${limit}`,
        ),
        'unknown_entry_kind',
        (r) => ({ code: 'unknown_entry_kind', message: `Entry ${r.entry_id} has kind "${r.kind}", which is not one of the ledger's entry kinds`, entry_id: r.entry_id, kind: r.kind }),
      );

      capped(
        await rows<{ account: string; currency: string; total: number }>(
          tx,
          sql`select account, currency, (count(*) over ())::int as total from ledger_accounts
            where split_part(account, ':', 1) not in (${TYPES_SQL}) order by account, currency limit ${limit}`,
        ),
        'unknown_account_type',
        (r) => ({ code: 'unknown_account_type', message: `Account ${r.account} ${r.currency} is of no known account type`, account: r.account, currency: r.currency }),
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
