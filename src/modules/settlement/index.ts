export * from './holds.js';
export * from './lifecycle.js';
export * from './payout-rail.js';
export * from './restrictions.js';
export * from './schema.js';
export * from './service.js';
export * from './statement.js';
export * from './subscriptions.js';
