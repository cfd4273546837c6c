export * from './service.js';
export * from './subscriptions.js';
export * from './email.js';
