/**
 * The bare-HTTP ceiling of bench/buyer-flow.ts: a Fastify app with nothing but the two routes of
 * the buyer flow — `POST /v1/cart/items` and `POST /v1/checkout`, the same methods, paths and
 * statuses as the real server — each parsing its JSON body and answering canned JSON of the same
 * bytes the real server answered (captured from one real flow). No logger, no database.
 *
 *   node --import tsx bench/buyer-flow-bare.ts <port> <canned.json>
 *
 * `canned.json`: `{ "cart": "<body of a 201 add to cart>", "checkout": "<body of a 201 checkout>" }`.
 * GET /healthz answers once it listens (the parent waits on it).
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const [portArg, cannedPath] = process.argv.slice(2);
if (!portArg || !cannedPath) throw new Error('usage: buyer-flow-bare.ts <port> <canned.json>');
const canned = JSON.parse(readFileSync(cannedPath, 'utf8')) as { cart: string; checkout: string };

const app = Fastify({ logger: false });
const json = 'application/json; charset=utf-8';
app.get('/healthz', async () => ({ ok: true }));
app.post('/v1/cart/items', async (_req, reply) => reply.code(201).type(json).send(canned.cart));
app.post('/v1/checkout', async (_req, reply) => reply.code(201).type(json).send(canned.checkout));

await app.listen({ port: Number(portArg), host: '127.0.0.1' });
const stop = () => void app.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
