import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../../platform/auth.js';
import { errors, IdParam, MoneyOut } from '../../platform/http-schemas.js';
import { NoContent } from '../../platform/http.js';
import { addCartItem, MAX_QUANTITY, priceCart, removeCartItem, updateCartItem } from './service.js';


export const CartSourceSchema = Type.Object(
  {
    video_id: Type.Optional(Type.String({ pattern: '^vid_[0-9a-z]{26}$' })),
    live_id: Type.Optional(Type.String({ pattern: '^[a-z]{2,4}_[0-9a-z]{26}$' })),
    creator_id: Type.Optional(Type.String({ pattern: '^usr_[0-9a-z]{26}$', description: 'Accepted for old clients and ignored: it never makes anyone a payee' })),
  },
  {
    additionalProperties: false,
    description:
      'Where the buyer found the item. The server attributes the line only to the creator of a visible video that anchors the product, or the host of a live that is on and has the product pinned; anything else leaves the line unattributed (the add still succeeds)',
  },
);

const CartItem = Type.Object({
  id: Type.String(),
  sku_id: Type.String(),
  product_id: Type.String(),
  shop_id: Type.String(),
  title: Type.String(),
  option_values: Type.Array(Type.String()),
  image: Type.Union([Type.String(), Type.Null()]),
  quantity: Type.Integer(),
  unit_price: MoneyOut,
  line_total: MoneyOut,
  available: Type.Integer(),
  sellable: Type.Boolean(),
  source: Type.Object(
    { video_id: Type.Optional(Type.String()), live_id: Type.Optional(Type.String()), creator_id: Type.Optional(Type.String()), clicked_at: Type.Optional(Type.String()) },
    { description: 'As the server verified it: the content the line came from, its payee then (`creator_id`) and the time of the click' },
  ),
});

const Cart = Type.Object(
  {
    currency: Type.String(),
    shops: Type.Array(
      Type.Object({
        shop: Type.Object({ id: Type.String(), name: Type.String() }),
        items: Type.Array(CartItem),
        subtotal: MoneyOut,
        shipping_fee: MoneyOut,
        tax: MoneyOut,
        total: MoneyOut,
      }),
    ),
    subtotal: MoneyOut,
    shipping: MoneyOut,
    tax: MoneyOut,
    total: MoneyOut,
  },
  { description: 'Every amount is computed by the server from the catalog, the shops and the market tax rates' },
);

const Quantity = Type.Integer({ minimum: 1, maximum: MAX_QUANTITY });
const ItemId = IdParam('id', 'cti');

export async function cartRoutes(server: FastifyInstance): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock } = app.ctx;

  app.get(
    '/cart',
    { config: { auth: 'user' }, schema: { tags: ['cart'], summary: "The signed-in buyer's cart, grouped by shop, priced by the server", response: { 200: Cart, ...errors(401) } } },
    async (req) => priceCart(db, requireUser(req).id),
  );

  app.post(
    '/cart/items',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['cart'],
        summary: 'Add a SKU (adding one already in the cart raises its quantity); answers the cart',
        description: 'No price is accepted: unknown fields such as `price` are refused with 400.',
        body: Type.Object({ sku_id: Type.String({ pattern: '^sku_[0-9a-z]{26}$' }), quantity: Quantity, source: Type.Optional(CartSourceSchema) }, { additionalProperties: false }),
        response: { 201: Cart, ...errors(400, 401, 404, 409) },
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      await addCartItem(db, clock, user.id, req.body);
      return reply.code(201).send(await priceCart(db, user.id));
    },
  );

  app.patch(
    '/cart/items/:id',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['cart'],
        summary: "Set a line's quantity; answers the cart",
        params: ItemId,
        body: Type.Object({ quantity: Quantity }, { additionalProperties: false }),
        response: { 200: Cart, ...errors(400, 401, 404, 409) },
      },
    },
    async (req) => {
      const user = requireUser(req);
      await updateCartItem(db, clock, user.id, req.params.id as string, req.body.quantity);
      return priceCart(db, user.id);
    },
  );

  app.delete(
    '/cart/items/:id',
    { config: { auth: 'user' }, schema: { tags: ['cart'], summary: 'Remove a line', params: ItemId, response: { 204: NoContent, ...errors(401, 404) } } },
    async (req, reply) => {
      await removeCartItem(db, requireUser(req).id, req.params.id as string);
      return reply.code(204).send(null);
    },
  );
}
