import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db.js';
import { runFlow } from '../platform/flow.js';
import type { JobRunner } from '../platform/jobs.js';
import { accounts, getBalance, postSettlement, postSubsidy } from '../modules/ledger/index.js';
import { supplyOwed } from '../modules/managed/index.js';
import { getOrderItems, lockOrder } from '../modules/orders/index.js';
import { getShop, listShopMemberIds } from '../modules/sellers/index.js';
import {
  getSettlement,
  hasHolds,
  pickRule,
  planManagedSettlement,
  planSettlement,
  PLATFORM_MARGIN_ACCOUNT,
  recordSettlement,
  RELEASE_ORDER_JOB,
  rulesInForce,
  type SettlementRow,
} from '../modules/settlement/index.js';

/**
 * The escrow release of a completed order (SPEC §11, decision 020), exactly once: under the
 * order's row lock, only if it is `completed`, has no hold and no settlement yet. Steps, all in
 * the caller's transaction (its rollback is the undo of every step):
 *   check (orders, settlement holds) → split (sellers, settlement rules, managed supply, ledger
 *   balance) → settlement row (settlement; a racing release finds it taken and stops) → one
 *   ledger entry empties `escrow:<order>` (commission or managed margin, affiliate per creator,
 *   seller), plus a subsidy entry when a rule grants one (ledger).
 * Returns null when there is nothing to do (safe to call any number of times).
 */
export async function releaseOrder(tx: Db, clock: Clock, orderId: string): Promise<SettlementRow | null> {
  return runFlow('release', async (f) => {
    const order = await f.step('check', async () => {
      const o = await lockOrder(tx, orderId);
      if (!o || o.status !== 'completed' || !o.paidAt) return null;
      if (await hasHolds(tx, orderId)) return null;
      if (await getSettlement(tx, orderId)) return null;
      return { ...o, paidAt: o.paidAt };
    });
    if (!order) return null;
    const { plan, held, managed } = await f.step('split', async () => {
      // One statement at a time: a transaction is one connection (pg 9 refuses overlapping queries).
      const items = await getOrderItems(tx, orderId);
      const shop = await getShop(tx, order.shopId);
      // Defence in depth (issue 14): checkout attributes only proven content, but nobody is paid
      // affiliate on their own purchase, nor on the products of a shop they belong to.
      const members = new Set(await listShopMemberIds(tx, order.shopId));
      const payable = (creatorId: string | null | undefined) => (creatorId && creatorId !== order.buyerId && !members.has(creatorId) ? creatorId : null);
      const rules = await rulesInForce(tx, order.paidAt);
      const held = await getBalance(tx, accounts.escrow(orderId), order.currency);
      const shopAge = order.paidAt.getTime() - shop.createdAt.getTime();
      const planned = items.map((i) => ({
        id: i.id,
        lineTotal: i.lineTotal,
        category: i.category,
        affiliateRateBps: i.affiliateRateBps,
        creatorId: payable(i.source?.creator_id),
        rule: pickRule(rules, i.category, shopAge),
      }));
      const managed = shop.mode === 'managed';
      const supply = managed ? await supplyOwed(tx, orderId) : null;
      const plan = supply
        ? planManagedSettlement(held, order.total, planned.map((i) => ({ ...i, rule: null, supply: supply.get(i.id) ?? 0 })))
        : planSettlement(held, order.total, planned);
      return { plan, held, managed };
    });
    const row = await f.step('record', () => recordSettlement(tx, clock, { orderId, shopId: order.shopId, currency: order.currency, held, plan }));
    if (!row) return null;
    await f.step('post', async () => {
      const c = order.currency;
      const creators = new Map<string, number>();
      for (const l of plan.lines) if (l.creator_id && l.affiliate > 0) creators.set(l.creator_id, (creators.get(l.creator_id) ?? 0) + l.affiliate);
      if (held > 0) {
        await postSettlement(tx, clock, {
          orderId,
          currency: c,
          held,
          platform: { account: managed ? PLATFORM_MARGIN_ACCOUNT : accounts.platformCommission(), amount: plan.commission },
          creators: [...creators].map(([creatorId, amount]) => ({ creatorId, amount })),
          seller: { shopId: order.shopId, amount: plan.seller },
          memo: managed
            ? `Escrow released (managed): platform margin ${plan.commission}, affiliate ${plan.affiliate}, supply price to the seller ${plan.seller}`
            : `Escrow released: commission ${plan.commission}, affiliate ${plan.affiliate}, seller ${plan.seller}`,
        });
      }
      if (plan.subsidy > 0) await postSubsidy(tx, clock, { orderId, shopId: order.shopId, amount: plan.subsidy, currency: c });
    });
    return row;
  });
}

/** The release attempt queued by settlement (`requestRelease`: an order completed, a hold lifted, the sweep). */
export function registerReleaseJobs(jobs: JobRunner, clock: Clock): void {
  jobs.register(RELEASE_ORDER_JOB, async (tx, p) => {
    await releaseOrder(tx, clock, (p as { order_id: string }).order_id);
  });
}
