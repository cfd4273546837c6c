export * from './lifecycle.js';
export * from './schema.js';
export * from './service.js';
export * from './testing.js';
