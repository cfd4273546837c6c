import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY } from '../../platform/clock.js';
import { testApp, type TestApp } from '../../test/app.js';
import { applicationForm } from '../../test/applications.js';
import { flagShipment, listShipmentsOfOrder } from '../fulfillment/index.js';
import { addToCart, cardBody, checkoutReq, shopWithProduct } from '../orders/index.js';
import { saveDocument } from '../sellers/index.js';
import { createShop } from '../sellers/index.js';

type Auth = { authorization: string };
interface Res {
  statusCode: number;
  body: string;
  json(): unknown;
}
interface Entry {
  id: string;
  at: string;
  actor_id: string | null;
  actor: { id: string; name: string; email: string } | null;
  action: string;
  target_type: string;
  target_id: string;
  data: Record<string, unknown>;
}
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const PDF = Buffer.from('%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
const usd = (amount: number) => ({ amount, currency: 'USD' });

/**
 * "Audit log of every operator action (who, what, when, why)": every operator mutation route is
 * walked once and must leave exactly its entry, with the operator, the object and the reason.
 */
describe('audit log: every operator action is recorded', () => {
  let t: TestApp;
  let dir: string;
  let operator: { id: string; email: string; auth: Auth };
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'loopshop-audit-'));
    t = await testApp({ dataDir: dir });
    operator = await t.account({ roles: ['operator'], name: 'Olga Operator' });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const req = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, auth?: Auth, payload?: object) =>
    t.app.inject({ method, url, headers: auth ?? {}, ...(payload ? { payload } : {}) });
  const ok = (res: Res, status = 200): Json => {
    expect(res.statusCode, res.body).toBe(status);
    return res.json() as Json;
  };
  const audit = async (query = '') => ok(await req('GET', `/v1/admin/audit?limit=100${query}`, operator.auth)) as { data: Entry[]; next_cursor: string | null };
  /** Runs one operator mutation and returns the audit entries it added (newest first). */
  const added = async (run: () => Promise<unknown>): Promise<Entry[]> => {
    const before = new Set((await audit()).data.map((e) => e.id));
    await run();
    return (await audit()).data.filter((e) => !before.has(e.id));
  };
  const one = async (run: () => Promise<unknown>): Promise<Entry> => {
    const entries = await added(run);
    expect(entries).toHaveLength(1);
    const e = entries[0]!;
    expect(e.actor_id).toBe(operator.id);
    expect(e.actor).toEqual({ id: operator.id, name: 'Olga Operator', email: operator.email });
    expect(e.at).toBe(t.clock.now().toISOString());
    return e;
  };

  async function paidOrder(shop: { skuIds: string[] }) {
    const buyer = await t.account();
    await addToCart(t, buyer.auth, shop.skuIds[0]!);
    const res = ok(await checkoutReq(t, buyer.auth, cardBody()), 201);
    return { buyer, orderId: res.orders[0].id as string };
  }

  it('markets, link policy, invitations, applications, commission rules, payouts, flags, disputes, managed operations', async () => {
    const seen: string[] = [];
    const check = (e: Entry, expected: Partial<Entry> & { data?: Record<string, unknown> }) => {
      const { data, ...rest } = expected;
      expect(e).toMatchObject(rest);
      if (data) expect(e.data).toMatchObject(data);
      seen.push(e.action);
    };

    // Markets and link policy.
    check(await one(() => req('PATCH', '/v1/admin/markets/US', operator.auth, { slot_quota: 500 }).then((r) => ok(r))), {
      action: 'market.edit',
      target_type: 'market',
      target_id: 'US',
      data: { changes: { slot_quota: 500 } },
    });
    check(await one(() => req('PUT', '/v1/admin/markets/GB/link-policy', operator.auth, { mode: 'semi_closed' }).then((r) => ok(r))), {
      action: 'link_policy.set',
      target_id: 'GB',
    });

    // Invitations: the code itself never reaches the log.
    let inv: Json = {};
    check(
      await one(async () => {
        inv = ok(await req('POST', '/v1/invitations', operator.auth, { market: 'US', category: 'outdoor', max_uses: 3, expires_at: '2030-01-01T00:00:00Z' }), 201);
      }),
      { action: 'invitation.create', target_type: 'invitation', target_id: inv.id, data: { market: 'US', category: 'outdoor', max_uses: 3 } },
    );
    expect(JSON.stringify((await audit('&action=invitation.create')).data)).not.toContain(inv.code as string);

    // An application: start review, ask for more (the questions are the why).
    const applicant = await t.account();
    const docs = [];
    for (const kind of ['local_stock_proof', 'sales_statement', 'licence'] as const) docs.push((await saveDocument(t.db, t.clock, dir, applicant.id, kind, PDF)).id);
    const application = ok(
      await req('POST', '/v1/seller-applications', applicant.auth, applicationForm(inv.code, docs, { company_name: 'Audited Outdoor Inc' })),
      201,
    );
    expect(application.status).toBe('submitted');
    check(await one(() => req('POST', `/v1/seller-applications/${application.id}/review`, operator.auth, { action: 'start_review' }).then((r) => ok(r))), {
      action: 'application.start_review',
      target_type: 'seller_application',
      target_id: application.id,
      data: { status: 'in_review', company_name: 'Audited Outdoor Inc' },
    });
    check(
      await one(() =>
        req('POST', `/v1/seller-applications/${application.id}/review`, operator.auth, { action: 'needs_info', questions: ['Which carrier do you use?'], note: 'Missing carrier' }).then((r) => ok(r)),
      ),
      { action: 'application.needs_info', data: { reason: 'Missing carrier', questions: ['Which carrier do you use?'], status: 'needs_info' } },
    );
    check(await one(() => req('POST', `/v1/invitations/${inv.id}/revoke`, operator.auth).then((r) => ok(r))), { action: 'invitation.revoke', target_id: inv.id });

    // Commission rules: created, then ended.
    let rule: Json = {};
    check(
      await one(async () => {
        rule = ok(await req('POST', '/v1/admin/commission-rules', operator.auth, { category: 'luxury', rate_bps: 0, new_shop_days: 90, subsidy_bps: 200 }), 201);
      }),
      { action: 'commission_rule.create', target_type: 'commission_rule', target_id: rule.id, data: { category: 'luxury', rate_bps: 0, new_shop_days: 90, subsidy_bps: 200 } },
    );
    const end = new Date(t.clock.now().getTime() + DAY).toISOString();
    check(await one(() => req('PATCH', `/v1/admin/commission-rules/${rule.id}`, operator.auth, { effective_to: end }).then((r) => ok(r))), {
      action: 'commission_rule.end',
      target_id: rule.id,
      data: { effective_to: end },
    });

    // Payout hold and the payout batch.
    const shop = await shopWithProduct(t, { name: 'Audited Shop', variants: [{ price: 1500, onHand: 50 }] });
    check(await one(() => req('PUT', `/v1/admin/shops/${shop.shopId}/payout-hold`, operator.auth, { hold: true, reason: 'Identity check' }).then((r) => ok(r))), {
      action: 'payout_hold.set',
      target_type: 'shop',
      target_id: shop.shopId,
      data: { reason: 'Identity check' },
    });
    check(await one(() => req('PUT', `/v1/admin/shops/${shop.shopId}/payout-hold`, operator.auth, { hold: false, reason: 'Checked' }).then((r) => ok(r))), {
      action: 'payout_hold.clear',
      target_id: shop.shopId,
    });
    check(await one(() => req('POST', '/v1/admin/payouts/run', operator.auth).then((r) => ok(r))), { action: 'payouts.run', target_type: 'payout_batch' });

    // A fake-tracking flag cleared with a note.
    const flagged = await paidOrder(shop);
    ok(await req('POST', `/v1/orders/${flagged.orderId}/shipments`, shop.owner.auth, { carrier: 'sandbox' }), 201);
    const [shipment] = await listShipmentsOfOrder(t.db, flagged.orderId);
    expect(await flagShipment(t.db, t.clock, shipment!, 'tracking_reused', { other_order_id: 'ord_x' })).toBe(true);
    const flag = ok(await req('GET', '/v1/admin/fulfillment/flags', operator.auth)).data.find((f: Json) => f.order_id === flagged.orderId);
    check(await one(() => req('POST', `/v1/admin/fulfillment/flags/${flag.id}/clear`, operator.auth, { note: 'Carrier confirmed the parcel' }).then((r) => ok(r))), {
      action: 'fulfillment_flag.clear',
      target_type: 'fulfillment_flag',
      target_id: flag.id,
      data: { reason: 'Carrier confirmed the parcel', order_id: flagged.orderId, shop_id: shop.shopId },
    });

    // A dispute decided.
    const c = ok(await req('POST', `/v1/orders/${flagged.orderId}/after-sales`, flagged.buyer.auth, { type: 'refund_only', reason: 'Never arrived' }), 201);
    ok(await req('POST', `/v1/after-sales/${c.id}/reject`, shop.owner.auth, { note: 'Tracking shows delivery' }));
    ok(await req('POST', `/v1/after-sales/${c.id}/escalate`, flagged.buyer.auth, { note: 'Help' }));
    check(await one(() => req('POST', `/v1/after-sales/${c.id}/decide`, operator.auth, { outcome: 'reject', note: 'Tracking shows delivery' }).then((r) => ok(r))), {
      action: 'case.decide',
      target_type: 'after_sales_case',
      target_id: c.id,
      data: { outcome: 'reject', reason: 'Tracking shows delivery', order_id: flagged.orderId },
    });

    // Fully managed: offers accepted and rejected, inbound received, a product edited, an order shipped.
    const owner = await t.account();
    const managed = await createShop(t.db, t.clock, { name: 'Managed Co', market: 'US', currency: 'USD', timezone: 'UTC', mode: 'managed', ownerId: owner.id });
    const offerBody = {
      title: 'Mug',
      description: 'Stoneware.',
      category: 'kitchen',
      option_names: [],
      variants: [{ option_values: [], supply_price: usd(600), quantity_available: 10 }],
    };
    const offer = ok(await req('POST', `/v1/shops/${managed.id}/supply-offers`, owner.auth, offerBody), 201);
    let accepted: Json = {};
    check(
      await one(async () => {
        accepted = ok(await req('POST', `/v1/admin/supply-offers/${offer.id}/accept`, operator.auth, { retail_prices: [{ variant_index: 0, price: usd(1500) }] }));
      }),
      { action: 'supply_offer.accept', target_type: 'supply_offer', target_id: offer.id, data: { shop_id: managed.id, product_id: accepted.product_id } },
    );
    const second = ok(await req('POST', `/v1/shops/${managed.id}/supply-offers`, owner.auth, { ...offerBody, title: 'Bowl' }), 201);
    check(await one(() => req('POST', `/v1/admin/supply-offers/${second.id}/reject`, operator.auth, { note: 'Not for this market' }).then((r) => ok(r))), {
      action: 'supply_offer.reject',
      target_id: second.id,
      data: { reason: 'Not for this market' },
    });
    const sku = accepted.variants[0].sku_id as string;
    const inbound = ok(await req('POST', `/v1/shops/${managed.id}/inbound-shipments`, owner.auth, { warehouse_id: accepted.warehouse_id, items: [{ sku_id: sku, quantity: 5 }] }), 201);
    check(
      await one(() =>
        req('POST', `/v1/admin/inbound-shipments/${inbound.id}/receive`, operator.auth, { items: [{ sku_id: sku, received_quantity: 4 }], note: 'One broken' }).then((r) => ok(r)),
      ),
      { action: 'inbound.receive', target_type: 'inbound_shipment', target_id: inbound.id, data: { reason: 'One broken', shop_id: managed.id } },
    );
    check(await one(() => req('PATCH', `/v1/products/${accepted.product_id}`, operator.auth, { title: 'Stoneware mug' }).then((r) => ok(r))), {
      action: 'product.update',
      target_type: 'product',
      target_id: accepted.product_id,
      data: { shop_id: managed.id, changes: { title: 'Stoneware mug' } },
    });
    const managedOrder = await paidOrder({ skuIds: [sku] });
    check(await one(() => req('POST', `/v1/orders/${managedOrder.orderId}/shipments`, operator.auth, { carrier: 'sandbox' }).then((r) => ok(r, 201))), {
      action: 'shipment.create',
      target_type: 'order',
      target_id: managedOrder.orderId,
      data: { shop_id: managed.id, carrier: 'sandbox' },
    });
    // A seller shipping their own order is not an operator action.
    const own = await paidOrder(shop);
    expect(await added(() => req('POST', `/v1/orders/${own.orderId}/shipments`, shop.owner.auth, { carrier: 'sandbox' }).then((r) => ok(r, 201)))).toEqual([]);

    // Trust and safety: an action on a shop, its appeal denied, the action reversed; a market's health thresholds.
    let warning: Json = {};
    check(
      await one(async () => {
        warning = ok(await req('POST', `/v1/admin/shops/${shop.shopId}/actions`, operator.auth, { type: 'warning', reason: 'Late parcels' }), 201);
      }),
      { action: 'shop_action.created', target_type: 'shop', target_id: shop.shopId, data: { action_id: warning.id, type: 'warning', reason: 'Late parcels' } },
    );
    const appealed = await req('POST', `/v1/shop-actions/${warning.id}/appeal`, shop.owner.auth, { message: 'A carrier strike' });
    expect(appealed.statusCode, appealed.body).toBeLessThan(300);
    check(await one(() => req('POST', `/v1/admin/shop-actions/${warning.id}/appeal-decision`, operator.auth, { decision: 'deny', reason: 'Other carriers ran' }).then((r) => ok(r))), {
      action: 'shop_action.appeal_denied',
      target_id: shop.shopId,
      data: { action_id: warning.id, reason: 'Other carriers ran' },
    });
    check(await one(() => req('POST', `/v1/admin/shop-actions/${warning.id}/reverse`, operator.auth, { reason: 'Parcels on time again' }).then((r) => ok(r))), {
      action: 'shop_action.reversed',
      target_id: shop.shopId,
      data: { action_id: warning.id, reason: 'Parcels on time again' },
    });
    const thresholds = ok(await req('GET', '/v1/admin/markets/US/health-thresholds', operator.auth));
    check(await one(() => req('PUT', '/v1/admin/markets/US/health-thresholds', operator.auth, { ...thresholds, window_days: 45 }).then((r) => ok(r))), {
      action: 'health_thresholds.updated',
      target_type: 'market',
      target_id: 'US',
      data: { window_days: 45 },
    });

    expect(seen).toHaveLength(22);
  });

  it('a refused operator action leaves no entry', async () => {
    const before = (await audit()).data.length;
    expect((await req('POST', '/v1/invitations/inv_00000000000000000000000000/revoke', operator.auth)).statusCode).toBe(404);
    expect((await req('PATCH', '/v1/admin/markets/US', operator.auth, { required_documents: ['licence'], sales_threshold: { amount: 1, currency: 'EUR' } })).statusCode).toBe(400);
    const rule = ok(await req('POST', '/v1/admin/commission-rules', operator.auth, { rate_bps: 700 }), 201);
    expect((await req('PATCH', `/v1/admin/commission-rules/${rule.id}`, operator.auth, { effective_to: '2000-01-01T00:00:00Z' })).statusCode).toBe(400);
    expect((await audit()).data.length).toBe(before + 1);
    expect((await audit()).data[0]).toMatchObject({ action: 'commission_rule.create', target_id: rule.id });
  });

  it('filters: a kind of action, the actor by id or email, a target, a time range; pages; operators only', async () => {
    const other = await t.account({ roles: ['operator'], name: 'Otto' });
    t.clock.advance(DAY);
    const mark = t.clock.now().toISOString();
    ok(await req('POST', '/v1/admin/commission-rules', other.auth, { category: 'books', rate_bps: 500 }), 201);
    ok(await req('POST', '/v1/admin/commission-rules', operator.auth, { category: 'toys', rate_bps: 600 }), 201);

    const rules = (await audit('&action=commission_rule.*')).data;
    expect(rules.length).toBeGreaterThanOrEqual(4);
    expect(rules.every((e) => e.action.startsWith('commission_rule.'))).toBe(true);
    const byOtto = (await audit(`&actor=${encodeURIComponent(other.email)}`)).data;
    expect(byOtto.map((e) => [e.action, e.actor?.name])).toEqual([['commission_rule.create', 'Otto']]);
    expect((await audit(`&actor=${other.id}`)).data).toEqual(byOtto);
    expect((await audit('&actor=nobody@example.test')).data).toEqual([]);
    const since = (await audit(`&from=${encodeURIComponent(mark)}`)).data;
    expect(since.map((e) => e.data.category)).toEqual(['toys', 'books']);
    expect((await audit(`&to=${encodeURIComponent(mark)}&action=commission_rule.create`)).data.every((e) => e.at < mark)).toBe(true);
    expect((await audit(`&target_type=market&target_id=US`)).data.map((e) => e.action)).toEqual(['health_thresholds.updated', 'market.edit']);
    expect((await req('GET', `/v1/admin/audit?from=${encodeURIComponent(mark)}&to=${encodeURIComponent(mark)}`, operator.auth)).statusCode).toBe(400);

    const first = ok(await req('GET', '/v1/admin/audit?limit=2', operator.auth));
    const next = ok(await req('GET', `/v1/admin/audit?limit=2&cursor=${first.next_cursor}`, operator.auth));
    expect(next.data[0].id < first.data[1].id).toBe(true);

    expect((await req('GET', '/v1/admin/audit')).statusCode).toBe(401);
    expect((await req('GET', '/v1/admin/audit', (await t.account()).auth)).statusCode).toBe(403);
  });
});
