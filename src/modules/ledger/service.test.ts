import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { SettableClock } from '../../platform/clock.js';
import { rows, type Db } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { useFreshDatabase } from '../../test/db.js';
import {
  getBalance,
  getBalances,
  getEntry,
  isNonNegativeAccount,
  listEntriesByReference,
  listPostings,
  reconcile,
} from './service.js';
import { postEntry, transfer, type EntryInput, type EntryKind, type PostingInput } from './journal.js';
import { refused } from '../../test/expect.js';

const clock = new SettableClock('2025-01-01T00:00:00Z');


/** Everything the ledger has written, to prove a refusal wrote nothing. */
async function snapshot(db: Db) {
  const [r] = await rows<{ entries: number; postings: number; accounts: number; balances: string }>(
    db,
    sql`select (select count(*) from ledger_entries)::int as entries,
               (select count(*) from ledger_postings)::int as postings,
               (select count(*) from ledger_accounts)::int as accounts,
               (select coalesce(string_agg(account || '/' || currency || '=' || balance, ',' order by account, currency), '')
                  from ledger_accounts) as balances`,
  );
  return r;
}

const leg = (account: string, amount: number, currency = 'USD'): PostingInput => ({ account, currency, amount });

describe('ledger', () => {
  const database = useFreshDatabase({ poolSize: 8 });
  let db: Db;
  beforeAll(() => {
    db = database.db;
  });

  it('classifies accounts by type', () => {
    for (const a of ['escrow:ord_1', 'seller_payable:shp_1', 'creator_payable:usr_1', 'payouts_in_transit']) {
      expect(isNonNegativeAccount(a)).toBe(true);
    }
    for (const a of ['buyer_funds', 'platform_commission', 'platform_subsidy', 'platform_margin', 'payouts_paid', 'buyer_funds:x', 'other']) {
      expect(isNonNegativeAccount(a)).toBe(false);
    }
  });

  it('posts a balanced entry, updates balances and reads it back', async () => {
    const order = newId('ord');
    const entry = await postEntry(db, clock, {
      kind: 'payment_capture',
      reference: order,
      memo: 'first',
      postings: [leg('buyer_funds', -1000), leg(`escrow:${order}`, 1000)],
    });
    expect(entry.id).toMatch(/^led_/);
    expect(entry.created_at).toBe('2025-01-01T00:00:00.000Z');
    expect(entry.postings.map((p) => p.amount)).toEqual([-1000, 1000]);
    expect(await getBalance(db, `escrow:${order}`, 'USD')).toBe(1000);
    expect(await getBalance(db, 'buyer_funds', 'USD')).toBe(-1000);
    expect(await getBalance(db, `escrow:${order}`, 'EUR')).toBe(0);
    expect(await getBalances(db, `escrow:${order}`)).toEqual([{ currency: 'USD', balance: 1000, non_negative: true }]);

    const back = await getEntry(db, entry.id);
    expect(back).toEqual(entry);
    expect(await getEntry(db, newId('led'))).toBeNull();
    expect((await listEntriesByReference(db, order)).map((e) => e.id)).toEqual([entry.id]);

    // Release: escrow → seller (minus commission) in one three-posting entry.
    await postEntry(db, clock, {
      kind: 'settlement',
      reference: order,
      postings: [leg(`escrow:${order}`, -1000), leg('seller_payable:shp_a', 920), leg('platform_commission', 80)],
    });
    expect(await getBalance(db, `escrow:${order}`, 'USD')).toBe(0);
    expect(await getBalance(db, 'seller_payable:shp_a', 'USD')).toBe(920);
    expect((await reconcile(db)).balanced).toBe(true);
  });

  it('refuses an unbalanced entry and writes nothing', async () => {
    const before = await snapshot(db);
    const e = await refused(
      postEntry(db, clock, { kind: 'settlement', postings: [leg('buyer_funds', -100), leg('escrow:u1', 99)] }),
      'unbalanced_entry',
    );
    expect(e.status).toBe(422);
    // Balanced in USD but not in EUR.
    await refused(
      postEntry(db, clock, {
        kind: 'settlement',
        postings: [leg('buyer_funds', -100), leg('escrow:u1', 100), leg('buyer_funds', -5, 'EUR'), leg('escrow:u1', 4, 'EUR')],
      }),
      'unbalanced_entry',
    );
    expect(await snapshot(db)).toEqual(before);
  });

  it('refuses to take a non-negative account below zero and writes nothing', async () => {
    await transfer(db, clock, { from: 'buyer_funds', to: 'escrow:nn1', amount: 50, currency: 'USD', kind: 'payment_capture' });
    const before = await snapshot(db);
    const e = await refused(
      transfer(db, clock, { from: 'escrow:nn1', to: 'seller_payable:brand_new', amount: 51, currency: 'USD', kind: 'settlement' }),
      'insufficient_funds',
    );
    expect(e.status).toBe(422);
    expect(e.details).toEqual({ account: 'escrow:nn1', currency: 'USD', balance: 50, attempted: -51 });
    // A brand-new non-negative account cannot start negative either.
    await refused(
      transfer(db, clock, { from: 'payouts_in_transit:fresh', to: 'buyer_funds', amount: 1, currency: 'USD', kind: 'settlement' }),
      'insufficient_funds',
    );
    expect(await snapshot(db)).toEqual(before); // not even the new account rows
    // Exactly the balance is fine.
    await transfer(db, clock, { from: 'escrow:nn1', to: 'seller_payable:brand_new', amount: 50, currency: 'USD', kind: 'settlement' });
    expect(await getBalance(db, 'escrow:nn1', 'USD')).toBe(0);
  });

  it('refuses malformed entries and writes nothing', async () => {
    const before = await snapshot(db);
    const bad: Array<[EntryInput, string]> = [
      [{ kind: 'settlement', postings: [leg('buyer_funds', 0)] }, 'too_few_postings'],
      [{ kind: 'settlement', postings: [leg('buyer_funds', -10)] }, 'too_few_postings'],
      [{ kind: 'settlement', postings: [] }, 'too_few_postings'],
      [{ kind: 'settlement', postings: [leg('buyer_funds', -1.5), leg('escrow:f', 1.5)] }, 'invalid_amount'],
      [{ kind: 'settlement', postings: [leg('buyer_funds', -0.1), leg('escrow:f', 0.1)] }, 'invalid_amount'],
      [{ kind: 'settlement', postings: [leg('buyer_funds', 0), leg('escrow:f', 0)] }, 'invalid_amount'],
      [{ kind: 'settlement', postings: [leg('buyer_funds', -1e20), leg('escrow:f', 1e20)] }, 'invalid_amount'],
      [{ kind: 'settlement', postings: [leg('buyer_funds', NaN), leg('escrow:f', NaN)] }, 'invalid_amount'],
      [{ kind: 'settlement', postings: [leg('buyer_funds', '10' as unknown as number), leg('escrow:f', -10)] }, 'invalid_amount'],
      [{ kind: 'settlement', postings: [leg('buyer_funds', -10, 'usd'), leg('escrow:f', 10, 'usd')] }, 'invalid_currency'],
      [{ kind: 'settlement', postings: [leg('Buyer_funds', -10), leg('escrow:f', 10)] }, 'invalid_account'],
      [{ kind: 'settlement', postings: [leg('escrow:', -10), leg('escrow:f', 10)] }, 'invalid_account'],
      [{ kind: 'settlement', postings: [leg('escrow:a:b', -10), leg('escrow:f', 10)] }, 'invalid_account'],
      [{ kind: 'settlement', postings: [leg("escrow:a'--", -10), leg('escrow:f', 10)] }, 'invalid_account'],
      [{ kind: '' as EntryKind, postings: [leg('buyer_funds', -10), leg('escrow:f', 10)] }, 'invalid_entry_kind'],
      // Closed lists: a kind or an account type the ledger does not name is refused.
      [{ kind: 'bench' as EntryKind, postings: [leg('buyer_funds', -10), leg('escrow:f', 10)] }, 'invalid_entry_kind'],
      [{ kind: 'settlement', postings: [leg('refunds', -10), leg('escrow:f', 10)] }, 'invalid_account'],
      [{ kind: 'settlement', postings: [leg('buyer_funds', -10), leg('anything:f', 10)] }, 'invalid_account'],
    ];
    for (const [input, code] of bad) await refused(postEntry(db, clock, input), code);
    expect(await snapshot(db)).toEqual(before);
  });

  it('is atomic inside a caller transaction (savepoint)', async () => {
    const before = await snapshot(db);
    await expect(
      db.transaction(async (tx) => {
        await transfer(tx, clock, { from: 'buyer_funds', to: 'escrow:tx1', amount: 10, currency: 'USD', kind: 'payment_capture' });
        throw new Error('caller aborts');
      }),
    ).rejects.toThrow('caller aborts');
    expect(await snapshot(db)).toEqual(before);

    await db.transaction(async (tx) => {
      await refused(
        transfer(tx, clock, { from: 'escrow:tx1', to: 'buyer_funds', amount: 10, currency: 'USD', kind: 'settlement' }),
        'insufficient_funds',
      );
      // The caller's transaction is still usable after the refusal.
      await transfer(tx, clock, { from: 'buyer_funds', to: 'escrow:tx1', amount: 7, currency: 'USD', kind: 'payment_capture' });
    });
    expect(await getBalance(db, 'escrow:tx1', 'USD')).toBe(7);
    expect((await reconcile(db)).problems).toEqual([]);
  });

  it('lists an account’s postings with cursor pagination', async () => {
    const account = 'creator_payable:usr_pages';
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const e = await transfer(db, clock, { from: 'platform_subsidy', to: account, amount: i, currency: 'USD', kind: 'commission_subsidy', reference: `r${i}` });
      ids.push(e.postings[1]!.id);
    }
    await transfer(db, clock, { from: 'platform_subsidy', to: account, amount: 9, currency: 'EUR', kind: 'commission_subsidy' });
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await listPostings(db, account, { limit: 2, cursor, currency: 'USD' });
      seen.push(...page.data.map((p) => p.amount));
      for (const p of page.data) expect(p).toMatchObject({ account, currency: 'USD', kind: 'commission_subsidy' });
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(pages).toBe(3);
    const all = await listPostings(db, account);
    expect(all.data).toHaveLength(6);
    expect(all.data.slice(0, 5).map((p) => p.id)).toEqual(ids);
    expect(all.next_cursor).toBeNull();
    await expect(listPostings(db, account, { cursor: 'nope' })).rejects.toMatchObject({ code: 'invalid_cursor' });
  });

  it('race: 20 concurrent withdrawals of 10 from a balance of 100 → exactly 10 succeed', async () => {
    await transfer(db, clock, { from: 'buyer_funds', to: 'escrow:race', amount: 100, currency: 'USD', kind: 'payment_capture' });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        transfer(db, clock, { from: 'escrow:race', to: 'seller_payable:race', amount: 10, currency: 'USD', kind: 'settlement' }),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(10);
    for (const f of failed) expect(f.reason).toMatchObject({ code: 'insufficient_funds' });
    expect(await getBalance(db, 'escrow:race', 'USD')).toBe(0);
    expect(await getBalance(db, 'seller_payable:race', 'USD')).toBe(100);
  });

  it('race: concurrent first postings to a new account and opposite transfers neither fail nor deadlock', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        postEntry(db, clock, {
          kind: 'payment_capture',
          postings: [leg(`buyer_funds:b${i % 3}`, -(i + 1)), leg('escrow:brand_new_race', i + 1), leg('escrow:brand_new_race', 1, 'EUR'), leg('platform_subsidy:new', -1, 'EUR')],
        }),
      ),
    );
    expect(results).toHaveLength(20);
    expect(await getBalance(db, 'escrow:brand_new_race', 'USD')).toBe(210);
    expect(await getBalance(db, 'escrow:brand_new_race', 'EUR')).toBe(20);

    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0
          ? transfer(db, clock, { from: 'escrow:brand_new_race', to: 'seller_payable:ping', amount: 1, currency: 'USD', kind: 'settlement' })
          : transfer(db, clock, { from: 'seller_payable:ping', to: 'escrow:brand_new_race', amount: 1, currency: 'USD', kind: 'settlement' }).catch(
              (e: unknown) => expect(e).toMatchObject({ code: 'insufficient_funds' }),
            ),
      ),
    );
    expect(
      (await getBalance(db, 'escrow:brand_new_race', 'USD')) + (await getBalance(db, 'seller_payable:ping', 'USD')),
    ).toBe(210);
    expect((await reconcile(db)).problems).toEqual([]);
  });

  it('property: concurrent random transfers keep the ledger balanced and non-negative accounts ≥ 0', async () => {
    const TYPES = ['buyer_funds', 'platform_commission', 'platform_subsidy', 'platform_margin', 'escrow', 'seller_payable', 'creator_payable', 'payouts_in_transit'];
    const op = fc.record({
      from: fc.nat(),
      to: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }),
      amounts: fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 2, maxLength: 2 }),
      currency: fc.nat(),
      // ~1 in 10 entries is deliberately unbalanced and must be refused.
      unbalanced: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...TYPES), { minLength: 2, maxLength: 6, size: 'max' }),
        fc.subarray(['USD', 'EUR'], { minLength: 1 }),
        fc.array(op, { minLength: 1, maxLength: 60, size: 'max' }),
        fc.integer({ min: 1, max: 12 }),
        async (types, currencies, ops, batchSize) => {
          run++;
          const accts = types.map((t, i) => `${t}:p${run}_${i}`);
          const entries = ops.map((o) => {
            const currency = currencies[o.currency % currencies.length]!;
            const from = accts[o.from % accts.length]!;
            const credits = o.to.map((t, i) => leg(accts[t % accts.length]!, o.amounts[i]!, currency));
            const total = credits.reduce((s, p) => s + p.amount, 0);
            return {
              unbalanced: o.unbalanced,
              input: {
                kind: 'settlement',
                reference: `prop_${run}`,
                postings: [leg(from, -total - (o.unbalanced ? 1 : 0), currency), ...credits],
              } satisfies EntryInput,
            };
          });

          const model = new Map<string, number>();
          const key = (a: string, c: string) => `${a}|${c}`;
          const apply = (input: EntryInput) => {
            for (const p of input.postings) model.set(key(p.account, p.currency), (model.get(key(p.account, p.currency)) ?? 0) + p.amount);
          };
          /** Would the entry, applied now to the model, take a non-negative account below zero? */
          const wouldOverdraw = (input: EntryInput) => {
            const next = new Map<string, number>();
            for (const p of input.postings) {
              const k = key(p.account, p.currency);
              next.set(k, (next.get(k) ?? model.get(k) ?? 0) + p.amount);
            }
            return [...next].some(([k, v]) => v < 0 && isNonNegativeAccount(k.split('|')[0]!));
          };

          let accepted = 0;
          for (let i = 0; i < entries.length; i += batchSize) {
            const batch = entries.slice(i, i + batchSize);
            // With one entry per batch the outcome is fully determined: check it exactly.
            const predicted = batch.length === 1 && !batch[0]!.unbalanced ? wouldOverdraw(batch[0]!.input) : undefined;
            const results = await Promise.allSettled(batch.map((e) => postEntry(db, clock, e.input)));
            results.forEach((r, j) => {
              const e = batch[j]!;
              if (r.status === 'fulfilled') {
                expect(e.unbalanced).toBe(false);
                apply(e.input);
                accepted++;
              } else {
                const err = r.reason as AppError;
                if (e.unbalanced) expect(err.code).toBe('unbalanced_entry');
                else {
                  expect(err.code).toBe('insufficient_funds');
                  const d = err.details as { account: string; attempted: number };
                  expect(isNonNegativeAccount(d.account)).toBe(true);
                  expect(d.attempted).toBeLessThan(0);
                }
              }
            });
            if (predicted !== undefined) expect(results[0]!.status).toBe(predicted ? 'rejected' : 'fulfilled');
          }

          // Balances equal the accepted transfers; nothing non-negative is below zero.
          for (const a of accts) {
            for (const c of currencies) {
              const balance = await getBalance(db, a, c);
              expect(balance).toBe(model.get(key(a, c)) ?? 0);
              if (isNonNegativeAccount(a)) expect(balance).toBeGreaterThanOrEqual(0);
            }
          }
          const [n] = await rows<{ n: number }>(db, sql`select count(*)::int as n from ledger_entries where reference = ${`prop_${run}`}`);
          expect(n?.n).toBe(accepted);
          const [neg] = await rows<{ n: number }>(db, sql`select count(*)::int as n from ledger_accounts where non_negative and balance < 0`);
          expect(neg?.n).toBe(0);
          const report = await reconcile(db);
          expect(report.problems).toEqual([]);
          expect(report.balanced).toBe(true);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});

describe('ledger reconciliation', () => {
  const database = useFreshDatabase();
  let db: Db;
  beforeAll(() => {
    db = database.db;
  });

  const codes = async () => (await reconcile(db)).problems.map((p) => p.code).sort();

  it('reports an empty ledger as balanced', async () => {
    expect(await reconcile(db)).toEqual({ balanced: true, entries: 0, accounts: 0, postings: 0, problems: [] });
  });

  it('counts entries, accounts and postings', async () => {
    await transfer(db, clock, { from: 'buyer_funds', to: 'escrow:ord_t', amount: 500, currency: 'USD', kind: 'payment_capture' });
    await postEntry(db, clock, {
      kind: 'settlement',
      postings: [leg('escrow:ord_t', -500), leg('seller_payable:shp_t', 450), leg('platform_commission', 50)],
    });
    expect(await reconcile(db)).toEqual({ balanced: true, entries: 2, accounts: 4, postings: 5, problems: [] });
  });

  it('detects a tampered cached balance', async () => {
    await db.execute(sql`update ledger_accounts set balance = balance + 1 where account = 'seller_payable:shp_t'`);
    const report = await reconcile(db);
    expect(report.balanced).toBe(false);
    expect(report.problems).toEqual([
      expect.objectContaining({ code: 'balance_mismatch', account: 'seller_payable:shp_t', currency: 'USD', balance: 451, postings_sum: 450 }),
    ]);
    await db.execute(sql`update ledger_accounts set balance = balance - 1 where account = 'seller_payable:shp_t'`);
    expect((await reconcile(db)).balanced).toBe(true);
  });

  it('derives the balance of an account without a cache, and detects tampering with it', async () => {
    // buyer_funds and platform_commission may go negative: no cached balance, the column stays 0.
    expect(await getBalance(db, 'buyer_funds', 'USD')).toBe(-500);
    expect(await getBalances(db, 'platform_commission')).toEqual([{ currency: 'USD', balance: 50, non_negative: false }]);
    const [column] = await rows<{ balance: number }>(db, sql`select balance from ledger_accounts where account = 'buyer_funds'`);
    expect(column!.balance).toBe(0);
    // A balance written into the column is detected…
    await db.execute(sql`update ledger_accounts set balance = -500 where account = 'buyer_funds'`);
    expect((await reconcile(db)).problems).toEqual([
      expect.objectContaining({ code: 'balance_mismatch', account: 'buyer_funds', currency: 'USD', balance: -500, postings_sum: -500 }),
    ]);
    await db.execute(sql`update ledger_accounts set balance = 0 where account = 'buyer_funds'`);
    // …and so is a changed posting: its entry no longer balances.
    await db.execute(sql`update ledger_postings set amount = amount - 1 where account = 'buyer_funds'`);
    expect(await codes()).toEqual(['unbalanced_entry']);
    await db.execute(sql`update ledger_postings set amount = amount + 1 where account = 'buyer_funds'`);
    expect((await reconcile(db)).balanced).toBe(true);
  });

  it('detects an unbalanced entry, an entry with one posting and a posting without an account', async () => {
    const id = newId('led');
    await db.execute(sql`insert into ledger_entries (id, kind, created_at) values (${id}, 'settlement', now())`);
    await db.execute(sql`insert into ledger_postings (id, entry_id, account, currency, amount)
      values (${newId('pst')}, ${id}, 'ghost', 'USD', 5)`);
    expect(await codes()).toEqual(['missing_account', 'too_few_postings', 'unbalanced_entry']);
    const report = await reconcile(db);
    expect(report.problems).toContainEqual(expect.objectContaining({ code: 'unbalanced_entry', entry_id: id, currency: 'USD', sum: 5 }));
    expect(report.problems).toContainEqual(expect.objectContaining({ code: 'too_few_postings', entry_id: id, postings: 1 }));
    expect(report.problems).toContainEqual(expect.objectContaining({ code: 'missing_account', account: 'ghost', currency: 'USD' }));
    await db.execute(sql`delete from ledger_postings where entry_id = ${id}`);
    await db.execute(sql`delete from ledger_entries where id = ${id}`);
    expect(await codes()).toEqual([]);
  });

  it('reports an entry of an unknown kind and an account of an unknown type, written around the named functions', async () => {
    const id = newId('led');
    await db.execute(sql`insert into ledger_entries (id, kind, created_at) values (${id}, 'bonus', now())`);
    await db.execute(sql`insert into ledger_accounts (account, currency, non_negative, balance, created_at) values ('refunds', 'USD', false, 0, now())`);
    await db.execute(sql`insert into ledger_postings (id, entry_id, account, currency, amount) values
      (${newId('pst')}, ${id}, 'refunds', 'USD', -3), (${newId('pst')}, ${id}, 'buyer_funds', 'USD', 3)`);
    expect(await codes()).toEqual(['unknown_account_type', 'unknown_entry_kind']);
    const report = await reconcile(db);
    expect(report.balanced).toBe(false);
    expect(report.problems).toContainEqual(expect.objectContaining({ code: 'unknown_entry_kind', entry_id: id, kind: 'bonus' }));
    expect(report.problems).toContainEqual(expect.objectContaining({ code: 'unknown_account_type', account: 'refunds', currency: 'USD' }));
    await db.execute(sql`delete from ledger_postings where entry_id = ${id}`);
    await db.execute(sql`delete from ledger_entries where id = ${id}`);
    await db.execute(sql`delete from ledger_accounts where account = 'refunds'`);
    expect(await codes()).toEqual([]);
  });

  it('detects a non-negative account below zero and a wrong non-negative flag', async () => {
    // Forge a balanced entry that overdraws escrow, with a consistent cache: only the sign is wrong.
    const id = newId('led');
    await db.execute(sql`insert into ledger_entries (id, kind, created_at) values (${id}, 'settlement', now())`);
    await db.execute(sql`insert into ledger_postings (id, entry_id, account, currency, amount) values
      (${newId('pst')}, ${id}, 'escrow:ord_t', 'USD', -7), (${newId('pst')}, ${id}, 'buyer_funds', 'USD', 7)`);
    await db.execute(sql`update ledger_accounts set balance = balance - 7 where account = 'escrow:ord_t'`);
    // buyer_funds has no cached balance to adjust: it is derived from the postings.
    expect(await codes()).toEqual(['negative_balance']);

    await db.execute(sql`update ledger_accounts set non_negative = false where account = 'escrow:ord_t'`);
    expect(await codes()).toEqual(['non_negative_flag_mismatch']);
  });
});
