import { AppError } from './errors.js';

/**
 * The step runner of `src/flows/` (decision 020): a flow is a named sequence of steps, each a
 * `run` and, where a later step can fail, an `undo`. When a step throws, the undos of the steps
 * already done run in reverse order, then the step's error is rethrown unchanged, so callers and
 * the API see exactly the error they saw before. A step that returns without error is done;
 * nothing is undone after the flow succeeds.
 *
 * Most steps write inside one database transaction, and the transaction is their undo; `undo`
 * is for what a rollback cannot take back: stock reservations committed on their own, payment
 * provider calls (authorize → void, capture → refund), carrier labels.
 *
 * An undo that itself fails leaves the world half-done: the remaining undos still run, and the
 * flow then throws `FlowUndoFailed` (500 `flow_undo_failed`, naming the flow, the failed steps
 * and the original error), never hiding the failure behind the original error.
 */
export interface FlowSteps {
  /** Runs `run`; if it returns, `undo` (given its result) is remembered for a later failure. */
  step<T>(name: string, run: () => Promise<T>, undo?: (result: T) => Promise<unknown>): Promise<T>;
}

export interface UndoFailure {
  step: string;
  error: unknown;
}

export class FlowUndoFailed extends AppError {
  constructor(
    readonly flow: string,
    readonly original: unknown,
    readonly failures: UndoFailure[],
  ) {
    super('flow_undo_failed', 500, `Flow ${flow} failed and could not undo ${failures.map((f) => f.step).join(', ')}`, {
      flow,
      steps: failures.map((f) => f.step),
    });
    this.name = 'FlowUndoFailed';
    this.cause = original;
  }
}

/** Runs `body` as the flow `name`: each `steps.step(...)` is one step (see the module comment). */
export async function runFlow<T>(name: string, body: (steps: FlowSteps) => Promise<T>): Promise<T> {
  const done: Array<{ name: string; undo: () => Promise<unknown> }> = [];
  const steps: FlowSteps = {
    async step(stepName, run, undo) {
      const result = await run();
      if (undo) done.push({ name: stepName, undo: () => undo(result) });
      return result;
    },
  };
  try {
    return await body(steps);
  } catch (e) {
    const failures: UndoFailure[] = [];
    for (const d of done.reverse()) {
      try {
        await d.undo();
      } catch (err) {
        failures.push({ step: d.name, error: err });
      }
    }
    if (failures.length > 0) throw new FlowUndoFailed(name, e, failures);
    throw e;
  }
}
