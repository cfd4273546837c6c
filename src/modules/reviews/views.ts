import { Type } from '@sinclair/typebox';
import { Time } from '../../platform/http-schemas.js';

export const ReviewOut = Type.Object({
  id: Type.String(),
  order_id: Type.String(),
  order_item_id: Type.String(),
  product_id: Type.String(),
  shop_id: Type.String(),
  rating: Type.Integer(),
  text: Type.String(),
  editable_until: Time,
  created_at: Time,
  updated_at: Time,
});

export const PublicReviewOut = Type.Object({
  id: Type.String(),
  rating: Type.Integer(),
  text: Type.String(),
  author: Type.Object({ name: Type.String() }),
  created_at: Time,
  updated_at: Time,
});
