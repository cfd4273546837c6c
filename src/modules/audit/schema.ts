import { index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { timestamptz } from '../../platform/columns.js';

/** Append-only record of policy actions: who (an operator, or null for the system), what, on which object. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    at: timestamptz('at').notNull(),
    actorId: text('actor_id'),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id').notNull(),
    data: jsonb('data').notNull().default({}),
  },
  (t) => [index('audit_log_target_idx').on(t.targetType, t.targetId, t.id)],
);
