import { and, eq, gt, sql } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { payoutRestrictions } from './schema.js';

/**
 * Payout restrictions of trust & safety (decision 012), kept apart from the operator's manual
 * payout-hold flag so that neither clears the other. Trust recomputes a shop's restriction from
 * its active actions and sets it here; the payout batch reads it.
 */
export type PayoutRestriction = typeof payoutRestrictions.$inferSelect;

export interface RestrictionInput {
  /** Skip the shop in every payout batch (suspension, freeze). */
  fullHold: boolean;
  /** Keep this share (basis points) of what the shop earns while in force on its payable; 0 = none. */
  reserveBps: number;
}

/**
 * Sets a shop's restriction. Lifting the reserve (0) forgets what was kept back, so the next batch
 * pays it out; a reserve placed anew starts from nothing kept.
 */
export async function setPayoutRestriction(tx: Db, clock: Clock, shopId: string, input: RestrictionInput): Promise<void> {
  const [cur] = await tx.select().from(payoutRestrictions).where(eq(payoutRestrictions.shopId, shopId)).for('update');
  const reserved = input.reserveBps > 0 && cur && cur.reserveBps > 0 ? cur.reserved : {};
  const values = { fullHold: input.fullHold, reserveBps: input.reserveBps, reserved, updatedAt: clock.now() };
  if (!cur && !input.fullHold && input.reserveBps === 0) return;
  await tx.insert(payoutRestrictions).values({ shopId, ...values }).onConflictDoUpdate({ target: payoutRestrictions.shopId, set: values });
}

export async function getPayoutRestriction(db: Db, shopId: string): Promise<PayoutRestriction | null> {
  const [row] = await db.select().from(payoutRestrictions).where(eq(payoutRestrictions.shopId, shopId));
  return row ?? null;
}

/** Shops with a restriction in force (for the payout batch). */
export async function restrictionsInForce(db: Db): Promise<Map<string, PayoutRestriction>> {
  const found = await db.select().from(payoutRestrictions);
  return new Map(found.filter((r) => r.fullHold || r.reserveBps > 0).map((r) => [r.shopId, r]));
}

/**
 * What a payout batch may pay a shop under a reserve: of the balance, what was already kept stays
 * kept, and `reserve_bps` of the rest (rounded up) is kept too. Returns the amount to pay and the
 * new total kept.
 */
export function applyReserve(balance: number, alreadyKept: number, reserveBps: number): { pay: number; kept: number } {
  const kept = Math.min(Math.max(alreadyKept, 0), balance);
  const fresh = balance - kept;
  const keep = Number((BigInt(fresh) * BigInt(reserveBps) + 9_999n) / 10_000n);
  return { pay: fresh - keep, kept: kept + keep };
}

/** Records the amount kept back in one currency (in the payout's transaction). */
export async function recordReserve(tx: Db, clock: Clock, r: PayoutRestriction, currency: string, kept: number): Promise<void> {
  await tx
    .update(payoutRestrictions)
    .set({ reserved: sql`${payoutRestrictions.reserved} || jsonb_build_object(${currency}::text, ${kept}::bigint)`, updatedAt: clock.now() })
    .where(and(eq(payoutRestrictions.shopId, r.shopId), gt(payoutRestrictions.reserveBps, 0)));
}
