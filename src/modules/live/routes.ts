import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static, type TNever, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../../platform/auth.js';
import { HOUR, MINUTE } from '../../platform/clock.js';
import { NoContent } from '../../platform/http.js';
import { errors, IdParam, page, PageQuery } from '../../platform/http-schemas.js';
import { LiveHub, type RoomClient } from './hub.js';
import { LIVE_STATUSES } from './schema.js';
import {
  ATTESTATION,
  createLive,
  endLive,
  getLive,
  heartbeatLive,
  LIVE_IDLE_END_MS,
  LIVE_MAX_DURATION_MS,
  listLive,
  MAX_ALLOTMENT,
  MAX_ALLOTMENT_ITEMS,
  MAX_PINS,
  MAX_TITLE_CHARS,
  pinProduct,
  setAllotments,
  startLive,
  type LiveView,
} from './service.js';
import { Live } from './views.js';

const LiveId = IdParam('id', 'liv');
const ProductId = Type.String({ pattern: '^prd_[0-9a-z]{26}$' });

export async function liveRoutes(server: FastifyInstance): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock, database, config } = app.ctx;
  const tags = ['live'];
  const hub = new LiveHub(database, clock, { refreshMs: config.liveRefreshMs, onError: (err) => app.log.warn({ err }, 'live room update failed') });
  await hub.start();
  // Before the server waits for connections to end: SSE streams never end by themselves.
  app.addHook('preClose', async () => hub.close());

  app.post(
    '/live',
    {
      config: { auth: ['creator'] },
      schema: {
        tags,
        summary: 'Schedule a live session (creator)',
        description: `The title follows the market's link policy (422 \`external_link_forbidden\` in a closed market). Pinned products must be live (422 \`invalid_product\`); at most ${MAX_PINS}.`,
        body: Type.Object(
          {
            title: Type.String({ minLength: 1, maxLength: MAX_TITLE_CHARS * 4 }),
            stream_url: Type.String({ minLength: 1, maxLength: 2000 }),
            scheduled_at: Type.Optional(Type.String({ format: 'date-time' })),
            product_ids: Type.Optional(Type.Array(ProductId, { maxItems: MAX_PINS })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Live, ...errors(400, 401, 403, 422) },
      },
    },
    async (req, reply) => reply.code(201).send(await createLive(db, clock, requireUser(req).id, req.body)),
  );

  app.get(
    '/live',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'Live sessions, newest first (default: the ones live now)',
        querystring: Type.Composite([PageQuery, Type.Object({ status: Type.Optional(Type.Union(LIVE_STATUSES.map((s) => Type.Literal(s)), { default: 'live' })) })]),
        response: { 200: page(Live), ...errors(400) },
      },
    },
    async (req) => listLive(db, { status: req.query.status ?? 'live', limit: req.query.limit, cursor: req.query.cursor }),
  );

  app.get(
    '/creators/me/live',
    {
      config: { auth: ['creator'] },
      schema: {
        tags,
        summary: "The signed-in creator's own live sessions, newest first",
        querystring: Type.Composite([PageQuery, Type.Object({ status: Type.Optional(Type.Union(LIVE_STATUSES.map((s) => Type.Literal(s)))) })]),
        response: { 200: page(Live), ...errors(400, 401, 403) },
      },
    },
    async (req) => listLive(db, { creatorId: requireUser(req).id, status: req.query.status, limit: req.query.limit, cursor: req.query.cursor }),
  );

  app.get(
    '/live/attestation',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'The exclusivity attestation a creator confirms when going live (text and version)',
        response: { 200: Type.Object({ version: Type.String(), text: Type.String() }) },
      },
    },
    async () => ATTESTATION,
  );

  app.get(
    '/live/:id',
    { config: { auth: 'public' }, schema: { tags, summary: 'One live session (public)', params: LiveId, response: { 200: Live, ...errors(400, 404) } } },
    async (req) => getLive(db, req.params.id as string),
  );

  /**
   * The session's creator acts on it, `/live/:id/<action>` (idempotent): the answer is the
   * session as it then stands; 403 for anyone else, 409 when its state forbids the action.
   */
  const creatorAction = <B extends TSchema = TNever>(
    method: 'POST' | 'PUT',
    action: string,
    doc: { summary: string; description?: string; body?: B },
    run: (creatorId: string, liveId: string, body: Static<B>) => Promise<LiveView>,
  ) =>
    app.route({
      method,
      url: `/live/:id/${action}`,
      config: { auth: ['creator'], idempotent: true },
      schema: {
        tags,
        summary: doc.summary,
        ...(doc.description ? { description: doc.description } : {}),
        params: LiveId,
        ...(doc.body ? { body: doc.body } : {}),
        // A body may name what cannot be done (422).
        response: { 200: Live, ...(doc.body ? errors(400, 401, 403, 404, 409, 422) : errors(400, 401, 403, 404, 409)) },
      },
      handler: async (req) => run(requireUser(req).id, (req.params as { id: string }).id, req.body as Static<B>),
    });

  creatorAction(
    'POST',
    'start',
    {
      summary: 'Go live (creator of the session)',
      description:
        'Needs `attestation: true`: the creator confirms being live only here (422 `attestation_required`; the text is at GET /v1/live/attestation). ' +
        'One live session per creator at a time: 409 `already_live` (also when two starts race). A session that is not scheduled: 409 `invalid_transition`.',
      body: Type.Object({ attestation: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
    },
    (creatorId, id, body) => startLive(db, clock, creatorId, id, body),
  );

  creatorAction(
    'POST',
    'pin',
    {
      summary: 'Pin a product and feature it in the room',
      description: `Live products only (422 \`invalid_product\`), at most ${MAX_PINS} per session (422 \`too_many_pins\`); not once ended (409 \`invalid_state\`).`,
      body: Type.Object({ product_id: ProductId }, { additionalProperties: false }),
    },
    (creatorId, id, body) => pinProduct(db, clock, creatorId, id, body.product_id),
  );

  creatorAction(
    'PUT',
    'allotments',
    {
      summary: 'Set flash-sale allotments: stock set aside for this live, per SKU',
      description:
        'Quantities are totals (0 gives the allotment back); SKUs not named keep theirs. While live only (409 `invalid_state`); SKUs of pinned products (422 `sku_not_pinned`) ' +
        'of a shop the creator is a member of (403 `shop_member_required`). Not enough available stock: 409 `out_of_stock`; below what buyers already took: 409 `allotment_in_use`. ' +
        'All or nothing. Buyers who add to cart with `source.live_id` of this session buy these units and only these; ending the session returns the unsold ones to general stock.',
      body: Type.Array(
        Type.Object({ sku_id: Type.String({ pattern: '^sku_[0-9a-z]{26}$' }), quantity: Type.Integer({ minimum: 0, maximum: MAX_ALLOTMENT }) }, { additionalProperties: false }),
        { minItems: 1, maxItems: MAX_ALLOTMENT_ITEMS },
      ),
    },
    (creatorId, id, body) => setAllotments(db, clock, creatorId, id, body),
  );

  creatorAction('POST', 'end', { summary: 'End the session; unsold allotments go back to general stock' }, (creatorId, id) => endLive(db, clock, creatorId, id));

  app.post(
    '/live/:id/heartbeat',
    {
      config: { auth: ['creator'] },
      schema: {
        tags,
        summary: 'Keep the session going: the creator console is still open',
        description:
          `The console sends one every minute while open. A live without a sign of life from its creator (start, pin, allotment change, heartbeat) for ${LIVE_IDLE_END_MS / MINUTE} minutes ` +
          `is ended by the platform (\`end_reason: idle\`), and any live after ${LIVE_MAX_DURATION_MS / HOUR} hours (\`max_duration\`), heartbeat or not. ` +
          'Only while live (409 `invalid_state`).',
        params: LiveId,
        response: { 204: NoContent, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      await heartbeatLive(db, clock, requireUser(req).id, req.params.id as string);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/live/:id/stream',
    {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'The live room as Server-Sent Events (text/event-stream)',
        description:
          'First `snapshot` ({ live, viewers, pinned, purchases }), then on change: `viewers` ({ viewers }), `pinned` ({ pinned, products }), ' +
          '`stock` ({ product_id, skus: [{ sku_id, available, allotment }], allotments }), `purchase` ({ purchase: { buyer: "A***", title, quantity, at } }), ' +
          '`status` ({ live }) and `ended` ({ live }, after which the stream closes). Comments every 15 s keep proxies from closing it. ' +
          'Every connection counts as a viewer (across all server processes) except the session creator’s own.',
        params: LiveId,
        produces: ['text/event-stream'],
        response: { 200: Type.String({ description: 'An event stream' }), ...errors(400, 404) },
      },
    },
    async (req, reply) => {
      const live = await getLive(db, req.params.id as string); // 404 before the stream opens
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': req.id,
      });
      res.write('retry: 3000\n\n');
      let open = true;
      const client: RoomClient = {
        send: (event, data) => {
          if (open) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        },
        close: () => {
          if (!open) return;
          open = false;
          res.end();
        },
      };
      const ping = setInterval(() => open && res.write(': ping\n\n'), 15_000);
      ping.unref();
      let leave: (() => Promise<void>) | null = null;
      const gone = () => {
        open = false;
        clearInterval(ping);
        void leave?.();
      };
      req.raw.on('close', gone);
      try {
        // The creator watching their own room (the console) is not one of its viewers.
        leave = await hub.join(live.id, client, { counted: req.user?.id !== live.creator.id });
      } catch (err) {
        req.log.warn({ err }, 'joining a live room failed');
        client.close();
      }
      if (!open) {
        clearInterval(ping);
        await leave?.();
      }
    },
  );
}
