import { Type } from '@sinclair/typebox';
import { ROLES } from './schema.js';
import { LOCALES } from './service.js';

export const Literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const Locale = Literals(LOCALES);

/** A user as the API shows it (to themself or an operator). */
export const User = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  roles: Type.Array(Literals(ROLES)),
  locale: Type.Union([Locale, Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
});
