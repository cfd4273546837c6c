import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../platform/db.js';
import { isStorableDate } from '../../platform/validation.js';
import { testApp, type TestApp } from '../../test/app.js';
import { addToCart, cardBody, checkoutReq, shopWithProduct } from '../orders/index.js';
import { SANDBOX_CARDS, SandboxProvider } from '../payments/index.js';
import { SandboxCarrier } from './sandbox-carrier.js';

/**
 * Issue 14, hole 5: well-signed webhooks whose JSON carries NUL, lone surrogates or times outside
 * the storable range answered 500 (and the batch rolled back on every retry). Each such delivery
 * is refused whole with a 400 and nothing is written.
 */
describe('signed webhooks with unstorable input: 400, nothing written', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(() => t.close());

  const carrier = () => new SandboxCarrier(t.clock, t.secrets.carrier);
  const provider = () => new SandboxProvider(t.clock, t.secrets.payments);
  const count = async (table: 'tracking_events' | 'webhook_events') => (await rows<{ n: number }>(t.db, sql`select count(*)::int as n from ${sql.raw(table)}`))[0]!.n;

  async function shipment() {
    const s = await shopWithProduct(t, { variants: [{ price: 900, onHand: 10 }] });
    const buyer = await t.account();
    await addToCart(t, buyer.auth, s.skuIds[0]!, 1);
    const order = (await checkoutReq(t, buyer.auth, cardBody())).json().orders[0];
    const res = await t.app.inject({ method: 'POST', url: `/v1/orders/${order.id}/shipments`, headers: s.owner.auth, payload: { carrier: 'sandbox' } });
    expect(res.statusCode, res.body).toBe(201);
    return { id: res.json().id as string, tracking: res.json().tracking_number as string, buyer };
  }

  const event = (tracking: string, id: string, over: Record<string, unknown> = {}) => ({
    id,
    tracking_number: tracking,
    status: 'picked_up',
    at: t.clock.now().toISOString(),
    postal_code: null,
    description: 'scan',
    ...over,
  });
  /** Signs a raw body as the carrier would: the JSON text is exactly what is sent (escapes included). */
  const postScans = (events: object[]) => {
    const { rawBody, headers } = carrier().signBody(JSON.stringify({ events }));
    return t.app.inject({ method: 'POST', url: '/v1/webhooks/carriers/sandbox', headers, payload: rawBody });
  };

  it('carrier: NUL or a lone surrogate anywhere in a batch refuses the whole delivery (400 well_formed_text), the good event is not written', async () => {
    const s = await shipment();
    const before = await count('tracking_events');
    for (const bad of [{ description: 'a\u0000b' }, { description: 'x\uD800y' }, { tracking_number: `${s.tracking}\uDC00` }, { id: 'e\u0000' }]) {
      const res = await postScans([event(s.tracking, 'ok-1'), event(s.tracking, 'bad-1', { status: 'in_transit', ...bad })]);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'validation_failed', details: [{ rule: 'well_formed_text' }] });
    }
    expect(await count('tracking_events')).toBe(before);
    const view = (await t.app.inject({ method: 'GET', url: `/v1/shipments/${s.id}`, headers: s.buyer.auth })).json();
    expect(view).toMatchObject({ status: 'label_created', timeline: [] });
    // The same batch without the bad event applies (the refusal was the text, not the batch).
    expect((await postScans([event(s.tracking, 'ok-1')])).json()).toEqual({ received: 1, applied: 1, duplicates: 0 });
  });

  it('carrier: times outside years 1000-9999 or not a time refuse the delivery (400 invalid_event), nothing written', async () => {
    const s = await shipment();
    const before = await count('tracking_events');
    for (const at of ['+275760-09-13T00:00:00.000Z', '-004714-01-01T00:00:00.000Z', '+010000-01-01T00:00:00.000Z', '0001-01-01T00:00:00.000Z', '0999-12-31T23:59:59.999Z', 'yesterday', '2026-02-30T25:00:00Z']) {
      const res = await postScans([event(s.tracking, 'fine'), event(s.tracking, `t-${at}`, { at })]);
      expect(res.statusCode, `${at}: ${res.body}`).toBe(400);
      expect(res.json().error.code).toBe('invalid_event');
    }
    expect(await count('tracking_events')).toBe(before);
    // Edges of the range are stored and read back.
    const edge = await postScans([event(s.tracking, 'edge-1', { at: '1000-01-01T00:00:00.000Z' }), event(s.tracking, 'edge-2', { status: 'in_transit', at: '9999-12-31T23:59:59.999Z' })]);
    expect(edge.json()).toEqual({ received: 2, applied: 2, duplicates: 0 });
    const view = (await t.app.inject({ method: 'GET', url: `/v1/shipments/${s.id}`, headers: s.buyer.auth })).json();
    expect(view.timeline.map((e: { at: string }) => e.at).sort()).toEqual(['1000-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']);
  });

  it('payments: NUL or a lone surrogate in a signed event is 400 and claims nothing; the payment stays open', async () => {
    const s = await shopWithProduct(t, { variants: [{ price: 600, onHand: 2 }] });
    const buyer = await t.account();
    await addToCart(t, buyer.auth, s.skuIds[0]!, 1);
    const { payment } = (await checkoutReq(t, buyer.auth, cardBody(SANDBOX_CARDS.requiresAction))).json();
    const [p] = await rows<{ provider_ref: string }>(t.db, sql`select provider_ref from payments where id = ${payment.id}`);
    const before = await count('webhook_events');
    const ev = provider().event('payment.succeeded', { intent_id: p!.provider_ref, payment_id: payment.id, amount: 600, currency: 'USD', last4: '3220' });
    for (const bad of [{ ...ev, id: 'evt\u0000x' }, { ...ev, data: { ...ev.data, last4: '32\uDBFF' } }, { ...ev, extra: { 'k\u0000': 1 } }]) {
      const { rawBody, headers } = provider().signBody(JSON.stringify(bad));
      const res = await t.app.inject({ method: 'POST', url: '/v1/webhooks/payments/sandbox', headers, payload: rawBody });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'validation_failed', details: [{ rule: 'well_formed_text' }] });
    }
    expect(await count('webhook_events')).toBe(before);
    const [after] = await rows<{ status: string }>(t.db, sql`select status from payments where id = ${payment.id}`);
    expect(after!.status).toBe('requires_action');
  });

  it('isStorableDate: Invalid Date and years outside 0001-9999 are refused', () => {
    expect(isStorableDate(new Date(NaN))).toBe(false);
    expect(isStorableDate(new Date(8.64e15))).toBe(false);
    expect(isStorableDate(new Date(-8.64e15))).toBe(false);
    expect(isStorableDate(new Date('0050-06-01T00:00:00Z'))).toBe(false);
    expect(isStorableDate(new Date('2026-03-02T09:00:00Z'))).toBe(true);
  });
});
