import { and, asc, eq, inArray, sql, type SQLWrapper } from 'drizzle-orm';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db.js';
import { conflict, notFound } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { market } from '../../platform/markets.js';
import { applyRate, type Money } from '../../platform/money.js';
import { getSkusForCheckout } from '../catalog/index.js';
import { getAvailability, getPoolAvailability, poolKey } from '../inventory/index.js';
import { getShops } from '../sellers/index.js';
import { clickInWindow, resolveAttribution, type Attribution } from './attribution.js';
import { cartItems, type CartSource } from './schema.js';

/**
 * The buyer's cart across shops. It stores only what the buyer chose (SKU, quantity) and where
 * it came from as the server verified it (source, cart/attribution.ts);
 * every price, fee and tax is computed here from the catalog and the shop each time it is read,
 * and checkout uses the same `priceCart`, so a client can never set a price.
 */
export const MAX_LINES = 100;
export const MAX_QUANTITY = 99;
/** The currency an empty cart reports its zero totals in. */
export const EMPTY_CART_CURRENCY = 'USD';

export interface CartLine {
  id: string;
  sku_id: string;
  product_id: string;
  shop_id: string;
  title: string;
  option_values: string[];
  image: string | null;
  quantity: number;
  unit_price: Money;
  line_total: Money;
  /** Units the buyer could get right now (on hand minus held for open checkouts). */
  available: number;
  /** False when the product was unlisted or the variant archived: checkout refuses the cart. */
  sellable: boolean;
  source: CartSource;
  /**
   * Only when priced for checkout (`attributeAt`): what the order item is attributed to, proven
   * again now (content visible and anchoring, click inside the market's window, payee neither
   * the buyer nor a member of the shop); `{}` when nothing holds.
   */
  attribution?: Attribution;
  /** The product's affiliate rate and category, frozen into the order item at checkout. */
  affiliate_rate_bps: number;
  category: string | null;
}

export interface CartShopGroup {
  shop: { id: string; name: string };
  market: string;
  items: CartLine[];
  /** Goods of sellable lines. */
  subtotal: Money;
  shipping_fee: Money;
  tax: Money;
  total: Money;
}

export interface PricedCart {
  currency: string;
  shops: CartShopGroup[];
  subtotal: Money;
  shipping: Money;
  tax: Money;
  total: Money;
}

type CartRow = typeof cartItems.$inferSelect;

const m = (amount: number, currency: string): Money => ({ amount, currency });

/**
 * Prices the buyer's cart from the catalog: unit price × quantity per line, per shop a flat
 * shipping fee (the shop's) and tax (the shop market's rate on the goods subtotal). Lines whose
 * SKU no longer exists are left out; unsellable lines are shown but not counted. With
 * `attributeAt` (checkout), every line's `attribution` is resolved as of then, by one more
 * statement that runs beside the shops' read.
 */
export async function priceCart(db: Db, userId: string, opts: { attributeAt?: Date } = {}): Promise<PricedCart> {
  const rowsOf = await db.select().from(cartItems).where(eq(cartItems.userId, userId)).orderBy(asc(cartItems.id));
  return priceRows(db, userId, rowsOf, opts.attributeAt);
}

async function priceRows(db: Db, userId: string, lines: CartRow[], attributeAt: Date | undefined): Promise<PricedCart> {
  if (lines.length === 0) {
    const zero = m(0, EMPTY_CART_CURRENCY);
    return { currency: EMPTY_CART_CURRENCY, shops: [], subtotal: zero, shipping: zero, tax: zero, total: zero };
  }
  const skuIds = lines.map((l) => l.skuId);
  const [skus, availability, pooled] = await Promise.all([
    getSkusForCheckout(db, skuIds),
    getAvailability(db, skuIds),
    getPoolAvailability(db, lines.flatMap((l) => (l.source?.live_id ? [{ pool: l.source.live_id, sku_id: l.skuId }] : []))),
  ]);
  const skuById = new Map(skus.map((s) => [s.sku_id, s]));
  const [shopRows, attributed] = await Promise.all([
    getShops(db, [...new Set(skus.map((s) => s.shop_id))]),
    attributeAt
      ? resolveAttribution(
          db,
          userId,
          lines.flatMap((l) => {
            const sku = skuById.get(l.skuId);
            return sku ? [{ key: l.id, product_id: sku.product_id, shop_id: sku.shop_id, source: l.source ?? {} }] : [];
          }),
          'checkout',
        )
      : null,
  ]);
  const shops = new Map(shopRows.map((s) => [s.id, s]));
  const currency = skus[0]?.currency ?? EMPTY_CART_CURRENCY;
  const groups = new Map<string, CartShopGroup>();
  for (const line of lines) {
    const sku = skuById.get(line.skuId);
    const shop = sku && shops.get(sku.shop_id);
    if (!sku || !shop) continue;
    let group = groups.get(shop.id);
    if (!group) {
      group = {
        shop: { id: shop.id, name: shop.name },
        market: shop.market,
        items: [],
        subtotal: m(0, currency),
        shipping_fee: m(shop.shippingFee, currency),
        tax: m(0, currency),
        total: m(0, currency),
      };
      groups.set(shop.id, group);
    }
    const lineTotal = sku.price * line.quantity;
    group.items.push({
      id: line.id,
      sku_id: sku.sku_id,
      product_id: sku.product_id,
      shop_id: sku.shop_id,
      title: sku.title,
      option_values: sku.option_values,
      image: sku.image,
      quantity: line.quantity,
      unit_price: m(sku.price, sku.currency),
      line_total: m(lineTotal, sku.currency),
      available: (line.source?.live_id ? pooled.get(poolKey(line.source.live_id, sku.sku_id)) : undefined) ?? availability.get(sku.sku_id) ?? 0,
      sellable: sku.sellable && sku.currency === currency,
      source: line.source ?? {},
      ...(attributed ? { attribution: (clickInWindow(line.source?.clicked_at, shop.market, attributeAt!) && attributed.get(line.id)) || {} } : {}),
      affiliate_rate_bps: sku.affiliate_rate_bps,
      category: sku.category,
    });
    if (sku.sellable && sku.currency === currency) group.subtotal.amount += lineTotal;
  }
  const out: CartShopGroup[] = [];
  for (const g of [...groups.values()].sort((a, b) => (a.shop.id < b.shop.id ? -1 : 1))) {
    g.tax.amount = applyRate(g.subtotal.amount, market(g.market).taxRateBps);
    g.total.amount = g.subtotal.amount + g.shipping_fee.amount + g.tax.amount;
    out.push(g);
  }
  const total = (f: (g: CartShopGroup) => number) => m(out.reduce((s, g) => s + f(g), 0), currency);
  return {
    currency,
    shops: out,
    subtotal: total((g) => g.subtotal.amount),
    shipping: total((g) => g.shipping_fee.amount),
    tax: total((g) => g.tax.amount),
    total: total((g) => g.total.amount),
  };
}

/**
 * The source a line keeps after a click: the content the buyer came from when it holds now
 * (see cart/attribution.ts), the payee known now and the time of the click; `{}` when it does
 * not hold. A client-sent `creator_id` is never read.
 */
async function sourceOfClick(db: Db, clock: Clock, userId: string, sku: { product_id: string; shop_id: string }, sent: CartSource): Promise<CartSource> {
  const claimed: CartSource = {};
  if (sent.video_id) claimed.video_id = sent.video_id;
  if (sent.live_id) claimed.live_id = sent.live_id;
  const found = (await resolveAttribution(db, userId, [{ key: 'line', product_id: sku.product_id, shop_id: sku.shop_id, source: claimed }], 'click')).get('line');
  return found ? { ...found, clicked_at: clock.now().toISOString() } : {};
}

const outOfStock = (skuId: string, requested: number, available: number) =>
  conflict('out_of_stock', 'Not enough stock for this item', { sku_id: skuId, requested, available: Math.max(0, available) });

/**
 * Adds a SKU to the cart; adding a SKU already in it raises that line's quantity (a `source`
 * given replaces the line's attribution: the server keeps only a video or live that holds, see
 * cart/attribution.ts; one that does not leaves the line unattributed, the add still succeeds).
 * Refuses: unknown SKU 404, unlisted 409 `sku_unavailable`, another currency than the cart's
 * 409 `currency_mismatch`, more than 99 of a line 409 `quantity_limit`, more lines than 100 409
 * `cart_full`, more than available 409 `out_of_stock`.
 */
export async function addCartItem(
  db: Db,
  clock: Clock,
  userId: string,
  input: { sku_id: string; quantity: number; source?: CartSource },
): Promise<CartRow> {
  const [sku] = await getSkusForCheckout(db, [input.sku_id]);
  if (!sku) throw notFound('SKU', input.sku_id);
  if (!sku.sellable) throw conflict('sku_unavailable', 'This item is not for sale', { sku_ids: [sku.sku_id] });
  const current = await db.select().from(cartItems).where(eq(cartItems.userId, userId)).orderBy(asc(cartItems.id));
  const existing = current.find((l) => l.skuId === input.sku_id);
  const other = current.find((l) => l.skuId !== input.sku_id);
  if (other) {
    const [otherSku] = await getSkusForCheckout(db, [other.skuId]);
    if (otherSku && otherSku.currency !== sku.currency) {
      throw conflict('currency_mismatch', `Your cart is in ${otherSku.currency}; this item is priced in ${sku.currency}`, {
        cart_currency: otherSku.currency,
        item_currency: sku.currency,
      });
    }
  }
  if (!existing && current.length >= MAX_LINES) throw conflict('cart_full', `A cart holds at most ${MAX_LINES} lines`);
  const wanted = (existing?.quantity ?? 0) + input.quantity;
  if (wanted > MAX_QUANTITY) {
    throw conflict('quantity_limit', `At most ${MAX_QUANTITY} of one item per order`, { sku_id: sku.sku_id, max: MAX_QUANTITY, requested: wanted });
  }
  const source = input.source ? await sourceOfClick(db, clock, userId, sku, input.source) : {};
  const available = await availableFor(db, sku.sku_id, input.source ? source : (existing?.source ?? {}));
  if (wanted > available) throw outOfStock(sku.sku_id, wanted, available);
  const now = clock.now();
  const [row] = await db
    .insert(cartItems)
    .values({ id: newId('cti'), userId, skuId: sku.sku_id, quantity: input.quantity, source, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: [cartItems.userId, cartItems.skuId],
      set: {
        quantity: sql`${cartItems.quantity} + excluded.quantity`,
        source: input.source ? sql`excluded.source` : sql`${cartItems.source}`,
        updatedAt: now,
      },
      // A concurrent add may have raised it meanwhile: never past the limit.
      setWhere: sql`${cartItems.quantity} + excluded.quantity <= ${MAX_QUANTITY}`,
    })
    .returning();
  if (!row) throw conflict('quantity_limit', `At most ${MAX_QUANTITY} of one item per order`, { sku_id: sku.sku_id, max: MAX_QUANTITY });
  return row;
}

/**
 * What a line with this source could get: a live session's flash-sale allotment when the line
 * comes from a live with an open allotment on the SKU (checkout draws from it alone), else the
 * general stock.
 */
async function availableFor(db: Db, skuId: string, source: CartSource): Promise<number> {
  if (source.live_id) {
    const pooled = (await getPoolAvailability(db, [{ pool: source.live_id, sku_id: skuId }])).get(poolKey(source.live_id, skuId));
    if (pooled !== undefined) return pooled;
  }
  return (await getAvailability(db, [skuId])).get(skuId) ?? 0;
}

/** The buyer's own line; another buyer's line answers 404 like a missing one. */
async function ownLine(db: Db, userId: string, itemId: string): Promise<CartRow> {
  const [row] = await db
    .select()
    .from(cartItems)
    .where(and(eq(cartItems.id, itemId), eq(cartItems.userId, userId)));
  if (!row) throw notFound('Cart item', itemId);
  return row;
}

/** Sets a line's quantity (1–99, at most what is available). */
export async function updateCartItem(db: Db, clock: Clock, userId: string, itemId: string, quantity: number): Promise<CartRow> {
  const line = await ownLine(db, userId, itemId);
  if (quantity > line.quantity) {
    const available = await availableFor(db, line.skuId, line.source ?? {});
    if (quantity > available) throw outOfStock(line.skuId, quantity, available);
  }
  const [row] = await db
    .update(cartItems)
    .set({ quantity, updatedAt: clock.now() })
    .where(and(eq(cartItems.id, itemId), eq(cartItems.userId, userId)))
    .returning();
  if (!row) throw notFound('Cart item', itemId);
  return row;
}

export async function removeCartItem(db: Db, userId: string, itemId: string): Promise<void> {
  const res = await db
    .delete(cartItems)
    .where(and(eq(cartItems.id, itemId), eq(cartItems.userId, userId)))
    .returning({ id: cartItems.id });
  if (res.length === 0) throw notFound('Cart item', itemId);
}

/** Empties the lines of these SKUs (bought at checkout); `skuIds` may be a subquery of SKU ids. */
export async function removeCartSkus(tx: Db, userId: string, skuIds: string[] | SQLWrapper): Promise<void> {
  if (Array.isArray(skuIds) && skuIds.length === 0) return;
  await tx.delete(cartItems).where(and(eq(cartItems.userId, userId), inArray(cartItems.skuId, skuIds)));
}
