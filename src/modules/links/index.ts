export * from './cutover.js';
export * from './service.js';
