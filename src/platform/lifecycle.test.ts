import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { defineLifecycle } from './lifecycle.js';

const door = defineLifecycle({
  name: 'door',
  states: ['closed', 'open', 'locked'],
  events: ['open', 'close', 'lock', 'unlock'],
  initial: ['closed'],
  transitions: [
    { from: 'closed', event: 'open', to: 'open' },
    { from: 'open', event: 'close', to: 'closed' },
    { from: 'closed', event: 'lock', to: 'locked', guard: 'holds the key' },
    { from: 'locked', event: 'unlock', to: 'closed' },
  ],
});

describe('defineLifecycle', () => {
  it('answers every (state, event) pair from the table alone', () => {
    expect(door.next('closed', 'open')).toBe('open');
    expect(door.next('open', 'lock')).toBeNull();
    expect(door.fromStates('lock')).toEqual(['closed']);
    expect(door.assert('locked', 'unlock')).toBe('closed');
    try {
      door.assert('open', 'unlock');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).status).toBe(409);
      expect((e as AppError).code).toBe('invalid_transition');
      expect((e as AppError).details).toEqual({ entity: 'door', from: 'open', event: 'unlock', status: 'open' });
    }
  });

  it('refuses a table that declares a pair twice or names an unknown state', () => {
    expect(() =>
      defineLifecycle({ name: 'x', states: ['a', 'b'], events: ['go'], initial: ['a'], transitions: [{ from: 'a', event: 'go', to: 'b' }, { from: ['a'], event: 'go', to: 'a' }] }),
    ).toThrow(/declared twice/);
    expect(() =>
      defineLifecycle({ name: 'x', states: ['a'], events: ['go'], initial: ['a'], transitions: [{ from: 'a', event: 'go', to: 'b' as 'a' }] }),
    ).toThrow(/unknown state/);
  });

  it('writes ; and # in a guard as Mermaid entities, so a guard cannot end its statement', () => {
    const lc = defineLifecycle({ name: 'x', states: ['a', 'b'], events: ['go'], initial: ['a'], transitions: [{ from: 'a', event: 'go', to: 'b', guard: 'paid; #1' }] });
    expect(lc.mermaid().split('\n')[2]).toBe('  a --> b: go [paid#59; #35;1]');
  });

  it('draws the table as a Mermaid state diagram', () => {
    expect(door.mermaid()).toBe(
      ['stateDiagram-v2', '  [*] --> closed', '  closed --> open: open', '  open --> closed: close', '  closed --> locked: lock [holds the key]', '  locked --> closed: unlock'].join('\n'),
    );
  });
});
