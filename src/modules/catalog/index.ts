export * from './schema.js';
export * from './service.js';
export * from './text.js';
