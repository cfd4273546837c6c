export * from './service.js';
export * from './views.js';
