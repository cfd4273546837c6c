export * from './policy.js';
export * from './schema.js';
export * from './service.js';
export * from './views.js';
