import { defineLifecycle, lifecycleWriters } from '../../platform/lifecycle.js';
import { IMPORT_STATUSES, imports } from './schema.js';

/** A product import (decision 010): queued by the upload, run in batches by its job, rerun after a failure. */
export const importLifecycle = defineLifecycle({
  name: 'import',
  states: IMPORT_STATUSES,
  events: ['start', 'finish', 'fail', 'rerun'],
  initial: ['queued'],
  transitions: [
    { from: ['queued', 'running'], event: 'start', to: 'running', guard: 'its job claims it (again, after a lease ran out)' },
    { from: 'running', event: 'finish', to: 'done', guard: 'every row of the file is done' },
    { from: ['queued', 'running'], event: 'fail', to: 'failed', guard: 'the last attempt of its job failed' },
    { from: 'failed', event: 'rerun', to: 'queued', guard: 'its owner asks again' },
  ],
});
export type ImportEvent = (typeof importLifecycle.events)[number];

/** `transitionImport` applies `event` to the import (409 `invalid_transition` unless the table allows it); `tryTransitionImport` answers null instead of a refusal. */
export const { apply: transitionImport, try: tryTransitionImport } = lifecycleWriters(importLifecycle, imports);
