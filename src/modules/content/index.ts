export * from './replacement.js';
export * from './schema.js';
export * from './service.js';
export { Video } from './views.js';
