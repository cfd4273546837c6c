export * from './checkout.js';
export * from './lifecycle.js';
export * from './refunds.js';
export * from './schema.js';
export * from './service.js';
export * from './stats.js';
export * from './testing.js';
export * from './views.js';
