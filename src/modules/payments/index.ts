export * from './cards.js';
export * from './provider.js';
export * from './sandbox.js';
export * from './schema.js';
export * from './service.js';
export * from './views.js';
