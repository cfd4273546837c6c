import { index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../platform/columns.js';

/**
 * A buyer's tap on an external anchor (`GET /out/<anchor>`) in a semi-closed market, with the
 * traffic cost the anchor's owner is charged for it (minor units of the market currency).
 */
export const linkClicks = pgTable(
  'link_clicks',
  {
    id: text('id').primaryKey(),
    anchorId: text('anchor_id').notNull(),
    ownerId: text('owner_id').notNull(),
    market: text('market').notNull(),
    viewerId: text('viewer_id'),
    deviceId: text('device_id'),
    costAmount: integer('cost_amount').notNull(),
    currency: text('currency').notNull(),
    at: timestamptz('at').notNull(),
  },
  (t) => [index('link_clicks_anchor_idx').on(t.anchorId), index('link_clicks_market_idx').on(t.market, t.at)],
);
