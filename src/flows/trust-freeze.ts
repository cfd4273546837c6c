import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db.js';
import { AppError } from '../platform/errors.js';
import { runFlow } from '../platform/flow.js';
import { resolveOpenCasesForBuyer } from '../modules/aftersales/index.js';
import { cancelPaid, paidUnshippedOrders } from '../modules/orders/index.js';
import type { Providers } from '../modules/payments/index.js';
import type { FreezeShop } from '../modules/trust/index.js';

/**
 * The vanished-seller freeze's work outside trust (SPEC trust, decision 020): trust records the
 * freeze action and its restrictions (status `frozen`, payouts held), then calls this with the
 * action, in the same transaction. Steps (the transaction's rollback is their undo; the provider
 * refunds are idempotent by key, decision 017):
 *   cancel and refund every paid order that has not shipped (orders `cancelPaid`, one refund path)
 *   (its `order.cancelled` tells the buyer: notifications) → decide the shop's open cases for the buyers (aftersales).
 * Returns the effects trust writes into the action's audit entry. The composition root gives
 * trust `freezeShop(providers)`; a managed shop is never frozen here (trust does not call it).
 */
export function freezeShop(providers: Providers): FreezeShop {
  return (tx, clock, shop, action) =>
    runFlow('trust-freeze', async (f) => {
      const cancelled = await f.step('cancel orders', () => cancelUnshipped(tx, clock, providers, shop.id));
      const resolved = await f.step('decide cases', () =>
        resolveOpenCasesForBuyer(tx, clock, providers, shop.id, action.createdBy, `The shop was frozen: ${action.reason}`),
      );
      return { cancelled_orders: cancelled, resolved_cases: resolved };
    });
}

async function cancelUnshipped(tx: Db, clock: Clock, providers: Providers, shopId: string): Promise<string[]> {
  const cancelled: string[] = [];
  for (const o of await paidUnshippedOrders(tx, shopId)) {
    try {
      await cancelPaid(tx, clock, providers, o.id, 'seller_frozen');
      cancelled.push(o.id);
    } catch (e) {
      // Shipped or cancelled meanwhile (its own savepoint rolled back): nothing to do.
      if (!(e instanceof AppError && e.code === 'invalid_transition')) throw e;
    }
  }
  return cancelled;
}
