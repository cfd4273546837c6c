import { Type } from '@sinclair/typebox';
import { AddressSchema } from '../../platform/address.js';

/** A warehouse as the API shows it (platform warehouses have no shop). */
export const WarehouseOut = Type.Object({
  id: Type.String(),
  shop_id: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  address: Type.Union([AddressSchema, Type.Null()]),
  is_default: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' }),
});

/** A SKU's stock in one warehouse. */
export const StockLevelOut = Type.Object({
  sku_id: Type.String(),
  warehouse_id: Type.String(),
  on_hand: Type.Integer(),
  reserved: Type.Integer({ description: 'Held for checkouts not yet paid' }),
  available: Type.Integer({ description: 'on_hand − reserved' }),
  updated_at: Type.String({ format: 'date-time' }),
});
