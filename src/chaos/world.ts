import { randomBytes } from 'node:crypto';
import { SettableClock } from '../platform/clock.js';
import type { Database } from '../platform/db.js';
import { createSession, signUp } from '../modules/identity/index.js';
import type { Api } from './http.js';
import type { Random } from '../simulate/random.js';

/**
 * The cast of a chaos run, created through the public API: an operator (the one account made
 * directly in the database: no API makes the first operator), sellers onboarded the way real
 * sellers are (invitation → documents → application → operator review → shop), their products
 * and stock, buyers and creators who sign up.
 */
export interface Actor {
  id: string;
  token: string;
}

export interface Sku {
  id: string;
  shopId: string;
  productId: string;
  price: number;
  /** Units created with the product. */
  initial: number;
  /** `on_hand` values the seller set later (PUT stock), in order. */
  sets: number[];
  /** Flash-sale SKU: never restocked, so sold + left = initial exactly. */
  hot: boolean;
}

export interface Seller extends Actor {
  shopId: string;
  warehouseId: string;
  skus: Sku[];
  /** The shop's status was `active` when last looked at (trust & safety suspends and freezes shops). */
  active: boolean;
}

export interface Buyer extends Actor {
  postalCode: string;
}

export interface World {
  operator: Actor;
  /** A seller who is also a creator and hosts live sessions in its own shop (sellers[0]). */
  host: Seller;
  sellers: Seller[];
  buyers: Buyer[];
  creators: Actor[];
  skus: Map<string, Sku>;
  currency: string;
  /** The operator's invitation for new sellers. */
  invitationCode: string;
}

export const PASSWORD = 'chaos-harness-password';
const PDF = Buffer.from('%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
const US_DOCUMENTS = ['local_stock_proof', 'sales_statement', 'licence'];

/** Migrates and creates the operator with a long session, directly in the database (before the server starts). */
export async function bootstrapOperator(database: Database, now: Date): Promise<Actor> {
  await database.migrate();
  const clock = new SettableClock(now);
  const user = await signUp(database.db, clock, {
    email: 'operator@chaos.loopshop.dev',
    password: randomBytes(16).toString('hex'),
    name: 'Chaos Operator',
    roles: ['operator'],
  });
  const { token } = await createSession(database.db, clock, user.id, 3650);
  return { id: user.id, token };
}

/**
 * A creator who will also sell (the live host), made directly in the database like the operator:
 * no API grants the creator role. The harness onboards it as a seller through the API.
 */
export async function bootstrapHost(database: Database, now: Date): Promise<Actor> {
  const clock = new SettableClock(now);
  const user = await signUp(database.db, clock, {
    email: `host-${randomBytes(4).toString('hex')}@chaos.loopshop.dev`,
    password: randomBytes(16).toString('hex'),
    name: 'Chaos Live Host',
    roles: ['buyer', 'creator'],
  });
  const { token } = await createSession(database.db, clock, user.id, 3650);
  return { id: user.id, token };
}

export async function signUpActor(api: Api, tag: string, name: string): Promise<Actor> {
  const r = await api.must<{ token: string; user: { id: string } }>('POST', '/v1/auth/sign-up', {
    body: { email: `${tag}-${randomBytes(4).toString('hex')}@chaos.loopshop.dev`, password: PASSWORD, name },
  });
  return { id: r.user.id, token: r.token };
}

/** Invitation → sign-up → documents → application → review → approval: a seller with a shop. */
export async function onboardSeller(api: Api, operator: Actor, invitationCode: string, index: number, as?: Actor): Promise<Seller> {
  const a = as ?? (await signUpActor(api, `seller${index}`, `Chaos Seller ${index}`));
  const docs: string[] = [];
  for (const kind of US_DOCUMENTS) {
    const form = new FormData();
    form.append('kind', kind);
    form.append('file', new Blob([PDF], { type: 'application/pdf' }), 'document.pdf');
    docs.push((await api.must<{ id: string }>('POST', '/v1/seller-applications/documents', { token: a.token, form })).id);
  }
  const suffix = randomBytes(4).toString('hex').toUpperCase();
  const app = await api.must<{ id: string; status: string }>('POST', '/v1/seller-applications', {
    token: a.token,
    body: {
      invitation_code: invitationCode,
      category: 'outdoor',
      mode: 'self_fulfilled',
      company_name: `Chaos Goods ${index} ${suffix}`,
      registration_number: `REG-${suffix}-${index}`,
      tax_id: `TAX-${suffix}-${index}`,
      contact: { name: `Seller ${index}`, email: `seller${index}@chaos.example`, phone: '+1 555 0100' },
      yearly_sales: { amount: 250_000_000, currency: 'USD', marketplace: 'Elsewhere' },
      warehouses: [{ name: 'Main', address: { line1: '1 Port St', city: 'Newark', region: 'NJ', postal_code: '07102', country: 'US' } }],
      document_ids: docs,
    },
  });
  if (app.status !== 'submitted') throw new Error(`seller application ${app.id} is ${app.status}, expected submitted`);
  await api.must('POST', `/v1/seller-applications/${app.id}/review`, { token: operator.token, body: { action: 'start_review' } });
  const approved = await api.must<{ shop_id: string | null; status: string }>('POST', `/v1/seller-applications/${app.id}/review`, {
    token: operator.token,
    body: { action: 'approve', note: 'Chaos harness' },
  });
  if (!approved.shop_id) throw new Error(`application ${app.id} approved without a shop`);
  const wh = await api.must<{ data: Array<{ id: string; is_default?: boolean }> }>('GET', `/v1/shops/${approved.shop_id}/warehouses`, { token: a.token });
  const warehouseId = wh.data[0]?.id;
  if (!warehouseId) throw new Error(`shop ${approved.shop_id} has no warehouse`);
  return { ...a, shopId: approved.shop_id, warehouseId, skus: [], active: true };
}

/** A live product with `variants` SKUs of `stock` units each. */
export async function createProduct(
  api: Api,
  seller: Seller,
  opts: { title: string; category: string; price: number; stock: number; variants: number; hot: boolean; affiliateBps: number },
): Promise<Sku[]> {
  const p = await api.must<{ id: string; variants: Array<{ sku_id: string }> }>('POST', `/v1/shops/${seller.shopId}/products`, {
    token: seller.token,
    body: {
      title: opts.title,
      category: opts.category,
      status: 'live',
      affiliate_rate_bps: opts.affiliateBps,
      ...(opts.variants > 1 ? { option_names: ['Size'] } : {}),
      variants: Array.from({ length: opts.variants }, (_, i) => ({
        ...(opts.variants > 1 ? { option_values: [`S${i}`] } : {}),
        price: { amount: opts.price + i * 100, currency: 'USD' },
        stock: { on_hand: opts.stock },
      })),
    },
  });
  const skus = p.variants.map((v, i) => ({ id: v.sku_id, shopId: seller.shopId, productId: p.id, price: opts.price + i * 100, initial: opts.stock, sets: [], hot: opts.hot }));
  seller.skus.push(...skus);
  return skus;
}

/** A new seller's catalogue: `products` live products of 1–2 SKUs with 20–400 units each. */
export async function stockShop(api: Api, rnd: Random, s: Seller, products: number): Promise<void> {
  const categories = ['outdoor', 'tea', 'electronics', 'home'];
  for (let p = 0; p < products; p++) {
    await createProduct(api, s, {
      title: `Chaos product ${s.shopId.slice(-4)}.${p}`,
      category: rnd.pick(categories),
      price: rnd.int(5, 120) * 100 - 1,
      stock: rnd.int(20, 400),
      variants: rnd.int(1, 2),
      hot: false,
      affiliateBps: rnd.pick([0, 500, 1000]),
    });
  }
}

export interface WorldOptions {
  sellers: number;
  buyers: number;
  creators: number;
  /** Ordinary SKUs per seller (flash-sale SKUs are made later, per sale). */
  productsPerSeller: number;
}

export async function buildWorld(api: Api, rnd: Random, operator: Actor, host: Actor, now: Date, o: WorldOptions, log: (l: string) => void): Promise<World> {
  const t0 = Date.now();
  const inv = await api.must<{ code: string }>('POST', '/v1/invitations', {
    token: operator.token,
    body: { market: 'US', category: 'outdoor', max_uses: 1000, expires_at: new Date(now.getTime() + 3650 * 86_400_000).toISOString() },
  });
  // Suspended shops are replaced by new sellers over a long run: the market takes any number of shops.
  await api.must('PATCH', '/v1/admin/markets/US', { token: operator.token, body: { slot_quota: null } });
  // The commission promotion of the source articles: 0 % for new tea shops with a 3 % subsidy; 5 % electronics.
  await api.must('POST', '/v1/admin/commission-rules', { token: operator.token, body: { category: 'tea', rate_bps: 0, new_shop_days: 90, subsidy_bps: 300 } });
  await api.must('POST', '/v1/admin/commission-rules', { token: operator.token, body: { category: 'electronics', rate_bps: 500 } });
  const sellers: Seller[] = [];
  for (let i = 0; i < Math.max(1, o.sellers); i++) sellers.push(await onboardSeller(api, operator, inv.code, i, i === 0 ? host : undefined));
  for (const s of sellers) await stockShop(api, rnd, s, o.productsPerSeller);
  const buyers: Buyer[] = [];
  const signups = Array.from({ length: o.buyers }, (_, i) => i);
  // Sign-ups hash passwords (scrypt): a few at a time.
  for (let i = 0; i < signups.length; i += 8) {
    const batch = await Promise.all(signups.slice(i, i + 8).map((n) => signUpActor(api, `buyer${n}`, `Chaos Buyer ${n}`)));
    buyers.push(...batch.map((b) => ({ ...b, postalCode: String(10000 + rnd.int(0, 89999)) })));
  }
  const creators: Actor[] = [];
  for (let i = 0; i < o.creators; i++) creators.push(await signUpActor(api, `creator${i}`, `Chaos Creator ${i}`));
  const skus = new Map<string, Sku>();
  for (const s of sellers) for (const k of s.skus) skus.set(k.id, k);
  log(`world: ${sellers.length} sellers, ${skus.size} SKUs, ${buyers.length} buyers, ${creators.length} creators in ${Date.now() - t0} ms`);
  return { operator, host: sellers[0]!, sellers, buyers, creators, skus, currency: 'USD', invitationCode: inv.code };
}
