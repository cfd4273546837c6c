import { expect } from 'vitest';
import { SandboxCarrier } from '../modules/fulfillment/index.js';
import { ADDRESS } from '../modules/orders/index.js';
import type { TestApp } from './app.js';

/**
 * Ships the whole order (`shipper`: a member of its shop, or an operator for a managed shop) with
 * the sandbox carrier, which picks it up and delivers it at once (signed carrier webhook):
 * completion is due when the delivery window ends. Returns the tracking number.
 */
export async function shipAndDeliver(t: TestApp, orderId: string, shipper: { authorization: string }): Promise<string> {
  const ship = await t.app.inject({ method: 'POST', url: `/v1/orders/${orderId}/shipments`, headers: shipper, payload: { carrier: 'sandbox' } });
  expect(ship.statusCode, ship.body).toBe(201);
  const tracking = (ship.json() as { tracking_number: string }).tracking_number;
  const at = t.clock.now().toISOString();
  const { rawBody, headers } = new SandboxCarrier(t.clock, t.secrets.carrier).sign([
    { id: `picked-${orderId}`, tracking_number: tracking, status: 'picked_up', at, postal_code: null, description: 'picked up' },
    { id: `delivered-${orderId}`, tracking_number: tracking, status: 'delivered', at, postal_code: ADDRESS.postal_code, description: 'delivered' },
  ]);
  const hook = await t.app.inject({ method: 'POST', url: '/v1/webhooks/carriers/sandbox', headers, payload: rawBody });
  expect(hook.statusCode, hook.body).toBe(200);
  return tracking;
}
