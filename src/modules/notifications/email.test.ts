import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../test/app.js';
import { freePort } from '../../test/ports.js';
import { addToCart, cardBody, checkoutReq, shopWithProduct } from '../orders/index.js';

interface Mail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/** Decodes the little MIME nodemailer writes: encoded-word subjects, a multipart of text and HTML in base64 or quoted-printable. */
function parse(raw: string): Omit<Mail, 'to'> {
  const unfolded = raw.replace(/\r\n[ \t]+/g, ' ');
  const header = (block: string, name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(block)?.[1]?.trim() ?? '';
  const words = (v: string) =>
    v.replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_m, enc: string, data: string) =>
      enc.toLowerCase() === 'b' ? Buffer.from(data, 'base64').toString('utf8') : qp(data.replace(/_/g, ' ')),
    );
  const qp = (v: string) => Buffer.from(v.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  const part = (type: string) => {
    const found = unfolded.split(/\r?\n--/).find((p) => header(p, 'Content-Type').startsWith(type));
    if (!found) return '';
    const [head, ...body] = found.split(/\r?\n\r?\n/);
    const content = body.join('\n\n');
    const enc = header(head!, 'Content-Transfer-Encoding').toLowerCase();
    return enc === 'base64' ? Buffer.from(content.replace(/\s+/g, ''), 'base64').toString('utf8') : enc === 'quoted-printable' ? qp(content) : content;
  };
  return { subject: words(header(unfolded, 'Subject')), text: part('text/plain'), html: part('text/html') };
}

describe('notification emails through a local SMTP server', () => {
  const mails: Mail[] = [];
  let server: SMTPServer;
  let t: TestApp;
  beforeAll(async () => {
    const port = await freePort();
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), ...parse(Buffer.concat(chunks).toString('utf8')) });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    t = await testApp({ smtp: { host: '127.0.0.1', port, user: undefined, password: undefined, from: 'Loopshop <no-reply@shop.test>' }, publicUrl: 'https://shop.test' });
  });
  afterAll(async () => {
    await t?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends each notification after the fact commits, to its recipient, in the account’s language, with the link', async () => {
    const shop = await shopWithProduct(t, { name: 'Mailed', variants: [{ price: 1999, onHand: 5 }] });
    const seller = await t.app.inject({ method: 'GET', url: '/v1/me', headers: shop.owner.auth });
    const sellerEmail = (seller.json() as { user: { email: string } }).user.email;
    const buyer = await t.account();
    expect((await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: buyer.auth, payload: { locale: 'zh-CN' } })).statusCode).toBe(200);
    await addToCart(t, buyer.auth, shop.skuIds[0]!, 1);
    const orderId = ((await checkoutReq(t, buyer.auth, cardBody())).json() as { orders: Array<{ id: string }> }).orders[0]!.id;
    expect(mails, 'nothing is sent in the fact’s transaction').toEqual([]);
    await t.app.ctx.jobs.runDue();
    await t.app.ctx.jobs.runDue();

    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: [sellerEmail], subject: 'New paid order' });
    expect(mails[0]!.text).toContain(`Order ${orderId} was paid ($19.99).`);
    expect(mails[0]!.text).toContain(`https://shop.test/seller/orders/${orderId}`);
    expect(mails[0]!.html).toContain(`href="https://shop.test/seller/orders/${orderId}"`);

    const shipped = await t.app.inject({ method: 'POST', url: `/v1/orders/${orderId}/shipments`, headers: shop.owner.auth, payload: { carrier: 'sandbox', tracking_number: 'MAIL-1' } });
    expect(shipped.statusCode).toBe(201);
    await t.app.ctx.jobs.runDue();
    await t.app.ctx.jobs.runDue();
    expect(mails).toHaveLength(2);
    expect(mails[1]).toMatchObject({ to: [buyer.email], subject: '您的订单已发货' });
    expect(mails[1]!.text).toContain(`订单 ${orderId} 的包裹已交由沙盒承运商承运，运单号 MAIL-1。`);
    expect(mails[1]!.text).toContain(`在 Loopshop 中查看: https://shop.test/orders/${orderId}`);
    expect(mails[1]!.html).toContain('<html lang="zh-CN">');
    expect(mails[1]!.html).toContain(`href="https://shop.test/orders/${orderId}"`);

    // Running the jobs again sends nothing more.
    await t.app.ctx.jobs.runDue();
    expect(mails).toHaveLength(2);
  });

  it('tells a zh-CN seller of an action on the shop’s health in Chinese, by email and in the inbox', async () => {
    const shop = await shopWithProduct(t, { name: 'Watched', variants: [{ price: 500, onHand: 5 }] });
    expect((await t.app.inject({ method: 'PATCH', url: '/v1/me', headers: shop.owner.auth, payload: { locale: 'zh-CN' } })).statusCode).toBe(200);
    const sellerEmail = ((await t.app.inject({ method: 'GET', url: '/v1/me', headers: shop.owner.auth })).json() as { user: { email: string } }).user.email;
    const operator = await t.account({ roles: ['operator'] });
    const taken = await t.app.inject({ method: 'POST', url: `/v1/admin/shops/${shop.shopId}/actions`, headers: operator.auth, payload: { type: 'suspension', reason: 'Counterfeit goods.' } });
    expect(taken.statusCode, taken.body).toBe(201);
    const before = mails.length;
    await t.app.ctx.jobs.runDue();
    await t.app.ctx.jobs.runDue();
    const sent = mails.slice(before).filter((m) => m.to.includes(sellerEmail));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ subject: '您的店铺已被暂停' });
    expect(sent[0]!.text).toContain('Counterfeit goods. 您的商品已下架，打款被暂扣；未完成的订单和售后将继续处理。您可以对此决定提出申诉。');
    expect(sent[0]!.text).toContain('在 Loopshop 中查看: https://shop.test/seller/health');
    const inbox = await t.app.inject({ method: 'GET', url: '/v1/notifications?locale=zh-CN', headers: shop.owner.auth });
    expect((inbox.json() as { data: Array<{ type: string; title: string; locale: string }> }).data[0]).toMatchObject({ type: 'shop_action', title: '您的店铺已被暂停', locale: 'zh-CN' });
  });
});
