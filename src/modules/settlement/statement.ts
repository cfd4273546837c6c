import { sql } from 'drizzle-orm';
import type { Db } from '../../platform/db.js';
import { isId } from '../../platform/ids.js';
import type { Money } from '../../platform/money.js';
import { accounts, movementsOf, type MovementPosting } from '../ledger/index.js';
import { escrowAccountsOfShop } from '../orders/index.js';
import { getShop } from '../sellers/index.js';

const money = (amount: number, currency: string): Money => ({ amount, currency });

/** Where a movement lands: the escrow of the shop's orders (pending) or its seller_payable (available). */
export type MovementBucket = 'escrow' | 'available';

export interface MovementLine {
  at: string;
  kind: 'sale' | 'refund' | 'platform_commission' | 'platform_margin' | 'creator_commission' | 'release' | 'commission_subsidy' | 'payout' | 'payout_failed' | 'other';
  bucket: MovementBucket;
  order_id: string | null;
  payout_id: string | null;
  amount: Money;
  /** The shop's balance (escrow + available) after this line. */
  balance: Money;
}

export interface ShopStatement {
  currency: string;
  from: string;
  to: string;
  opening: Money;
  closing: Money;
  lines: MovementLine[];
}

/** The platform's part of a release, by the account it went to (a managed shop's goods: the margin). */
const SETTLEMENT_SPLIT: Record<string, MovementLine['kind']> = { platform_commission: 'platform_commission', platform_margin: 'platform_margin' };

const ENTRY_LINE: Record<string, MovementLine['kind']> = {
  payment_capture: 'sale',
  refund: 'refund',
  settlement: 'release',
  commission_subsidy: 'commission_subsidy',
  payout: 'payout',
  payout_failed: 'payout_failed',
};

/**
 * Every ledger movement touching the shop's money in [`from`, `to`): postings on the escrow of its
 * orders (sales in, refunds out, the release at settlement split into the platform's commission,
 * each creator's commission and what went to the shop) and on its seller_payable (the release in,
 * subsidies, payouts and failed payouts back). The balance is escrow + available, so the closing
 * balance is the opening plus every line, and now it equals pending + available.
 */
export async function shopStatement(db: Db, shopId: string, from: Date, to: Date): Promise<ShopStatement> {
  const shop = await getShop(db, shopId);
  const c = shop.currency;
  const payable = accounts.sellerPayable(shopId);
  const { opening, postings } = await movementsOf(db, sql`select ${payable}::text union all ${escrowAccountsOfShop(db, shopId)}`, c, from, to);
  let balance = opening;
  const lines: MovementLine[] = [];
  const push = (p: MovementPosting, kind: MovementLine['kind'], bucket: MovementBucket, amount: number) => {
    balance += amount;
    const ref = p.reference;
    lines.push({
      at: p.created_at,
      kind,
      bucket,
      order_id: ref && isId(ref, 'ord') ? ref : null,
      payout_id: ref && isId(ref, 'pyo') ? ref : null,
      amount: money(amount, c),
      balance: money(balance, c),
    });
  };
  for (const p of postings) {
    const bucket: MovementBucket = p.account === payable ? 'available' : 'escrow';
    if (p.kind === 'settlement' && bucket === 'escrow') {
      // The escrow's release, split by where it went; the shop's part arrives in available on its own posting.
      for (const o of p.others) {
        const kind = o.account === payable ? 'release' : o.account.startsWith('creator_payable:') ? 'creator_commission' : (SETTLEMENT_SPLIT[o.account] ?? 'other');
        push(p, kind, 'escrow', -o.amount);
      }
      continue;
    }
    push(p, ENTRY_LINE[p.kind] ?? 'other', bucket, p.amount);
  }
  return { currency: c, from: from.toISOString(), to: to.toISOString(), opening: money(opening, c), closing: money(balance, c), lines };
}
