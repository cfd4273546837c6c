import type { Locale } from '../identity/index.js';
import { HEALTH_PARAMS, HEALTH_TEMPLATES } from './health-templates.js';

/** A notification's parameters (its `data`): ids, codes, amounts in minor units with their currency. */
export type Params = Record<string, unknown>;

export interface Text {
  title: (p: Params, f: Formatters) => string;
  body: (p: Params, f: Formatters) => string;
}

interface Formatters {
  /** `amount` (minor units) in `currency` of the params, in the template's language. */
  money: () => string;
  /** `due_at` of the params (UTC), in the template's language. */
  dueAt: () => string;
}

const s = (v: unknown) => String(v ?? '');
/** The carrier as people read it in `locale` (`carrier_name`); its code only in a notification written before names were kept. */
const carrierOf = (p: Params, locale: Locale) => {
  const names = p.carrier_name as Partial<Record<Locale, unknown>> | undefined;
  return typeof names?.[locale] === 'string' ? names[locale] : s(p.carrier);
};

/**
 * What each templated notification says, in English and Chinese (您). The web app shows these
 * (GET /v1/notifications?locale=) and the email sends them; `data` holds the parameters.
 */
export const TEMPLATES: Record<string, Record<Locale, Text>> = {
  order_paid: {
    en: { title: () => 'New paid order', body: (p, f) => `Order ${s(p.order_id)} was paid (${f.money()}). Ship it from the order's page.` },
    'zh-CN': { title: () => '新的已付款订单', body: (p, f) => `订单 ${s(p.order_id)} 已付款（${f.money()}），请在订单页面为其发货。` },
  },
  case_opened: {
    en: { title: () => 'A buyer opened an after-sales case', body: (p) => `The buyer of order ${s(p.order_id)} asks for a ${s(p.case_type)}. Answer before the deadline.` },
    'zh-CN': { title: () => '买家提交了售后申请', body: (p) => `订单 ${s(p.order_id)} 的买家申请${s(p.case_type)}，请您在截止时间前答复。` },
  },
  case_answer_due: {
    en: { title: () => 'Answer the case soon', body: (p, f) => `The case on order ${s(p.order_id)} is accepted for the buyer if you do not answer by ${f.dueAt()}.` },
    'zh-CN': { title: () => '请尽快答复售后申请', body: (p, f) => `如您未在 ${f.dueAt()} 前答复，订单 ${s(p.order_id)} 的售后申请将自动按买家的请求处理。` },
  },
  ship_by_due: {
    en: {
      title: () => 'Ship the order soon',
      body: (p, f) => `Order ${s(p.order_id)} is not shipped yet: ship it by ${f.dueAt()}. A late parcel counts against your shop, and an order not shipped in time is cancelled and refunded.`,
    },
    'zh-CN': {
      title: () => '请尽快发货',
      body: (p, f) => `订单 ${s(p.order_id)} 尚未发货，请您在 ${f.dueAt()} 前发货。延迟发货会影响店铺的考核，超时未发货的订单将被取消并退款。`,
    },
  },
  case_escalated: {
    en: { title: () => 'A case was escalated to the platform', body: (p) => `An operator now decides the case on order ${s(p.order_id)}. Add your evidence to the case.` },
    'zh-CN': { title: () => '售后申请已升级至平台', body: (p) => `订单 ${s(p.order_id)} 的售后申请将由平台运营人员裁决，请您在申请中补充证据。` },
  },
  case_accepted: {
    en: { title: () => 'The seller accepted your request', body: (p) => `The next steps for order ${s(p.order_id)} are on its page.` },
    'zh-CN': { title: () => '卖家已同意您的售后申请', body: (p) => `订单 ${s(p.order_id)} 的后续步骤请您查看订单页面。` },
  },
  case_rejected: {
    en: { title: () => 'The seller rejected your request', body: (p) => `If you disagree, escalate the case on order ${s(p.order_id)} to the platform.` },
    'zh-CN': { title: () => '卖家拒绝了您的售后申请', body: (p) => `如您不同意，可将订单 ${s(p.order_id)} 的售后申请升级至平台。` },
  },
  case_decided: {
    en: {
      title: () => 'The after-sales case was decided',
      body: (p) => `The case on order ${s(p.order_id)} was decided in the ${p.in_favour_of === 'buyer' ? 'buyer' : 'seller'}’s favour.`,
    },
    'zh-CN': { title: () => '售后申请已有裁决', body: (p) => `订单 ${s(p.order_id)} 的售后申请已裁决为${p.in_favour_of === 'buyer' ? '支持买家' : '支持卖家'}。` },
  },
  shipment_shipped: {
    en: { title: () => 'Your order is on its way', body: (p) => `A parcel of order ${s(p.order_id)} was handed to ${carrierOf(p, 'en')}, tracking number ${s(p.tracking_number)}.` },
    'zh-CN': { title: () => '您的订单已发货', body: (p) => `订单 ${s(p.order_id)} 的包裹已交由${carrierOf(p, 'zh-CN')}承运，运单号 ${s(p.tracking_number)}。` },
  },
  order_delivered: {
    en: { title: () => 'Your order was delivered', body: (p) => `Every item of order ${s(p.order_id)} was delivered. Something wrong? Ask for after-sales on the order's page.` },
    'zh-CN': { title: () => '您的订单已送达', body: (p) => `订单 ${s(p.order_id)} 的全部商品已送达。如有问题，您可以在订单页面申请售后。` },
  },
  order_cancelled_seller_frozen: {
    en: { title: () => 'Your order was cancelled and refunded', body: () => 'The shop stopped answering, so the platform cancelled your order and refunded you in full.' },
    'zh-CN': { title: () => '您的订单已取消并退款', body: () => '店铺已停止响应，平台已取消您的订单并向您全额退款。' },
  },
  refund_posted: {
    en: { title: () => 'You were refunded', body: (p, f) => `${f.money()} went back to you for order ${s(p.order_id)}.` },
    'zh-CN': { title: () => '您的退款已发放', body: (p, f) => `订单 ${s(p.order_id)} 已向您退款 ${f.money()}。` },
  },
  earning_settled: {
    en: { title: (_p, f) => `You earned ${f.money()}`, body: (p, f) => `Order ${s(p.order_id)} was settled: ${f.money()} is now in your available balance.` },
    'zh-CN': { title: (_p, f) => `您获得了 ${f.money()} 佣金`, body: (p, f) => `订单 ${s(p.order_id)} 已结算：${f.money()} 已计入您的可用余额。` },
  },
  payout_paid: {
    en: { title: (_p, f) => `Payout paid: ${f.money()}`, body: (p, f) => `Payout ${s(p.payout_id)} of ${f.money()} reached your account.` },
    'zh-CN': { title: (_p, f) => `打款已到账：${f.money()}`, body: (p, f) => `打款 ${s(p.payout_id)}（${f.money()}）已到达您的账户。` },
  },
  application_approved: {
    en: { title: () => 'Your seller application is approved', body: () => 'Your shop is open: add your products in the seller center.' },
    'zh-CN': { title: () => '您的卖家申请已通过', body: () => '您的店铺已开通，请在卖家中心添加商品。' },
  },
  application_rejected: {
    en: { title: () => 'Your seller application was rejected', body: () => 'The reason is on your application.' },
    'zh-CN': { title: () => '您的卖家申请未通过', body: () => '原因请您在申请页面查看。' },
  },
  application_needs_info: {
    en: { title: () => 'Your seller application needs more information', body: () => 'Answer the operator’s questions on your application.' },
    'zh-CN': { title: () => '您的卖家申请需要补充信息', body: () => '请您在申请页面回答运营人员的问题。' },
  },
  ...HEALTH_TEMPLATES,
};

/** Parameters a type must have to be rendered (notices stored before the type had a template keep their stored text). */
const NEEDS: Record<string, string[]> = Object.fromEntries(Object.keys(HEALTH_TEMPLATES).map((type) => [type, HEALTH_PARAMS]));

function money(p: Params, locale: Locale): string {
  const currency = s(p.currency);
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(Number(p.amount) / 10 ** digits);
}

/** The notification's title and body in `locale`; null for a type with no template (its stored English text stands). */
export function render(type: string, params: Params, locale: Locale): { title: string; body: string } | null {
  const text = TEMPLATES[type]?.[locale];
  if (!text || NEEDS[type]?.some((k) => params[k] === undefined)) return null;
  const f: Formatters = {
    money: () => money(params, locale),
    dueAt: () => new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' }).format(new Date(s(params.due_at))),
  };
  return { title: text.title(params, f), body: text.body(params, f) };
}
