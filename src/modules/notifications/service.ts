import type { Static } from '@sinclair/typebox';
import { and, desc, eq, isNull, lt } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { badRequest, notFound } from '../../platform/errors.js';
import { isId, newId } from '../../platform/ids.js';
import { notifications } from './schema.js';
import type { Notification } from './views.js';

export type NotificationView = Static<typeof Notification>;

type Row = typeof notifications.$inferSelect;

const view = (r: Row): NotificationView => ({
  id: r.id,
  type: r.type,
  title: r.title,
  body: r.body,
  data: r.data,
  read_at: r.readAt?.toISOString() ?? null,
  created_at: r.createdAt.toISOString(),
});

export interface NewNotification {
  userId: string;
  type: string;
  title: string;
  body: string;
  data?: Record<string, unknown>;
}

/** Sends in-app notifications (in the caller's transaction). */
export async function notify(db: Db, clock: Clock, items: NewNotification[]): Promise<void> {
  if (items.length === 0) return;
  const now = clock.now();
  await db.insert(notifications).values(items.map((n) => ({ id: newId('ntf'), userId: n.userId, type: n.type, title: n.title, body: n.body, data: n.data ?? {}, createdAt: now })));
}

/** A user's notifications, newest first (`unread` only the unread ones). */
export async function listNotifications(
  db: Db,
  userId: string,
  opts: { limit?: number; cursor?: string; unread?: boolean } = {},
): Promise<{ data: NotificationView[]; next_cursor: string | null }> {
  const limit = opts.limit ?? 20;
  if (opts.cursor !== undefined && !isId(opts.cursor, 'ntf')) throw badRequest('invalid_cursor', 'Unknown cursor');
  const rows = await db
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, userId), opts.unread ? isNull(notifications.readAt) : undefined, opts.cursor ? lt(notifications.id, opts.cursor) : undefined))
    .orderBy(desc(notifications.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return { data: page.map(view), next_cursor: rows.length > limit ? page[page.length - 1]!.id : null };
}

/** Marks one of the user's notifications read (idempotent); another user's answers 404. */
export async function markRead(db: Db, clock: Clock, userId: string, id: string): Promise<NotificationView> {
  const [row] = await db.select().from(notifications).where(and(eq(notifications.id, id), eq(notifications.userId, userId)));
  if (!row) throw notFound('Notification', id);
  if (row.readAt) return view(row);
  const [updated] = await db.update(notifications).set({ readAt: clock.now() }).where(eq(notifications.id, id)).returning();
  return view(updated!);
}
