import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { newId } from './ids.js';
import { checkIdCursor, pageOf } from './pagination.js';

describe('keyset pages by id', () => {
  it('pageOf keeps the first `limit` rows; the cursor is the last one kept, and only when more were read', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 20 }), (n, limit) => {
        const found = Array.from({ length: n }, (_, i) => ({ id: `row_${String(i).padStart(3, '0')}` }));
        const { rows, next_cursor } = pageOf(found, limit);
        expect(rows).toEqual(found.slice(0, limit));
        expect(next_cursor).toBe(n > limit ? found[limit - 1]!.id : null);
      }),
    );
  });

  it('checkIdCursor accepts no cursor and an id of the prefix; anything else is 400 invalid_cursor', () => {
    expect(() => checkIdCursor(undefined, 'inv')).not.toThrow();
    expect(() => checkIdCursor(newId('inv'), 'inv')).not.toThrow();
    for (const bad of [newId('shp'), 'inv_', '', 'not-an-id']) {
      let caught: unknown;
      try {
        checkIdCursor(bad, 'inv');
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(AppError);
      expect(caught).toMatchObject({ code: 'invalid_cursor', status: 400 });
    }
  });
});
