import { Type } from '@sinclair/typebox';

/** Money as the cart and order views show it. */
export const MoneyOut = Type.Object({ amount: Type.Integer({ description: 'Integer minor units' }), currency: Type.String() });
