export * from './lifecycle.js';
export * from './service.js';
