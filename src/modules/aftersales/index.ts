export * from './lifecycle.js';
export * from './service.js';
export * from './stats.js';
