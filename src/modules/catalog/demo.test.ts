import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../demo/seed.js';
import { SettableClock } from '../../platform/clock.js';
import type { Database } from '../../platform/db.js';
import { freshDatabase } from '../../test/db.js';
import { authenticate, findUserByEmail } from '../identity/index.js';
import { listShopsForUser } from '../sellers/index.js';
import { listCommissionRules } from '../settlement/index.js';
import { getProduct, getProductsByIds, listProducts } from './service.js';
import { stockKeeper } from '../inventory/index.js';

describe('demo catalog', () => {
  let database: Database;
  const clock = new SettableClock('2026-03-02T09:00:00Z');
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(() => database.close());

  it('seeds three shops with ~30 live, stocked products, quickly', async () => {
    const db = database.db;
    // The catalog part of the seed; the 90-day history on top of it is src/demo/history.test.ts.
    expect(await seedDemo(db, clock, { history: false })).toBe(true); // seedDemo runs seedDemoCatalog
    expect(await seedDemo(db, clock)).toBe(false); // only once
    const shops = [];
    for (const email of ['seller@demo.loopshop.dev', 'seller2@demo.loopshop.dev', 'seller3@demo.loopshop.dev']) {
      shops.push(...(await listShopsForUser(db, (await findUserByEmail(db, email))!.id)));
    }
    expect(shops.map((s) => s.name)).toEqual(['Demo Outdoor Co.', 'Shenzhen Lights', 'Hangzhou Tea House']);
    const out = { shops, productIds: (await listProducts(db, stockKeeper, { limit: 100 })).data.map((p) => p.id) };
    expect(out.productIds).toHaveLength(30);

    const all = await getProductsByIds(db, stockKeeper, out.productIds);
    expect(all.every((p) => p.status === 'live' && p.available >= 20 && p.price_range.min.currency === 'USD')).toBe(true);
    expect(new Set(all.map((p) => p.shop_id))).toEqual(new Set(out.shops.map((s) => s.id)));
    expect(all.every((p) => p.affiliate_rate_bps === 1000)).toBe(true);
    expect((await listCommissionRules(db, { limit: 100 })).data.map((r) => [r.category, r.rate_bps, r.new_shop_days, r.subsidy_bps])).toEqual([
      ['tea', 0, 90, 300],
      [null, 800, null, 0],
    ]);
    for (const id of out.productIds) {
      const p = await getProduct(db, stockKeeper, id);
      expect(p.variants.length).toBeGreaterThanOrEqual(1);
      expect(p.variants.length).toBeLessThanOrEqual(4);
      expect(p.variants.every((v) => v.available >= 20 && v.available <= 200)).toBe(true);
    }
    expect((await listProducts(db, stockKeeper, { q: 'tea', limit: 100 })).data.length).toBeGreaterThanOrEqual(5);
    expect((await listProducts(db, stockKeeper, { limit: 100 })).data).toHaveLength(30);
    for (const email of ['seller2@demo.loopshop.dev', 'seller3@demo.loopshop.dev']) {
      const u = await authenticate(db, email, 'loopshop-demo');
      expect(u.roles).toContain('seller');
    }
  });
});
