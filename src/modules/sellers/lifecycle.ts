import { defineLifecycle, lifecycleWriters } from '../../platform/lifecycle.js';
import { APPLICATION_STATUSES, sellerApplications } from './schema.js';

/**
 * A seller application (decision 004): filed `submitted` (the automatic checks may reject it at
 * once), reviewed by an operator, answered or fixed by the applicant.
 */
export const applicationLifecycle = defineLifecycle({
  name: 'seller_application',
  states: APPLICATION_STATUSES,
  events: ['auto_reject', 'start_review', 'approve', 'reject', 'needs_info', 'resubmit'],
  initial: ['submitted'],
  transitions: [
    { from: 'submitted', event: 'auto_reject', to: 'rejected', guard: 'an automatic check failed' },
    { from: 'submitted', event: 'start_review', to: 'in_review', guard: 'an operator' },
    { from: 'in_review', event: 'approve', to: 'approved', guard: 'a market slot is free, no duplicate company: the shop opens' },
    { from: 'in_review', event: 'reject', to: 'rejected', guard: 'an operator, with the reason' },
    { from: 'in_review', event: 'needs_info', to: 'needs_info', guard: 'an operator, with questions' },
    { from: 'needs_info', event: 'resubmit', to: 'submitted', guard: 'the applicant answers' },
    { from: 'rejected', event: 'resubmit', to: 'submitted', guard: 'rejected by the automatic checks only' },
  ],
});
export type ApplicationEvent = (typeof applicationLifecycle.events)[number];

/** `transitionApplication` applies `event` to the application (409 `invalid_transition` unless the table allows it); `tryTransitionApplication` answers null instead of a refusal. */
export const { apply: transitionApplication, try: tryTransitionApplication } = lifecycleWriters(applicationLifecycle, sellerApplications);
