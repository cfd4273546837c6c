import type { Static } from '@sinclair/typebox';
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { AuthUser } from '../../platform/auth.js';
import { DAY, type Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { AppError, badRequest, conflict, notFound } from '../../platform/errors.js';
import { plainName } from '../../platform/text.js';
import { newId } from '../../platform/ids.js';
import { assertStrongPassword } from './password-policy.js';
import { DUMMY_HASH, hashPassword, verifyPassword } from './passwords.js';
import { ROLES, sessions, users, type Role } from './schema.js';
import type { User } from './views.js';

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

export type PublicUser = Static<typeof User>;

type UserRow = typeof users.$inferSelect;

export function toPublicUser(u: UserRow): PublicUser {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    roles: u.roles as Role[],
    locale: (u.locale as Locale | null) ?? null,
    created_at: u.createdAt.toISOString(),
  };
}

/**
 * The one form of an email that every lookup and limit uses (sign-up stores it, sign-in and the
 * audit filter look it up, the sign-in limiter counts on it): lower case, Unicode NFC (so a
 * decomposed `é` is the composed one), surrounding white space (spaces, tabs, newlines, NBSP…)
 * removed. Whatever variant reaches an account is counted against that account's limit.
 */
export function normalizeEmail(email: string): string {
  return email.toLowerCase().normalize('NFC').trim();
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface SignUpInput {
  email: string;
  password: string;
  name: string;
  locale?: Locale | null;
  roles?: Role[];
}

export async function signUp(db: Db, clock: Clock, input: SignUpInput): Promise<UserRow> {
  const email = normalizeEmail(input.email);
  const name = plainName(input.name, 'name');
  const roles = [...new Set<Role>(input.roles ?? ['buyer'])];
  if (roles.some((r) => !ROLES.includes(r))) throw badRequest('invalid_role', 'Unknown role');
  assertStrongPassword(input.password, email);
  const passwordHash = await hashPassword(input.password);
  const [row] = await db
    .insert(users)
    .values({ id: newId('usr'), email, name, passwordHash, roles, locale: input.locale ?? null, createdAt: clock.now() })
    .onConflictDoNothing()
    .returning();
  if (!row) throw conflict('email_taken', 'An account with this email already exists');
  return row;
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.email, normalizeEmail(email)));
  return row;
}

export async function getUser(db: Db, id: string): Promise<UserRow> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  if (!row) throw notFound('User', id);
  return row;
}

/** Checks the password; the same error (and about the same time) for unknown email and wrong password. */
/** Display names of users by id, in one read (unknown ids are left out). */
export async function userNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const found = await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, unique));
  return new Map(found.map((u) => [u.id, u.name]));
}

export async function authenticate(db: Db, email: string, password: string): Promise<UserRow> {
  const user = await findUserByEmail(db, email);
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok) throw new AppError('invalid_credentials', 401, 'Email or password is wrong');
  return user;
}

export async function createSession(db: Db, clock: Clock, userId: string, ttlDays: number): Promise<{ token: string; expiresAt: Date }> {
  const token = `lss_${randomBytes(32).toString('base64url')}`;
  const now = clock.now();
  const expiresAt = new Date(now.getTime() + ttlDays * DAY);
  await db.insert(sessions).values({ id: newId('ses'), userId, tokenHash: hashToken(token), createdAt: now, expiresAt });
  return { token, expiresAt };
}

export async function resolveSession(db: Db, clock: Clock, token: string): Promise<AuthUser | null> {
  if (token.length > 200) return null;
  const [row] = await db
    .select({ user: users, sessionId: sessions.id })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, hashToken(token)), isNull(sessions.revokedAt), gt(sessions.expiresAt, clock.now())));
  if (!row) return null;
  const u = row.user;
  return { id: u.id, email: u.email, name: u.name, roles: u.roles, locale: u.locale, sessionId: row.sessionId };
}

export async function revokeSession(db: Db, clock: Clock, sessionId: string): Promise<void> {
  await db.update(sessions).set({ revokedAt: clock.now() }).where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
}

export async function updateProfile(db: Db, userId: string, patch: { name?: string; locale?: Locale | null }): Promise<UserRow> {
  const set: Partial<typeof users.$inferInsert> = {};
  if (patch.name !== undefined) {
    set.name = plainName(patch.name, 'name');
  }
  if (patch.locale !== undefined) set.locale = patch.locale;
  if (Object.keys(set).length === 0) return getUser(db, userId);
  const [row] = await db.update(users).set(set).where(eq(users.id, userId)).returning();
  if (!row) throw notFound('User', userId);
  return row;
}

/** Adds a role (idempotent). */
export async function grantRole(db: Db, userId: string, role: Role): Promise<void> {
  await db
    .update(users)
    .set({ roles: sql`array_append(${users.roles}, ${role}::text)` })
    .where(and(eq(users.id, userId), sql`not (${role}::text = any(${users.roles}))`));
}
