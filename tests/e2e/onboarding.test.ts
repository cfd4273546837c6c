import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, newPage, shot, signIn, startE2E, uniqueEmail, type E2E, openSection } from './support.js';

/**
 * Issue 5, acceptance: a new user signs up, applies with the demo invitation code (self-fulfilled,
 * category outdoor, yearly sales above the US threshold, a US warehouse, the three documents),
 * the demo operator approves the application in the operator console, and the new seller creates
 * a product in the seller center. Screens in English and Chinese.
 */
const OPERATOR = 'operator@demo.loopshop.dev';
const PASSWORD = 'correct horse battery';
const COMPANY = `Trailhead Supply ${Date.now().toString(36)}`;
/** A minimal valid PDF. */
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);
/** A small PNG (8×8, red). */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEklEQVR4nGP4z8CAFWEXHbQSACj/P8Fu7N9hAAAAAElFTkSuQmCC', 'base64');

describe('seller onboarding: apply, approval, first product (browser)', () => {
  let e2e: E2E;
  const email = uniqueEmail('applicant');

  beforeAll(async () => {
    e2e = await startE2E();
  }, 120_000);
  afterAll(async () => {
    await e2e?.close();
  });

  const upload = async (page: Page, kind: string, label: string, file: { name: string; mimeType: string; buffer: Buffer }) => {
    const box = page.getByTestId(`document-${kind}`);
    await box.getByLabel(label).setInputFiles(file);
    await box.getByTestId('document').waitFor();
  };

  it('a new user signs up and applies with the demo invitation code', async () => {
    const { context, page } = await newPage(e2e);
    try {
      await page.goto('/sign-up');
      await page.getByLabel('Name').fill('Grace Hopper');
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.waitForURL('**/feed');

      // Not a seller yet: the account menu offers the application.
      await page.getByTestId('account-menu').click();
      await page.getByTestId('apply-link').click();
      await page.waitForURL('**/apply');
      await page.getByRole('heading', { level: 1, name: 'Sell on Loopshop' }).waitFor();

      const form = page.getByTestId('application-form');
      await form.getByTestId('market-requirements').getByText('at least $2,000,000.00').waitFor();
      // Nothing is sent while required fields are empty.
      await form.getByTestId('application-submit').click();
      await form.getByText('Check the highlighted fields.').waitFor();

      await form.getByLabel('Invitation code').fill('loopshop-demo-us');
      await form.getByLabel('Category', { exact: true }).fill('outdoor');
      await form.getByLabel('Self-fulfilled').check();
      await form.getByLabel('Company name').fill(COMPANY);
      await form.getByLabel('Company registration number').fill(`REG-${Date.now()}`);
      await form.getByLabel('Tax ID').fill(`TAX-${Date.now()}`);
      await form.getByLabel('Contact person').fill('Grace Hopper');
      await form.getByLabel('Contact email').fill(email);
      await form.getByLabel('Contact phone').fill('+1 415 555 0100');
      await form.getByLabel(/Yearly sales/).fill('2500000');
      await form.getByLabel('Marketplace', { exact: true }).fill('Amazon US');
      await form.locator('input[name="wh0-name"]').fill('Oakland DC');
      await form.locator('input[name="wh0-line1"]').fill('500 Embarcadero West');
      await form.locator('input[name="wh0-city"]').fill('Oakland');
      await form.locator('input[name="wh0-region"]').fill('CA');
      await form.locator('input[name="wh0-postal_code"]').fill('94607');
      await form.locator('select[name="wh0-country"]').selectOption('US');

      // A text file is refused with a clear message; the three documents upload.
      await form.getByTestId('document-licence').getByLabel('Business licence').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
      await form.getByTestId('document-licence').getByText('Upload a PDF, JPEG or PNG file.').waitFor();
      await upload(page, 'local_stock_proof', 'Local stock proof', { name: 'stock.pdf', mimeType: 'application/pdf', buffer: PDF });
      await upload(page, 'sales_statement', 'Marketplace sales statement', { name: 'sales.pdf', mimeType: 'application/pdf', buffer: PDF });
      await upload(page, 'licence', 'Business licence', { name: 'licence.png', mimeType: 'image/png', buffer: PNG });
      await shot(page, 'onboarding-apply-form');

      await form.getByTestId('application-submit').click();
      const app = page.getByTestId('application');
      await app.getByTestId('applicationStatus-badge').filter({ hasText: 'Submitted' }).waitFor();
      const checks = app.getByTestId('application-checks').locator('li');
      expect(await checks.count()).toBe(5);
      expect(await app.getByTestId('application-checks').locator('li[data-passed="false"]').count()).toBe(0);
      expect(await app.getByTestId('application-documents').locator('a').count()).toBe(3);
      await shot(page, 'onboarding-apply-submitted');
    } finally {
      await context.close();
    }
  });

  it('the applicant sees the status in Chinese', async () => {
    const { context, page } = await newPage(e2e, 'zh-CN');
    try {
      await signIn(page, email, PASSWORD);
      await page.waitForURL('**/feed');
      await page.goto('/apply');
      await page.getByRole('heading', { level: 1, name: '在 Loopshop 开店' }).waitFor();
      await page.getByTestId('application').getByTestId('applicationStatus-badge').filter({ hasText: '已提交' }).waitFor();
      await shot(page, 'onboarding-apply-submitted-zh');
    } finally {
      await context.close();
    }
  });

  it("an application the checks reject gives its reasons in the viewer's language, documents by name", async () => {
    const api = apiClient(() => e2e.url);
    const rejectedEmail = uniqueEmail('rejected');
    const { token } = await api.call<{ token: string }>(null, 'POST', '/v1/auth/sign-up', { email: rejectedEmail, password: PASSWORD, name: 'Lin Wei', locale: 'zh-CN' });
    const form = new FormData();
    form.append('kind', 'licence');
    form.append('file', new Blob([PDF]), 'licence.pdf');
    const doc = await api.call<{ id: string }>(token, 'POST', '/v1/seller-applications/documents', form);
    const app = await api.call<{ status: string }>(token, 'POST', '/v1/seller-applications', {
      invitation_code: 'loopshop-demo-us',
      category: 'outdoor',
      mode: 'self_fulfilled',
      company_name: `Lin Trading ${Date.now().toString(36)}`,
      registration_number: `REG-LIN-${Date.now()}`,
      tax_id: `TAX-LIN-${Date.now()}`,
      contact: { name: 'Lin Wei', email: rejectedEmail, phone: '+86 755 0000 0000' },
      yearly_sales: { amount: 250_000_000, currency: 'USD', marketplace: 'Amazon US' },
      warehouses: [{ name: 'Shenzhen', address: { line1: '8 Bao An Rd', city: 'Shenzhen', country: 'CN' } }],
      document_ids: [doc.id],
    });
    expect(app.status).toBe('rejected');
    const { context, page } = await newPage(e2e, 'zh-CN');
    try {
      await signIn(page, rejectedEmail, PASSWORD);
      await page.waitForURL('**/feed');
      await page.goto('/apply');
      const checks = page.getByTestId('application').getByTestId('application-checks');
      await checks.locator('li[data-check="documents"]').getByText('缺少必需文件：本地库存证明、平台销售报表。').waitFor();
      await checks.locator('li[data-check="local_warehouse"]').getByText('在美国自行发货的店铺需要在美国有仓库。').waitFor();
      const text = await checks.innerText();
      expect(text).not.toMatch(/local_stock_proof|sales_statement|Missing required|warehouse/);
      await shot(page, 'onboarding-apply-rejected-zh');
    } finally {
      await context.close();
    }
  });

  it('the operator reviews and approves the application in the console', async () => {
    const { context, page } = await newPage(e2e);
    try {
      await signIn(page, OPERATOR);
      await page.waitForURL('**/feed');
      await page.goto('/operator');
      await openSection(page, 'Operator console sections', 'Applications');
      await page.waitForURL('**/operator/applications');
      await page.getByTestId('application-row').filter({ hasText: COMPANY }).getByRole('link').click();

      const app = page.getByTestId('application');
      await app.getByTestId('application-documents').locator('a').first().waitFor();
      // The documents open through the document route, for operators too.
      const href = (await app.getByTestId('application-documents').locator('a').first().getAttribute('href'))!;
      expect(href).toMatch(/^\/v1\/seller-applications\/documents\/doc_/);
      const doc = await page.request.get(href);
      expect(doc.status()).toBe(200);
      await app.getByTestId('start-review').click();
      await app.getByTestId('applicationStatus-badge').filter({ hasText: 'In review' }).waitFor();
      await shot(page, 'onboarding-operator-review');
      await app.getByTestId('approve-form').getByRole('button', { name: 'Approve' }).click();
      await app.getByTestId('applicationStatus-badge').filter({ hasText: 'Approved' }).waitFor();
      await shot(page, 'onboarding-operator-approved');

      // Invitations: a new code is shown once, then listed by its last characters.
      await openSection(page, 'Operator console sections', 'Invitations');
      const invite = page.getByTestId('invitation-form');
      await invite.getByLabel('Category').fill('camping');
      await invite.getByLabel('Maximum uses').fill('3');
      await invite.getByRole('button', { name: 'Create code' }).click();
      const code = (await page.getByTestId('new-invitation-code').textContent())!;
      expect(code.replace(/-/g, '').length).toBeGreaterThan(20);
      await page.getByTestId('invitation-row').filter({ hasText: code.slice(-4) }).waitFor();
      await shot(page, 'onboarding-operator-invitations');

      await openSection(page, 'Operator console sections', 'Markets');
      await page.getByTestId('market').first().waitFor();
      await shot(page, 'onboarding-operator-markets');
    } finally {
      await context.close();
    }
  });

  it('the operator console in Chinese', async () => {
    const { context, page } = await newPage(e2e, 'zh-CN');
    try {
      await signIn(page, OPERATOR);
      await page.waitForURL('**/feed');
      await page.goto('/operator/applications');
      await page.getByTestId('applications-status').selectOption('approved');
      await page.getByTestId('application-row').filter({ hasText: COMPANY }).getByText('已批准').waitFor();
      await shot(page, 'onboarding-operator-applications-zh');
      await page.goto('/operator/managed-catalog');
      await page.getByTestId('offer-queue-empty').waitFor();
      await shot(page, 'onboarding-operator-managed-zh');
    } finally {
      await context.close();
    }
  });

  it('the new seller opens the seller center and creates a product', async () => {
    const { context, page } = await newPage(e2e);
    try {
      await signIn(page, email, PASSWORD);
      await page.waitForURL('**/feed');
      await page.goto('/apply');
      await page.getByTestId('application').getByTestId('applicationStatus-badge').filter({ hasText: 'Approved' }).waitFor();
      await page.getByTestId('open-seller-center').click();
      await page.waitForURL('**/seller');
      await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Seller center' }).waitFor();
      await page.getByText(COMPANY).first().waitFor();

      await page.goto('/seller/products/new');
      const form = page.getByTestId('product-form');
      await form.getByLabel('Title', { exact: true }).fill('Ridge 2-person tent');
      await form.getByLabel('Price of Default', { exact: true }).fill('249.00');
      await form.getByLabel('Stock of Default').fill('12');
      await form.getByRole('button', { name: 'Create product' }).click();
      await page.waitForURL('**/seller/products');
      await page.getByTestId('seller-product-row').filter({ hasText: 'Ridge 2-person tent' }).waitFor();
      await shot(page, 'onboarding-seller-product');
    } finally {
      await context.close();
    }
  });

  it('a managed shop offers goods and sends them in; operators price, publish and receive them', async () => {
    // A second applicant, in the managed mode, approved through the API.
    const { call } = apiClient(() => e2e.url);
    const managedEmail = uniqueEmail('managed');
    const applicant = (await call<{ token: string }>('', 'POST', '/v1/auth/sign-up', { email: managedEmail, password: PASSWORD, name: 'Mae Jemison' })).token;
    const operator = (await call<{ token: string }>('', 'POST', '/v1/auth/sign-in', { email: OPERATOR, password: 'loopshop-demo' })).token;
    const docIds: string[] = [];
    for (const kind of ['local_stock_proof', 'sales_statement', 'licence']) {
      const form = new FormData();
      form.append('kind', kind);
      form.append('file', new Blob([PDF], { type: 'application/pdf' }), `${kind}.pdf`);
      docIds.push((await call<{ id: string }>(applicant, 'POST', '/v1/seller-applications/documents', form)).id);
    }
    const app = await call<{ id: string }>(applicant, 'POST', '/v1/seller-applications', {
      invitation_code: 'LOOPSHOP-DEMO-US',
      category: 'outdoor',
      mode: 'managed',
      company_name: `Summit Goods ${Date.now().toString(36)}`,
      registration_number: `MREG-${Date.now()}`,
      tax_id: `MTAX-${Date.now()}`,
      contact: { name: 'Mae Jemison', email: managedEmail, phone: '+1 212 555 0100' },
      yearly_sales: { amount: 300_000_000, currency: 'USD', marketplace: 'Walmart' },
      warehouses: [],
      document_ids: docIds,
    });
    await call(operator, 'POST', `/v1/seller-applications/${app.id}/review`, { action: 'start_review' });
    await call(operator, 'POST', `/v1/seller-applications/${app.id}/review`, { action: 'approve' });

    const seller = await newPage(e2e);
    const op = await newPage(e2e);
    try {
      const { page } = seller;
      await signIn(page, managedEmail, PASSWORD);
      await page.waitForURL('**/feed');
      await page.goto('/seller/supply-offers');
      const offer = page.getByTestId('offer-form');
      await offer.getByLabel('Product title').fill('Alpine down jacket');
      await offer.getByLabel('Options').fill('Size');
      await offer.getByLabel('Values (Size)').fill('M');
      await offer.getByLabel('Supply price (USD)').fill('80.00');
      await offer.getByLabel('Quantity available').fill('40');
      await offer.getByRole('button', { name: 'Send offer' }).click();
      await page.getByTestId('supply-offer').filter({ hasText: 'Alpine down jacket' }).getByText('Waiting for review').waitFor();
      await shot(page, 'onboarding-managed-offer');

      await signIn(op.page, OPERATOR);
      await op.page.waitForURL('**/feed');
      await op.page.goto('/operator/managed-catalog');
      const queued = op.page.getByTestId('supply-offer').filter({ hasText: 'Alpine down jacket' });
      await queued.getByLabel('Retail price of M').fill('149.00');
      await shot(op.page, 'onboarding-operator-managed-catalog');
      await queued.getByRole('button', { name: 'Accept and publish' }).click();
      await op.page.getByTestId('offer-queue-empty').waitFor();

      await page.goto('/seller/inbound');
      const inbound = page.getByTestId('inbound-form');
      await inbound.getByLabel('Quantity of Alpine down jacket · M sent').fill('40');
      await inbound.getByRole('button', { name: 'Announce shipment' }).click();
      await page.getByTestId('inbound-shipment').getByText('Expected', { exact: true }).first().waitFor();

      await op.page.goto('/operator/receiving');
      const receive = op.page.getByTestId('receive-form');
      await receive.locator('input[type="number"]').fill('38');
      await receive.getByRole('button', { name: 'Record receipt' }).click();
      await op.page.getByTestId('inbound-queue-empty').waitFor();

      await page.reload();
      const received = page.getByTestId('inbound-shipment').first();
      await received.getByText('Received with discrepancies').waitFor();
      expect(await received.getByTestId('discrepancy').textContent()).toBe('-2');
      await shot(page, 'onboarding-managed-inbound');
    } finally {
      await seller.context.close();
      await op.context.close();
    }
  });
});

