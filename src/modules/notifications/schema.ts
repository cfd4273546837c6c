import { index, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../platform/columns.js';

/**
 * An in-app message to one user; `data` carries what the page needs to show it (per `type`: the
 * template's parameters), `link` the web app's page where the user acts. `dedupeKey` (event id +
 * recipient) keeps a redelivered event from writing a second notification.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    type: text('type').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    data: jsonb('data').notNull().default({}),
    link: text('link'),
    dedupeKey: text('dedupe_key'),
    createdAt: timestamptz('created_at').notNull(),
    readAt: timestamptz('read_at'),
  },
  (t) => [index('notifications_user_idx').on(t.userId, t.id), uniqueIndex('notifications_dedupe_key_idx').on(t.dedupeKey)],
);
