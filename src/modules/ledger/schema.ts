import { sql } from 'drizzle-orm';
import { boolean, check, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { minorUnits, requiredRef, timestamptz } from '../../platform/columns.js';

/**
 * One row per (account, currency). `balance` is a cache of the sum of its postings, kept under
 * a row lock; reconciliation proves it equals the postings.
 */
export const ledgerAccounts = pgTable(
  'ledger_accounts',
  {
    account: text('account').notNull(),
    currency: text('currency').notNull(),
    nonNegative: boolean('non_negative').notNull(),
    balance: minorUnits('balance').notNull().default(0),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.account, t.currency] })],
);

export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    reference: text('reference'),
    memo: text('memo'),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [index('ledger_entries_reference_idx').on(t.reference)],
);

export const ledgerPostings = pgTable(
  'ledger_postings',
  {
    id: text('id').primaryKey(),
    entryId: requiredRef('entry_id', () => ledgerEntries.id),
    account: text('account').notNull(),
    currency: text('currency').notNull(),
    amount: minorUnits('amount').notNull(),
  },
  (t) => [
    index('ledger_postings_entry_idx').on(t.entryId),
    index('ledger_postings_account_idx').on(t.account, t.currency),
    check('ledger_postings_nonzero', sql`${t.amount} <> 0`),
  ],
);
