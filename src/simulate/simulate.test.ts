import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../test/db.js';
import { runSimulation } from './simulate.js';

describe('loopshop simulate', () => {
  it('runs buyers, sellers, the carrier and after-sales on simulated time; the ledger reconciles; the same seed gives the same run', async () => {
    const run = async () => {
      const database = await freshDatabase();
      try {
        return await runSimulation({ orders: 120, days: 20, seed: 7, database });
      } finally {
        await database.close();
      }
    };
    const a = await run();
    expect(a.reconcile.problems).toEqual([]);
    expect(a.reconcile.balanced).toBe(true);
    expect(a.orders.placed + a.orders.declined + a.orders.refused).toBeGreaterThanOrEqual(120);
    expect(a.orders.by_status.completed ?? 0).toBeGreaterThan(0);
    expect(a.orders.by_status.cancelled ?? 0).toBeGreaterThan(0);
    expect(Object.values(a.sla_breaches).reduce((n, v) => n + v, 0)).toBeGreaterThan(0);
    expect(Object.values(a.flags).reduce((n, v) => n + v, 0)).toBeGreaterThan(0);
    // The daily batches ran and the rail settled their payouts a day later.
    expect(a.payouts_paid).toBeGreaterThan(0);
    expect(a.payouts_failed).toBe(0);
    const b = await run();
    const { elapsed_ms: _a, reconcile: _ra, ...sa } = a;
    const { elapsed_ms: _b, reconcile: _rb, ...sb } = b;
    expect(sb).toEqual(sa);
  }, 240_000);
});
