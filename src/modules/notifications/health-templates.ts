import type { Locale } from '../identity/index.js';
import type { Params, Text } from './templates.js';

/** The parameters of a `shop.health_action` notification (its `data`). */
interface Health {
  action_type: 'warning' | 'listing_limit' | 'order_cap' | 'payout_hold' | 'suspension' | 'freeze';
  reason: string;
  via?: 'operator' | 'appeal';
  limits: { max_new_listings_per_day: number; max_orders_per_day: number; reserve_bps: number };
}

const TITLES: Record<Locale, Record<Health['action_type'], string>> = {
  en: {
    warning: 'Warning about your shop’s health',
    listing_limit: 'New listings are limited',
    order_cap: 'Daily orders are capped',
    payout_hold: 'Payouts are held back',
    suspension: 'Your shop is suspended',
    freeze: 'Your shop is frozen',
  },
  'zh-CN': {
    warning: '关于您店铺健康状况的警告',
    listing_limit: '新商品上架受限',
    order_cap: '每日订单数受限',
    payout_hold: '打款被暂扣',
    suspension: '您的店铺已被暂停',
    freeze: '您的店铺已被冻结',
  },
};

/** What the action does to the shop, in each language. */
const EFFECTS: Record<Locale, (h: Health) => string> = {
  en: (h) =>
    ({
      warning: 'No restriction yet; further breaches lead to limits.',
      listing_limit: `You may create at most ${h.limits.max_new_listings_per_day} products per day.`,
      order_cap: `Your shop takes at most ${h.limits.max_orders_per_day} orders per day.`,
      payout_hold: `${h.limits.reserve_bps / 100}% of what you earn stays in reserve and is not paid out while the hold is active.`,
      suspension: 'Your products are off sale and payouts are held; open orders and after-sales continue.',
      freeze: 'Your shop stopped answering: open orders were cancelled and refunded, open cases decided for the buyers, and payouts are held.',
    })[h.action_type],
  'zh-CN': (h) =>
    ({
      warning: '目前尚无限制；如再次违规，您的店铺将受到限制。',
      listing_limit: `您每天最多可创建 ${h.limits.max_new_listings_per_day} 个商品。`,
      order_cap: `您的店铺每天最多接受 ${h.limits.max_orders_per_day} 个订单。`,
      payout_hold: `暂扣期间，您收入的 ${h.limits.reserve_bps / 100}% 将作为保证金保留，不予打款。`,
      suspension: '您的商品已下架，打款被暂扣；未完成的订单和售后将继续处理。',
      freeze: '您的店铺已停止响应：未完成的订单已取消并退款，未结的售后申请已按买家的请求裁决，打款被暂扣。',
    })[h.action_type],
};

const h = (p: Params) => p as unknown as Health;

/** Trust & safety's actions on a shop, told to its members: taken, reversed, appeal denied. */
export const HEALTH_TEMPLATES: Record<string, Record<Locale, Text>> = {
  shop_action: {
    en: { title: (p) => TITLES.en[h(p).action_type], body: (p) => `${h(p).reason} ${EFFECTS.en(h(p))} You can appeal this decision.` },
    'zh-CN': { title: (p) => TITLES['zh-CN'][h(p).action_type], body: (p) => `${h(p).reason} ${EFFECTS['zh-CN'](h(p))}您可以对此决定提出申诉。` },
  },
  shop_action_reversed: {
    en: {
      title: (p) => `Lifted: ${TITLES.en[h(p).action_type].toLowerCase()}`,
      body: (p) => `An operator reversed this action${h(p).via === 'appeal' ? ' on your appeal' : ''}: ${h(p).reason}`,
    },
    'zh-CN': {
      title: (p) => `已解除：${TITLES['zh-CN'][h(p).action_type]}`,
      body: (p) => `运营人员${h(p).via === 'appeal' ? '根据您的申诉' : ''}撤销了此项处理：${h(p).reason}`,
    },
  },
  shop_action_appeal_denied: {
    en: { title: () => 'Your appeal was denied', body: (p) => h(p).reason },
    'zh-CN': { title: () => '您的申诉已被驳回', body: (p) => h(p).reason },
  },
};

/** The parameters a health notice needs: notices stored before they were templated lack them and keep their stored text. */
export const HEALTH_PARAMS = ['action_type', 'reason', 'limits'];
