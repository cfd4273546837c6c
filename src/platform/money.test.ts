import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { add, allocate, applyRate, money, multiply } from './money.js';

describe('money', () => {
  it('refuses floats, bad currencies and mixed currencies', () => {
    expect(() => money(1.5, 'USD')).toThrow(/minor units/);
    expect(() => money(100, 'usd')).toThrow(/ISO 4217/);
    expect(() => add(money(1, 'USD'), money(1, 'EUR'))).toThrow(/USD with EUR/);
    expect(() => multiply(money(Number.MAX_SAFE_INTEGER, 'USD'), 2)).toThrow(/out of range/);
  });

  it('applies rates in basis points, rounding half away from zero', () => {
    expect(applyRate(1999, 800)).toBe(160); // 159.92
    expect(applyRate(1250, 400)).toBe(50);
    expect(applyRate(125, 400)).toBe(5); // 5.0
    expect(applyRate(1, 5000)).toBe(1); // 0.5 → 1
    expect(applyRate(-1, 5000)).toBe(-1);
  });

  it('allocates every minor unit exactly (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 1, maxLength: 20 }).filter((w) => w.some((x) => x > 0)),
        (total, weights) => {
          const parts = allocate(total, weights);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
          parts.forEach((p, i) => {
            if (weights[i] === 0) expect(p).toBe(0);
          });
        },
      ),
    );
  });
});
