import type { Static } from '@sinclair/typebox';
import { and, eq, gt, inArray, sql, type SQL } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { notFound } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { enqueue } from '../../platform/jobs.js';
import type { PaymentProvider, WebhookEvent, WebhookEventType } from './provider.js';
import { SandboxProvider } from './sandbox.js';
import { payments, refunds, webhookEvents, type PaymentStatus } from './schema.js';
import type { PaymentOut } from './views.js';

/**
 * Payment rows, refunds and webhook bookkeeping. This module knows nothing about orders: the
 * checkout (orders module) drives it and decides what a payment outcome means for orders.
 */
export type PaymentRow = typeof payments.$inferSelect;
export type RefundRow = typeof refunds.$inferSelect;
export type Providers = ReadonlyMap<string, PaymentProvider>;

/** Statuses a payment can still leave by the buyer paying. */
export const OPEN_PAYMENT_STATUSES: readonly PaymentStatus[] = ['pending', 'requires_action'];
export const SANDBOX_WEBHOOK_JOB = 'payments.sandbox_webhook';

/**
 * The provider checkout charges new payments with: the first configured one. Every configured
 * provider keeps answering for its own payments (refunds, webhooks) by the name on the payment.
 */
export function checkoutProvider(providers: Providers): PaymentProvider {
  const first = providers.values().next();
  if (first.done) throw notFound('Payment provider', 'any');
  return first.value;
}

export function getProvider(providers: Providers, name: string): PaymentProvider {
  const p = providers.get(name);
  if (!p) throw notFound('Payment provider', name);
  return p;
}

export interface NewPayment {
  id: string;
  buyerId: string;
  provider: string;
  idempotencyKey: string | null;
  amount: number;
  currency: string;
  expiresAt: Date;
}

/**
 * Inserts a `pending` payment. With an idempotency key already used by this buyer, inserts
 * nothing and returns null (the caller resumes the existing payment instead).
 */
export async function insertPayment(tx: Db, clock: Clock, p: NewPayment): Promise<PaymentRow | null> {
  const now = clock.now();
  const [row] = await tx
    .insert(payments)
    .values({ ...p, status: 'pending', createdAt: now, updatedAt: now })
    .onConflictDoNothing()
    .returning();
  return row ?? null;
}

/**
 * `insertPayment` as the first part of a data-modifying statement: `made` is a CTE that returns
 * the payment's id when it was inserted (nothing when the key was already used), so the caller
 * can write what belongs to the payment in the same statement, guarded by `exists (select 1 from
 * made)`. Also returns the row as written.
 */
export function paymentInsertCte(clock: Clock, p: NewPayment): { cte: SQL; row: PaymentRow } {
  const now = clock.now();
  const row: PaymentRow = {
    ...p,
    providerRef: null,
    status: 'pending',
    cardLast4: null,
    failureCode: null,
    refundedAmount: 0,
    createdAt: now,
    updatedAt: now,
  };
  const cte = sql`made as (
    insert into ${payments} (id, buyer_id, provider, idempotency_key, amount, currency, status, expires_at, created_at, updated_at)
    values (${p.id}, ${p.buyerId}, ${p.provider}, ${p.idempotencyKey}, ${p.amount}, ${p.currency}, 'pending',
            ${p.expiresAt.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz)
    on conflict do nothing
    returning id)`;
  return { cte, row };
}

export async function findPaymentByKey(db: Db, buyerId: string, key: string): Promise<PaymentRow | undefined> {
  const [row] = await db
    .select()
    .from(payments)
    .where(and(eq(payments.buyerId, buyerId), eq(payments.idempotencyKey, key)));
  return row;
}

export async function findPayment(db: Db, id: string): Promise<PaymentRow | undefined> {
  const [row] = await db.select().from(payments).where(eq(payments.id, id));
  return row;
}

/** The payments of these ids that exist, in no particular order. */
export async function getPayments(db: Db, ids: string[]): Promise<PaymentRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(payments).where(inArray(payments.id, ids));
}

export async function getPayment(db: Db, id: string): Promise<PaymentRow> {
  const row = await findPayment(db, id);
  if (!row) throw notFound('Payment', id);
  return row;
}

/** The payment for its buyer; anyone else gets 404 as for a missing payment. */
export async function getPaymentForBuyer(db: Db, buyerId: string, id: string): Promise<PaymentRow> {
  const row = await getPayment(db, id);
  if (row.buyerId !== buyerId) throw notFound('Payment', id);
  return row;
}

/** Locks the payment row for the rest of the transaction (every outcome is applied under it). */
export async function lockPayment(tx: Db, id: string): Promise<PaymentRow | undefined> {
  const [row] = await tx.select().from(payments).where(eq(payments.id, id)).for('update');
  return row;
}

/**
 * Records a capture on an open payment whose deadline has not passed, in one conditional
 * update (the row lock it takes serializes it with any other outcome). Returns the updated
 * row, or undefined when the payment was not open or had expired (the caller looks why).
 */
export async function markPaymentSucceeded(
  tx: Db,
  clock: Clock,
  id: string,
  info: { providerRef: string; cardLast4: string | null },
): Promise<PaymentRow | undefined> {
  const now = clock.now();
  const [row] = await tx
    .update(payments)
    .set({ status: 'succeeded', providerRef: info.providerRef, cardLast4: sql`coalesce(${info.cardLast4}, ${payments.cardLast4})`, updatedAt: now })
    .where(and(eq(payments.id, id), inArray(payments.status, [...OPEN_PAYMENT_STATUSES]), gt(payments.expiresAt, now)))
    .returning();
  return row;
}

export async function updatePayment(
  tx: Db,
  clock: Clock,
  id: string,
  set: Partial<Pick<PaymentRow, 'status' | 'providerRef' | 'cardLast4' | 'failureCode'>>,
): Promise<void> {
  await tx.update(payments).set({ ...set, updatedAt: clock.now() }).where(eq(payments.id, id));
}

/**
 * Records a refund the provider made (`providerRef`) and adds it to the payment's refunded
 * amount (status `refunded` when all of it is back, else `partially_refunded`). Returns null
 * when this refund was already recorded: applying it twice changes nothing.
 */
export async function recordRefund(
  tx: Db,
  clock: Clock,
  r: { paymentId: string; orderId: string | null; amount: number; currency: string; reason: string; providerRef: string },
): Promise<RefundRow | null> {
  const now = clock.now();
  const [row] = await tx
    .insert(refunds)
    .values({ id: newId('rfd'), ...r, createdAt: now })
    .onConflictDoNothing()
    .returning();
  if (!row) return null;
  await tx
    .update(payments)
    .set({
      refundedAmount: sql`${payments.refundedAmount} + ${r.amount}`,
      status: sql`case when ${payments.refundedAmount} + ${r.amount} >= ${payments.amount} then 'refunded' else 'partially_refunded' end`,
      updatedAt: now,
    })
    .where(eq(payments.id, r.paymentId));
  return row;
}

export async function findRefund(db: Db, paymentId: string, providerRef: string): Promise<RefundRow | undefined> {
  const [row] = await db
    .select()
    .from(refunds)
    .where(and(eq(refunds.paymentId, paymentId), eq(refunds.providerRef, providerRef)));
  return row;
}

/**
 * Claims a webhook event by its provider event id inside the caller's transaction. False means
 * it was seen before (a replay): the caller must not apply it again.
 */
export async function claimWebhookEvent(tx: Db, clock: Clock, provider: string, event: WebhookEvent): Promise<boolean> {
  const res = await tx
    .insert(webhookEvents)
    .values({ id: newId('whe'), provider, eventId: event.id, type: event.type, payload: event, receivedAt: clock.now() })
    .onConflictDoNothing()
    .returning({ id: webhookEvents.id });
  return res.length === 1;
}

/**
 * The sandbox "sends" a signed webhook for every state change it reports, like a real processor:
 * a durable job (enqueued in the caller's transaction, so only for changes that commit) signs the
 * event and feeds it through the same verification and dedupe path as `POST
 * /v1/webhooks/payments/sandbox`. Other providers deliver their own webhooks.
 */
export async function emitProviderEvent(
  tx: Db,
  clock: Clock,
  provider: PaymentProvider,
  type: WebhookEventType,
  data: WebhookEvent['data'],
): Promise<void> {
  if (!(provider instanceof SandboxProvider)) return;
  await enqueue(tx, clock, SANDBOX_WEBHOOK_JOB, { provider: provider.name, event: provider.event(type, data) });
}

export type PaymentView = Static<typeof PaymentOut>;

export function toPaymentView(p: PaymentRow): PaymentView {
  return {
    id: p.id,
    status: p.status,
    amount: { amount: p.amount, currency: p.currency },
    refunded_amount: { amount: p.refundedAmount, currency: p.currency },
    provider: p.provider,
    card_last4: p.cardLast4,
    failure_code: p.failureCode,
    next_action: p.status === 'requires_action' ? { type: 'confirm_challenge', url: `/v1/payments/${p.id}/confirm` } : null,
    expires_at: p.expiresAt.toISOString(),
    created_at: p.createdAt.toISOString(),
  };
}
