import { Type } from '@sinclair/typebox';
import { MoneyOut } from '../../platform/http-schemas.js';


/** A payment as the API shows it. */
export const PaymentOut = Type.Object({
  id: Type.String(),
  status: Type.String(),
  amount: MoneyOut,
  refunded_amount: MoneyOut,
  provider: Type.String(),
  card_last4: Type.Union([Type.String(), Type.Null()]),
  failure_code: Type.Union([Type.String(), Type.Null()]),
  next_action: Type.Union([Type.Object({ type: Type.String(), url: Type.String() }), Type.Null()]),
  expires_at: Type.String({ format: 'date-time' }),
  created_at: Type.String({ format: 'date-time' }),
});
