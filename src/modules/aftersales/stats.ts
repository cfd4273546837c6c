import { and, eq, gt, gte, isNotNull, lte, max, ne } from 'drizzle-orm';
import type { Db } from '../../platform/db.js';
import { afterSalesCases, afterSalesEvents } from './schema.js';

/** What seller health (trust, decision 012) reads of after-sales, per shop over a window. */
export interface ShopCaseStats {
  /** Cases opened in the window with reason `not_as_described`. */
  notAsDescribed: number;
  /** Cases an operator decided for the buyer in the window. */
  disputeLosses: number;
}

export async function shopCaseStats(db: Db, shopId: string, since: Date): Promise<ShopCaseStats> {
  const ofShop = eq(afterSalesCases.shopId, shopId);
  return {
    notAsDescribed: await db.$count(afterSalesCases, and(ofShop, eq(afterSalesCases.reasonCode, 'not_as_described'), gte(afterSalesCases.createdAt, since))),
    disputeLosses: await db.$count(afterSalesCases, and(ofShop, eq(afterSalesCases.status, 'resolved_buyer'), isNotNull(afterSalesCases.decision), gte(afterSalesCases.updatedAt, since))),
  };
}

/** When a member of the shop last acted on one of its cases (null: never). Answers by the clock do not count. */
export async function lastSellerAnswerAt(db: Db, shopId: string): Promise<Date | null> {
  const [row] = await db
    .select({ at: max(afterSalesEvents.at) })
    .from(afterSalesEvents)
    .innerJoin(afterSalesCases, eq(afterSalesCases.id, afterSalesEvents.caseId))
    .where(and(eq(afterSalesCases.shopId, shopId), eq(afterSalesEvents.byRole, 'seller')));
  return row?.at ? new Date(row.at) : null;
}

/**
 * True when a case of the shop was opened after `after` (null = ever) and at or before `before`,
 * and not ended by the buyer (`closed`: withdrawn, or the return never shipped).
 */
export async function hasCaseOpenedBetween(db: Db, shopId: string, after: Date | null, before: Date): Promise<boolean> {
  const [row] = await db
    .select({ id: afterSalesCases.id })
    .from(afterSalesCases)
    .where(and(eq(afterSalesCases.shopId, shopId), after ? gt(afterSalesCases.createdAt, after) : undefined, lte(afterSalesCases.createdAt, before), ne(afterSalesCases.status, 'closed')))
    .limit(1);
  return row !== undefined;
}
