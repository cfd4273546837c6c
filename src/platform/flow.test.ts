import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { FlowUndoFailed, runFlow } from './flow.js';

describe('runFlow', () => {
  it('returns the body result and undoes nothing after success', async () => {
    const log: string[] = [];
    const out = await runFlow('ok', async (f) => {
      const a = await f.step('a', async () => 1, async () => void log.push('undo a'));
      const b = await f.step('b', async () => a + 1, async () => void log.push('undo b'));
      return a + b;
    });
    expect(out).toBe(3);
    expect(log).toEqual([]);
  });

  it('undoes the done steps in reverse, with their results, then rethrows the same error', async () => {
    const log: string[] = [];
    const boom = new AppError('out_of_stock', 409, 'no');
    const run = runFlow('fails', async (f) => {
      await f.step('a', async () => 'A', async (r) => void log.push(`undo a ${r}`));
      await f.step('no-undo', async () => log.push('ran no-undo'));
      await f.step('b', async () => 'B', async (r) => void log.push(`undo b ${r}`));
      await f.step('c', async () => {
        throw boom;
      }, async () => void log.push('undo c'));
    });
    await expect(run).rejects.toBe(boom);
    expect(log).toEqual(['ran no-undo', 'undo b B', 'undo a A']);
  });

  it('runs the remaining undos when one fails and reports it as flow_undo_failed', async () => {
    const log: string[] = [];
    const boom = new Error('step failed');
    const err = await runFlow('half', async (f) => {
      await f.step('a', async () => 0, async () => void log.push('undo a'));
      await f.step('b', async () => 0, async () => {
        throw new Error('undo b failed');
      });
      await f.step('c', async () => {
        throw boom;
      });
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlowUndoFailed);
    const f = err as FlowUndoFailed;
    expect(f.code).toBe('flow_undo_failed');
    expect(f.status).toBe(500);
    expect(f.original).toBe(boom);
    expect(f.cause).toBe(boom);
    expect(f.failures.map((x) => x.step)).toEqual(['b']);
    expect((f.failures[0]!.error as Error).message).toBe('undo b failed');
    expect(f.details).toEqual({ flow: 'half', steps: ['b'] });
    expect(log).toEqual(['undo a']);
  });

  it('does not undo a step whose own run threw', async () => {
    const log: string[] = [];
    await expect(
      runFlow('self', async (f) => {
        await f.step('a', async () => {
          throw new Error('x');
        }, async () => void log.push('undo a'));
      }),
    ).rejects.toThrow('x');
    expect(log).toEqual([]);
  });
});
