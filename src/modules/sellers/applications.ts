import type { Static } from '@sinclair/typebox';
import path from 'node:path';
import { and, asc, eq, inArray, isNull, ne, or } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import { emit } from '../../platform/events.js';
import type { Db } from '../../platform/db.js';
import { AppError, badRequest, conflict, notFound } from '../../platform/errors.js';
import { plainName, plainText } from '../../platform/text.js';
import { newId } from '../../platform/ids.js';
import { lockMarket, market } from '../../platform/markets.js';
import { minorDigits } from '../../platform/money.js';
import { fileTooLarge, readPrivateFile, sniffType, writePrivateFile } from '../../platform/uploads.js';
import { redeemInvitation } from './invitations.js';
import { invalidTransition } from '../../platform/lifecycle.js';
import { pageById } from '../../platform/pagination.js';
import { applicationLifecycle, transitionApplication, type ApplicationEvent } from './lifecycle.js';
import {
  applicationDocuments,
  applicationEvents,
  sellerApplications,
  type ApplicationContact,
  type ApplicationStatus,
  type ApplicationWarehouse,
  type CheckFailureCode,
  type CheckParams,
  type CheckResult,
  type DocumentKind,
  type ShopMode,
} from './schema.js';
import { createShop, shopCountsByMarket } from './service.js';
import type { ApplicationOut, DocumentOut } from './views.js';

/**
 * Seller applications: submit with an invitation code → automatic checks (rejected at once with
 * reasons when one fails) → operator review `submitted → in_review → approved | rejected |
 * needs_info`; needs_info goes back to the applicant, who resubmits (checks run again). Every
 * transition is kept in `seller_application_events`. Approval creates the shop.
 */

export interface Viewer {
  id: string;
  roles: readonly string[];
}
const isOperator = (v: Viewer) => v.roles.includes('operator');

type AppRow = typeof sellerApplications.$inferSelect;
type DocRow = typeof applicationDocuments.$inferSelect;
type EventRow = typeof applicationEvents.$inferSelect;

// ---------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------

export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
const DOCUMENT_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;
/** Under the data directory, beside (not inside) the media directory that /media serves. */
const documentsDir = (dataDir: string) => path.join(dataDir, 'documents');
export const documentUrl = (id: string) => `/v1/seller-applications/documents/${id}`;

export type DocumentView = Static<typeof DocumentOut>;

const documentView = (d: DocRow): DocumentView => ({
  id: d.id,
  kind: d.kind,
  content_type: d.contentType,
  bytes: d.bytes,
  url: documentUrl(d.id),
  created_at: d.createdAt.toISOString(),
});

/** Stores a qualification document (PDF, JPEG or PNG by content, at most 10 MB) for its uploader. */
export async function saveDocument(db: Db, clock: Clock, dataDir: string, userId: string, kind: DocumentKind, data: Buffer): Promise<DocumentView> {
  if (data.length > MAX_DOCUMENT_BYTES) throw fileTooLarge(MAX_DOCUMENT_BYTES);
  const contentType = sniffType(data, DOCUMENT_TYPES);
  if (!contentType) throw new AppError('unsupported_media', 415, 'Documents are PDF, JPEG or PNG files');
  const id = newId('doc');
  await writePrivateFile(documentsDir(dataDir), id, data);
  const [row] = await db.insert(applicationDocuments).values({ id, uploaderId: userId, kind, contentType, bytes: data.length, createdAt: clock.now() }).returning();
  return documentView(row!);
}

/** The file for its uploader or an operator; anyone else 404. */
export async function getDocumentFile(db: Db, dataDir: string, viewer: Viewer, documentId: string): Promise<{ contentType: string; data: Buffer }> {
  const [d] = await db.select().from(applicationDocuments).where(eq(applicationDocuments.id, documentId));
  if (!d || (d.uploaderId !== viewer.id && !isOperator(viewer))) throw notFound('Document', documentId);
  return { contentType: d.contentType, data: await readPrivateFile(documentsDir(dataDir), d.id) };
}

/** Attaches the applicant's own documents (unattached, or already on this application); any other id is 404. */
async function attachDocuments(tx: Db, applicantId: string, applicationId: string, ids: string[]): Promise<void> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return;
  const found = await tx
    .update(applicationDocuments)
    .set({ applicationId })
    .where(
      and(
        inArray(applicationDocuments.id, wanted),
        eq(applicationDocuments.uploaderId, applicantId),
        or(isNull(applicationDocuments.applicationId), eq(applicationDocuments.applicationId, applicationId)),
      ),
    )
    .returning({ id: applicationDocuments.id });
  const missing = wanted.find((id) => !found.some((f) => f.id === id));
  if (missing) throw notFound('Document', missing);
}

// ---------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------

export interface TimelineEntry {
  from: ApplicationStatus | null;
  to: ApplicationStatus;
  at: string;
  actor_id: string | null;
  actor_role: 'applicant' | 'operator' | 'system';
  note: string | null;
  questions: string[] | null;
}

export type ApplicationView = Static<typeof ApplicationOut>;

async function views(db: Db, apps: AppRow[]): Promise<ApplicationView[]> {
  if (apps.length === 0) return [];
  const ids = apps.map((a) => a.id);
  const [docs, events] = await Promise.all([
    db.select().from(applicationDocuments).where(inArray(applicationDocuments.applicationId, ids)).orderBy(asc(applicationDocuments.id)),
    db.select().from(applicationEvents).where(inArray(applicationEvents.applicationId, ids)).orderBy(asc(applicationEvents.id)),
  ]);
  return apps.map((a) => ({
    id: a.id,
    applicant_id: a.applicantId,
    invitation_id: a.invitationId,
    market: a.market,
    category: a.category,
    mode: a.mode,
    company_name: a.companyName,
    registration_number: a.registrationNumber,
    tax_id: a.taxId,
    contact: a.contact,
    yearly_sales: { amount: a.yearlySales, currency: a.salesCurrency, marketplace: a.salesMarketplace },
    warehouses: a.warehouses,
    documents: docs.filter((d) => d.applicationId === a.id).map(documentView),
    status: a.status,
    checks: a.checks.map((c) => ({ ...c, code: c.code ?? null, params: c.params ?? {} })),
    questions: a.questions ?? null,
    shop_id: a.shopId,
    timeline: events.filter((e) => e.applicationId === a.id).map(timelineEntry),
    created_at: a.createdAt.toISOString(),
    updated_at: a.updatedAt.toISOString(),
  }));
}

const timelineEntry = (e: EventRow): TimelineEntry => ({
  from: e.fromStatus,
  to: e.toStatus,
  at: e.at.toISOString(),
  actor_id: e.actorId,
  actor_role: e.actorRole,
  note: e.note,
  questions: e.questions ?? null,
});

const viewOne = async (db: Db, a: AppRow) => (await views(db, [a]))[0]!;

/** The application for its applicant or an operator; anyone else 404. */
export async function getApplication(db: Db, viewer: Viewer, applicationId: string): Promise<ApplicationView> {
  const [a] = await db.select().from(sellerApplications).where(eq(sellerApplications.id, applicationId));
  if (!a || (a.applicantId !== viewer.id && !isOperator(viewer))) throw notFound('Application', applicationId);
  return viewOne(db, a);
}

interface Page {
  limit?: number;
  cursor?: string;
}

/** The applicant's own applications, newest first. */
export async function listMyApplications(db: Db, applicantId: string, q: Page) {
  const { rows, next_cursor } = await pageById(db, sellerApplications, { ...q, prefix: 'app', order: 'newest', where: [eq(sellerApplications.applicantId, applicantId)] });
  return { data: await views(db, rows), next_cursor };
}

/** The operators' queue filter: one status, or every application. The list and its count share it. */
const queueWhere = (status?: ApplicationStatus) => (status ? eq(sellerApplications.status, status) : undefined);

/** The operators' queue: oldest first, optionally one status. */
export async function listApplications(db: Db, q: Page & { status?: ApplicationStatus }) {
  const { rows, next_cursor } = await pageById(db, sellerApplications, { limit: q.limit, cursor: q.cursor, prefix: 'app', order: 'oldest', where: [queueWhere(q.status)] });
  return { data: await views(db, rows), next_cursor };
}

/** How many applications `listApplications` lists for the same filter (the operator overview's figure). */
export async function countApplications(db: Db, q: { status?: ApplicationStatus }): Promise<number> {
  return db.$count(sellerApplications, queueWhere(q.status));
}

/** The queue the operator overview counts and links to: applications waiting for an operator (checks passed). */
export const WAITING_APPLICATIONS: ApplicationStatus = 'submitted';

// ---------------------------------------------------------------------------------------------
// Automatic checks
// ---------------------------------------------------------------------------------------------

type Fields = Pick<
  AppRow,
  'id' | 'market' | 'category' | 'mode' | 'registrationKey' | 'taxKey' | 'registrationNumber' | 'taxId' | 'yearlySales' | 'salesCurrency' | 'warehouses'
>;

const LIVE: ApplicationStatus[] = ['submitted', 'in_review', 'needs_info'];
const identifierKey = (s: string) => s.toUpperCase().replace(/[^0-9A-Z]/g, '');

function formatMoney(amount: number, currency: string): string {
  const digits = minorDigits(currency);
  return new Intl.NumberFormat('en', { style: 'currency', currency, minimumFractionDigits: digits }).format(amount / 10 ** digits);
}

/** Other applications (approved ones, or live ones when `includeLive`) with the same registration number or tax id. */
interface Duplicates {
  reasons: string[];
  params: Pick<CheckParams, 'registration_number' | 'tax_id'>;
}

async function duplicateReasons(tx: Db, a: Fields, includeLive: boolean): Promise<Duplicates> {
  const others = await tx
    .select({ registrationKey: sellerApplications.registrationKey, taxKey: sellerApplications.taxKey, status: sellerApplications.status })
    .from(sellerApplications)
    .where(
      and(
        ne(sellerApplications.id, a.id),
        or(eq(sellerApplications.registrationKey, a.registrationKey), eq(sellerApplications.taxKey, a.taxKey)),
        inArray(sellerApplications.status, includeLive ? ['approved', ...LIVE] : ['approved']),
      ),
    );
  const out: Duplicates = { reasons: [], params: {} };
  const usedBy = (status: ApplicationStatus): 'approved_shop' | 'open_application' => (status === 'approved' ? 'approved_shop' : 'open_application');
  const where = (status: ApplicationStatus) => (status === 'approved' ? 'an approved shop' : 'another open application');
  const reg = others.find((o) => o.registrationKey === a.registrationKey);
  if (reg) {
    out.reasons.push(`Company registration number ${a.registrationNumber} is already used by ${where(reg.status)}`);
    out.params.registration_number = { value: a.registrationNumber, used_by: usedBy(reg.status) };
  }
  const tax = others.find((o) => o.taxKey === a.taxKey);
  if (tax) {
    out.reasons.push(`Tax id ${a.taxId} is already used by ${where(tax.status)}`);
    out.params.tax_id = { value: a.taxId, used_by: usedBy(tax.status) };
  }
  return out;
}

async function runChecks(tx: Db, a: Fields, documentKinds: DocumentKind[]): Promise<CheckResult[]> {
  const m = market(a.market);
  const passed = (check: CheckResult['check']): CheckResult => ({ check, passed: true, reason: null, code: null, params: {} });
  const failed = (check: CheckResult['check'], code: CheckFailureCode, reason: string, params: CheckParams): CheckResult => ({ check, passed: false, reason, code, params });
  const taken = (await shopCountsByMarket(tx)).get(a.market) ?? 0;
  const missing = m.requiredDocuments.filter((k) => !documentKinds.includes(k as DocumentKind));
  const duplicates = await duplicateReasons(tx, a, true);
  return [
    m.slotQuota !== null && taken >= m.slotQuota
      ? failed('slots', 'no_seller_slots', `The ${m.code} market has no seller slots left (${taken} of ${m.slotQuota} taken)`, { market: m.code, taken, quota: m.slotQuota })
      : passed('slots'),
    m.salesThreshold !== null && a.yearlySales < m.salesThreshold
      ? failed(
          'sales_threshold',
          'sales_below_threshold',
          `Yearly sales of ${formatMoney(a.yearlySales, a.salesCurrency)} in category "${a.category}" are below the ${m.code} market's threshold of ${formatMoney(m.salesThreshold, m.currency)}`,
          { market: m.code, category: a.category, yearly_sales: { amount: a.yearlySales, currency: a.salesCurrency }, threshold: { amount: m.salesThreshold, currency: m.currency } },
        )
      : passed('sales_threshold'),
    missing.length > 0 ? failed('documents', 'missing_documents', `Missing required documents: ${missing.join(', ')}`, { documents: missing }) : passed('documents'),
    duplicates.reasons.length > 0 ? failed('duplicate', 'already_registered', duplicates.reasons.join('; '), duplicates.params) : passed('duplicate'),
    a.mode === 'self_fulfilled' && !a.warehouses.some((w) => w.address.country === m.code)
      ? failed('local_warehouse', 'no_local_warehouse', `A self-fulfilled shop in ${m.code} needs a warehouse in ${m.code}`, { market: m.code })
      : passed('local_warehouse'),
  ];
}

async function record(
  tx: Db,
  clock: Clock,
  applicationId: string,
  from: ApplicationStatus | null,
  to: ApplicationStatus,
  actor: { id: string | null; role: 'applicant' | 'operator' | 'system' },
  note: string | null = null,
  questions: string[] | null = null,
): Promise<void> {
  await tx.insert(applicationEvents).values({ id: newId('aev'), applicationId, fromStatus: from, toStatus: to, actorId: actor.id, actorRole: actor.role, note, questions, at: clock.now() });
}

/** Runs the checks, stores them and the resulting status (`submitted`, or `rejected` with the reasons). */
async function checkAndFile(tx: Db, clock: Clock, a: AppRow, from: ApplicationStatus | null, note: string | null): Promise<AppRow> {
  const kinds = await tx.select({ kind: applicationDocuments.kind }).from(applicationDocuments).where(eq(applicationDocuments.applicationId, a.id));
  const checks = await runChecks(tx, a, kinds.map((k) => k.kind));
  const failed = checks.filter((c) => !c.passed);
  const patch = { checks, autoRejected: failed.length > 0, questions: null, updatedAt: clock.now() };
  // A new application is inserted `submitted`; a resubmitted one moves there.
  let row =
    a.status === 'submitted'
      ? (await tx.update(sellerApplications).set(patch).where(eq(sellerApplications.id, a.id)).returning())[0]!
      : (await transitionApplication(tx, a.id, 'resubmit', { from: a.status, set: patch })).row;
  await record(tx, clock, a.id, from, 'submitted', { id: a.applicantId, role: 'applicant' }, note);
  if (failed.length > 0) {
    row = (await transitionApplication(tx, a.id, 'auto_reject', { from: 'submitted' })).row;
    await record(tx, clock, a.id, 'submitted', 'rejected', { id: null, role: 'system' }, failed.map((c) => c.reason).join('; '));
    await decided(tx, clock, row);
  }
  return row;
}

// ---------------------------------------------------------------------------------------------
// Submit, resubmit
// ---------------------------------------------------------------------------------------------

export interface ApplicationFields {
  mode: ShopMode;
  company_name: string;
  registration_number: string;
  tax_id: string;
  contact: ApplicationContact;
  yearly_sales: { amount: number; currency: string; marketplace: string };
  warehouses: ApplicationWarehouse[];
  document_ids: string[];
}

export interface SubmitInput extends ApplicationFields {
  invitation_code: string;
  category: string;
}

/** Column values of the editable fields, trimmed and checked against the market. */
function columns(input: Omit<ApplicationFields, 'document_ids'>, marketCode: string) {
  // Plain text on one line (no tags, entities or control characters); blank is 400.
  const text = (field: string, value: string) => plainName(value, field, 500);
  const currency = market(marketCode).currency;
  if (input.yearly_sales.currency !== currency) {
    throw badRequest('sales_currency_mismatch', `State yearly sales in ${currency}, the currency of the ${marketCode} market`, { currency });
  }
  const registrationNumber = text('registration_number', input.registration_number);
  const taxId = text('tax_id', input.tax_id);
  return {
    mode: input.mode,
    companyName: text('company_name', input.company_name),
    registrationNumber,
    registrationKey: identifierKey(registrationNumber) || registrationNumber,
    taxId,
    taxKey: identifierKey(taxId) || taxId,
    contact: { name: text('contact/name', input.contact.name), email: input.contact.email.trim(), phone: input.contact.phone.trim() },
    yearlySales: input.yearly_sales.amount,
    salesCurrency: input.yearly_sales.currency,
    salesMarketplace: text('yearly_sales/marketplace', input.yearly_sales.marketplace),
    warehouses: input.warehouses.map((w) => ({ ...w, name: text('warehouses/name', w.name) })),
  };
}

/**
 * Submits an application. The invitation's use is taken in the same transaction, so any
 * refusal (bad code, bad field, unknown document) stores nothing and uses nothing.
 */
export async function submitApplication(db: Db, clock: Clock, applicantId: string, input: SubmitInput): Promise<ApplicationView> {
  const row = await db.transaction(async (tx) => {
    const invitation = await redeemInvitation(tx, clock, input.invitation_code);
    if (input.category.trim().toLowerCase() !== invitation.category) {
      throw badRequest('category_mismatch', `This invitation is for the category "${invitation.category}"`, { category: invitation.category });
    }
    const now = clock.now();
    const id = newId('app');
    const [a] = await tx
      .insert(sellerApplications)
      .values({
        id,
        applicantId,
        invitationId: invitation.id,
        market: invitation.market,
        category: invitation.category,
        ...columns(input, invitation.market),
        status: 'submitted',
        checks: [],
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await attachDocuments(tx, applicantId, id, input.document_ids);
    return checkAndFile(tx, clock, a!, null, null);
  });
  return viewOne(db, row);
}

async function lockApplication(tx: Db, applicationId: string): Promise<AppRow> {
  const [a] = await tx.select().from(sellerApplications).where(eq(sellerApplications.id, applicationId)).for('update');
  if (!a) throw notFound('Application', applicationId);
  return a;
}

const refused = (a: AppRow, event: ApplicationEvent) => invalidTransition(applicationLifecycle.name, a.status, event);

/**
 * The applicant answers needs_info (or fixes an application the automatic checks rejected):
 * changed fields and further documents; the checks run again.
 */
export async function resubmitApplication(
  db: Db,
  clock: Clock,
  applicantId: string,
  applicationId: string,
  input: Partial<ApplicationFields> & { note?: string },
): Promise<ApplicationView> {
  const row = await db.transaction(async (tx) => {
    const a = await lockApplication(tx, applicationId);
    if (a.applicantId !== applicantId) throw notFound('Application', applicationId);
    // The table allows needs_info and rejected; a rejection by an operator is final.
    if (applicationLifecycle.next(a.status, 'resubmit') === null || (a.status === 'rejected' && !a.autoRejected)) throw refused(a, 'resubmit');
    const merged = {
      mode: input.mode ?? a.mode,
      company_name: input.company_name ?? a.companyName,
      registration_number: input.registration_number ?? a.registrationNumber,
      tax_id: input.tax_id ?? a.taxId,
      contact: input.contact ?? a.contact,
      yearly_sales: input.yearly_sales ?? { amount: a.yearlySales, currency: a.salesCurrency, marketplace: a.salesMarketplace },
      warehouses: input.warehouses ?? a.warehouses,
    };
    const [updated] = await tx
      .update(sellerApplications)
      .set({ ...columns(merged, a.market), updatedAt: clock.now() })
      .where(eq(sellerApplications.id, a.id))
      .returning();
    await attachDocuments(tx, applicantId, a.id, input.document_ids ?? []);
    return checkAndFile(tx, clock, updated!, a.status, (input.note === undefined || input.note === null ? '' : plainText(input.note, { multiline: true })) || null);
  });
  return viewOne(db, row);
}

// ---------------------------------------------------------------------------------------------
// Operator review
// ---------------------------------------------------------------------------------------------

export const REVIEW_ACTIONS = ['start_review', 'approve', 'reject', 'needs_info'] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];
/** Each review action is the lifecycle event of the same name (`applicationLifecycle`). */

export interface ReviewInput {
  action: ReviewAction;
  note?: string;
  questions?: string[];
}

/**
 * Opens the warehouses an approved application declared for its new shop, in the approval's
 * transaction. Warehouses are inventory's, above sellers: the caller hands this in (decision 021).
 */
export type OpenWarehouses = (tx: Db, clock: Clock, shopId: string, warehouses: ApplicationWarehouse[]) => Promise<void>;

/** Creates the approved applicant's shop (market currency and timezone) with its warehouses; the applicant becomes its owner and a seller. */
async function openShop(tx: Db, clock: Clock, a: AppRow, openWarehouses: OpenWarehouses): Promise<string> {
  await lockMarket(tx, a.market);
  const m = market(a.market);
  const taken = (await shopCountsByMarket(tx)).get(a.market) ?? 0;
  if (m.slotQuota !== null && taken >= m.slotQuota) {
    throw conflict('market_full', `The ${m.code} market has no seller slots left (${taken} of ${m.slotQuota} taken)`, { quota: m.slotQuota, taken });
  }
  const duplicates = await duplicateReasons(tx, a, false);
  if (duplicates.reasons.length > 0) throw conflict('duplicate_company', duplicates.reasons.join('; '));
  const shop = await createShop(tx, clock, { name: a.companyName, market: m.code, currency: m.currency, timezone: m.timezone, mode: a.mode, ownerId: a.applicantId });
  await openWarehouses(tx, clock, shop.id, a.warehouses);
  return shop.id;
}

export async function reviewApplication(
  db: Db,
  clock: Clock,
  operatorId: string,
  applicationId: string,
  input: ReviewInput,
  openWarehouses: OpenWarehouses,
): Promise<ApplicationView> {
  const note = (input.note === undefined || input.note === null ? '' : plainText(input.note, { multiline: true })) || null;
  const questions = (input.questions ?? []).map((q) => q.trim()).filter(Boolean);
  if (input.action === 'needs_info' && questions.length === 0) throw badRequest('questions_required', 'Ask the applicant at least one question');
  if (input.action !== 'needs_info' && questions.length > 0) throw badRequest('unexpected_questions', 'Questions go with needs_info only');
  if (input.action === 'reject' && !note) throw badRequest('note_required', 'Give the applicant the reason in `note`');
  const row = await db.transaction(async (tx) => {
    const a = await lockApplication(tx, applicationId);
    // Checked before the shop opens; the locked row cannot move meanwhile.
    if (applicationLifecycle.next(a.status, input.action) === null) throw refused(a, input.action);
    const shopId = input.action === 'approve' ? await openShop(tx, clock, a, openWarehouses) : a.shopId;
    const moved = await transitionApplication(tx, a.id, input.action, {
      from: a.status,
      set: { autoRejected: false, questions: input.action === 'needs_info' ? questions : null, shopId, updatedAt: clock.now() },
    });
    await record(tx, clock, a.id, a.status, moved.to, { id: operatorId, role: 'operator' }, note, input.action === 'needs_info' ? questions : null);
    await decided(tx, clock, moved.row);
    return moved.row;
  });
  return viewOne(db, row);
}

const DECISIONS = ['approved', 'rejected', 'needs_info'] as const;

/** Tells the applicant (domain event) when the application reached a decision. */
async function decided(tx: Db, clock: Clock, a: AppRow): Promise<void> {
  const decision = DECISIONS.find((d) => d === a.status);
  if (decision) await emit(tx, clock, { name: 'application.decided', payload: { application_id: a.id, applicant_id: a.applicantId, decision, shop_id: a.shopId } });
}
