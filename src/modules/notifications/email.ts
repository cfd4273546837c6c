import nodemailer from 'nodemailer';
import type { Clock } from '../../platform/clock.js';
import type { SmtpConfig } from '../../platform/config.js';
import type { Db } from '../../platform/db.js';
import { enqueue, type JobRunner } from '../../platform/jobs.js';
import { getUser, LOCALES, type Locale } from '../identity/index.js';
import { getNotification } from './service.js';
import { render, type Params } from './templates.js';

export const EMAIL_JOB = 'notifications.email';

/** Queues the email of one notification (in the inbox delivery's transaction, after the fact committed). */
export async function queueEmail(tx: Db, clock: Clock, notificationId: string): Promise<void> {
  await enqueue(tx, clock, EMAIL_JOB, { notification_id: notificationId }, { uniqueKey: `${EMAIL_JOB}:${notificationId}`, maxAttempts: 8 });
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

const OPEN: Record<Locale, string> = { en: 'Open in Loopshop', 'zh-CN': '在 Loopshop 中查看' };
const FOOTER: Record<Locale, string> = {
  en: 'You receive this email because you have a Loopshop account.',
  'zh-CN': '您收到此邮件，是因为您拥有 Loopshop 账户。',
};

/** One notification as an email in `locale`: plain text and simple HTML, both with the link. */
export function composeEmail(n: { type: string; title: string; body: string; data: unknown; link: string | null }, locale: Locale, publicUrl: string) {
  const text = render(n.type, n.data as Params, locale) ?? { title: n.title, body: n.body };
  const url = n.link ? `${publicUrl}${n.link}` : null;
  const lines = [text.body, ...(url ? ['', `${OPEN[locale]}: ${url}`] : []), '', '—', FOOTER[locale]];
  const html =
    `<!doctype html><html lang="${locale}"><body style="font-family:sans-serif;line-height:1.5">` +
    `<h1 style="font-size:18px">${escape(text.title)}</h1><p>${escape(text.body)}</p>` +
    (url ? `<p><a href="${escape(url)}">${escape(OPEN[locale])}</a></p>` : '') +
    `<p style="color:#666;font-size:12px">${escape(FOOTER[locale])}</p></body></html>`;
  return { subject: text.title, text: lines.join('\n'), html };
}

/**
 * The email job: sends one notification to its recipient's address in the recipient's language
 * (the account's locale, else English). A failed send throws, so the job is retried with backoff.
 */
export function registerNotificationEmail(jobs: JobRunner, smtp: SmtpConfig, publicUrl: string): void {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.port === 465,
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
  });
  jobs.register(EMAIL_JOB, async (tx, payload) => {
    const n = await getNotification(tx, (payload as { notification_id: string }).notification_id);
    if (!n) return;
    const user = await getUser(tx, n.userId);
    const locale = LOCALES.find((l) => l === user.locale) ?? 'en';
    await transport.sendMail({ from: smtp.from, to: user.email, ...composeEmail(n, locale, publicUrl) });
  });
}
