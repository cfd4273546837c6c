import { bigint, text, timestamp, type AnyPgColumn, type ReferenceConfig } from 'drizzle-orm/pg-core';

/**
 * Column shapes the schema files share (the Drizzle docs' pattern: plain functions returning
 * column builders, and groups spread into a table). Each call makes fresh builders, so no two
 * tables share one. Schema files import this file and drizzle alone (drizzle-kit reads them).
 */

/** A point in time: `timestamp with time zone`, read as a `Date`. */
export const timestamptz = <TName extends string>(name: TName) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Money in integer minor units (src/platform/money.ts): `int8`, read as a JS number. */
export const minorUnits = <TName extends string>(name: TName) => bigint(name, { mode: 'number' });

/** An amount and the currency of its minor units, both required. */
export const money = () => ({
  amount: minorUnits('amount').notNull(),
  currency: text('currency').notNull(),
});

/** When the row was created and last updated, both required. */
export const timestamps = () => ({
  createdAt: timestamptz('created_at').notNull(),
  updatedAt: timestamptz('updated_at').notNull(),
});

/** A required reference to another table's row: its id (`text not null`) under a foreign key. */
export const requiredRef = <TName extends string>(name: TName, target: () => AnyPgColumn, actions?: ReferenceConfig['actions']) =>
  text(name).notNull().references(target, actions);
