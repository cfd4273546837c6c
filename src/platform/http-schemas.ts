import { Type, type TSchema } from '@sinclair/typebox';

/** Shared JSON schemas for route definitions (and so for the OpenAPI document). */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code' }),
      message: Type.String({ description: 'English, for developers; clients translate by code' }),
      details: Type.Unknown(),
    }),
  },
  { $id: 'Error', title: 'Error' },
);

export const Money = Type.Object(
  {
    amount: Type.Integer({ description: 'Integer minor units (cents)' }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  },
  { $id: 'Money', additionalProperties: false },
);

export const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});

export const page = <T extends TSchema>(item: T) =>
  Type.Object({ data: Type.Array(item), next_cursor: Type.Union([Type.String(), Type.Null()]) });

export const IdParam = (name: string, prefix: string) =>
  Type.Object({ [name]: Type.String({ pattern: `^${prefix}_[0-9a-z]{26}$`, description: `${prefix}_… id` }) });

/** Standard error responses to attach to a route's schema. */
export const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, Type.Ref(ErrorResponse)]));

/** Money as response views show it (cart, orders, payments, live). */
export const MoneyOut = Type.Object({ amount: Type.Integer({ description: 'Integer minor units' }), currency: Type.String() });

/** A timestamp as response views show it. */
export const Time = Type.String({ format: 'date-time' });

/** `t` or null. */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** One of `values`, as a union of literals. */
export const Literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
