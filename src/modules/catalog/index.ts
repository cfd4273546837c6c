export * from './schema.js';
export * from './service.js';
export * from './stock.js';
export * from './text.js';
