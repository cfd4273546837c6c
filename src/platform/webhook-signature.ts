import { createHmac, timingSafeEqual } from 'node:crypto';
import { Type, type TSchema } from '@sinclair/typebox';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Clock } from './clock.js';
import { badRequest, unauthorized } from './errors.js';
import { assertStorableText } from './validation.js';

/**
 * The signature scheme of every webhook Loopshop receives from its sandbox providers (payments,
 * carriers): header `loopshop-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`,
 * at most 5 minutes off the platform clock. Several `v1` values may be sent (secret rotation).
 */
export const SIGNATURE_HEADER = 'loopshop-signature';
export const SIGNATURE_TOLERANCE_MS = 5 * 60_000;

export interface SignedDelivery {
  rawBody: string;
  headers: Record<string, string>;
}

export function signWebhook(secret: string, rawBody: string, at: Date): SignedDelivery {
  const t = Math.floor(at.getTime() / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex');
  return { rawBody, headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: `t=${t},v1=${v1}` } };
}

/**
 * Verifies the signature over the exact bytes received (401 `invalid_signature`), parses the JSON
 * body (400 `invalid_json`) and refuses the whole delivery when any string in it carries NUL or a
 * lone surrogate (400 `validation_failed`, rule `well_formed_text`): PostgreSQL cannot store them,
 * and a signed delivery is applied all or nothing.
 */
export function verifyWebhook(secret: string, clock: Clock, rawBody: Buffer | string, headers: Record<string, string | string[] | undefined>): unknown {
  const raw = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
  const header = headers[SIGNATURE_HEADER];
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) throw unauthorized('Missing webhook signature', 'invalid_signature');
  let t: number | undefined;
  const signatures: string[] = [];
  for (const part of value.split(',')) {
    const [k, v] = part.split('=', 2).map((s) => s.trim());
    if (k === 't' && v && /^\d{1,12}$/.test(v)) t = Number(v);
    else if (k === 'v1' && v && /^[0-9a-f]{64}$/.test(v)) signatures.push(v);
  }
  if (t === undefined || signatures.length === 0) throw unauthorized('Malformed webhook signature', 'invalid_signature');
  if (Math.abs(clock.now().getTime() - t * 1000) > SIGNATURE_TOLERANCE_MS) {
    throw unauthorized('Webhook timestamp is outside the tolerance', 'invalid_signature');
  }
  const expected = createHmac('sha256', secret).update(`${t}.${raw}`).digest();
  if (!signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected))) {
    throw unauthorized('Webhook signature does not match', 'invalid_signature');
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw badRequest('invalid_json', 'Webhook body is not JSON');
  }
  assertStorableText(body, 'body');
  return body;
}

/**
 * Declares a public webhook route, `POST /webhooks/<kind>/:<param>`, signed as above: in a scope of
 * its own the JSON body stays raw (a Buffer), so `receive` verifies the exact bytes received.
 * `param` names the sender (`provider`, `carrier`).
 */
export async function signedWebhookRoute(
  app: FastifyInstance,
  r: {
    url: string;
    param: string;
    schema: { tags: string[]; summary: string; description: string; response: Record<number, TSchema> };
    receive: (sender: string, raw: Buffer, headers: IncomingHttpHeaders) => Promise<unknown>;
  },
): Promise<void> {
  const { response, ...doc } = r.schema;
  await app.register(async (hooks) => {
    hooks.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    hooks.post(
      r.url,
      {
        config: { auth: 'public' },
        schema: { ...doc, security: [], params: Type.Object({ [r.param]: Type.String({ pattern: '^[a-z0-9_-]{1,40}$' }) }), response },
      },
      async (req) => {
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        return r.receive((req.params as Record<string, string>)[r.param]!, raw, req.headers);
      },
    );
  });
}
