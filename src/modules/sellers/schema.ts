import { bigint, index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from '../identity/schema.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const shops = pgTable('shops', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  market: text('market').notNull(),
  currency: text('currency').notNull(),
  timezone: text('timezone').notNull(),
  mode: text('mode', { enum: ['self_fulfilled', 'managed'] }).notNull().default('self_fulfilled'),
  status: text('status', { enum: ['active', 'suspended', 'frozen'] }).notNull().default('active'),
  /** Flat shipping fee per order of this shop, minor units of `currency`. */
  shippingFee: bigint('shipping_fee', { mode: 'number' }).notNull().default(0),
  createdAt: ts('created_at').notNull(),
});

export const SHOP_ROLES = ['owner', 'staff'] as const;
export type ShopRole = (typeof SHOP_ROLES)[number];

export const shopMembers = pgTable(
  'shop_members',
  {
    shopId: text('shop_id').notNull().references(() => shops.id),
    userId: text('user_id').notNull().references(() => users.id),
    role: text('role', { enum: SHOP_ROLES }).notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.shopId, t.userId] }), index('shop_members_user_idx').on(t.userId)],
);
