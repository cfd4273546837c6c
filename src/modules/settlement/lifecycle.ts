import { defineLifecycle, lifecycleWriters } from '../../platform/lifecycle.js';
import { PAYOUT_STATUSES, payouts } from './schema.js';

/** A payout (decision 016): made in transit by the batch, settled once by the payout rail. */
export const payoutLifecycle = defineLifecycle({
  name: 'payout',
  states: PAYOUT_STATUSES,
  events: ['pay', 'fail'],
  initial: ['in_transit'],
  transitions: [
    { from: 'in_transit', event: 'pay', to: 'paid', guard: 'the rail paid it (paid_at)' },
    { from: 'in_transit', event: 'fail', to: 'failed', guard: 'the rail refused it (failed_at, reason): back to the payable' },
  ],
});
export type PayoutEvent = (typeof payoutLifecycle.events)[number];

/** `transitionPayout` applies `event` to the payout (409 `invalid_transition` unless the table allows it); `tryTransitionPayout` answers null instead of a refusal. */
export const { apply: transitionPayout, try: tryTransitionPayout } = lifecycleWriters(payoutLifecycle, payouts);
