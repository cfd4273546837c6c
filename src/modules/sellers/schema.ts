import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { Address } from '../../platform/address.js';
import { users } from '../identity/schema.js';
import { minorUnits, requiredRef, timestamps, timestamptz } from '../../platform/columns.js';

export const shops = pgTable('shops', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  market: text('market').notNull(),
  currency: text('currency').notNull(),
  timezone: text('timezone').notNull(),
  mode: text('mode', { enum: ['self_fulfilled', 'managed'] }).notNull().default('self_fulfilled'),
  status: text('status', { enum: ['active', 'suspended', 'frozen'] }).notNull().default('active'),
  /** Flat shipping fee per order of this shop, minor units of `currency`. */
  shippingFee: minorUnits('shipping_fee').notNull().default(0),
  /** Set by trust & safety (listing_limit action): products the shop may create per rolling 24 h; null = no limit. */
  maxNewListingsPerDay: integer('max_new_listings_per_day'),
  /** Set by trust & safety (order_cap action): orders the shop may take per rolling 24 h; null = no cap. */
  maxOrdersPerDay: integer('max_orders_per_day'),
  createdAt: timestamptz('created_at').notNull(),
});

export const SHOP_ROLES = ['owner', 'staff'] as const;
export type ShopRole = (typeof SHOP_ROLES)[number];

export const shopMembers = pgTable(
  'shop_members',
  {
    shopId: requiredRef('shop_id', () => shops.id),
    userId: requiredRef('user_id', () => users.id),
    role: text('role', { enum: SHOP_ROLES }).notNull(),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.shopId, t.userId] }), index('shop_members_user_idx').on(t.userId)],
);

/**
 * Invitation codes (operators issue them per market and category). Only a SHA-256 of the
 * normalized code is stored; `code_hint` is its last group, for lists. `uses <= max_uses` is
 * kept by one conditional update per redemption.
 */
export const invitations = pgTable(
  'invitations',
  {
    id: text('id').primaryKey(),
    codeHash: text('code_hash').notNull(),
    codeHint: text('code_hint').notNull(),
    market: text('market').notNull(),
    category: text('category').notNull(),
    maxUses: integer('max_uses').notNull(),
    uses: integer('uses').notNull().default(0),
    expiresAt: timestamptz('expires_at').notNull(),
    revokedAt: timestamptz('revoked_at'),
    createdBy: requiredRef('created_by', () => users.id),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('invitations_code_hash_idx').on(t.codeHash),
    check('invitations_uses', sql`${t.uses} between 0 and ${t.maxUses}`),
  ],
);

export const APPLICATION_STATUSES = ['submitted', 'in_review', 'approved', 'rejected', 'needs_info'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];
export const DOCUMENT_KINDS = ['local_stock_proof', 'sales_statement', 'licence'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
export const SHOP_MODES = ['self_fulfilled', 'managed'] as const;
export type ShopMode = (typeof SHOP_MODES)[number];

export interface ApplicationContact {
  name: string;
  email: string;
  phone: string;
}
export interface ApplicationWarehouse {
  name: string;
  address: Address;
}
/** Why a check failed, as a stable code the web translates (the English `reason` stays for API clients). */
export type CheckFailureCode = 'no_seller_slots' | 'sales_below_threshold' | 'missing_documents' | 'already_registered' | 'no_local_warehouse';

export interface CheckResult {
  check: 'slots' | 'sales_threshold' | 'documents' | 'duplicate' | 'local_warehouse';
  passed: boolean;
  reason: string | null;
  /** Absent in checks stored before codes were kept; null when passed. */
  code?: CheckFailureCode | null;
  /** The facts of the failure (market, figures, document kinds, identifiers): see CheckParams in views.ts. */
  params?: CheckParams;
}

export interface CheckParams {
  market?: string;
  taken?: number;
  quota?: number;
  category?: string;
  yearly_sales?: { amount: number; currency: string };
  threshold?: { amount: number; currency: string };
  documents?: string[];
  registration_number?: { value: string; used_by: 'approved_shop' | 'open_application' };
  tax_id?: { value: string; used_by: 'approved_shop' | 'open_application' };
}

export const sellerApplications = pgTable(
  'seller_applications',
  {
    id: text('id').primaryKey(),
    applicantId: requiredRef('applicant_id', () => users.id),
    invitationId: requiredRef('invitation_id', () => invitations.id),
    market: text('market').notNull(),
    category: text('category').notNull(),
    mode: text('mode', { enum: SHOP_MODES }).notNull(),
    companyName: text('company_name').notNull(),
    registrationNumber: text('registration_number').notNull(),
    taxId: text('tax_id').notNull(),
    /** Upper-case letters and digits of the registration number and tax id, for duplicate checks. */
    registrationKey: text('registration_key').notNull(),
    taxKey: text('tax_key').notNull(),
    contact: jsonb('contact').$type<ApplicationContact>().notNull(),
    yearlySales: minorUnits('yearly_sales').notNull(),
    salesCurrency: text('sales_currency').notNull(),
    salesMarketplace: text('sales_marketplace').notNull(),
    warehouses: jsonb('warehouses').$type<ApplicationWarehouse[]>().notNull(),
    status: text('status', { enum: APPLICATION_STATUSES }).notNull(),
    /** The latest automatic checks. */
    checks: jsonb('checks').$type<CheckResult[]>().notNull(),
    /** Rejected by the automatic checks (the applicant may fix and resubmit), not by an operator. */
    autoRejected: boolean('auto_rejected').notNull().default(false),
    /** Open questions of the last needs_info, else null. */
    questions: jsonb('questions').$type<string[]>(),
    shopId: text('shop_id').references(() => shops.id),
    ...timestamps(),
  },
  (t) => [
    index('seller_applications_status_idx').on(t.status, t.id),
    index('seller_applications_applicant_idx').on(t.applicantId, t.id),
    index('seller_applications_registration_idx').on(t.registrationKey),
    index('seller_applications_tax_idx').on(t.taxKey),
  ],
);

/** Uploaded qualification documents; the file lives under <data dir>/documents/<id>. */
export const applicationDocuments = pgTable(
  'seller_application_documents',
  {
    id: text('id').primaryKey(),
    uploaderId: requiredRef('uploader_id', () => users.id),
    applicationId: text('application_id').references(() => sellerApplications.id),
    kind: text('kind', { enum: DOCUMENT_KINDS }).notNull(),
    contentType: text('content_type').notNull(),
    bytes: integer('bytes').notNull(),
    createdAt: timestamptz('created_at').notNull(),
  },
  (t) => [index('seller_application_documents_application_idx').on(t.applicationId), index('seller_application_documents_uploader_idx').on(t.uploaderId)],
);

/** Every transition of an application: who (null = the automatic checks), when, why. */
export const applicationEvents = pgTable(
  'seller_application_events',
  {
    id: text('id').primaryKey(),
    applicationId: requiredRef('application_id', () => sellerApplications.id),
    fromStatus: text('from_status', { enum: APPLICATION_STATUSES }),
    toStatus: text('to_status', { enum: APPLICATION_STATUSES }).notNull(),
    actorId: text('actor_id').references(() => users.id),
    actorRole: text('actor_role', { enum: ['applicant', 'operator', 'system'] }).notNull(),
    note: text('note'),
    questions: jsonb('questions').$type<string[]>(),
    at: timestamptz('at').notNull(),
  },
  (t) => [index('seller_application_events_application_idx').on(t.applicationId, t.id)],
);
