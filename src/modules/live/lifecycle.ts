import { defineLifecycle, lifecycleWriters } from '../../platform/lifecycle.js';
import { LIVE_STATUSES, liveSessions } from './schema.js';

/**
 * A creator's live session. A scheduled one that will not happen is ended by its creator (the
 * same `POST /v1/live/{id}/end`, `end_reason: creator`); the platform ends only live ones.
 */
export const liveLifecycle = defineLifecycle({
  name: 'live_session',
  states: LIVE_STATUSES,
  events: ['start', 'end', 'auto_end'],
  initial: ['scheduled'],
  transitions: [
    { from: 'scheduled', event: 'start', to: 'live', guard: 'its creator attests exclusivity and is live nowhere else' },
    { from: ['scheduled', 'live'], event: 'end', to: 'ended', guard: 'its creator ends it' },
    { from: 'live', event: 'auto_end', to: 'ended', guard: 'no console heartbeat for 30 min, or live for 12 h' },
  ],
});
export type LiveEvent = (typeof liveLifecycle.events)[number];

/** `transitionLive` applies `event` to the session (409 `invalid_transition` unless the table allows it); `tryTransitionLive` answers null instead of a refusal. */
export const { apply: transitionLive, try: tryTransitionLive } = lifecycleWriters(liveLifecycle, liveSessions);
