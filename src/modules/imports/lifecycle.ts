import { applyTransition, defineLifecycle, tryTransition, type TransitionOptions } from '../../platform/lifecycle.js';
import type { Db } from '../../platform/db.js';
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

const target = { table: imports, id: imports.id, status: imports.status };

/** Applies `event` to the import (409 `invalid_transition` unless the table allows it). */
export const transitionImport = (db: Db, id: string, event: ImportEvent, opts?: TransitionOptions) => applyTransition(db, importLifecycle, target, id, event, opts);

/** `transitionImport`, null instead of a refusal. */
export const tryTransitionImport = (db: Db, id: string, event: ImportEvent, opts?: TransitionOptions) => tryTransition(db, importLifecycle, target, id, event, opts);
