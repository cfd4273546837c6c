import { defineLifecycle, lifecycleWriters } from '../../platform/lifecycle.js';
import { afterSalesCases, CASE_STATUSES, type CaseStatus } from './schema.js';

const OPEN = ['requested', 'seller_accepted', 'seller_rejected', 'escalated', 'return_shipped', 'return_received'] as const satisfies readonly CaseStatus[];

/**
 * An after-sales case (decision 006): the seller answers, the buyer ships a return, an operator
 * decides an escalated one; deadlines move it on their own (the jobs in service.ts). Terminal:
 * refunded, resolved_buyer, resolved_seller, closed.
 */
export const caseLifecycle = defineLifecycle({
  name: 'after_sales_case',
  states: CASE_STATUSES,
  events: ['accept', 'reject', 'refund', 'ship_return', 'receive_return', 'replace', 'escalate', 'decide_for_buyer', 'decide_for_seller', 'resolve_frozen', 'withdraw', 'expire'],
  initial: ['requested'],
  transitions: [
    { from: 'requested', event: 'accept', to: 'seller_accepted', guard: 'the seller, or nobody answered in time' },
    { from: 'requested', event: 'reject', to: 'seller_rejected', guard: 'the seller, with a note' },
    { from: 'seller_accepted', event: 'refund', to: 'refunded', guard: 'refund_only: paid back from escrow at once' },
    { from: 'return_received', event: 'refund', to: 'refunded', guard: 'return_and_refund: paid back from escrow' },
    { from: 'seller_accepted', event: 'ship_return', to: 'return_shipped', guard: 'the buyer, within the return window' },
    { from: 'return_shipped', event: 'receive_return', to: 'return_received', guard: 'the seller confirms, or the receipt window passed' },
    { from: 'return_received', event: 'replace', to: 'resolved_buyer', guard: 'replacement: the seller ships it again' },
    { from: OPEN.filter((s) => s !== 'escalated'), event: 'escalate', to: 'escalated', guard: 'either side, the buyer not before the seller answers' },
    { from: 'escalated', event: 'decide_for_buyer', to: 'resolved_buyer', guard: 'an operator: full or partial refund' },
    { from: 'escalated', event: 'decide_for_seller', to: 'resolved_seller', guard: 'an operator rejects the claim' },
    { from: OPEN, event: 'resolve_frozen', to: 'resolved_buyer', guard: 'trust and safety froze the shop: refunded what escrow holds' },
    { from: OPEN, event: 'withdraw', to: 'closed', guard: 'the buyer' },
    { from: 'seller_accepted', event: 'expire', to: 'closed', guard: 'the return was not shipped in time' },
    { from: 'seller_rejected', event: 'expire', to: 'closed', guard: 'the rejection was not escalated in time' },
  ],
});
export type CaseEvent = (typeof caseLifecycle.events)[number];

/** `transitionCase` applies `event` to the case (409 `invalid_transition` unless the table allows it); `tryTransitionCase` answers null instead of a refusal. */
export const { apply: transitionCase, try: tryTransitionCase } = lifecycleWriters(caseLifecycle, afterSalesCases);
