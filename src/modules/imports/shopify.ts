import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { AppError, badRequest } from '../../platform/errors.js';
import { minorDigits } from '../../platform/money.js';
import { LIMITS, type CreateProductInput, type VariantInput } from '../catalog/index.js';
import { plainText, textLength } from '../catalog/index.js';
import type { ReportLine } from './schema.js';

/**
 * Reading a Shopify product export: CSV records → rows with the columns we use (matched by
 * name, case-insensitively, old and new header spellings) → products grouped by handle → the
 * catalog's product input plus report lines for what cannot be imported. No database here.
 */

/** Our field → the header names it may have (normalized: lowercase, non-alphanumerics as one space). */
const COLUMNS = {
  handle: ['handle', 'url handle'],
  title: ['title'],
  body: ['body html', 'body', 'description'],
  productCategory: ['product category', 'standard product type', 'standardized product type'],
  type: ['type', 'product type', 'custom product type'],
  option1Name: ['option1 name'],
  option1Value: ['option1 value'],
  option2Name: ['option2 name'],
  option2Value: ['option2 value'],
  option3Name: ['option3 name'],
  option3Value: ['option3 value'],
  sku: ['variant sku', 'sku'],
  price: ['variant price', 'price'],
  compareAt: ['variant compare at price', 'compare at price'],
  quantity: ['variant inventory qty', 'variant inventory quantity', 'inventory quantity', 'inventory qty'],
  imageSrc: ['image src', 'product image url', 'image url'],
  imagePosition: ['image position'],
} as const;
type Field = keyof typeof COLUMNS;
const REQUIRED: Array<{ field: Field; name: string }> = [
  { field: 'handle', name: 'Handle' },
  { field: 'title', name: 'Title' },
  { field: 'price', name: 'Variant Price' },
];
const OPTIONS = [
  ['option1Name', 'option1Value'],
  ['option2Name', 'option2Value'],
  ['option3Name', 'option3Value'],
] as const;

/** A data row: its number in the file (the header is row 1) and the fields we use, trimmed. */
export type Row = { row: number } & Record<Field, string>;

const normalize = (header: string) => header.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

/** Column index of each field we use (-1: absent). Refuses a header without the required columns. */
function mapColumns(header: string[]): Record<Field, number> {
  const names = header.map(normalize);
  const index = Object.fromEntries(
    Object.entries(COLUMNS).map(([field, aliases]) => [field, aliases.map((a) => names.indexOf(a)).find((i) => i >= 0) ?? -1]),
  ) as Record<Field, number>;
  const missing = REQUIRED.filter((r) => index[r.field] < 0).map((r) => r.name);
  if (missing.length > 0) {
    throw badRequest('missing_columns', `This is not a Shopify product export: no ${missing.join(', ')} column`, { missing });
  }
  return index;
}

const invalidCsv = (err: CsvError) => badRequest('invalid_csv', `The file is not valid CSV: ${err.message}`, { csv_code: err.code });

/**
 * The data rows of a CSV export, streamed: a UTF-8 BOM, CRLF or LF line ends and quoted fields
 * over several lines (HTML bodies) are fine; blank lines are skipped.
 */
export async function* readRows(input: Readable): AsyncGenerator<Row> {
  const parser = input.pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: 1_000_000 }));
  input.on('error', (err) => parser.destroy(err));
  let columns: Record<Field, number> | null = null;
  let row = 1;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!columns) {
        columns = mapColumns(record);
        continue;
      }
      row += 1;
      const out = { row } as Row;
      for (const field of Object.keys(COLUMNS) as Field[]) out[field] = columns[field] < 0 ? '' : (record[columns[field]] ?? '').trim();
      yield out;
    }
  } catch (err) {
    throw err instanceof CsvError ? invalidCsv(err) : err;
  }
  if (!columns) throw badRequest('empty_file', 'The file is empty');
}

/**
 * Checks an uploaded file before it is accepted: UTF-8 text, CSV, the required columns, at least
 * one data row. Returns the number of data rows.
 */
export async function countRows(data: Buffer): Promise<number> {
  if (data.length === 0) throw badRequest('empty_file', 'The file is empty');
  try {
    if (data.includes(0)) throw new TypeError('NUL byte');
    new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new AppError('unsupported_media', 415, 'The file is not a CSV text file (UTF-8)');
  }
  let rows = 0;
  for await (const _ of readRows(Readable.from([data]))) rows += 1;
  if (rows === 0) throw badRequest('empty_file', 'The file has a header but no product rows');
  return rows;
}

/** Consecutive rows with the same handle (a Shopify export keeps a product's rows together). */
export async function* groupByHandle(rows: AsyncIterable<Row>): AsyncGenerator<Row[]> {
  let group: Row[] = [];
  for await (const r of rows) {
    if (group.length > 0 && r.handle !== group[0]!.handle) {
      yield group;
      group = [];
    }
    group.push(r);
  }
  if (group.length > 0) yield group;
}

/**
 * A decimal price ("19.99", "20", "1500.00") → integer minor units for a currency with `digits`
 * decimals, exactly (no floats); null for anything else ("abc", "-5", "1e3", "19.999").
 */
export function parseAmount(text: string, digits: number): number | null {
  const m = /^(\d{1,15})(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return null;
  const frac = m[2] ?? '';
  if (/[^0]/.test(frac.slice(digits))) return null;
  const amount = Number(m[1]! + frac.slice(0, digits).padEnd(digits, '0'));
  return Number.isSafeInteger(amount) ? amount : null;
}

/** "Apparel & Accessories > Clothing > Shirts & Tops" → "shirts-tops"; "" → null. */
export function categorySlug(text: string): string | null {
  const last = text.split('>').pop()!;
  const slug = last
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 64)
    .replace(/^-+|-+$/g, '');
  return slug === '' ? null : slug;
}

// The catalog's rules for SKU codes and image URLs, checked per row so one bad row does not cost the product.
const SKU_RE = /^[\x21-\x7e]{1,64}$/;
const IMAGE_RE = /^https?:\/\/[^\s]+$/;

export interface BuiltProduct {
  handle: string;
  /** The catalog input, or null when the product cannot be imported. */
  product: CreateProductInput | null;
  /** Lines for the report (skipped rows, a skipped product, shortened text). */
  report: ReportLine[];
  /** How many of the group's rows are not imported. */
  rowsSkipped: number;
}

const line = (r: Row, reason: string, message: string): ReportLine => ({ row: r.row, handle: r.handle, reason, message });

/**
 * One product from the rows of one handle. The first row carries title, body, category, option
 * names and usually the first variant; a row with an option value, SKU or price is a variant;
 * rows with an image add it at its position. Bad rows are skipped with a reason; a product
 * without a title or without a usable variant is skipped whole.
 */
export function buildProduct(rows: Row[], currency: string): BuiltProduct {
  const digits = minorDigits(currency);
  const first = rows[0]!;
  const handle = first.handle;
  const skipAll = (reason: string, message: string, extra: ReportLine[] = []): BuiltProduct => ({
    handle,
    product: null,
    report: [...extra, line(first, reason, message)],
    rowsSkipped: rows.length,
  });
  if (handle === '') return { handle, product: null, report: rows.map((r) => line(r, 'missing_handle', 'The row has no Handle')), rowsSkipped: rows.length };
  if (first.title === '') return skipAll('missing_title', 'The first row of a product needs a Title');

  const report: ReportLine[] = [];
  const skipped = new Set<number>();
  const imported = new Set<number>();
  const skip = (r: Row, reason: string, message: string) => {
    report.push(line(r, reason, message));
    if (!imported.has(r.row)) skipped.add(r.row);
  };

  // Shopify writes a product without options as option "Title" = "Default Title".
  const noOptions = first.option1Name.toLowerCase() === 'title' && first.option1Value.toLowerCase() === 'default title';
  const options = noOptions ? [] : OPTIONS.filter(([name]) => first[name] !== '');
  const variants: VariantInput[] = [];
  const combinations = new Set<string>();
  const codes = new Set<string>();
  for (const r of rows) {
    if (!OPTIONS.some(([, value]) => r[value] !== '') && r.sku === '' && r.price === '') {
      if (r.imageSrc === '') skip(r, 'empty_row', 'The row has neither a variant nor an image');
      continue; // an image row
    }
    const values = options.map(([, value]) => r[value]);
    const price = parseAmount(r.price, digits);
    const compareAt = r.compareAt === '' ? null : parseAmount(r.compareAt, digits);
    const quantity = r.quantity === '' ? 0 : /^-?\d{1,10}$/.test(r.quantity) ? Math.max(0, Number(r.quantity)) : null;
    const key = JSON.stringify(values.map((v) => v.toLowerCase()));
    if (values.some((v) => v === '')) skip(r, 'missing_option_value', `A variant needs a value for each option (${options.map(([n]) => first[n]).join(', ')})`);
    else if (price === null || price < 1 || price > LIMITS.maxPrice) skip(r, 'bad_price', `"${r.price}" is not a price (a positive decimal such as 19.99)`);
    else if (compareAt === null && r.compareAt !== '') skip(r, 'bad_compare_at_price', `"${r.compareAt}" is not a price`);
    else if (quantity === null || quantity > 1_000_000_000) skip(r, 'bad_quantity', `"${r.quantity}" is not a whole number of items`);
    else if (r.sku !== '' && !SKU_RE.test(r.sku)) skip(r, 'bad_sku', 'A SKU is 1–64 printable characters without spaces');
    else if (r.sku !== '' && codes.has(r.sku)) skip(r, 'duplicate_sku', `SKU ${r.sku} appears twice`);
    else if (combinations.has(key)) skip(r, 'duplicate_options', `Another variant already has ${values.join(' / ') || 'no options'}`);
    else if (variants.length >= LIMITS.variants) skip(r, 'too_many_variants', `A product has at most ${LIMITS.variants} variants`);
    else {
      combinations.add(key);
      imported.add(r.row);
      if (r.sku !== '') codes.add(r.sku);
      variants.push({
        option_values: values,
        price: { amount: price, currency },
        // Shopify shows no sale when the compare-at price is not above the price.
        compare_at_price: compareAt !== null && compareAt > price && compareAt <= LIMITS.maxPrice ? { amount: compareAt, currency } : null,
        code: r.sku === '' ? null : r.sku,
        stock: { on_hand: quantity },
      });
    }
  }

  // Images from every row that is not skipped, by Image Position (then file order), each URL once.
  const images: Array<{ url: string; position: number; row: Row }> = [];
  for (const r of rows) {
    if (r.imageSrc === '' || skipped.has(r.row)) continue;
    if (r.imageSrc.length > 2048 || !IMAGE_RE.test(r.imageSrc)) skip(r, 'bad_image_url', 'Image Src is an http(s) URL');
    else if (!images.some((i) => i.url === r.imageSrc)) images.push({ url: r.imageSrc, position: /^\d+$/.test(r.imagePosition) ? Number(r.imagePosition) : Infinity, row: r });
  }
  images.sort((a, b) => a.position - b.position);
  for (const extra of images.splice(LIMITS.images)) skip(extra.row, 'too_many_images', `A product has at most ${LIMITS.images} images`);

  if (variants.length === 0) return skipAll('no_variants', 'No row of this product is a usable variant', report);

  let description = plainText(first.body, { multiline: true });
  if (textLength(description) > LIMITS.description) {
    description = [...description].slice(0, LIMITS.description).join('');
    report.push(line(first, 'description_shortened', `The description was cut to ${LIMITS.description} characters`));
  }
  return {
    handle,
    product: {
      title: first.title,
      description,
      category: categorySlug(first.productCategory) ?? categorySlug(first.type),
      images: images.map((i) => i.url),
      option_names: options.map(([name]) => first[name]),
      status: 'draft',
      variants,
    },
    report,
    rowsSkipped: skipped.size,
  };
}
