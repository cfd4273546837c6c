export type * from './carriers.js';
export * from './lifecycle.js';
export * from './receipt.js';
export * from './sandbox-carrier.js';
export * from './schema.js';
export * from './service.js';
export * from './ship-by.js';
export * from './stats.js';
export { ShipmentOut } from './views.js';
