import { describe, expect, it } from 'vitest';
import { defineLifecycle } from '../platform/lifecycle.js';
import { conflict } from '../platform/errors.js';
import { walkLifecycle, type WalkSubject } from './lifecycle-walk.js';

const lamp = defineLifecycle({
  name: 'lamp',
  states: ['off', 'on', 'broken'],
  events: ['switch_on', 'switch_off', 'drop'],
  initial: ['off'],
  transitions: [
    { from: 'off', event: 'switch_on', to: 'on' },
    { from: 'on', event: 'switch_off', to: 'off' },
    { from: ['off', 'on'], event: 'drop', to: 'broken' },
  ],
});
type State = (typeof lamp.states)[number];
type Event = (typeof lamp.events)[number];

/** An in-memory store of lamps whose `apply` is given. */
function lamps(apply: (row: { status: State; touched: number }, event: Event) => unknown): WalkSubject<State, Event> {
  const rows = new Map<string, { status: State; touched: number }>();
  return {
    async make(state) {
      const id = `lamp${rows.size}`;
      rows.set(id, { status: state, touched: 0 });
      return id;
    },
    apply: async (id, event) => apply(rows.get(id)!, event),
    read: async (id) => ({ ...rows.get(id)! }),
  };
}

describe('walkLifecycle', () => {
  it('passes a transition function that follows the table', async () => {
    await walkLifecycle(
      lamp,
      lamps((row, event) => {
        row.status = lamp.assert(row.status, event);
        row.touched++;
      }),
    );
  });

  it('fails one that moves a pair the table refuses, or writes while refusing, or answers another code', async () => {
    const ignoresTable = lamps((row, event) => {
      row.status = event === 'switch_on' ? 'on' : event === 'switch_off' ? 'off' : 'broken';
    });
    await expect(walkLifecycle(lamp, ignoresTable)).rejects.toThrow();
    const writesAnyway = lamps((row, event) => {
      row.touched++;
      row.status = lamp.assert(row.status, event);
    });
    await expect(walkLifecycle(lamp, writesAnyway)).rejects.toThrow();
    const otherCode = lamps((row, event) => {
      if (lamp.next(row.status, event) === null) throw conflict('invalid_state', 'no', { status: row.status });
      row.status = lamp.assert(row.status, event);
    });
    await expect(walkLifecycle(lamp, otherCode)).rejects.toThrow();
  });

  it('fails one that refuses a pair the table allows', async () => {
    const neverDrops = lamps((row, event) => (event === 'drop' ? null : (row.status = lamp.assert(row.status, event))));
    await expect(walkLifecycle(lamp, neverDrops)).rejects.toThrow(/drop/);
  });
});
