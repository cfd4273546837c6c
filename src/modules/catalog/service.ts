import type { Static } from '@sinclair/typebox';
import { and, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { AppError, badRequest, conflict, notFound } from '../../platform/errors.js';
import { emit } from '../../platform/events.js';
import { newId } from '../../platform/ids.js';
import type { Money } from '../../platform/money.js';
import { assertLinkFree } from '../links/index.js';
import { activeShopIds, lockShop } from '../sellers/index.js';
import { getShop, getShops, requireShopMember } from '../sellers/index.js';
import { products, skus, type ProductStatus, type SkuStatus } from './schema.js';
import type { StockInput, StockKeeper } from './stock.js';
import { plainText, textLength } from './text.js';
import type { ProductDetailOut, ProductSummaryOut, VariantOut } from './views.js';

/**
 * Catalog: products (a listing of a shop, draft → live, suspended by operators) and their SKUs
 * (one per combination of option values, each with its own price in the shop's currency).
 * Text arrives as HTML or text and is stored as plain text. Search is PostgreSQL full-text
 * (`simple` configuration) over title, description and category.
 */

export const LIMITS = {
  title: 200,
  description: 5000,
  images: 10,
  optionNames: 3,
  variants: 100,
  maxPrice: 100_000_000,
  affiliateRateBps: 5000,
} as const;

const CATEGORY_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const CODE_RE = /^[\x21-\x7e]{1,64}$/;
const IMAGE_RE = /^(?:https?:\/\/[^\s]+|\/media\/[^\s]+)$/;

// ---------------------------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------------------------

export type ProductSummary = Static<typeof ProductSummaryOut>;

export type Variant = Static<typeof VariantOut>;

export type ProductDetail = Static<typeof ProductDetailOut>;

export interface CheckoutSku {
  sku_id: string;
  product_id: string;
  shop_id: string;
  title: string;
  option_values: string[];
  /** Minor units of `currency`. */
  price: number;
  currency: string;
  image: string | null;
  /** Product live, SKU active and the shop active (not suspended or frozen by trust & safety). */
  sellable: boolean;
  /** Frozen into the order item at checkout (settlement reads them). */
  affiliate_rate_bps: number;
  category: string | null;
}

export interface VariantInput {
  option_values?: string[];
  price: Money;
  compare_at_price?: Money | null;
  code?: string | null;
  stock?: StockInput;
}

export interface CreateProductInput {
  title: string;
  description?: string;
  category?: string | null;
  affiliate_rate_bps?: number;
  images?: string[];
  option_names?: string[];
  status?: 'draft' | 'live';
  variants: VariantInput[];
}

export interface VariantPatch {
  /** Present: change that SKU. Absent: a new variant (then `price` is required). */
  sku_id?: string;
  option_values?: string[];
  price?: Money;
  compare_at_price?: Money | null;
  code?: string | null;
  status?: SkuStatus;
  stock?: StockInput;
}

export interface ProductPatch {
  title?: string;
  description?: string;
  category?: string | null;
  affiliate_rate_bps?: number;
  images?: string[];
  status?: 'draft' | 'live';
  variants?: VariantPatch[];
}

type ProductRow = typeof products.$inferSelect;
type SkuRow = typeof skus.$inferSelect;
type ProductFields = Omit<ProductRow, 'search'>;

// ---------------------------------------------------------------------------------------------
// Validation (the service validates everything itself: the seed and imports call it directly)
// ---------------------------------------------------------------------------------------------

const invalid = (field: string, rule: string, message: string): AppError =>
  badRequest('validation_failed', message, [{ field, rule, message }]);

function cleanTitle(raw: string): string {
  const title = plainText(raw);
  if (textLength(title) < 1 || textLength(title) > LIMITS.title) {
    throw invalid('/title', 'length', `Title is 1–${LIMITS.title} characters of text`);
  }
  return title;
}

function cleanDescription(raw: string | undefined): string {
  const description = plainText(raw ?? '', { multiline: true });
  if (textLength(description) > LIMITS.description) {
    throw invalid('/description', 'maxLength', `Description is at most ${LIMITS.description} characters of text`);
  }
  return description;
}

function cleanCategory(raw: string | null | undefined): string | null {
  const category = (raw ?? '').trim().toLowerCase();
  if (category === '') return null;
  if (category.length > 64 || !CATEGORY_RE.test(category)) {
    throw invalid('/category', 'pattern', 'Category is a slug such as "camping-gear"');
  }
  return category;
}

function cleanAffiliateRate(raw: number | undefined): number {
  const rate = raw ?? 0;
  if (!Number.isSafeInteger(rate) || rate < 0 || rate > LIMITS.affiliateRateBps) {
    throw invalid('/affiliate_rate_bps', 'range', `The affiliate rate is 0–${LIMITS.affiliateRateBps} basis points`);
  }
  return rate;
}

function cleanImages(raw: string[] | undefined): string[] {
  const images = raw ?? [];
  if (images.length > LIMITS.images) throw invalid('/images', 'maxItems', `At most ${LIMITS.images} images`);
  images.forEach((url, i) => {
    if (typeof url !== 'string' || url.length > 2048 || !IMAGE_RE.test(url) || url.split(/[/?#]/).includes('..')) {
      throw invalid(`/images/${i}`, 'format', 'Images are http(s) URLs or /media/… paths');
    }
  });
  return images;
}

function cleanOptionNames(raw: string[] | undefined): string[] {
  const names = (raw ?? []).map((n) => plainText(n));
  if (names.length > LIMITS.optionNames) throw invalid('/option_names', 'maxItems', `At most ${LIMITS.optionNames} options`);
  names.forEach((n, i) => {
    if (n.length < 1 || n.length > 50) throw invalid(`/option_names/${i}`, 'length', 'Option names are 1–50 characters');
  });
  if (new Set(names.map((n) => n.toLowerCase())).size !== names.length) {
    throw invalid('/option_names', 'uniqueItems', 'Option names must differ');
  }
  return names;
}

function cleanOptionValues(raw: string[] | undefined, optionNames: string[], field: string): string[] {
  const values = (raw ?? []).map((v) => plainText(v));
  if (values.length !== optionNames.length) {
    throw invalid(field, 'options', `Each variant has one value per option (${optionNames.join(', ') || 'none'})`);
  }
  values.forEach((v, i) => {
    if (v.length < 1 || v.length > 100) throw invalid(`${field}/${i}`, 'length', 'Option values are 1–100 characters');
  });
  return values;
}

function cleanPrice(price: Money, currency: string, field: string): number {
  if (price.currency !== currency) {
    throw badRequest('currency_mismatch', `Prices of this shop are in ${currency}`, [{ field: `${field}/currency`, rule: 'currency', expected: currency }]);
  }
  if (!Number.isSafeInteger(price.amount) || price.amount < 1 || price.amount > LIMITS.maxPrice) {
    throw badRequest('invalid_price', `A price is a whole number of minor units from 1 to ${LIMITS.maxPrice}`, [
      { field: `${field}/amount`, rule: 'range' },
    ]);
  }
  return price.amount;
}

function cleanCode(raw: string | null | undefined, field: string): string | null {
  if (raw === undefined || raw === null || raw === '') return null;
  if (!CODE_RE.test(raw)) throw invalid(field, 'pattern', 'A SKU code is 1–64 printable characters without spaces');
  return raw;
}

function checkCompareAt(price: number, compareAt: number | null, field: string): void {
  if (compareAt !== null && compareAt <= price) {
    throw badRequest('invalid_compare_at_price', 'compare_at_price must be higher than the price', [{ field, rule: 'exclusiveMinimum' }]);
  }
}

const optionKey = (values: string[]) => JSON.stringify(values.map((v) => v.toLowerCase()));

/**
 * A new variant's option values (unique among `seen`, which it joins), price, compare-at price
 * and code, checked; `duplicate` is the message when its option values are taken.
 */
function cleanNewVariant(v: VariantInput, optionNames: string[], currency: string, field: string, seen: Set<string>, duplicate: string) {
  const optionValues = cleanOptionValues(v.option_values, optionNames, `${field}/option_values`);
  const key = optionKey(optionValues);
  if (seen.has(key)) throw invalid(`${field}/option_values`, 'uniqueItems', duplicate);
  seen.add(key);
  const price = cleanPrice(v.price, currency, `${field}/price`);
  const compareAt = v.compare_at_price ? cleanPrice(v.compare_at_price, currency, `${field}/compare_at_price`) : null;
  checkCompareAt(price, compareAt, `${field}/compare_at_price`);
  return { optionValues, price, compareAt, code: cleanCode(v.code, `${field}/code`) };
}

/** Unique-violation of a named index → a clean 409 (two requests racing past the pre-check). */
function isUniqueViolation(e: unknown, constraint: string): boolean {
  for (let err = e as { code?: string; constraint?: string; cause?: unknown } | undefined; err; err = err.cause as typeof err) {
    if (err.code === '23505' && err.constraint === constraint) return true;
  }
  return false;
}

async function checkCodesFree(db: Db, shopId: string, codes: Array<{ code: string; skuId?: string }>): Promise<void> {
  const seen = new Set<string>();
  for (const { code } of codes) {
    if (seen.has(code)) throw conflict('sku_code_taken', `SKU code ${code} is used twice`, { code });
    seen.add(code);
  }
  if (codes.length === 0) return;
  const taken = await db
    .select({ id: skus.id, code: skus.code })
    .from(skus)
    .where(and(eq(skus.shopId, shopId), inArray(skus.code, codes.map((c) => c.code))));
  for (const t of taken) {
    const mine = codes.find((c) => c.code === t.code);
    if (mine && mine.skuId !== t.id) throw conflict('sku_code_taken', `SKU code ${t.code} is already used in this shop`, { code: t.code });
  }
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/** How far back a listing limit counts the shop's new products (trust & safety, decision 012). */
export const LISTING_LIMIT_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Trust & safety (decision 012): a suspended or frozen shop lists nothing (409 `shop_suspended`);
 * a shop under a listing limit creates at most that many products per rolling day (409
 * `listing_limit_reached`), counted under the shop row's lock so two requests cannot both pass.
 */
async function checkMayList(tx: Db, clock: Clock, shop: { id: string; status: string; maxNewListingsPerDay: number | null }): Promise<void> {
  if (shop.status !== 'active') throw conflict('shop_suspended', 'This shop is suspended and cannot list products', { status: shop.status });
  if (shop.maxNewListingsPerDay === null) return;
  const locked = await lockShop(tx, shop.id);
  if (locked.maxNewListingsPerDay === null) return;
  const since = new Date(clock.now().getTime() - LISTING_LIMIT_WINDOW_MS);
  const [row] = await tx
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(products)
    .where(and(eq(products.shopId, shop.id), sql`${products.createdAt} > ${since}`));
  if ((row?.n ?? 0) >= locked.maxNewListingsPerDay) {
    throw conflict('listing_limit_reached', `This shop may create ${locked.maxNewListingsPerDay} products per day for now`, {
      max_new_listings_per_day: locked.maxNewListingsPerDay,
    });
  }
}

/**
 * Creates a product with its variants (1–100) for a shop, and sets their stock in the shop's
 * default warehouse (or the given one of the shop). All or nothing. Returns the product as its
 * members see it.
 */
export async function createProduct(db: Db, clock: Clock, stock: StockKeeper, shopId: string, input: CreateProductInput): Promise<ProductDetail> {
  const title = cleanTitle(input.title);
  const description = cleanDescription(input.description);
  const category = cleanCategory(input.category);
  const affiliateRateBps = cleanAffiliateRate(input.affiliate_rate_bps);
  const images = cleanImages(input.images);
  const optionNames = cleanOptionNames(input.option_names);
  const status = input.status ?? 'draft';
  if (status !== 'draft' && status !== 'live') throw invalid('/status', 'enum', 'New products are draft or live');
  if (!Array.isArray(input.variants) || input.variants.length < 1 || input.variants.length > LIMITS.variants) {
    throw invalid('/variants', 'length', `A product has 1–${LIMITS.variants} variants`);
  }
  return db.transaction(async (tx) => {
    const shop = await getShop(tx, shopId);
    await checkMayList(tx, clock, shop);
    assertLinkFree(shop.market, { title: input.title, description: input.description });
    const seen = new Set<string>();
    const variants = input.variants.map((v, i) => {
      const clean = cleanNewVariant(v, optionNames, shop.currency, `/variants/${i}`, seen, 'Two variants have the same option values');
      return { id: newId('sku'), ...clean, stock: v.stock };
    });
    await checkCodesFree(tx, shopId, variants.flatMap((v) => (v.code ? [{ code: v.code }] : [])));
    const now = clock.now();
    const product: ProductFields = {
      id: newId('prd'),
      shopId,
      title,
      description,
      category,
      affiliateRateBps,
      status,
      images,
      optionNames,
      currency: shop.currency,
      createdAt: now,
      updatedAt: now,
    };
    const skuRows: SkuRow[] = variants.map((v) => ({
      id: v.id,
      productId: product.id,
      shopId,
      optionValues: v.optionValues,
      price: v.price,
      compareAtPrice: v.compareAt,
      code: v.code,
      status: 'active',
      createdAt: now,
    }));
    await tx.insert(products).values(product);
    try {
      await tx.insert(skus).values(skuRows);
    } catch (e) {
      if (isUniqueViolation(e, 'skus_shop_code_idx')) throw conflict('sku_code_taken', 'A SKU code is already used in this shop');
      throw e;
    }
    // New SKUs: their stock rows are new too, and what they have on hand is what they can sell.
    const stocked = variants.flatMap((v) => (v.stock ? [{ skuId: v.id, stock: v.stock }] : []));
    await stock.putStock(tx, clock, shopId, stocked, true);
    const availability = new Map(stocked.map((s) => [s.skuId, s.stock.on_hand]));
    return toDetail(product, skuRows, availability, shop);
  });
}

/**
 * Edits a product: text, category, images, status (draft ↔ live; a suspended product keeps its
 * status), existing variants by `sku_id` (price, compare-at price, code, status, stock) and new
 * variants. Shop and currency never change. At least one variant stays active. All or nothing.
 */
export async function updateProduct(db: Db, clock: Clock, stock: StockKeeper, productId: string, patch: ProductPatch): Promise<ProductDetail> {
  return db.transaction(async (tx) => {
    const [product] = await tx.select().from(products).where(eq(products.id, productId)).for('update');
    if (!product) throw notFound('Product', productId);
    assertLinkFree((await getShop(tx, product.shopId)).market, { title: patch.title, description: patch.description });
    const set: Partial<typeof products.$inferInsert> = {};
    if (patch.title !== undefined) set.title = cleanTitle(patch.title);
    if (patch.description !== undefined) set.description = cleanDescription(patch.description);
    if (patch.category !== undefined) set.category = cleanCategory(patch.category);
    if (patch.affiliate_rate_bps !== undefined) set.affiliateRateBps = cleanAffiliateRate(patch.affiliate_rate_bps);
    if (patch.images !== undefined) set.images = cleanImages(patch.images);
    if (patch.status !== undefined && patch.status !== product.status) {
      if (patch.status !== 'draft' && patch.status !== 'live') throw invalid('/status', 'enum', 'Sellers set draft or live');
      if (product.status === 'suspended') throw conflict('product_suspended', 'This product is suspended by the platform');
      set.status = patch.status;
      await emit(tx, clock, { name: 'product.status_changed', payload: { product_id: productId, status: patch.status } });
    }

    const existing = await tx.select().from(skus).where(eq(skus.productId, productId));
    const byId = new Map(existing.map((s) => [s.id, s]));
    const seenOptions = new Set(existing.map((s) => optionKey(s.optionValues)));
    const changes: Array<{ id: string; set: Partial<typeof skus.$inferInsert> }> = [];
    const created: Array<typeof skus.$inferInsert> = [];
    const stockWrites: Array<{ skuId: string; stock: StockInput }> = [];
    const codes: Array<{ code: string; skuId?: string }> = [];
    const finalStatus = new Map(existing.map((s) => [s.id, s.status]));
    const touched = new Set<string>();
    const now = clock.now();

    (patch.variants ?? []).forEach((v, i) => {
      const field = `/variants/${i}`;
      if (v.sku_id !== undefined) {
        const sku = byId.get(v.sku_id);
        if (!sku) throw notFound('SKU', v.sku_id);
        if (touched.has(sku.id)) throw invalid(`${field}/sku_id`, 'uniqueItems', 'A SKU appears twice');
        touched.add(sku.id);
        if (v.option_values !== undefined && optionKey(v.option_values) !== optionKey(sku.optionValues)) {
          throw invalid(`${field}/option_values`, 'readOnly', 'Option values of an existing variant cannot change; add a new variant');
        }
        const s: Partial<typeof skus.$inferInsert> = {};
        const price = v.price !== undefined ? cleanPrice(v.price, product.currency, `${field}/price`) : sku.price;
        if (v.price !== undefined) s.price = price;
        let compareAt = sku.compareAtPrice;
        if (v.compare_at_price !== undefined) {
          compareAt = v.compare_at_price === null ? null : cleanPrice(v.compare_at_price, product.currency, `${field}/compare_at_price`);
          s.compareAtPrice = compareAt;
        }
        checkCompareAt(price, compareAt, `${field}/compare_at_price`);
        if (v.code !== undefined) {
          s.code = cleanCode(v.code, `${field}/code`);
          if (s.code) codes.push({ code: s.code, skuId: sku.id });
        } else if (sku.code) codes.push({ code: sku.code, skuId: sku.id });
        if (v.status !== undefined) {
          if (v.status !== 'active' && v.status !== 'archived') throw invalid(`${field}/status`, 'enum', 'A variant is active or archived');
          s.status = v.status;
          finalStatus.set(sku.id, v.status);
        }
        if (Object.keys(s).length > 0) changes.push({ id: sku.id, set: s });
        if (v.stock) stockWrites.push({ skuId: sku.id, stock: v.stock });
      } else {
        if (v.price === undefined) throw invalid(`${field}/price`, 'required', 'A new variant needs a price');
        const { optionValues, price, compareAt, code } = cleanNewVariant(
          { ...v, price: v.price },
          product.optionNames,
          product.currency,
          field,
          seenOptions,
          'A variant with these option values exists',
        );
        const id = newId('sku');
        if (code) codes.push({ code, skuId: id });
        const status = v.status ?? 'active';
        if (status !== 'active' && status !== 'archived') throw invalid(`${field}/status`, 'enum', 'A variant is active or archived');
        finalStatus.set(id, status);
        created.push({ id, productId, shopId: product.shopId, optionValues, price, compareAtPrice: compareAt, code, status, createdAt: now });
        if (v.stock) stockWrites.push({ skuId: id, stock: v.stock });
      }
    });
    if (finalStatus.size > LIMITS.variants) throw invalid('/variants', 'maxItems', `A product has at most ${LIMITS.variants} variants`);
    if (![...finalStatus.values()].includes('active')) throw invalid('/variants', 'minActive', 'At least one variant stays active');
    await checkCodesFree(tx, product.shopId, codes);

    try {
      if (Object.keys(set).length > 0 || changes.length > 0 || created.length > 0) {
        await tx.update(products).set({ ...set, updatedAt: now }).where(eq(products.id, productId));
      }
      for (const c of changes) await tx.update(skus).set(c.set).where(eq(skus.id, c.id));
      if (created.length > 0) await tx.insert(skus).values(created);
    } catch (e) {
      if (isUniqueViolation(e, 'skus_shop_code_idx')) throw conflict('sku_code_taken', 'A SKU code is already used in this shop');
      throw e;
    }
    await stock.putStock(tx, clock, product.shopId, stockWrites, false);
    const [row] = await tx.select().from(products).where(eq(products.id, productId));
    return detail(tx, stock, row!, true);
  });
}

/** Operator action: take a product off sale (or back to draft). */
export async function setProductStatus(db: Db, clock: Clock, productId: string, status: ProductStatus): Promise<void> {
  await db.transaction(async (tx) => {
    const res = await tx.update(products).set({ status, updatedAt: clock.now() }).where(eq(products.id, productId)).returning({ id: products.id });
    if (res.length === 0) throw notFound('Product', productId);
    await emit(tx, clock, { name: 'product.status_changed', payload: { product_id: productId, status } });
  });
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

const money = (amount: number, currency: string): Money => ({ amount, currency });

/**
 * The summary shape from a product and its SKUs (archived ones are ignored). A live product of a
 * shop that is not active (suspended or frozen by trust & safety) shows as `suspended`: it is off
 * sale, out of the feed and lists, and comes back when the shop does.
 */
function summarize(p: ProductFields, skuRows: SkuRow[], availability: Map<string, number>, shopActive = true): ProductSummary {
  const active = skuRows.filter((s) => s.productId === p.id && s.status === 'active');
  const prices = active.map((s) => s.price);
  return {
    id: p.id,
    shop_id: p.shopId,
    title: p.title,
    description: p.description,
    category: p.category,
    affiliate_rate_bps: p.affiliateRateBps,
    status: shopActive || p.status !== 'live' ? p.status : 'suspended',
    images: p.images,
    option_names: p.optionNames,
    price_range: {
      min: money(prices.length ? Math.min(...prices) : 0, p.currency),
      max: money(prices.length ? Math.max(...prices) : 0, p.currency),
    },
    available: active.reduce((n, s) => n + (availability.get(s.id) ?? 0), 0),
    created_at: p.createdAt.toISOString(),
    updated_at: p.updatedAt.toISOString(),
  };
}

async function summaries(db: Db, stock: StockKeeper, rows: ProductRow[]): Promise<ProductSummary[]> {
  if (rows.length === 0) return [];
  const skuRows = await db
    .select()
    .from(skus)
    .where(and(inArray(skus.productId, rows.map((r) => r.id)), eq(skus.status, 'active')));
  const availability = await stock.availability(db, skuRows.map((s) => s.id));
  const inactive = new Set((await getShops(db, [...new Set(rows.map((r) => r.shopId))])).filter((s) => s.status !== 'active').map((s) => s.id));
  return rows.map((p) => summarize(p, skuRows, availability, !inactive.has(p.shopId)));
}

const toVariant = (s: SkuRow, currency: string, available: number): Variant => ({
  sku_id: s.id,
  option_values: s.optionValues,
  price: money(s.price, currency),
  compare_at_price: s.compareAtPrice === null ? null : money(s.compareAtPrice, currency),
  code: s.code,
  status: s.status,
  available,
});

const byCreation = (a: SkuRow, b: SkuRow) =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function toDetail(p: ProductFields, skuRows: SkuRow[], availability: Map<string, number>, shop: { id: string; name: string; status?: string }): ProductDetail {
  return {
    ...summarize(p, skuRows, availability, (shop.status ?? 'active') === 'active'),
    variants: [...skuRows].sort(byCreation).map((s) => toVariant(s, p.currency, availability.get(s.id) ?? 0)),
    shop: { id: shop.id, name: shop.name },
  };
}

/** The product with its variants; archived variants only for the shop's members. */
async function detail(db: Db, stock: StockKeeper, product: ProductRow, member: boolean): Promise<ProductDetail> {
  const skuRows = await db
    .select()
    .from(skus)
    .where(and(eq(skus.productId, product.id), member ? undefined : eq(skus.status, 'active')));
  const availability = await stock.availability(db, skuRows.map((s) => s.id));
  return toDetail(product, skuRows, availability, await getShop(db, product.shopId));
}

async function isMember(db: Db, userId: string | undefined, shopId: string): Promise<boolean> {
  if (!userId) return false;
  try {
    await requireShopMember(db, userId, shopId);
    return true;
  } catch (e) {
    if (e instanceof AppError && e.code === 'not_found') return false;
    throw e;
  }
}

/** A product as `viewerId` may see it: live for everyone, any status for the shop's members, else 404. */
export async function getProduct(db: Db, stock: StockKeeper, id: string, opts: { viewerId?: string } = {}): Promise<ProductDetail> {
  const [product] = await db.select().from(products).where(eq(products.id, id));
  if (!product) throw notFound('Product', id);
  const member = await isMember(db, opts.viewerId, product.shopId);
  if (!member && product.status !== 'live') throw notFound('Product', id);
  return detail(db, stock, product, member);
}

/** Summaries of the products with these ids (any status: callers filter), in the order asked. */
export async function getProductsByIds(db: Db, stock: StockKeeper, ids: string[]): Promise<ProductSummary[]> {
  if (ids.length === 0) return [];
  const found = await summaries(db, stock, await db.select().from(products).where(inArray(products.id, [...new Set(ids)])));
  const byId = new Map(found.map((p) => [p.id, p]));
  return [...new Set(ids)].flatMap((id) => byId.get(id) ?? []);
}

/** The shop a product belongs to (any status), or 404. For per-object checks. */
export async function getProductShopId(db: Db, productId: string): Promise<string> {
  const [row] = await db.select({ shopId: products.shopId }).from(products).where(eq(products.id, productId));
  if (!row) throw notFound('Product', productId);
  return row.shopId;
}

/** The shop a SKU belongs to, or 404. For per-object checks. */
export async function getSkuShopId(db: Db, skuId: string): Promise<string> {
  const [row] = await db.select({ shopId: skus.shopId }).from(skus).where(eq(skus.id, skuId));
  if (!row) throw notFound('SKU', skuId);
  return row.shopId;
}

/** What checkout needs of each SKU (unknown ids are left out); prices are the server's. */
export async function getSkusForCheckout(db: Db, skuIds: string[]): Promise<CheckoutSku[]> {
  if (skuIds.length === 0) return [];
  const found = await db
    .select({ sku: skus, product: products, shopActive: sql<boolean>`${products.shopId} in (${activeShopIds(db)})` })
    .from(skus)
    .innerJoin(products, eq(products.id, skus.productId))
    .where(inArray(skus.id, [...new Set(skuIds)]));
  return found.map(({ sku, product, shopActive }) => ({
    sku_id: sku.id,
    product_id: product.id,
    shop_id: product.shopId,
    title: product.title,
    option_values: sku.optionValues,
    price: sku.price,
    currency: product.currency,
    image: product.images[0] ?? null,
    sellable: product.status === 'live' && sku.status === 'active' && shopActive === true,
    affiliate_rate_bps: product.affiliateRateBps,
    category: product.category,
  }));
}

export interface ListProductsQuery {
  q?: string;
  shopId?: string;
  category?: string;
  /** Default `live`. Other statuses only for callers that checked shop membership. */
  status?: ProductStatus | 'all';
  limit?: number;
  cursor?: string;
}

const encodeCursor = (c: { id?: string; offset?: number }) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(cursor: string): { id?: string; offset?: number } {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { id?: unknown; offset?: unknown };
    if (typeof c.id === 'string' && c.id.length <= 40) return { id: c.id };
    if (Number.isSafeInteger(c.offset) && (c.offset as number) >= 0) return { offset: c.offset as number };
  } catch {
    /* fall through */
  }
  throw badRequest('invalid_cursor', 'This cursor is not one this list gave out');
}

/**
 * Products, newest first; with `q`, full-text matches by rank (`websearch_to_tsquery` syntax:
 * words, "phrases", -exclusions, or).
 */
export async function listProducts(db: Db, stock: StockKeeper, query: ListProductsQuery): Promise<{ data: ProductSummary[]; next_cursor: string | null }> {
  const { page, next_cursor } = await findProducts(db, query);
  return { data: await summaries(db, stock, page), next_cursor };
}

/** `listProducts` without prices and stock: ids and titles only. */
export async function listProductTitles(db: Db, query: ListProductsQuery): Promise<{ data: Array<{ id: string; title: string }>; next_cursor: string | null }> {
  const { page, next_cursor } = await findProducts(db, query);
  return { data: page.map((p) => ({ id: p.id, title: p.title })), next_cursor };
}

async function findProducts(db: Db, query: ListProductsQuery): Promise<{ page: ProductRow[]; next_cursor: string | null }> {
  const limit = query.limit ?? 20;
  const status = query.status ?? 'live';
  const q = query.q?.trim() ? query.q.trim() : undefined;
  const cursor = query.cursor ? decodeCursor(query.cursor) : {};
  const tsq = q ? sql`websearch_to_tsquery('simple', ${q})` : undefined;
  const where: Array<SQL | undefined> = [
    status === 'all' ? undefined : eq(products.status, status),
    // Live lists show only the products of shops that may sell (trust & safety, decision 012).
    status === 'live' ? inArray(products.shopId, activeShopIds(db)) : undefined,
    query.shopId ? eq(products.shopId, query.shopId) : undefined,
    query.category ? eq(products.category, query.category) : undefined,
    tsq ? sql`${products.search} @@ ${tsq}` : undefined,
    !tsq && cursor.id ? lt(products.id, cursor.id) : undefined,
  ];
  const offset = tsq ? (cursor.offset ?? 0) : 0;
  const found = await db
    .select()
    .from(products)
    .where(and(...where))
    .orderBy(...(tsq ? [desc(sql`ts_rank(${products.search}, ${tsq})`), desc(products.id)] : [desc(products.id)]))
    .limit(limit + 1)
    .offset(offset);
  const more = found.length > limit;
  const page = found.slice(0, limit);
  const next = !more ? null : tsq ? encodeCursor({ offset: offset + limit }) : encodeCursor({ id: page[page.length - 1]!.id });
  return { page, next_cursor: next };
}
