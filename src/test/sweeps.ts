import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import type { TestApp } from './app.js';
import { CSV_EXPORT, PDF, PNG } from './tenants.js';
import { fillPath, multipartBody, queryString, validValue, type Operation, type OpenApiDoc, type ValueContext } from './openapi.js';

/** Shared pieces of the two OpenAPI sweeps (src/platform/sweeps.*.test.ts). */

/** Base seed of this run: LOOPSHOP_SWEEP_SEED replays a failure; printed by every sweep. */
export const SWEEP_SEED = Number(process.env.LOOPSHOP_SWEEP_SEED) || Date.now() % 2_147_483_647;

/** Directories for media and private uploads of a sweep's app. */
export function sweepDirs(): { mediaDir: string; dataDir: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'loopshop-sweep-'));
  return { mediaDir: path.join(root, 'media'), dataDir: path.join(root, 'data') };
}

/** Why an operation cannot be swept at all (null: it can). */
export function notSweepable(op: Operation): string | null {
  if (op.produces.includes('text/event-stream')) return 'server-sent event stream: the response never ends, so inject cannot await it';
  return null;
}

/** A value context whose ids come from `pool` (tenant A's ids by prefix). */
export function valueContext(t: TestApp, doc: OpenApiDoc, pool: (prefix: string) => string, seed: number): ValueContext {
  let n = 0;
  return {
    doc,
    now: t.clock.now(),
    idFor: (prefix) => pool(prefix),
    matching: (pattern) => fc.sample(fc.stringMatching(new RegExp(pattern)), { seed: seed + n++, numRuns: 1 })[0]!,
  };
}

/** A placeholder id of the right shape for a prefix no object of the fixture has. */
export const syntheticId = (prefix: string) => `${prefix}_${'0'.repeat(26)}`;

/** The file a multipart route gets: what the route expects, by its path. */
export function sampleFile(op: Operation): [Buffer, string] {
  if (op.path.includes('/imports')) return [CSV_EXPORT, 'products.csv'];
  if (op.path.includes('/documents')) return [PDF, 'doc.pdf'];
  if (op.path.includes('/evidence')) return [PNG, 'photo.png'];
  return [Buffer.from('not a video, just bytes'), 'clip.mp4'];
}

export interface RequestParts {
  path: Record<string, string>;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  /** JSON body (undefined: none sent). */
  body: unknown;
}

/** A schema-valid request for `op`: every path parameter, required query and header parameters, a minimal body. */
export function validRequest(op: Operation, ctx: ValueContext): RequestParts {
  const parts: RequestParts = { path: {}, query: {}, headers: {}, body: undefined };
  for (const p of op.params) {
    if (p.in === 'path') parts.path[p.name] = String(validValue(ctx, p.schema, p.name));
    else if (p.in === 'query' && p.required) parts.query[p.name] = validValue(ctx, p.schema, p.name);
    else if (p.in === 'header' && p.required) parts.headers[p.name] = String(validValue(ctx, p.schema, p.name));
  }
  if (op.body?.type === 'json') parts.body = validValue(ctx, op.body.schema);
  return parts;
}

/** The inject options for request parts (multipart routes get their fields and a sample file). */
export function injectOptions(op: Operation, parts: RequestParts, auth: Record<string, string>, ctx: ValueContext): InjectOptions {
  const url = fillPath(op.path, parts.path) + queryString(parts.query);
  const headers: Record<string, string> = { ...parts.headers, ...auth };
  if (op.body?.type === 'multipart') {
    const schema = op.body.schema;
    const fields: Array<[string, string]> = [];
    for (const [name, s] of Object.entries(schema.properties ?? {})) {
      if (s.format === 'binary' || !(schema.required ?? []).includes(name)) continue;
      const v = validValue(ctx, s, name);
      for (const item of Array.isArray(v) ? v : [v]) fields.push([name, String(item)]);
    }
    const { payload, contentType } = multipartBody(fields, [['file', ...sampleFile(op)] as [string, Buffer, string]]);
    return { method: op.method as InjectOptions['method'], url, headers: { ...headers, 'content-type': contentType }, payload };
  }
  if (parts.body === undefined) return { method: op.method as InjectOptions['method'], url, headers };
  // Serialized here: light-my-request sends no body at all for a falsy payload (false, 0, ''),
  // which would turn a corrupted root body into a valid empty one.
  return { method: op.method as InjectOptions['method'], url, headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(parts.body) };
}

/** True when a response is `{ error: { code, message, … } }`. */
export function isErrorShape(body: string): boolean {
  try {
    const e = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown } }).error;
    return !!e && typeof e.code === 'string' && e.code.length > 0 && typeof e.message === 'string';
  } catch {
    return false;
  }
}
