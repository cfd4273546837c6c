import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_INVITATION_CODE, seedDemo } from '../../demo/seed.js';
import { DAY, HOUR } from '../../platform/clock.js';
import { loadMarkets, market } from '../../platform/markets.js';
import { markets } from '../../platform/schema.js';
import { injectForm, testApp, type TestApp } from '../../test/app.js';
import { applicationForm } from '../../test/applications.js';
import { generateCode, normalizeCode } from './invitations.js';

type Auth = { authorization: string };
interface Application {
  id: string;
  invitation_id: string;
  status: string;
  shop_id: string | null;
  questions: string[] | null;
  checks: Array<{ check: string; passed: boolean; reason: string | null; code: string | null; params: Record<string, unknown> }>;
  documents: Array<{ id: string; kind: string; url: string }>;
  timeline: Array<{ from: string | null; to: string; actor_role: string; note: string | null; questions: string[] | null }>;
}
interface Invitation {
  id: string;
  code: string;
  code_hint: string;
  uses: number;
  status: string;
}

const PDF = Buffer.from('%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64)]);
const US_DOCS = ['local_stock_proof', 'sales_statement', 'licence'];

describe('seller onboarding: markets, invitations, applications, review', () => {
  let t: TestApp;
  let dir: string;
  let operator: { id: string; auth: Auth };
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'loopshop-onboarding-'));
    t = await testApp({ dataDir: dir });
    expect(await seedDemo(t.db, t.clock, { history: false })).toBe(true); // accounts and the demo invitation; no history needed
    operator = await t.account({ roles: ['operator'] });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string, auth?: Auth) => t.app.inject({ method: 'GET', url, headers: auth });
  const send = (method: 'POST' | 'PATCH', url: string, auth: Auth | undefined, payload?: object) =>
    t.app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  const ok = <T>(res: { statusCode: number; json: () => unknown; body: string }, status = 200): T => {
    expect(res.statusCode, res.body).toBe(status);
    return res.json() as T;
  };
  const errorOf = (res: { statusCode: number; json: () => unknown }) => ({ status: res.statusCode, code: (res.json() as { error: { code: string } }).error.code });

  const invite = async (body: Partial<{ market: string; category: string; max_uses: number; expires_at: string }> = {}) =>
    ok<Invitation>(
      await send('POST', '/v1/invitations', operator.auth, {
        market: 'US',
        category: 'outdoor',
        max_uses: 10,
        expires_at: new Date(t.clock.now().getTime() + 7 * DAY).toISOString(),
        ...body,
      }),
      201,
    );
  const invitation = async (id: string) => {
    const all = ok<{ data: Invitation[] }>(await get('/v1/invitations?limit=100', operator.auth));
    return all.data.find((i) => i.id === id)!;
  };
  const upload = async (auth: Auth, kind: string, data: Buffer = PDF) => {
    const form = new FormData();
    form.append('kind', kind);
    form.append('file', new Blob([data]), 'document.pdf');
    return injectForm(t.app, '/v1/seller-applications/documents', auth, form);
  };
  /** A signed-in user with the documents `kinds` uploaded. */
  const applicant = async (kinds: string[] = US_DOCS) => {
    const a = await t.account();
    const docs: string[] = [];
    for (const k of kinds) docs.push(ok<{ id: string }>(await upload(a.auth, k), 201).id);
    return { ...a, docs };
  };
  const form = (code: string, docs: string[], over: Record<string, unknown> = {}) => ({ ...applicationForm(code, docs), ...over });
  const apply = (a: { auth: Auth; docs: string[] }, code: string, over: Record<string, unknown> = {}) =>
    send('POST', '/v1/seller-applications', a.auth, form(code, a.docs, over));
  const review = (id: string, body: object, auth: Auth = operator.auth) => send('POST', `/v1/seller-applications/${id}/review`, auth, body);
  const approve = async (id: string) => {
    ok(await review(id, { action: 'start_review' }));
    return ok<Application>(await review(id, { action: 'approve', note: 'Welcome' }));
  };
  const myApplications = async (auth: Auth) => ok<{ data: Application[] }>(await get('/v1/seller-applications/mine', auth)).data;

  it('valid code → submitted with passed checks → in review → approved: the shop exists and the new seller lists a product', async () => {
    const inv = await invite();
    expect(inv.code).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){6}[0-9A-HJKMNP-TV-Z]{4}$/);
    const a = await applicant();
    const submitted = ok<Application>(await apply(a, inv.code.toLowerCase()), 201);
    expect(submitted.status).toBe('submitted');
    expect(submitted.checks.every((c) => c.passed)).toBe(true);
    expect(submitted.documents.map((d) => d.kind).sort()).toEqual([...US_DOCS].sort());
    expect((await invitation(inv.id)).uses).toBe(1);

    const approved = await approve(submitted.id);
    expect(approved.status).toBe('approved');
    expect(approved.timeline.map((e) => [e.from, e.to, e.actor_role])).toEqual([
      [null, 'submitted', 'applicant'],
      ['submitted', 'in_review', 'operator'],
      ['in_review', 'approved', 'operator'],
    ]);
    const me = ok<{ user: { roles: string[]; shops: Array<{ id: string; market: string; currency: string; timezone: string; mode: string; role: string }> } }>(
      await get('/v1/me', a.auth),
    );
    expect(me.user.roles).toContain('seller');
    expect(me.user.shops).toEqual([expect.objectContaining({ id: approved.shop_id, market: 'US', currency: 'USD', timezone: 'America/New_York', mode: 'self_fulfilled', role: 'owner' })]);
    // The applicant is told (one job run after the decision), with the page where the seller starts; the operator is not.
    // (The default lane only: the demo seed's media jobs are not this test's.)
    await t.app.ctx.jobs.runDue('default');
    type Notes = { data: Array<{ type: string; link: string | null; data: { application_id: string } }> };
    expect(ok<Notes>(await get('/v1/notifications', a.auth)).data).toEqual([
      expect.objectContaining({ type: 'application_approved', link: '/seller', data: expect.objectContaining({ application_id: submitted.id }) }),
    ]);
    expect(ok<Notes>(await get('/v1/notifications', operator.auth)).data.filter((n) => n.data.application_id === submitted.id)).toEqual([]);
    const warehouses = ok<{ data: Array<{ name: string; address: { city: string } }> }>(await get(`/v1/shops/${approved.shop_id}/warehouses`, a.auth));
    expect(warehouses.data.map((w) => w.name)).toContain('Newark DC');
    const product = await send('POST', `/v1/shops/${approved.shop_id}/products`, a.auth, {
      title: 'Ultralight tent',
      status: 'live',
      option_names: [],
      variants: [{ option_values: [], price: { amount: 19900, currency: 'USD' }, stock: { on_hand: 5 } }],
    });
    expect(product.statusCode, product.body).toBe(201);
  });

  it('the demo invitation code (README) admits applications for US outdoor shops', async () => {
    const res = ok<Application & { market: string; category: string }>(await apply(await applicant(), DEMO_INVITATION_CODE), 201);
    expect(res).toMatchObject({ status: 'submitted', market: 'US', category: 'outdoor' });
    const all = ok<{ data: Array<Invitation & { max_uses: number; market: string }> }>(await get('/v1/invitations?limit=100', operator.auth));
    expect(all.data.find((i) => i.id === res.invitation_id)).toMatchObject({ max_uses: 1000, uses: 1, market: 'US', status: 'active' });
  });

  it('invalid, expired, revoked and used-up codes are refused: nothing stored, no use taken', async () => {
    const a = await applicant();
    expect(errorOf(await apply(a, generateCode()))).toEqual({ status: 400, code: 'invalid_invitation' });

    const expiring = await invite({ expires_at: new Date(t.clock.now().getTime() + HOUR).toISOString() });
    t.clock.advance(2 * HOUR);
    expect(errorOf(await apply(a, expiring.code))).toEqual({ status: 409, code: 'invitation_expired' });

    const revoked = await invite();
    expect(ok<Invitation>(await send('POST', `/v1/invitations/${revoked.id}/revoke`, operator.auth)).status).toBe('revoked');
    expect(errorOf(await apply(a, revoked.code))).toEqual({ status: 409, code: 'invitation_revoked' });

    const once = await invite({ max_uses: 1 });
    ok(await apply(await applicant(), once.code), 201);
    expect(errorOf(await apply(a, once.code))).toEqual({ status: 409, code: 'invitation_used_up' });
    expect((await invitation(once.id)).status).toBe('used_up');

    // A refusal after the code was taken gives the use back.
    const fresh = await invite({ max_uses: 1 });
    const other = await applicant(['licence']);
    expect(errorOf(await apply(a, fresh.code, { document_ids: [...a.docs, other.docs[0]] }))).toEqual({ status: 404, code: 'not_found' });
    expect(errorOf(await apply(a, fresh.code, { category: 'tea' }))).toEqual({ status: 400, code: 'category_mismatch' });
    expect(errorOf(await apply(a, fresh.code, { yearly_sales: { amount: 300_000_000, currency: 'EUR', marketplace: 'Amazon DE' } }))).toEqual({
      status: 400,
      code: 'sales_currency_mismatch',
    });
    expect(errorOf(await apply(a, fresh.code, { company_name: '   ' }))).toEqual({ status: 400, code: 'validation_failed' });
    expect((await invitation(fresh.id)).uses).toBe(0);
    expect((await invitation(expiring.id)).uses).toBe(0);
    expect(await myApplications(a.auth)).toEqual([]);
    ok(await apply(a, fresh.code), 201);
  });

  it('sales below the market threshold: rejected at once with a clear reason; fixed and resubmitted it passes', async () => {
    const inv = await invite();
    const a = await applicant();
    const rejected = ok<Application>(await apply(a, inv.code, { yearly_sales: { amount: 150_000_000, currency: 'USD', marketplace: 'eBay' } }), 201);
    expect(rejected.status).toBe('rejected');
    const threshold = rejected.checks.find((c) => c.check === 'sales_threshold')!;
    expect(threshold.passed).toBe(false);
    expect(threshold.reason).toBe('Yearly sales of $1,500,000.00 in category "outdoor" are below the US market\'s threshold of $2,000,000.00');
    expect(threshold).toMatchObject({
      code: 'sales_below_threshold',
      params: { market: 'US', category: 'outdoor', yearly_sales: { amount: 150_000_000, currency: 'USD' }, threshold: { amount: 200_000_000, currency: 'USD' } },
    });
    expect(rejected.timeline.at(-1)).toMatchObject({ from: 'submitted', to: 'rejected', actor_role: 'system', note: threshold.reason });
    // Operators cannot review what the checks rejected; the applicant can fix it.
    expect(errorOf(await review(rejected.id, { action: 'start_review' }))).toEqual({ status: 409, code: 'invalid_transition' });
    const fixed = ok<Application>(await send('POST', `/v1/seller-applications/${rejected.id}/resubmit`, a.auth, { yearly_sales: { amount: 210_000_000, currency: 'USD', marketplace: 'eBay' } }));
    expect(fixed.status).toBe('submitted');
    expect((await invitation(inv.id)).uses).toBe(1);
  });

  it('missing documents and no local warehouse are failed checks with reasons', async () => {
    const inv = await invite();
    const a = await applicant(['licence']);
    const res = ok<Application>(
      await apply(a, inv.code, { warehouses: [{ name: 'Shenzhen', address: { line1: '8 Bao An Rd', city: 'Shenzhen', country: 'CN' } }] }),
      201,
    );
    expect(res.status).toBe('rejected');
    expect(res.checks.filter((c) => !c.passed).map((c) => c.reason)).toEqual([
      'Missing required documents: local_stock_proof, sales_statement',
      'A self-fulfilled shop in US needs a warehouse in US',
    ]);
    // The same reasons as stable codes with their facts as data, for the web to say in the viewer's language.
    expect(res.checks.map((c) => [c.check, c.code, c.params])).toEqual([
      ['slots', null, {}],
      ['sales_threshold', null, {}],
      ['documents', 'missing_documents', { documents: ['local_stock_proof', 'sales_statement'] }],
      ['duplicate', null, {}],
      ['local_warehouse', 'no_local_warehouse', { market: 'US' }],
    ]);
  });

  it('needs_info → resubmit with answers → approved; every step stays in the timeline', async () => {
    const inv = await invite();
    const a = await applicant();
    const app = ok<Application>(await apply(a, inv.code), 201);
    ok(await review(app.id, { action: 'start_review' }));
    expect(errorOf(await review(app.id, { action: 'needs_info' }))).toEqual({ status: 400, code: 'questions_required' });
    expect(errorOf(await review(app.id, { action: 'reject' }))).toEqual({ status: 400, code: 'note_required' });
    const asked = ok<Application>(await review(app.id, { action: 'needs_info', note: 'Almost there', questions: ['Which carrier do you use?'] }));
    expect(asked).toMatchObject({ status: 'needs_info', questions: ['Which carrier do you use?'] });
    const seen = ok<Application>(await get(`/v1/seller-applications/${app.id}`, a.auth));
    expect(seen.questions).toEqual(['Which carrier do you use?']);
    expect(errorOf(await review(app.id, { action: 'approve' }))).toEqual({ status: 409, code: 'invalid_transition' });

    const more = ok<{ id: string }>(await upload(a.auth, 'sales_statement', PNG), 201);
    const again = ok<Application>(
      await send('POST', `/v1/seller-applications/${app.id}/resubmit`, a.auth, { note: 'UPS Ground', company_name: 'Trail Gear Holdings', document_ids: [more.id] }),
    );
    expect(again).toMatchObject({ status: 'submitted', questions: null });
    expect(again.documents).toHaveLength(4);
    expect(errorOf(await send('POST', `/v1/seller-applications/${app.id}/resubmit`, a.auth, { note: 'twice' }))).toEqual({ status: 409, code: 'invalid_transition' });
    const approved = await approve(app.id);
    expect(approved.timeline.map((e) => e.to)).toEqual(['submitted', 'in_review', 'needs_info', 'submitted', 'in_review', 'approved']);
    expect(approved.timeline[2]).toMatchObject({ actor_role: 'operator', note: 'Almost there', questions: ['Which carrier do you use?'] });
    expect(approved.timeline[3]).toMatchObject({ from: 'needs_info', actor_role: 'applicant', note: 'UPS Ground' });
    const me = ok<{ user: { shops: Array<{ name: string }> } }>(await get('/v1/me', a.auth));
    expect(me.user.shops.map((s) => s.name)).toEqual(['Trail Gear Holdings']);
  });

  it('a full market refuses approval with market_full; new applications there are rejected by the slots check', async () => {
    const inv = await invite({ market: 'GB', category: 'tea' });
    const gb = { yearly_sales: { amount: 60_000_000, currency: 'GBP', marketplace: 'Amazon UK' }, category: 'tea', warehouses: [{ name: 'Leeds', address: { line1: '2 Mill Ln', city: 'Leeds', country: 'GB' } }] };
    const a = await applicant(['local_stock_proof', 'licence']);
    const app = ok<Application>(await apply(a, inv.code, gb), 201);
    expect(app.status).toBe('submitted');
    ok(await review(app.id, { action: 'start_review' }));
    ok(await send('PATCH', '/v1/admin/markets/GB', operator.auth, { slot_quota: 0 }));
    try {
      const full = await review(app.id, { action: 'approve' });
      expect(errorOf(full)).toEqual({ status: 409, code: 'market_full' });
      expect(ok<Application>(await get(`/v1/seller-applications/${app.id}`, operator.auth))).toMatchObject({ status: 'in_review', shop_id: null });
      expect(ok<{ user: { roles: string[] } }>(await get('/v1/me', a.auth)).user.roles).not.toContain('seller');
      const late = ok<Application>(await apply(await applicant(['local_stock_proof', 'licence']), inv.code, gb), 201);
      expect(late.status).toBe('rejected');
      expect(late.checks.find((c) => c.check === 'slots')!.reason).toBe('The GB market has no seller slots left (0 of 0 taken)');
      const open = ok<{ data: Array<{ code: string; slots_left: number | null; applications_open: boolean }> }>(await get('/v1/markets'));
      expect(open.data.find((m) => m.code === 'GB')).toMatchObject({ slots_left: 0, applications_open: false });
    } finally {
      ok(await send('PATCH', '/v1/admin/markets/GB', operator.auth, { slot_quota: 100 }));
    }
    expect((await approve(ok<Application>(await apply(await applicant(['local_stock_proof', 'licence']), inv.code, gb), 201).id)).status).toBe('approved');
  });

  it('a tax id or registration number already used by an approved shop or an open application fails the duplicate check', async () => {
    const inv = await invite();
    const first = ok<Application>(await apply(await applicant(), inv.code, { tax_id: 'US-99-1234567', registration_number: 'DE-5551' }), 201);
    await approve(first.id);
    const dup = ok<Application>(await apply(await applicant(), inv.code, { tax_id: 'us 99 1234567' }), 201);
    expect(dup.status).toBe('rejected');
    expect(dup.checks.find((c) => c.check === 'duplicate')!.reason).toBe('Tax id us 99 1234567 is already used by an approved shop');
    const open = ok<Application>(await apply(await applicant(), inv.code, { registration_number: 'OPEN-777' }), 201);
    const twin = ok<Application>(await apply(await applicant(), inv.code, { registration_number: 'open777' }), 201);
    expect(twin.checks.find((c) => c.check === 'duplicate')!.reason).toBe('Company registration number open777 is already used by another open application');
    expect(open.status).toBe('submitted');
  });

  it('concurrent redemption of a one-use code: exactly one application gets it', async () => {
    const inv = await invite({ max_uses: 1 });
    const racers = await Promise.all(Array.from({ length: 6 }, () => applicant()));
    const results = await Promise.all(racers.map((a) => apply(a, inv.code)));
    const codes = results.map((r) => (r.statusCode === 201 ? 'ok' : errorOf(r).code)).sort();
    expect(codes).toEqual(['invitation_used_up', 'invitation_used_up', 'invitation_used_up', 'invitation_used_up', 'invitation_used_up', 'ok']);
    expect((await invitation(inv.id)).uses).toBe(1);
    const stored = await Promise.all(racers.map((a) => myApplications(a.auth)));
    expect(stored.flat()).toHaveLength(1);
  });

  it('applicants see only their own applications and documents; operators see all', async () => {
    const inv = await invite();
    const a = await applicant();
    const app = ok<Application>(await apply(a, inv.code), 201);
    const stranger = await applicant();
    expect(errorOf(await get(`/v1/seller-applications/${app.id}`, stranger.auth))).toEqual({ status: 404, code: 'not_found' });
    expect(errorOf(await get(app.documents[0]!.url, stranger.auth))).toEqual({ status: 404, code: 'not_found' });
    expect(errorOf(await send('POST', `/v1/seller-applications/${app.id}/resubmit`, stranger.auth, { note: 'x' }))).toEqual({ status: 404, code: 'not_found' });
    expect(errorOf(await get(`/v1/seller-applications/${app.id}`))).toEqual({ status: 401, code: 'unauthorized' });
    expect(await myApplications(stranger.auth)).toEqual([]);
    expect((await myApplications(a.auth)).map((x) => x.id)).toEqual([app.id]);
    // Someone else's uploaded document cannot be attached.
    expect(errorOf(await apply(a, inv.code, { document_ids: [stranger.docs[0]] }))).toEqual({ status: 404, code: 'not_found' });

    const own = await get(app.documents[0]!.url, a.auth);
    expect(own.statusCode).toBe(200);
    expect(own.headers['content-type']).toBe('application/pdf');
    expect(own.rawPayload.equals(PDF)).toBe(true);
    expect((await get(app.documents[0]!.url, operator.auth)).statusCode).toBe(200);
    expect(ok<Application>(await get(`/v1/seller-applications/${app.id}`, operator.auth)).id).toBe(app.id);
  });

  it('only operators review, see the queue, issue and revoke invitations and edit markets (403)', async () => {
    const inv = await invite();
    const a = await applicant();
    const app = ok<Application>(await apply(a, inv.code), 201);
    const forbidden = { status: 403, code: 'role_required' };
    expect(errorOf(await review(app.id, { action: 'start_review' }, a.auth))).toEqual(forbidden);
    expect(errorOf(await get('/v1/seller-applications', a.auth))).toEqual(forbidden);
    expect(errorOf(await send('POST', '/v1/invitations', a.auth, { market: 'US', category: 'x', max_uses: 1, expires_at: '2030-01-01T00:00:00Z' }))).toEqual(forbidden);
    expect(errorOf(await get('/v1/invitations', a.auth))).toEqual(forbidden);
    expect(errorOf(await send('POST', `/v1/invitations/${inv.id}/revoke`, a.auth))).toEqual(forbidden);
    expect(errorOf(await get('/v1/admin/markets', a.auth))).toEqual(forbidden);
    expect(errorOf(await send('PATCH', '/v1/admin/markets/US', a.auth, { slot_quota: 1 }))).toEqual(forbidden);
    expect(ok<Application>(await get(`/v1/seller-applications/${app.id}`, a.auth)).status).toBe('submitted');
    expect((await invitation(inv.id)).status).toBe('active');

    expect(errorOf(await review('app_00000000000000000000000000', { action: 'start_review' }))).toEqual({ status: 404, code: 'not_found' });
    expect(errorOf(await send('POST', '/v1/invitations/inv_00000000000000000000000000/revoke', operator.auth))).toEqual({ status: 404, code: 'not_found' });
    expect(errorOf(await send('PATCH', '/v1/admin/markets/ZZ', operator.auth, { slot_quota: 1 }))).toEqual({ status: 404, code: 'not_found' });

    const queue = ok<{ data: Application[]; next_cursor: string | null }>(await get('/v1/seller-applications?status=submitted&limit=1', operator.auth));
    expect(queue.data).toHaveLength(1);
    expect(queue.data[0]!.status).toBe('submitted');
    const next = ok<{ data: Application[] }>(await get(`/v1/seller-applications?status=submitted&limit=100&cursor=${queue.next_cursor}`, operator.auth));
    expect(next.data.map((x) => x.id)).toContain(app.id);
    const invitations = ok<{ data: Invitation[]; next_cursor: string | null }>(await get('/v1/invitations?limit=1', operator.auth));
    expect(invitations.data[0]).toMatchObject({ id: inv.id, code_hint: normalizeCode(inv.code).slice(-4) });
    expect(invitations.data[0]).not.toHaveProperty('code');
    expect(invitations.next_cursor).toBe(inv.id);
  });

  it('documents are checked by content and size', async () => {
    const a = await t.account();
    expect(errorOf(await upload(a.auth, 'licence', Buffer.from('just text, named .pdf')))).toEqual({ status: 415, code: 'unsupported_media' });
    expect(errorOf(await upload(a.auth, 'licence', Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)])))).toEqual({ status: 413, code: 'file_too_large' });
    expect(errorOf(await upload(a.auth, 'passport'))).toEqual({ status: 400, code: 'validation_failed' });
    const png = ok<{ content_type: string; kind: string }>(await upload(a.auth, 'licence', PNG), 201);
    expect(png).toMatchObject({ content_type: 'image/png', kind: 'licence' });
  });

  it('markets: operator edits reach market() at once, other nodes on reload; bad edits change nothing', async () => {
    const before = ok<{ data: Array<{ code: string; tax_rate_bps: number; required_documents: string[]; sales_threshold: unknown }> }>(await get('/v1/admin/markets', operator.auth));
    expect(before.data.map((m) => m.code)).toEqual(['CN', 'GB', 'US']);
    expect(before.data.find((m) => m.code === 'US')).toMatchObject({ required_documents: US_DOCS, sales_threshold: { amount: 200_000_000, currency: 'USD' }, slot_quota: 50 });

    const edited = ok<{ tax_rate_bps: number; ship_within_ms: number; updated_by: string }>(
      await send('PATCH', '/v1/admin/markets/CN', operator.auth, { tax_rate_bps: 900, ship_within_ms: 36 * HOUR }),
    );
    expect(edited).toMatchObject({ tax_rate_bps: 900, ship_within_ms: 36 * HOUR, updated_by: operator.id });
    expect(market('CN')).toMatchObject({ taxRateBps: 900, shipWithinMs: 36 * HOUR });
    const pub = ok<{ data: Array<{ code: string; tax_rate_bps: number; ship_within_hours: number }> }>(await get('/v1/markets'));
    expect(pub.data.find((m) => m.code === 'CN')).toMatchObject({ tax_rate_bps: 900, ship_within_hours: 36 });

    // Another node's edit arrives with the next reload.
    await t.db.update(markets).set({ taxRateBps: 950 }).where(eq(markets.code, 'CN'));
    expect(market('CN').taxRateBps).toBe(900);
    await loadMarkets(t.db);
    expect(market('CN').taxRateBps).toBe(950);

    for (const bad of [{}, { tax_rate_bps: 10_001 }, { ship_within_ms: 5 }, { colour: 'red' }, { required_documents: ['passport'] }, { tax_rate_bps: '5' }]) {
      expect(errorOf(await send('PATCH', '/v1/admin/markets/CN', operator.auth, bad))).toEqual({ status: 400, code: 'validation_failed' });
    }
    expect(errorOf(await send('PATCH', '/v1/admin/markets/CN', operator.auth, { sales_threshold: { amount: 5, currency: 'USD' } }))).toEqual({ status: 400, code: 'invalid_currency' });
    expect(market('CN')).toMatchObject({ taxRateBps: 950, shipWithinMs: 36 * HOUR, salesThreshold: null });
  });

  it('bad input is refused with 400 and changes nothing', async () => {
    const inv = await invite({ max_uses: 1 });
    const a = await applicant();
    const good = form(inv.code, a.docs);
    const { tax_id: _omit, ...missing } = good;
    for (const body of [missing, { ...good, extra: 1 }, { ...good, mode: 'dropship' }, { ...good, yearly_sales: { ...good.yearly_sales, amount: '5' } }, { ...good, contact: { ...good.contact, email: 'nope' } }]) {
      expect(errorOf(await send('POST', '/v1/seller-applications', a.auth, body))).toEqual({ status: 400, code: 'validation_failed' });
    }
    for (const body of [{ market: 'US', category: 'x', max_uses: 0, expires_at: '2030-01-01T00:00:00Z' }, { market: 'US', category: 'x', max_uses: 1001, expires_at: '2030-01-01T00:00:00Z' }]) {
      expect(errorOf(await send('POST', '/v1/invitations', operator.auth, body))).toEqual({ status: 400, code: 'validation_failed' });
    }
    expect(errorOf(await send('POST', '/v1/invitations', operator.auth, { market: 'ZZ', category: 'x', max_uses: 1, expires_at: '2030-01-01T00:00:00Z' }))).toEqual({ status: 400, code: 'unknown_market' });
    expect(errorOf(await send('POST', '/v1/invitations', operator.auth, { market: 'US', category: 'x', max_uses: 1, expires_at: '2020-01-01T00:00:00Z' }))).toEqual({ status: 400, code: 'invalid_expires_at' });
    expect(errorOf(await review('app_00000000000000000000000000', { action: 'approve', extra: true }))).toEqual({ status: 400, code: 'validation_failed' });
    expect((await invitation(inv.id)).uses).toBe(0);
    expect(await myApplications(a.auth)).toEqual([]);
  });

  it('documents its routes in the OpenAPI document', async () => {
    const doc = (await t.app.inject('/docs/json')).json();
    for (const p of ['/v1/markets', '/v1/admin/markets/{code}', '/v1/invitations', '/v1/invitations/{id}/revoke', '/v1/seller-applications', '/v1/seller-applications/{id}/review', '/v1/seller-applications/{id}/resubmit']) {
      expect(doc.paths[p], p).toBeDefined();
    }
    expect(doc.paths['/v1/seller-applications/documents'].post.requestBody.content['multipart/form-data'].schema.required).toEqual(['file', 'kind']);
  });
});
