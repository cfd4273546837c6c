import { Type } from '@sinclair/typebox';

/**
 * A postal address as shops declare their warehouses (seller applications, inventory). A value
 * type shared by several modules, like money, so it lives below them all.
 */
export interface Address {
  line1: string;
  line2?: string;
  city: string;
  region?: string;
  postal_code?: string;
  /** ISO 3166-1 alpha-2 */
  country: string;
}

export const AddressSchema = Type.Object(
  {
    line1: Type.String({ minLength: 1, maxLength: 200 }),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    region: Type.Optional(Type.String({ maxLength: 100 })),
    postal_code: Type.Optional(Type.String({ maxLength: 20 })),
    country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' }),
  },
  { additionalProperties: false },
);
