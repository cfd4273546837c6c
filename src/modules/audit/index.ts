export * from './schema.js';
export * from './service.js';
export * from './operator-action.js';
