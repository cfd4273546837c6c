/**
 * The seller's product form as plain data: options (name + values), one variant row per
 * combination of values, validation (translation keys) and the API bodies it turns into.
 */
import type { NewVariant, Product, ProductInput, ProductPatch, StockRow, VariantInput } from './commerce';
import { moneyInputValue, parseMoneyInput } from './money';

export const MAX_OPTIONS = 3;
export const IMAGE_URL_PLACEHOLDER = 'https://…';
export const MAX_VARIANTS = 100;
export const MAX_IMAGES = 10;
/** Highest price the catalog accepts, in minor units. */
export const MAX_PRICE = 100_000_000;

export interface OptionDraft {
  name: string;
  /** As typed: "S, M, L". */
  values: string;
  /** Existing options of a saved product keep their name. */
  locked?: boolean;
}

export interface VariantDraft {
  option_values: string[];
  sku_id?: string;
  price: string;
  compare_at: string;
  code: string;
  stock: string;
  /** What the server had, to send only changes. */
  saved?: { price: string; compare_at: string; code: string; stock: string; warehouse_id: string | null };
}

export interface ProductDraft {
  title: string;
  description: string;
  category: string;
  status: 'draft' | 'live';
  images: string;
  options: OptionDraft[];
  variants: VariantDraft[];
}

export type DraftErrors = Record<string, string>;

export const EMPTY_DRAFT: ProductDraft = {
  title: '',
  description: '',
  category: '',
  status: 'draft',
  images: '',
  options: [],
  variants: [{ option_values: [], price: '', compare_at: '', code: '', stock: '0' }],
};

/** "S, M，L" → ["S", "M", "L"] (commas of either width; blanks and duplicates dropped). */
export function splitValues(text: string): string[] {
  return [...new Set(text.split(/[,，、]/).map((v) => v.trim()).filter(Boolean))];
}

const keyOf = (values: string[]) => values.join('\u0000');

function combinations(lists: string[][]): string[][] {
  return lists.reduce<string[][]>((acc, list) => acc.flatMap((prefix) => list.map((v) => [...prefix, v])), [[]]);
}

/**
 * The variant rows for the current options: one per combination, keeping what was typed for a
 * combination that still exists; saved variants always stay (a sold SKU is never dropped here).
 */
export function deriveVariants(options: OptionDraft[], current: VariantDraft[]): VariantDraft[] {
  const lists = options.map((o) => splitValues(o.values));
  if (lists.some((l) => l.length === 0)) return current;
  const byKey = new Map(current.map((v) => [keyOf(v.option_values), v]));
  const template = current[0];
  const rows = combinations(lists)
    .slice(0, MAX_VARIANTS + 1)
    .map(
      (values) =>
        byKey.get(keyOf(values)) ?? {
          option_values: values,
          price: template?.price ?? '',
          compare_at: template?.compare_at ?? '',
          code: '',
          stock: '0',
        },
    );
  const keys = new Set(rows.map((r) => keyOf(r.option_values)));
  return [...rows, ...current.filter((v) => v.sku_id && !keys.has(keyOf(v.option_values)))];
}

/** Validation: field path → translation key (empty when the draft can be saved). */
export function checkDraft(draft: ProductDraft, currency: string): DraftErrors {
  const errors: DraftErrors = {};
  const title = draft.title.trim();
  if (!title) errors.title = 'productForm.errors.titleRequired';
  else if (title.length > 200) errors.title = 'productForm.errors.titleTooLong';
  if (draft.description.length > 5000) errors.description = 'productForm.errors.descriptionTooLong';
  const category = draft.category.trim();
  if (category && (category.length > 64 || !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(category))) errors.category = 'productForm.errors.categoryInvalid';
  const images = imageList(draft.images);
  if (images.length > MAX_IMAGES) errors.images = 'productForm.errors.tooManyImages';
  else if (images.some((url) => url.length > 2048 || !/^(https?:\/\/\S+|\/media\/\S+)$/.test(url))) errors.images = 'productForm.errors.imageInvalid';
  const names = draft.options.map((o) => o.name.trim());
  draft.options.forEach((o, i) => {
    if (!names[i]) errors[`options.${i}.name`] = 'productForm.errors.optionNameRequired';
    else if (names.indexOf(names[i]!) !== i) errors[`options.${i}.name`] = 'productForm.errors.optionNameDuplicate';
    if (splitValues(o.values).length === 0) errors[`options.${i}.values`] = 'productForm.errors.optionValuesRequired';
  });
  if (draft.variants.length === 0) errors.variants = 'productForm.errors.noVariants';
  if (draft.variants.length > MAX_VARIANTS) errors.variants = 'productForm.errors.tooManyVariants';
  draft.variants.forEach((v, i) => {
    const price = parseMoneyInput(v.price, currency);
    if (price === null || price <= 0 || price > MAX_PRICE) errors[`variants.${i}.price`] = 'productForm.errors.priceInvalid';
    if (v.compare_at.trim()) {
      const compare = parseMoneyInput(v.compare_at, currency);
      if (compare === null) errors[`variants.${i}.compare_at`] = 'productForm.errors.priceInvalid';
      else if (price !== null && compare <= price) errors[`variants.${i}.compare_at`] = 'productForm.errors.compareAtTooLow';
    }
    if (v.code.trim() && !/^[\x21-\x7e]{1,64}$/.test(v.code.trim())) errors[`variants.${i}.code`] = 'productForm.errors.codeInvalid';
    if (!/^\d{1,7}$/.test(v.stock.trim())) errors[`variants.${i}.stock`] = 'productForm.errors.stockInvalid';
  });
  return errors;
}

export function imageList(text: string): string[] {
  return text
    .split(/\s*\n\s*/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function variantBody(v: VariantDraft, currency: string): NewVariant {
  const body: NewVariant = { price: { amount: parseMoneyInput(v.price, currency)!, currency } };
  if (v.option_values.length > 0) body.option_values = v.option_values;
  if (v.compare_at.trim()) body.compare_at_price = { amount: parseMoneyInput(v.compare_at, currency)!, currency };
  if (v.code.trim()) body.code = v.code.trim();
  return body;
}

export function toCreateBody(draft: ProductDraft, currency: string): ProductInput {
  const body: ProductInput & { images?: string[] } = {
    title: draft.title.trim(),
    status: draft.status,
    variants: draft.variants.map((v) => ({ ...variantBody(v, currency), stock: { on_hand: Number(v.stock.trim()) } })),
  };
  if (draft.description.trim()) body.description = draft.description.trim();
  if (draft.category.trim()) body.category = draft.category.trim();
  if (draft.options.length > 0) body.option_names = draft.options.map((o) => o.name.trim());
  const images = imageList(draft.images);
  if (images.length > 0) body.images = images;
  return body;
}

/** The PATCH body: changed product fields, changed variants (stock included) and new variants. */
export function toUpdate(draft: ProductDraft, product: Product, currency: string): ProductPatch & { images?: string[] } {
  const patch: ProductPatch & { images?: string[] } = {};
  if (draft.title.trim() !== product.title) patch.title = draft.title.trim();
  if (draft.description.trim() !== (product.description ?? '')) patch.description = draft.description.trim();
  if (draft.category.trim() !== (product.category ?? '')) patch.category = draft.category.trim() || null;
  if (draft.status !== product.status) patch.status = draft.status;
  const images = imageList(draft.images);
  if (images.join('\n') !== product.images.join('\n')) patch.images = images;
  const variants: VariantInput[] = [];
  for (const v of draft.variants) {
    if (!v.sku_id) {
      variants.push({ ...variantBody(v, currency), stock: { on_hand: Number(v.stock.trim()) } });
      continue;
    }
    const s = v.saved;
    const change: VariantInput = { sku_id: v.sku_id };
    if (!s || s.price !== v.price || s.compare_at !== v.compare_at || s.code !== v.code) {
      const body = variantBody(v, currency);
      Object.assign(change, { price: body.price, compare_at_price: body.compare_at_price ?? null, code: body.code ?? null });
    }
    if (!s || s.stock !== v.stock.trim()) {
      change.stock = { on_hand: Number(v.stock.trim()), ...(s?.warehouse_id ? { warehouse_id: s.warehouse_id } : {}) };
    }
    if (Object.keys(change).length > 1) variants.push(change);
  }
  if (variants.length > 0) patch.variants = variants;
  return patch;
}

/** A saved product (and its stock rows per SKU) as a draft. */
export function draftFromProduct(product: Product, stock: Map<string, StockRow[]>, currency: string): ProductDraft {
  const options: OptionDraft[] = product.option_names.map((name, i) => ({
    name,
    values: [...new Set(product.variants.map((v) => v.option_values[i]).filter(Boolean))].join(', '),
    locked: true,
  }));
  const variants: VariantDraft[] = product.variants.map((v) => {
    const rows = stock.get(v.sku_id) ?? [];
    // Stock is edited in one warehouse: the first the SKU has stock rows in (the shop's default).
    const row = rows[0];
    const saved = {
      price: moneyInputValue(v.price.amount, currency),
      compare_at: v.compare_at_price ? moneyInputValue(v.compare_at_price.amount, currency) : '',
      code: v.code ?? '',
      stock: String(row ? row.on_hand : v.available),
      warehouse_id: row?.warehouse_id ?? null,
    };
    return { option_values: v.option_values, sku_id: v.sku_id, ...saved, saved };
  });
  return {
    title: product.title,
    description: product.description ?? '',
    category: product.category ?? '',
    status: product.status === 'live' ? 'live' : 'draft',
    images: product.images.join('\n'),
    options,
    variants,
  };
}
