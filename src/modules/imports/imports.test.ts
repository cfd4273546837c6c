import { mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectForm, testApp, type TestApp } from '../../test/app.js';
import { getProduct, listProducts } from '../catalog/index.js';
import { createShop } from '../sellers/index.js';
import { createImport, processImport, type ImportSummary, type ImportView } from './service.js';
import { categorySlug, parseAmount } from './shopify.js';
import { bigExport } from './testing.js';
import { stockKeeper } from '../inventory/index.js';

const FIXTURE = readFileSync(path.join(import.meta.dirname, 'fixtures/products.csv'));

describe('imports: Shopify product export → draft products', () => {
  let t: TestApp;
  let dir: string;
  let seller: Awaited<ReturnType<TestApp['seller']>>;
  let other: Awaited<ReturnType<TestApp['seller']>>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'loopshop-imports-'));
    t = await testApp({ dataDir: dir });
    seller = await t.seller({ shopName: 'Northwind' });
    other = await t.seller({ shopName: 'Elsewhere' });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const upload = async (auth: { authorization: string } | Record<string, never>, shopId: string, data: Buffer, fileName?: string) => {
    const form = new FormData();
    if (fileName) form.append('file_name', fileName);
    form.append('file', new Blob([data]), 'export.csv');
    return injectForm(t.app, `/v1/shops/${shopId}/imports`, auth, form);
  };
  const getImport = async (id: string, auth = seller.auth) => t.app.inject({ method: 'GET', url: `/v1/imports/${id}`, headers: auth });
  const importFixture = async (): Promise<ImportView> => {
    const res = await upload(seller.auth, seller.shopId, FIXTURE, 'products_export_1.csv');
    expect(res.statusCode).toBe(202);
    const queued = res.json<{ import: ImportView }>().import;
    expect(queued).toMatchObject({ status: 'queued', rows_total: 15, rows_done: 0, file_name: 'products_export_1.csv' });
    await t.app.ctx.jobs.runDue('imports');
    return (await getImport(queued.id)).json<ImportView>();
  };

  let first: ImportView;

  it('imports a multi-variant, multi-image export with bad rows into drafts, with a per-row report', async () => {
    first = await importFixture();
    expect(first).toMatchObject({
      status: 'done',
      rows_total: 15,
      rows_done: 15,
      products_created: 3,
      products_skipped: 2,
      variants_created: 5,
      rows_skipped: 7,
      error: null,
    });
    expect(first.finished_at).toBe(t.clock.now().toISOString());
    expect(first.report.map((l) => [l.row, l.handle, l.reason])).toEqual([
      [4, 'trail-tee', 'bad_price'],
      [5, 'trail-tee', 'duplicate_options'],
      [10, 'no-title', 'missing_title'],
      [12, '', 'missing_handle'],
      [13, 'broken-price', 'bad_price'],
      [13, 'broken-price', 'no_variants'],
      [14, 'lantern', 'missing_option_value'],
      [15, 'lantern', 'bad_image_url'],
    ]);

    const { data } = await listProducts(t.db, stockKeeper, { shopId: seller.shopId, status: 'all', limit: 10 });
    expect(data.map((p) => [p.title, p.status]).sort()).toEqual([
      ['Camp Mug', 'draft'],
      ['Lantern', 'draft'],
      ['Trail Tee', 'draft'],
    ]);
    const byTitle = (title: string) => getProduct(t.db, stockKeeper, data.find((p) => p.title === title)!.id, { viewerId: seller.id });

    const tee = await byTitle('Trail Tee');
    expect(tee).toMatchObject({
      category: 'shirts-tops',
      option_names: ['Size', 'Color'],
      images: [
        'https://cdn.shopify.com/s/files/1/0001/products/tee-front.jpg',
        'https://cdn.shopify.com/s/files/1/0001/products/tee-side.jpg',
        'https://cdn.shopify.com/s/files/1/0001/products/tee-back.jpg',
      ],
    });
    expect(tee.description).toBe('Soft merino tee, "trail ready".\n\nBreathable, quick-dry\n\nMade in Portugal');
    expect(tee.variants.map((v) => [v.option_values, v.price.amount, v.compare_at_price?.amount ?? null, v.code, v.available, v.price.currency])).toEqual([
      [['S', 'Black'], 1999, 2499, 'TT-S-BLK', 10, 'USD'],
      [['M', 'Black'], 1999, null, 'TT-M-BLK', 5, 'USD'],
      [['S', 'White'], 2150, null, 'TT-S-WHT', 0, 'USD'], // compare-at not above the price: none; negative stock: 0
    ]);

    const mug = await byTitle('Camp Mug');
    expect(mug).toMatchObject({ category: 'mugs', option_names: [], description: 'Enamel mug & lid', images: ['https://cdn.shopify.com/s/files/1/0001/products/mug.jpg', 'https://cdn.shopify.com/s/files/1/0001/products/mug-2.jpg'] });
    expect(mug.variants.map((v) => [v.option_values, v.price.amount, v.available])).toEqual([[[], 1200, 40]]);

    const lantern = await byTitle('Lantern');
    expect(lantern.images).toEqual(['https://cdn.shopify.com/s/files/1/0001/products/lantern.jpg']);
    expect(lantern.variants.map((v) => [v.option_values, v.price.amount, v.available])).toEqual([[['Large'], 4500, 3]]);
  });

  it('skips handles imported before (handle_exists) and refuses to re-run a finished import (409)', async () => {
    const again = await importFixture();
    expect(again).toMatchObject({ status: 'done', products_created: 0, variants_created: 0, products_skipped: 5 });
    expect(again.report.filter((l) => l.reason === 'handle_exists').map((l) => [l.row, l.handle])).toEqual([
      [2, 'trail-tee'],
      [8, 'camp-mug'],
      [14, 'lantern'],
    ]);
    const rerun = await t.app.inject({ method: 'POST', url: `/v1/imports/${first.id}/run`, headers: seller.auth });
    expect(rerun.statusCode).toBe(409);
    expect(rerun.json().error.code).toBe('import_finished');
    expect((await listProducts(t.db, stockKeeper, { shopId: seller.shopId, status: 'all' })).data).toHaveLength(3);
  });

  it('lists a shop’s imports newest first, paginated, for members only', async () => {
    const page1 = await t.app.inject({ method: 'GET', url: `/v1/shops/${seller.shopId}/imports?limit=1`, headers: seller.auth });
    expect(page1.statusCode).toBe(200);
    const body = page1.json<{ data: ImportSummary[]; next_cursor: string }>();
    expect(body.data).toHaveLength(1);
    expect(body.data[0]).not.toHaveProperty('report');
    const page2 = await t.app.inject({ method: 'GET', url: `/v1/shops/${seller.shopId}/imports?limit=1&cursor=${body.next_cursor}`, headers: seller.auth });
    expect(page2.json<{ data: ImportSummary[]; next_cursor: null }>()).toMatchObject({ data: [{ id: first.id }], next_cursor: null });
  });

  it("answers 404 for another shop's imports on every route, 401 without a session", async () => {
    expect((await getImport(first.id, other.auth)).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: `/v1/imports/${first.id}/run`, headers: other.auth })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/v1/shops/${seller.shopId}/imports`, headers: other.auth })).statusCode).toBe(404);
    const res = await upload(other.auth, seller.shopId, FIXTURE);
    expect(res.statusCode).toBe(404);
    expect((await upload({}, seller.shopId, FIXTURE)).statusCode).toBe(401);
    expect((await getImport(first.id, {} as never)).statusCode).toBe(401);
  });

  it('refuses files that are not a Shopify CSV export with a clear error, storing nothing', async () => {
    const before = (await t.app.inject({ method: 'GET', url: `/v1/shops/${seller.shopId}/imports?limit=100`, headers: seller.auth })).json<{ data: unknown[] }>().data.length;
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    const cases: Array<[Buffer, number, string]> = [
      [png, 415, 'unsupported_media'],
      [Buffer.from([0xff, 0xfe, 0x41, 0x42]), 415, 'unsupported_media'],
      [Buffer.alloc(0), 400, 'empty_file'],
      [Buffer.from('\ufeffHandle,Title,Variant Price\r\n'), 400, 'empty_file'],
      [Buffer.from('Name,Price\nTee,19.99\n'), 400, 'missing_columns'],
      [Buffer.from('Handle,Title,Variant Price\ntee,"Tee,19.99\n'), 400, 'invalid_csv'],
    ];
    for (const [data, status, code] of cases) {
      const res = await upload(seller.auth, seller.shopId, data);
      expect([res.statusCode, res.json().error.code]).toEqual([status, code]);
    }
    const missing = await upload(seller.auth, seller.shopId, Buffer.from('Name,Variant Price\nTee,19.99\n'));
    expect(missing.json().error.details).toEqual({ missing: ['Handle', 'Title'] });
    const after = (await t.app.inject({ method: 'GET', url: `/v1/shops/${seller.shopId}/imports?limit=100`, headers: seller.auth })).json<{ data: unknown[] }>().data.length;
    expect(after).toBe(before);
  });

  it('reads the newer Shopify header spellings, in any case, with LF line ends', async () => {
    const csv = [
      'URL handle,TITLE,Description,Product category,Type,Option1 name,Option1 value,SKU,Price,Compare-at price,Inventory quantity,Product image URL,Image position,Status,Unknown Column',
      'new-cap,New Cap,"<b>Warm</b>\nwool",,Hats,Color,Red,CAP-R,25,30.00,4,https://cdn.example.com/cap.jpg,1,draft,x',
      'new-cap,,,,,,Blue,CAP-B,25.00,,0,,,,y',
    ].join('\n');
    const created = await createImport(t.db, t.clock, dir, { shopId: seller.shopId, userId: seller.id, data: Buffer.from(csv) }, { enqueue: false });
    const done = await processImport(t.db, t.clock, dir, created.id);
    expect(done).toMatchObject({ status: 'done', products_created: 1, variants_created: 2, rows_skipped: 0, report: [] });
    const { data } = await listProducts(t.db, stockKeeper, { shopId: seller.shopId, status: 'all', q: 'cap' });
    const cap = await getProduct(t.db, stockKeeper, data[0]!.id, { viewerId: seller.id });
    expect(cap).toMatchObject({ title: 'New Cap', description: 'Warm\nwool', category: 'hats', images: ['https://cdn.example.com/cap.jpg'] });
    expect(cap.variants.map((v) => [v.option_values, v.price.amount, v.compare_at_price?.amount ?? null, v.available])).toEqual([
      [['Red'], 2500, 3000, 4],
      [['Blue'], 2500, null, 0],
    ]);
  });

  it('reports a product the catalog refuses and keeps the others of its batch', async () => {
    const csv = [
      'Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price',
      'taken-sku,Taken SKU,Title,Default Title,TT-S-BLK,5.00',
      `long-title,${'x'.repeat(250)},Title,Default Title,,5.00`,
      'fine,Fine Product,Title,Default Title,FINE-1,5.00',
    ].join('\r\n');
    const created = await createImport(t.db, t.clock, dir, { shopId: seller.shopId, userId: seller.id, data: Buffer.from(csv) }, { enqueue: false });
    const done = await processImport(t.db, t.clock, dir, created.id);
    expect(done).toMatchObject({ status: 'done', products_created: 1, products_skipped: 2, rows_skipped: 2 });
    expect(done.report.map((l) => [l.row, l.handle, l.reason])).toEqual([
      [2, 'taken-sku', 'sku_code_taken'],
      [3, 'long-title', 'invalid_product'],
    ]);
    expect((await listProducts(t.db, stockKeeper, { shopId: seller.shopId, status: 'all', q: 'fine' })).data.map((p) => p.title)).toEqual(['Fine Product']);
  });

  it('marks an import failed after the job’s last attempt, and runs a failed one again on request', async () => {
    const shop = await t.seller({ shopName: 'Flaky' });
    const res = await upload(shop.auth, shop.shopId, FIXTURE);
    const queued = res.json<{ import: ImportView }>().import;
    const file = path.join(dir, 'imports', `${queued.id}.csv`);
    renameSync(file, `${file}.away`); // the data directory lost the file
    for (let attempt = 0; attempt < 3; attempt++) {
      await t.app.ctx.jobs.runDue('imports');
      t.clock.advance(10 * 60_000);
    }
    const failed = (await getImport(queued.id, shop.auth)).json<ImportView>();
    expect(failed).toMatchObject({ status: 'failed', products_created: 0 });
    expect(failed.error).toMatch(/ENOENT/);

    renameSync(`${file}.away`, file);
    const rerun = await t.app.inject({ method: 'POST', url: `/v1/imports/${queued.id}/run`, headers: shop.auth });
    expect(rerun.statusCode).toBe(202);
    expect(rerun.json().import).toMatchObject({ status: 'queued', error: null });
    await t.app.ctx.jobs.runDue('imports');
    expect((await getImport(queued.id, shop.auth)).json<ImportView>()).toMatchObject({ status: 'done', products_created: 3, variants_created: 5 });
  });

  it('refuses an import into a managed shop', async () => {
    const managed = await createShop(t.db, t.clock, { name: 'Managed', market: 'US', currency: 'USD', timezone: 'UTC', mode: 'managed', ownerId: seller.id });
    const res = await upload(seller.auth, managed.id, FIXTURE);
    expect([res.statusCode, res.json().error.code]).toEqual([403, 'managed_listing']);
  });

  it('imports a 10,000-row export in batches with progress, and resumes after an interruption', async () => {
    const shop = await t.seller({ shopName: 'Big' });
    const created = await createImport(t.db, t.clock, dir, { shopId: shop.shopId, userId: shop.id, data: bigExport(2500) }, { enqueue: false });
    expect(created.rows_total).toBe(10_000);
    const started = performance.now();
    const progress: number[] = [];
    // Stop after the second batch, as if the process died; running it again resumes there.
    await expect(
      processImport(t.db, t.clock, dir, created.id, {
        onProgress: (p) => {
          progress.push(p.rows_done);
          if (progress.length === 2) throw new Error('interrupted');
        },
      }),
    ).rejects.toThrow('interrupted');
    const done = await processImport(t.db, t.clock, dir, created.id, { onProgress: (p) => progress.push(p.rows_done) });
    const seconds = (performance.now() - started) / 1000;
    console.log(`10,000-row import: ${seconds.toFixed(1)} s (${Math.round(10_000 / seconds)} rows/s)`);
    expect(done).toMatchObject({ status: 'done', rows_done: 10_000, products_created: 2500, variants_created: 10_000, rows_skipped: 0, report: [] });
    expect(progress.length).toBeGreaterThan(10);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(new Set(progress).size).toBe(progress.length);
    const sample = (await listProducts(t.db, stockKeeper, { shopId: shop.shopId, status: 'all', q: '"Product 1234"' })).data[0]!;
    const detail = await getProduct(t.db, stockKeeper, sample.id, { viewerId: shop.id });
    expect(detail.variants.map((v) => [v.code, v.price.amount, v.available])).toEqual([
      ['P1234-S', 7434, 1],
      ['P1234-M', 7434, 2],
      ['P1234-L', 7434, 3],
      ['P1234-XL', 7434, 4],
    ]);
  }, 180_000);
});

describe('imports: Shopify values', () => {
  it('turns decimal prices into exact minor units and refuses anything else', () => {
    expect(parseAmount('19.99', 2)).toBe(1999);
    expect(parseAmount('20', 2)).toBe(2000);
    expect(parseAmount('21.5', 2)).toBe(2150);
    expect(parseAmount('0.29', 2)).toBe(29); // 0.29 * 100 = 28.999999999999996 in floats
    expect(parseAmount('1500.00', 0)).toBe(1500);
    expect(parseAmount('12.340', 2)).toBe(1234);
    for (const bad of ['abc', '-5', '1e3', '19.999', '.5', '1,299.00', '', '19.99 USD']) expect(parseAmount(bad, 2)).toBeNull();
    expect(parseAmount('15.5', 0)).toBeNull();
  });

  it('makes category slugs from the last level of the Shopify category', () => {
    expect(categorySlug('Apparel & Accessories > Clothing > Shirts & Tops')).toBe('shirts-tops');
    expect(categorySlug('Crème Brûlée')).toBe('creme-brulee');
    expect(categorySlug('  ')).toBeNull();
  });
});
