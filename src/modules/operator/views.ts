import { Type } from '@sinclair/typebox';
import { Money } from '../../platform/http-schemas.js';
import { SERIES_DAYS } from './service.js';

const Count = (description: string) => Type.Integer({ minimum: 0, description });

const Gmv = Type.Array(Type.Ref(Money), { description: 'Value of the orders paid that day, one entry per currency (none: no paid order)' });

/** The operator console's overview as the API shows it. */
export const OverviewOut = Type.Object({
  date: Type.String({ format: 'date', description: 'The day shown (UTC)' }),
  timezone: Type.Literal('UTC', { description: 'The platform day is the UTC day: the platform spans markets and time zones' }),
  gmv: Gmv,
  orders: Count('Orders placed that day, whatever became of them'),
  paid_orders: Count('Orders paid that day'),
  open_cases: Count('After-sales cases not finished, now'),
  escalated_cases: Count('Of those, escalated and waiting for an operator, now'),
  sla_breaches: Count('SLA breaches recorded that day (late dispatch, pickup, delivery)'),
  flags: Count('Fake-tracking flags raised that day'),
  open_flags: Count('Fake-tracking flags waiting for review, now'),
  new_applications: Count('Seller applications waiting for an operator (status `submitted`), now: the count of the applications queue filtered to `submitted`'),
  shops: Type.Object({ active: Count('now'), suspended: Count('now'), frozen: Count('now') }),
  series: Type.Array(
    Type.Object({ date: Type.String({ format: 'date' }), orders: Type.Integer(), paid_orders: Type.Integer(), gmv: Gmv }),
    { description: `The ${SERIES_DAYS} days ending with \`date\`, oldest first` },
  ),
});
