import type { Static } from '@sinclair/typebox';
import { and, desc, eq, isNull, lt } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { badRequest, notFound } from '../../platform/errors.js';
import { isId, newId } from '../../platform/ids.js';
import type { Locale } from '../identity/index.js';
import { notifications } from './schema.js';
import { render, type Params } from './templates.js';
import type { Notification } from './views.js';

export type NotificationView = Static<typeof Notification>;

type Row = typeof notifications.$inferSelect;

const view = (r: Row, locale: Locale = 'en'): NotificationView => {
  const text = render(r.type, r.data as Params, locale);
  return {
    id: r.id,
    type: r.type,
    title: text?.title ?? r.title,
    body: text?.body ?? r.body,
    locale: text ? locale : 'en',
    data: r.data,
    link: r.link,
    read_at: r.readAt?.toISOString() ?? null,
    created_at: r.createdAt.toISOString(),
  };
};

export interface NewNotification {
  userId: string;
  type: string;
  title: string;
  body: string;
  data?: Record<string, unknown>;
  /** The web app's page where the user acts on it (a path such as `/orders/ord_…`). */
  link?: string | null;
}

/** A notification of a templated type (templates.ts): its stored title and body are the English text. */
export function templated(userId: string, type: string, params: Params, link: string): NewNotification {
  const text = render(type, params, 'en');
  if (!text) throw new Error(`no template for notification type "${type}"`);
  return { userId, type, ...text, data: params, link };
}

/**
 * Sends in-app notifications (in the caller's transaction); returns the ids written. With
 * `dedupeKey`, a notification whose key (per item: key, recipient, type, link) was written before
 * is skipped, so a redelivered event writes nothing twice.
 */
export async function notify(db: Db, clock: Clock, items: NewNotification[], dedupeKey?: string): Promise<string[]> {
  if (items.length === 0) return [];
  const now = clock.now();
  const written = await db
    .insert(notifications)
    .values(
      items.map((n) => ({
        id: newId('ntf'),
        userId: n.userId,
        type: n.type,
        title: n.title,
        body: n.body,
        data: n.data ?? {},
        link: n.link ?? null,
        dedupeKey: dedupeKey === undefined ? null : `${dedupeKey}:${n.userId}:${n.type}:${n.link ?? ''}`,
        createdAt: now,
      })),
    )
    .onConflictDoNothing()
    .returning({ id: notifications.id });
  return written.map((w) => w.id);
}

/** One notification by id (the email job reads it). */
export async function getNotification(db: Db, id: string): Promise<Row | undefined> {
  const [row] = await db.select().from(notifications).where(eq(notifications.id, id));
  return row;
}

/** A user's notifications, newest first (`unread` only the unread ones). */
export async function listNotifications(
  db: Db,
  userId: string,
  opts: { limit?: number; cursor?: string; unread?: boolean; locale?: Locale } = {},
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
  return { data: page.map((r) => view(r, opts.locale)), next_cursor: rows.length > limit ? page[page.length - 1]!.id : null };
}

/** Marks one of the user's notifications read (idempotent); another user's answers 404. */
export async function markRead(db: Db, clock: Clock, userId: string, id: string, locale?: Locale): Promise<NotificationView> {
  const [row] = await db.select().from(notifications).where(and(eq(notifications.id, id), eq(notifications.userId, userId)));
  if (!row) throw notFound('Notification', id);
  if (row.readAt) return view(row, locale);
  const [updated] = await db.update(notifications).set({ readAt: clock.now() }).where(eq(notifications.id, id)).returning();
  return view(updated!, locale);
}
