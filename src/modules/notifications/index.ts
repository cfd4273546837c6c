export * from './service.js';
export * from './subscriptions.js';
