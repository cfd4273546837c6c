import { index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Something that keeps an order's escrow from being released: an open after-sales case, an open
 * fake-tracking flag. Other modules place and lift holds through settlement's service; an order
 * is released only when it is completed and has no hold left (`lifted_at` null = in force).
 */
export const escrowHolds = pgTable(
  'escrow_holds',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull(),
    /** `case` (aftersales) · `flag` (fulfillment) — what placed it. */
    kind: text('kind').notNull(),
    /** The id of the case or flag. */
    ref: text('ref').notNull(),
    createdAt: ts('created_at').notNull(),
    liftedAt: ts('lifted_at'),
  },
  (t) => [uniqueIndex('escrow_holds_ref_idx').on(t.kind, t.ref), index('escrow_holds_order_idx').on(t.orderId)],
);
