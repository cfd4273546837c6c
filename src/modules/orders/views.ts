import { Type } from '@sinclair/typebox';
import { MoneyOut } from '../cart/index.js';
import { toPaymentView } from '../payments/index.js';
import type { CheckoutOutcome } from './paying.js';

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

export const CheckoutResult = Type.Object({
  payment: PaymentOut,
  orders: Type.Array(Type.Object({ id: Type.String(), shop_id: Type.String(), status: Type.String(), total: MoneyOut })),
});

export function checkoutView(o: CheckoutOutcome) {
  return {
    payment: toPaymentView(o.payment),
    orders: o.orders.map((x) => ({ id: x.id, shop_id: x.shopId, status: x.status, total: { amount: x.total, currency: x.currency } })),
  };
}
