import type { TestApp } from '../../test/app.js';
import { createProduct } from '../catalog/index.js';
import { createShop } from '../sellers/index.js';
import { SANDBOX_CARDS } from '../payments/index.js';
import { newId } from '../../platform/ids.js';
import { videoAnchors, videos } from '../content/index.js';
import { livePins, liveSessions } from '../live/index.js';
import { stockKeeper } from '../inventory/index.js';

/** Test fixtures for cart, checkout and orders (used by *.test.ts only). */

export interface ShopFixture {
  owner: { id: string; auth: { authorization: string } };
  shopId: string;
  productId: string;
  skuIds: string[];
}

/** A shop (own owner account) with one live product whose variants have the given prices and stock. */
export async function shopWithProduct(
  t: TestApp,
  opts: { name?: string; market?: string; currency?: string; shippingFee?: number; variants: Array<{ price: number; onHand: number }>; status?: 'live' | 'draft' },
): Promise<ShopFixture> {
  const owner = await t.account({ name: `${opts.name ?? 'Shop'} Owner` });
  const currency = opts.currency ?? 'USD';
  const shop = await createShop(t.db, t.clock, {
    name: opts.name ?? 'Test Shop',
    market: opts.market ?? 'US',
    currency,
    timezone: 'UTC',
    shippingFee: opts.shippingFee ?? 0,
    ownerId: owner.id,
  });
  const product = await createProduct(t.db, t.clock, stockKeeper, shop.id, {
    title: `${opts.name ?? 'Test'} product`,
    status: opts.status ?? 'live',
    option_names: opts.variants.length > 1 ? ['Size'] : [],
    variants: opts.variants.map((v, i) => ({
      option_values: opts.variants.length > 1 ? [`S${i}`] : [],
      price: { amount: v.price, currency },
      stock: { on_hand: v.onHand },
    })),
  });
  return { owner: { id: owner.id, auth: owner.auth }, shopId: shop.id, productId: product.id, skuIds: product.variants.map((v) => v.sku_id) };
}

export const ADDRESS = { name: 'Ada Buyer', line1: '1 Main St', city: 'Springfield', postal_code: '12345', country: 'US' };

export const cardBody = (number: string = SANDBOX_CARDS.succeeds) => ({
  shipping_address: ADDRESS,
  payment_method: { type: 'card' as const, number, exp_month: 12, exp_year: 2030, cvc: '123' },
});

export async function addToCart(t: TestApp, auth: { authorization: string }, skuId: string, quantity = 1, source?: Record<string, string>) {
  const res = await t.app.inject({ method: 'POST', url: '/v1/cart/items', headers: auth, payload: { sku_id: skuId, quantity, ...(source ? { source } : {}) } });
  if (res.statusCode !== 201) throw new Error(`add to cart: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** A shop whose one product has one variant at `price` with `onHand` in stock, and a new buyer with `quantity` of it in the cart. */
export async function buyerWithCart(t: TestApp, opts: { price: number; onHand: number; quantity: number }) {
  const s = await shopWithProduct(t, { variants: [{ price: opts.price, onHand: opts.onHand }] });
  const buyer = await t.account();
  await addToCart(t, buyer.auth, s.skuIds[0]!, opts.quantity);
  return { s, buyer };
}

export function checkoutReq(t: TestApp, auth: { authorization: string }, body: object = cardBody(), key?: string) {
  return t.app.inject({ method: 'POST', url: '/v1/checkout', headers: { ...auth, ...(key ? { 'idempotency-key': key } : {}) }, payload: body });
}

/**
 * A video by `creatorId` anchoring `productIds`, visible (ready) unless `status` says otherwise:
 * the fact a creator's affiliate attribution comes from. Returns its id.
 */
export async function videoAnchoring(t: TestApp, creatorId: string, productIds: string[], opts: { status?: 'ready' | 'processing' | 'failed' } = {}): Promise<string> {
  const id = newId('vid');
  const now = t.clock.now();
  const status = opts.status ?? 'ready';
  await t.db.insert(videos).values({ id, creatorId, caption: 'Look at this', status, publishedAt: status === 'ready' ? now : null, createdAt: now });
  if (productIds.length > 0) {
    await t.db.insert(videoAnchors).values(productIds.map((productId, position) => ({ id: newId('anc'), videoId: id, position, type: 'product' as const, productId })));
  }
  return id;
}

/** A live session hosted by `hostId` with `productIds` pinned, `live` unless `status` says otherwise. Returns its id. */
export async function livePinning(t: TestApp, hostId: string, productIds: string[], opts: { status?: 'scheduled' | 'live' | 'ended' } = {}): Promise<string> {
  const id = newId('liv');
  const now = t.clock.now();
  const status = opts.status ?? 'live';
  await t.db.insert(liveSessions).values({
    id,
    creatorId: hostId,
    title: 'Live now',
    streamUrl: 'https://stream.example.com/live.m3u8',
    status,
    scheduledAt: now,
    startedAt: status === 'scheduled' ? null : now,
    endedAt: status === 'ended' ? now : null,
    lastActiveAt: now,
    createdAt: now,
    updatedAt: now,
  });
  if (productIds.length > 0) await t.db.insert(livePins).values(productIds.map((productId, position) => ({ liveId: id, productId, position, pinnedAt: now })));
  return id;
}
