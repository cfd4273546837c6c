import { Type } from '@sinclair/typebox';
import { AddressSchema } from '../../platform/address.js';
import { Literals, Money, Nullable, Time } from '../../platform/http-schemas.js';
import { APPLICATION_STATUSES, DOCUMENT_KINDS, SHOP_MODES } from './schema.js';

export const Strict = { additionalProperties: false } as const;

/** An invitation as the API shows it. */
export const Invitation = Type.Object({
  id: Type.String(),
  code: Type.Optional(Type.String({ description: 'The full code: only in the answer that created it' })),
  code_hint: Type.String({ description: 'The code\'s last four characters' }),
  market: Type.String(),
  category: Type.String(),
  max_uses: Type.Integer(),
  uses: Type.Integer(),
  expires_at: Time,
  revoked_at: Nullable(Time),
  status: Literals(['active', 'expired', 'revoked', 'used_up'] as const),
  created_by: Type.String(),
  created_at: Time,
});

export const Contact = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.String({ format: 'email', maxLength: 254 }),
    phone: Type.String({ minLength: 3, maxLength: 40, pattern: '^[0-9+()./ -]+$' }),
  },
  Strict,
);

export const ApplicationWarehouse = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), address: AddressSchema }, Strict);

export const DocumentOut = Type.Object({
  id: Type.String(),
  kind: Literals(DOCUMENT_KINDS),
  content_type: Type.String(),
  bytes: Type.Integer(),
  url: Type.String(),
  created_at: Time,
});

const UsedBy = Type.Object({ value: Type.String(), used_by: Literals(['approved_shop', 'open_application'] as const) });

export const Check = Type.Object({
  check: Literals(['slots', 'sales_threshold', 'documents', 'duplicate', 'local_warehouse'] as const),
  passed: Type.Boolean(),
  reason: Nullable(Type.String({ description: 'Why it failed, in English (kept for API clients; show `code` and `params` translated instead)' })),
  /** Why it failed, as a stable code; null when passed or for checks run before codes were kept. */
  code: Nullable(Literals(['no_seller_slots', 'sales_below_threshold', 'missing_documents', 'already_registered', 'no_local_warehouse'] as const)),
  params: Type.Object(
    {
      market: Type.Optional(Type.String()),
      taken: Type.Optional(Type.Integer()),
      quota: Type.Optional(Type.Integer()),
      category: Type.Optional(Type.String()),
      yearly_sales: Type.Optional(Type.Ref(Money)),
      threshold: Type.Optional(Type.Ref(Money)),
      documents: Type.Optional(Type.Array(Type.String(), { description: 'The missing document kinds' })),
      registration_number: Type.Optional(UsedBy),
      tax_id: Type.Optional(UsedBy),
    },
    { description: 'The facts of the failure, by code: market, taken and quota; market, category, yearly_sales and threshold; documents; registration_number and tax_id; market' },
  ),
});

export const Status = Literals(APPLICATION_STATUSES);

/** A seller application as the API shows it. */
export const ApplicationOut = Type.Object({
  id: Type.String(),
  applicant_id: Type.String(),
  invitation_id: Type.String(),
  market: Type.String(),
  category: Type.String(),
  mode: Literals(SHOP_MODES),
  company_name: Type.String(),
  registration_number: Type.String(),
  tax_id: Type.String(),
  contact: Contact,
  yearly_sales: Type.Object({ amount: Type.Integer(), currency: Type.String(), marketplace: Type.String() }),
  warehouses: Type.Array(ApplicationWarehouse),
  documents: Type.Array(DocumentOut),
  status: Status,
  checks: Type.Array(Check),
  questions: Nullable(Type.Array(Type.String())),
  shop_id: Nullable(Type.String()),
  timeline: Type.Array(
    Type.Object({
      from: Nullable(Status),
      to: Status,
      at: Time,
      actor_id: Nullable(Type.String()),
      actor_role: Literals(['applicant', 'operator', 'system'] as const),
      note: Nullable(Type.String()),
      questions: Nullable(Type.Array(Type.String())),
    }),
  ),
  created_at: Time,
  updated_at: Time,
});
