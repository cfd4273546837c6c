export * from './schema.js';
export * from './service.js';
export * from './subscriptions.js';
