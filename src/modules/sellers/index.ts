export * from './applications.js';
export * from './invitations.js';
export * from './lifecycle.js';
export * from './restrictions.js';
export * from './schema.js';
export * from './service.js';
