export * from './service.js';
export * from './stock-keeper.js';
