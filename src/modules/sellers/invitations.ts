import type { Static } from '@sinclair/typebox';
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { badRequest, conflict, notFound } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { MARKETS } from '../../platform/markets.js';
import { pageById } from '../../platform/pagination.js';
import { audited } from '../audit/index.js';
import { invitations } from './schema.js';
import type { Invitation } from './views.js';

/**
 * Invitation codes: 140 random bits as 28 Crockford base32 characters (no I, L, O, U) in seven
 * groups of four, shown once. Only a hash of the normalized code is stored; redemption is one
 * conditional update.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function generateCode(): string {
  let n = BigInt(`0x${randomBytes(18).toString('hex')}`);
  let out = '';
  for (let i = 0; i < 28; i++) {
    out = ALPHABET[Number(n & 31n)]! + out;
    n >>= 5n;
  }
  return out.match(/.{4}/g)!.join('-');
}

/** Case, spaces and dashes do not matter; O reads as 0 and I/L as 1 (Crockford). */
export function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

const hashCode = (code: string) => createHash('sha256').update(normalizeCode(code)).digest('hex');

type InvitationRow = typeof invitations.$inferSelect;

export type InvitationView = Static<typeof Invitation>;

function invitationStatus(i: InvitationRow, now: Date): InvitationView['status'] {
  if (i.revokedAt) return 'revoked';
  if (i.expiresAt <= now) return 'expired';
  return i.uses >= i.maxUses ? 'used_up' : 'active';
}

const view = (i: InvitationRow, now: Date): InvitationView => ({
  id: i.id,
  code_hint: i.codeHint,
  market: i.market,
  category: i.category,
  max_uses: i.maxUses,
  uses: i.uses,
  expires_at: i.expiresAt.toISOString(),
  revoked_at: i.revokedAt?.toISOString() ?? null,
  status: invitationStatus(i, now),
  created_by: i.createdBy,
  created_at: i.createdAt.toISOString(),
});

export interface CreateInvitationInput {
  market: string;
  category: string;
  max_uses: number;
  expires_at: string;
  /** A chosen code (the demo seed); normally generated. */
  code?: string;
}

/** An operator creates an invitation, with its audit entry in the same transaction (the API and the demo). */
export async function createInvitationAudited(db: Db, clock: Clock, operatorId: string, input: CreateInvitationInput): Promise<InvitationView & { code: string }> {
  return audited(
    db,
    clock,
    (tx) => createInvitation(tx, clock, operatorId, input),
    // Never the code itself: the audit log is no place for a secret.
    (inv) => ({ actorId: operatorId, action: 'invitation.create', targetType: 'invitation', targetId: inv.id, data: { market: inv.market, category: inv.category, max_uses: inv.max_uses, expires_at: inv.expires_at, code_hint: inv.code_hint } }),
  );
}

export async function createInvitation(db: Db, clock: Clock, operatorId: string, input: CreateInvitationInput): Promise<InvitationView & { code: string }> {
  if (!MARKETS[input.market]) throw badRequest('unknown_market', `There is no market ${input.market}`, { market: input.market });
  const category = input.category.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9_-]{0,49}$/.test(category)) throw badRequest('invalid_category', 'A category is 1–50 letters, digits, - or _');
  if (!Number.isInteger(input.max_uses) || input.max_uses < 1 || input.max_uses > 1000) throw badRequest('invalid_max_uses', 'max_uses is 1–1000');
  const now = clock.now();
  const expiresAt = new Date(input.expires_at);
  if (Number.isNaN(expiresAt.getTime()) || expiresAt <= now) throw badRequest('invalid_expires_at', 'expires_at must be in the future');
  const code = input.code ?? generateCode();
  const [row] = await db
    .insert(invitations)
    .values({
      id: newId('inv'),
      codeHash: hashCode(code),
      codeHint: code.replace(/[\s-]/g, '').slice(-4),
      market: input.market,
      category,
      maxUses: input.max_uses,
      expiresAt,
      createdBy: operatorId,
      createdAt: now,
    })
    .onConflictDoNothing()
    .returning();
  if (!row) throw conflict('code_taken', 'This invitation code exists already');
  return { ...view(row, now), code };
}

/** Newest first, paginated by id. */
export async function listInvitations(db: Db, clock: Clock, opts: { limit?: number; cursor?: string } = {}) {
  const { rows, next_cursor } = await pageById(db, invitations, { ...opts, prefix: 'inv', order: 'newest' });
  const now = clock.now();
  return { data: rows.map((i) => view(i, now)), next_cursor };
}

/** Revokes a code (idempotent: a revoked code stays revoked at its first time). */
export async function revokeInvitation(db: Db, clock: Clock, invitationId: string): Promise<InvitationView> {
  const now = clock.now();
  await db.update(invitations).set({ revokedAt: now }).where(and(eq(invitations.id, invitationId), isNull(invitations.revokedAt)));
  const [row] = await db.select().from(invitations).where(eq(invitations.id, invitationId));
  if (!row) throw notFound('Invitation', invitationId);
  return view(row, now);
}

/**
 * Takes one use of a code, atomically: ONE conditional update, so a code with one use left is
 * used once however many submissions race for it. Call inside the transaction that stores the
 * application, so a later refusal gives the use back. Refusals: 400 `invalid_invitation`,
 * 409 `invitation_revoked` | `invitation_expired` | `invitation_used_up`.
 */
export async function redeemInvitation(tx: Db, clock: Clock, code: string): Promise<InvitationRow> {
  const now = clock.now();
  const hash = hashCode(code);
  const [row] = await tx
    .update(invitations)
    .set({ uses: sql`${invitations.uses} + 1` })
    .where(and(eq(invitations.codeHash, hash), isNull(invitations.revokedAt), gt(invitations.expiresAt, now), lt(invitations.uses, invitations.maxUses)))
    .returning();
  if (row) return row;
  const [found] = await tx.select().from(invitations).where(eq(invitations.codeHash, hash));
  if (!found) throw badRequest('invalid_invitation', 'This invitation code is not valid');
  const status = invitationStatus(found, now);
  if (status === 'revoked') throw conflict('invitation_revoked', 'This invitation code was revoked');
  if (status === 'expired') throw conflict('invitation_expired', 'This invitation code has expired');
  throw conflict('invitation_used_up', 'This invitation code has been used up');
}
