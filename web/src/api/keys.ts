/**
 * TanStack Query keys, one factory for the whole app: a query, its invalidations and its cache
 * writes name the same key (`keys.order(id)` is `['order', id]`); invalidating `keys.orders()`
 * reaches every orders list below it.
 */
const key =
  <R extends string>(root: R) =>
  <P extends readonly unknown[]>(...parts: P) =>
    [root, ...parts] as const;

export const keys = {
  adminMarkets: key('admin-markets'),
  adminOverview: key('admin-overview'),
  adminShops: key('admin-shops'),
  analytics: key('analytics'),
  analyticsName: key('analytics-name'),
  anchorReplacements: key('anchor-replacements'),
  application: key('application'),
  applications: key('applications'),
  audit: key('audit'),
  cart: key('cart'),
  case: key('case'),
  cases: key('cases'),
  commissionRules: key('commission-rules'),
  creatorAnalytics: key('creator-analytics'),
  creatorEarningsSummary: key('creator-earnings-summary'),
  creatorShops: key('creator-shops'),
  creatorVideos: key('creator-videos'),
  cutoverReport: key('cutover-report'),
  earnings: key('earnings'),
  feed: key('feed'),
  finance: key('finance'),
  flags: key('flags'),
  healthThresholds: key('health-thresholds'),
  import: key('import'),
  imports: key('imports'),
  inbound: key('inbound'),
  invitations: key('invitations'),
  ledger: key('ledger'),
  linkCheck: key('link-check'),
  linkPolicy: key('link-policy'),
  live: key('live'),
  livePickProducts: key('live-pick-products'),
  markets: key('markets'),
  me: key('me'),
  notifications: key('notifications'),
  order: key('order'),
  orders: key('orders'),
  pickProducts: key('pick-products'),
  platformWarehouses: key('platform-warehouses'),
  product: key('product'),
  productReviews: key('product-reviews'),
  sellerHealth: key('seller-health'),
  sellerProduct: key('seller-product'),
  sellerProducts: key('seller-products'),
  sellerShopActions: key('seller-shop-actions'),
  shopActions: key('shop-actions'),
  shopHealth: key('shop-health'),
  shopLiveProducts: key('shop-live-products'),
  showcase: key('showcase'),
  supplyOffers: key('supply-offers'),
  video: key('video'),
  videoEdit: key('video-edit'),
};
