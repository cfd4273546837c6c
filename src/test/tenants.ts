import { eq, sql } from 'drizzle-orm';
import { rows } from '../platform/db.js';
import { DAY } from '../platform/clock.js';
import type { TestApp } from './app.js';
import { applicationForm } from './applications.js';
import { shipAndDeliver } from './delivery.js';
import { createProduct } from '../modules/catalog/index.js';
import { insertVideo } from '../modules/content/index.js';
import { shipments } from '../modules/fulfillment/index.js';
import { flagShipment } from '../modules/fulfillment/index.js';
import { notify } from '../modules/notifications/index.js';
import { createShop } from '../modules/sellers/index.js';
import { createOperatorAction } from '../modules/trust/index.js';
import { freezeShop } from '../flows/index.js';
import { cardBody } from '../modules/orders/index.js';
import { multipartBody } from './openapi.js';
import { stockKeeper } from '../modules/inventory/index.js';

/**
 * Tenant A's world for the sweeps: one account that holds every role (buyer, seller, creator,
 * operator) owns a self-fulfilled and a managed shop with products, stock, a paid and shipped
 * order with an after-sales case and evidence, a delivered order with a review, a cart line, a
 * video, a scheduled live session, an import, supply offers and an inbound shipment, an
 * invitation, a commission rule, a shop action (a warning), a fake-tracking flag and notifications;
 * a second A account applied to sell with documents. Built through the HTTP API where a route
 * exists (so the sweeps start from states the API itself makes), through services otherwise.
 */
export interface TenantWorld {
  /** A's all-roles account: owner of everything below except the seller application. */
  owner: { id: string; token: string; auth: { authorization: string } };
  applicant: { id: string; token: string; auth: { authorization: string } };
  shopId: string;
  managedShopId: string;
  /** Every id in the database after A's world is built, by prefix (`ord` → [...]). */
  ids: Map<string, string[]>;
}

type Auth = { authorization: string };

export const PDF = Buffer.from('%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
export const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64)]);
export const CSV_EXPORT = Buffer.from(
  'Handle,Title,Body (HTML),Option1 Name,Option1 Value,Variant SKU,Variant Inventory Qty,Variant Price\r\nmug,Mug,<p>Stoneware</p>,Size,S,MUG-S,5,12.00\r\n',
);

export async function buildTenantWorld(t: TestApp): Promise<TenantWorld> {
  const call = async (method: string, url: string, auth: Auth, payload?: unknown, expected = [200, 201, 202, 204]) => {
    const res = await t.app.inject({ method, url, headers: auth, ...(payload === undefined ? {} : { payload: payload as object }) });
    if (!expected.includes(res.statusCode)) throw new Error(`tenant fixture: ${method} ${url} answered ${res.statusCode} ${res.body}`);
    return res.statusCode === 204 ? null : (res.json() as Record<string, unknown> & { id: string });
  };
  const upload = async (url: string, auth: Auth, fields: Array<[string, string]>, file: Buffer, name: string) => {
    const { payload, contentType } = multipartBody(fields, [['file', file, name]]);
    const res = await t.app.inject({ method: 'POST', url, headers: { ...auth, 'content-type': contentType }, payload });
    if (res.statusCode >= 300) throw new Error(`tenant fixture: POST ${url} answered ${res.statusCode} ${res.body}`);
    return res.json() as { id: string };
  };

  const a = await t.account({ roles: ['buyer', 'seller', 'creator', 'operator'], name: 'Tenant A' });
  const owner = { id: a.id, token: a.token, auth: a.auth };
  const shop = await createShop(t.db, t.clock, { name: 'A Shop', market: 'US', currency: 'USD', timezone: 'UTC', ownerId: a.id });
  const product = await createProduct(t.db, t.clock, stockKeeper, shop.id, {
    title: 'A product',
    status: 'live',
    option_names: ['Size'],
    variants: [
      { option_values: ['S'], price: { amount: 1000, currency: 'USD' }, stock: { on_hand: 50 } },
      { option_values: ['M'], price: { amount: 1200, currency: 'USD' }, stock: { on_hand: 50 } },
    ],
  });
  await createProduct(t.db, t.clock, stockKeeper, shop.id, { title: 'A draft', status: 'draft', option_names: [], variants: [{ option_values: [], price: { amount: 500, currency: 'USD' }, stock: { on_hand: 1 } }] });
  await call('POST', `/v1/shops/${shop.id}/warehouses`, a.auth, { name: 'A back room', address: { line1: '1 A St', city: 'Springfield', postal_code: '12345', country: 'US' } });
  const [skuS, skuM] = product.variants.map((v) => v.sku_id) as [string, string];

  // A paid order, shipped, with an after-sales case and evidence; a line left in the cart.
  await call('POST', '/v1/cart/items', a.auth, { sku_id: skuS, quantity: 2 });
  const bought = await call('POST', '/v1/checkout', a.auth, cardBody());
  const orderId = (bought!.orders as Array<{ id: string }>)[0]!.id;
  await call('POST', `/v1/orders/${orderId}/shipments`, a.auth, { carrier: 'sandbox', tracking_number: 'A-TRACK-1' });
  const evidence = await upload('/v1/after-sales/evidence', a.auth, [], PNG, 'photo.png');
  await call('POST', `/v1/orders/${orderId}/after-sales`, a.auth, { type: 'refund_only', reason: 'Arrived damaged', reason_code: 'damaged', amount: 500, evidence_ids: [evidence.id] });
  // A second order, delivered (sandbox carrier webhook), with A's review of its item.
  await call('POST', '/v1/cart/items', a.auth, { sku_id: skuS, quantity: 1 });
  const delivered = (((await call('POST', '/v1/checkout', a.auth, cardBody()))!.orders as Array<{ id: string }>)[0]!).id;
  await shipAndDeliver(t, delivered, a.auth);
  const deliveredItem = ((await call('GET', `/v1/orders/${delivered}`, a.auth))!.items as Array<{ id: string }>)[0]!.id;
  await call('POST', `/v1/orders/${delivered}/items/${deliveredItem}/review`, a.auth, { rating: 4, text: 'A review' });
  await call('POST', '/v1/cart/items', a.auth, { sku_id: skuM, quantity: 1 });
  const [shipment] = await t.db.select().from(shipments).where(eq(shipments.orderId, orderId));
  await t.db.transaction((tx) => flagShipment(tx, t.clock, shipment!, 'tracking_reused'));
  await notify(t.db, t.clock, [{ userId: a.id, type: 'sweep', title: 'For A', body: 'Only A may read this' }]);

  // Content: a video anchored to A's product (processing: visible to its creator only).
  await insertVideo(t.db, t.clock, { creatorId: a.id, caption: 'A video', productIds: [product.id] }, { type: 'sweep.noop', payload: {} });

  // Import of a small Shopify export (queued; the sweeps never run jobs).
  await upload(`/v1/shops/${shop.id}/imports`, a.auth, [['file_name', 'products.csv']], CSV_EXPORT, 'products.csv');

  // Managed shop: an accepted offer with an inbound shipment, and an offer still submitted.
  const managed = await createShop(t.db, t.clock, { name: 'A Managed', market: 'US', currency: 'USD', timezone: 'UTC', mode: 'managed', ownerId: a.id });
  const mug = {
    title: 'Managed mug',
    description: 'Stoneware.',
    category: 'kitchen',
    option_names: ['Color'],
    variants: [{ option_values: ['Red'], supply_price: { amount: 600, currency: 'USD' }, quantity_available: 100 }],
  };
  const offer = await call('POST', `/v1/shops/${managed.id}/supply-offers`, a.auth, mug);
  const accepted = await call('POST', `/v1/admin/supply-offers/${offer!.id}/accept`, a.auth, { retail_prices: [{ variant_index: 0, price: { amount: 1500, currency: 'USD' } }] });
  const red = (accepted!.variants as Array<{ sku_id: string }>)[0]!.sku_id;
  await call('POST', `/v1/shops/${managed.id}/inbound-shipments`, a.auth, { warehouse_id: accepted!.warehouse_id, items: [{ sku_id: red, quantity: 10 }] });
  await call('POST', `/v1/shops/${managed.id}/supply-offers`, a.auth, { ...mug, title: 'Second mug' });

  // Operator objects.
  const invitation = await call('POST', '/v1/invitations', a.auth, { market: 'US', category: 'outdoor', max_uses: 5, expires_at: new Date(t.clock.now().getTime() + 7 * DAY).toISOString() });
  await call('POST', '/v1/admin/commission-rules', a.auth, { rate_bps: 500 });
  await createOperatorAction(t.db, t.clock, freezeShop(t.app.ctx.strategies.payments), a.id, shop.id, { type: 'warning', reason: 'Late dispatches' });

  // A's creator schedules a live session pinning A's product.
  await call('POST', '/v1/live', a.auth, { title: 'A live', stream_url: 'https://video.example.com/live/a.m3u8', product_ids: [product.id] });

  // A's applicant: documents and a submitted application.
  const ap = await t.account({ name: 'Tenant A applicant' });
  const docs: string[] = [];
  for (const kind of ['local_stock_proof', 'sales_statement', 'licence']) docs.push((await upload('/v1/seller-applications/documents', ap.auth, [['kind', kind]], PDF, 'doc.pdf')).id);
  await call('POST', '/v1/seller-applications', ap.auth, applicationForm(String(invitation!.code), docs, { company_name: 'A Trail Gear Inc.' }));

  return { owner, applicant: { id: ap.id, token: ap.token, auth: ap.auth }, shopId: shop.id, managedShopId: managed.id, ids: await idsByPrefix(t) };
}

/** Every `prefix_…` id in every `id` column of the public schema, grouped by prefix. */
export async function idsByPrefix(t: TestApp): Promise<Map<string, string[]>> {
  const tables = await rows<{ t: string }>(
    t.db,
    sql`select table_name as t from information_schema.columns where table_schema = 'public' and column_name = 'id' and data_type = 'text'`,
  );
  const out = new Map<string, string[]>();
  for (const { t: table } of tables) {
    const ids = await rows<{ id: string }>(t.db, sql.raw(`select id from "${table}" order by id`));
    for (const { id } of ids) {
      const m = /^([a-z]{2,5})_[0-9a-z]{26}$/.exec(id);
      if (!m) continue;
      const list = out.get(m[1]!) ?? [];
      list.push(id);
      out.set(m[1]!, list);
    }
  }
  return out;
}
