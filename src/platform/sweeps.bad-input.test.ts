import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../modules/identity/index.js';
import { testApp, type TestApp } from '../test/app.js';
import { changedTables, fingerprint, type Fingerprint } from '../test/fingerprint.js';
import { deref, fetchOpenApi, multipartBody, operations, typesOf, validValue, type JsonSchema, type Operation, type OpenApiDoc } from '../test/openapi.js';
import { injectOptions, isErrorShape, notSweepable, sampleFile, SWEEP_SEED, sweepDirs, syntheticId, validRequest, valueContext, type RequestParts } from '../test/sweeps.js';
import { buildTenantWorld, type TenantWorld } from '../test/tenants.js';

/**
 * Bad-input sweep, generated from the OpenAPI document: for every operation a valid request of
 * tenant A's all-roles owner is corrupted in one place — a path, query or header parameter or a
 * body field at any depth — with fast-check (seeded; LOOPSHOP_SWEEP_SEED replays a run):
 * wrong types, missing required fields, extra fields, 1 MB strings, unicode edge cases (NUL, lone
 * surrogates, RTL override, zero-width, combining marks) and negative, huge and fractional
 * numbers; plus fixed cases per operation (wrong body type, empty body, extra root field,
 * malformed JSON; for uploads: JSON instead of a form, no file, unknown field, wrong file).
 *
 * Every answer must be below 500; a 4xx must be in the error shape `{ error: { code, message } }`
 * and leave the database unchanged. A corrupted request that is still valid for its schema (a
 * zero-width space in a caption) may succeed; the sweep knows which is which by validating the
 * request against the operation's schemas with Ajv, as the server does.
 */

const RUNS = Number(process.env.LOOPSHOP_SWEEP_RUNS) || 6;

const HUGE_ASCII = 'x'.repeat(1_000_000);
const HUGE_WIDE = '語'.repeat(300_000);
const EDGE_STRINGS = ['\u0000', 'a\u0000b', '\uD800', 'x\uDFFFy', '\u202Eevil.exe', 'zero\u200Bwidth\u200D', '\uFEFFbom', 'e\u0301\u0301\u0301', '👩‍👩‍👧‍👦', 'שלום עולם', '\u0085\u2028\u2029', '𝕏𝕐'];
const EDGE_NUMBERS = [-1, -2147483649, 2147483648, 2 ** 53 + 2, 1e21, 1e308, -1e308, 0.5, -0.000001];

type Loc = 'path' | 'query' | 'header' | 'body';
interface Target {
  loc: Loc;
  /** Parameter name, or the body pointer (`['items', '0', 'sku_id']`; [] is the whole body). */
  pointer: string[];
  schema: JsonSchema;
  required: boolean;
}
type Mutation =
  | { kind: 'wrong_type'; value: unknown }
  | { kind: 'missing' }
  | { kind: 'extra'; value: unknown }
  | { kind: 'huge_string'; value: string }
  | { kind: 'unicode'; value: string; append: boolean }
  | { kind: 'number'; value: number };

const wrongTyped = fc.oneof(
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 20 }),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.integer(), { maxKeys: 2 }),
);
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('wrong_type' as const), value: wrongTyped }),
  fc.record({ kind: fc.constant('missing' as const) }),
  fc.record({ kind: fc.constant('extra' as const), value: wrongTyped }),
  fc.record({ kind: fc.constant('huge_string' as const), value: fc.constantFrom(HUGE_ASCII, HUGE_WIDE) }),
  fc.record({ kind: fc.constant('unicode' as const), value: fc.constantFrom(...EDGE_STRINGS), append: fc.boolean() }),
  fc.record({ kind: fc.constant('number' as const), value: fc.constantFrom(...EDGE_NUMBERS) }),
);

function makeAjv(coerce: boolean) {
  const ajv = new Ajv.default({ coerceTypes: coerce ? 'array' : false, useDefaults: true, allErrors: false, strict: false });
  addFormats.default(ajv);
  return ajv;
}
const bodyAjv = makeAjv(false);
const textAjv = makeAjv(true);

/** The schema with every $ref replaced by its component (Ajv then needs no document). */
function inline(doc: OpenApiDoc, s: unknown, depth = 0): unknown {
  if (depth > 30 || s === null || typeof s !== 'object') return s;
  if (Array.isArray(s)) return s.map((x) => inline(doc, x, depth + 1));
  const o = s as JsonSchema;
  if (typeof o.$ref === 'string') return inline(doc, deref(doc, o), depth + 1);
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, k === 'examples' || k === 'example' ? v : inline(doc, v, depth + 1)]));
}

/** Every place of an operation's input the sweep may corrupt. */
function targetsOf(doc: OpenApiDoc, op: Operation, base: RequestParts): Target[] {
  const out: Target[] = [];
  for (const p of op.params) {
    if (p.in === 'path' || p.in === 'query' || p.in === 'header') out.push({ loc: p.in, pointer: [p.name], schema: p.schema, required: p.required || p.in === 'path' });
  }
  if (op.body?.type === 'json') {
    const walk = (schema: JsonSchema, value: unknown, pointer: string[], required: boolean, depth: number) => {
      const s = deref(doc, schema);
      out.push({ loc: 'body', pointer, schema: s, required });
      if (depth >= 4) return;
      if (typesOf(s).includes('object') && s.properties) {
        const present = (value ?? {}) as Record<string, unknown>;
        for (const [k, sub] of Object.entries(s.properties)) walk(sub, present[k], [...pointer, k], (s.required ?? []).includes(k), depth + 1);
      } else if (typesOf(s).includes('array') && s.items && Array.isArray(value) && value.length > 0) {
        walk(s.items, value[0], [...pointer, '0'], true, depth + 1);
      }
    };
    walk(op.body.schema, base.body, [], op.body.required, 0);
  }
  return out;
}

const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

/** Applies one mutation; null when it does not apply to the target (e.g. `missing` of an optional field). */
function mutate(base: RequestParts, target: Target, m: Mutation): RequestParts | null {
  const parts: RequestParts = { path: { ...base.path }, query: clone(base.query), headers: { ...base.headers }, body: clone(base.body) };
  const current = (): unknown => {
    if (target.loc !== 'body') return (target.loc === 'header' ? parts.headers : parts[target.loc])[target.pointer[0]!];
    let v: unknown = parts.body;
    for (const k of target.pointer) v = (v as Record<string, unknown> | undefined)?.[k];
    return v;
  };
  let next: unknown;
  switch (m.kind) {
    case 'missing':
      if (!target.required) return null;
      next = undefined;
      break;
    case 'extra': {
      const cur = current();
      if (!cur || typeof cur !== 'object' || Array.isArray(cur) || target.schema.additionalProperties !== false) return null;
      next = { ...(cur as object), sweep_extra: m.value };
      break;
    }
    case 'unicode': {
      const cur = current();
      next = m.append && typeof cur === 'string' ? `${cur}${m.value}` : m.value;
      break;
    }
    default:
      next = m.value;
  }
  if (target.loc === 'body') {
    if (target.pointer.length === 0) {
      parts.body = next === undefined ? undefined : next;
      return parts;
    }
    if (parts.body === null || typeof parts.body !== 'object') return null;
    let holder = parts.body as Record<string, unknown>;
    for (const k of target.pointer.slice(0, -1)) {
      const child = holder[k];
      if (child === null || typeof child !== 'object') {
        holder[k] = {};
      }
      holder = holder[k] as Record<string, unknown>;
    }
    const last = target.pointer[target.pointer.length - 1]!;
    if (next === undefined) delete holder[last];
    else holder[last] = next;
    return parts;
  }
  const text = next === undefined ? undefined : typeof next === 'string' ? next : JSON.stringify(next);
  if (target.loc === 'path') parts.path[target.pointer[0]!] = text ?? '';
  else if (target.loc === 'query') {
    if (text === undefined) delete parts.query[target.pointer[0]!];
    else parts.query[target.pointer[0]!] = text;
  } else {
    // Header values are bytes on the wire: keep them printable ASCII, as any HTTP client must.
    if (text === undefined) delete parts.headers[target.pointer[0]!];
    else parts.headers[target.pointer[0]!] = encodeURIComponent(Buffer.from(text).toString()).slice(0, 8000);
  }
  return parts;
}

/** Whether the server's validation would accept these parts (same Ajv options as src/platform/validation.ts). */
function schemaValid(doc: OpenApiDoc, op: Operation, parts: RequestParts): boolean {
  const group = (loc: 'path' | 'query' | 'header', values: Record<string, unknown>) => {
    const ps = op.params.filter((p) => p.in === loc);
    if (ps.length === 0) return true;
    const schema = inline(doc, {
      type: 'object',
      properties: Object.fromEntries(ps.map((p) => [p.name, p.schema])),
      required: ps.filter((p) => p.required || loc === 'path').map((p) => p.name),
    }) as object;
    const data = clone(values) as Record<string, unknown>;
    if (loc === 'path') for (const [k, v] of Object.entries(data)) if (v === '') delete data[k];
    return textAjv.validate(schema, data) as boolean;
  };
  if (!group('path', parts.path) || !group('query', parts.query) || !group('header', parts.headers)) return false;
  if (op.body?.type === 'json') {
    // An absent body is validated as `undefined`, as Fastify does: some routes let it be omitted.
    return bodyAjv.validate(inline(doc, op.body.schema) as object, clone(parts.body)) as boolean;
  }
  return true;
}

/**
 * Batch routes (POST /v1/events) validate each item themselves and answer 200 with the refused
 * items listed: such an answer that accepted nothing is a refusal too.
 */
function batchRefusal(body: string): boolean {
  try {
    const b = JSON.parse(body) as { accepted?: unknown; rejected?: unknown };
    return b.accepted === 0 && Array.isArray(b.rejected) && b.rejected.length > 0;
  } catch {
    return false;
  }
}

/** A short, printable description of a case for the failure report. */
function describeCase(what: string, value?: unknown): string {
  const v = value === undefined ? '' : JSON.stringify(value);
  return `${what}${v ? ` = ${v.length > 80 ? `${v.slice(0, 60)}… (${v.length} chars)` : v}` : ''}`;
}

describe('bad-input sweep: corrupted requests for every route of the OpenAPI document', () => {
  let t: TestApp;
  let world: TenantWorld;
  let doc: OpenApiDoc;

  beforeAll(async () => {
    t = await testApp(sweepDirs());
    world = await buildTenantWorld(t);
    doc = await fetchOpenApi(t.app);
  }, 120_000);
  afterAll(() => t?.close());

  it('answers every corrupted request with a 4xx in the error shape, never a 5xx, and changes nothing', async () => {
    console.log(`[bad-input sweep] seed ${SWEEP_SEED}, ${RUNS} generated cases per operation (LOOPSHOP_SWEEP_SEED=${SWEEP_SEED} replays it)`);
    const preferred: Record<string, string> = { shp: world.shopId, usr: world.owner.id };
    const pool = (prefix: string) => preferred[prefix] ?? world.ids.get(prefix)?.[0] ?? syntheticId(prefix);
    const ops = operations(doc);
    const failures: string[] = [];
    const skipped: string[] = [];
    let swept = 0;
    let cases = 0;
    let accepted = 0;
    let refusedInBatch = 0;

    for (const [index, op] of ops.entries()) {
      const reason = notSweepable(op);
      if (reason) {
        skipped.push(`${op.name}: ${reason}`);
        continue;
      }
      swept++;
      const seed = SWEEP_SEED + index;
      const ctx = valueContext(t, doc, pool, seed);
      const base = validRequest(op, ctx);
      // A session of its own per operation: a corrupted sign-out can end only that one.
      const { token } = await createSession(t.db, t.clock, world.owner.id, 30);
      const auth = { authorization: `Bearer ${token}` };

      type Case = { label: string; options: InjectOptions; valid: boolean };
      const list: Case[] = [];
      const add = (label: string, parts: RequestParts) => list.push({ label, options: injectOptions(op, parts, auth, ctx), valid: schemaValid(doc, op, parts) });
      const raw = (label: string, payload: string | Buffer, contentType: string, parts: RequestParts = base, valid = false) => {
        const options = injectOptions(op, { ...parts, body: undefined }, auth, ctx);
        list.push({ label, options: { ...options, payload, headers: { ...(options.headers as object), 'content-type': contentType } }, valid });
      };

      if (op.body?.type === 'multipart') {
        const [file, name] = sampleFile(op);
        const fields: Array<[string, string]> = Object.entries(op.body.schema.properties ?? {})
          .filter(([k, s]) => s.format !== 'binary' && (op.body!.schema.required ?? []).includes(k))
          .map(([k, s]) => [k, String([validValue(ctx, s, k)].flat()[0])]);
        const form = (f: Array<[string, string]>, files: Array<[string, Buffer, string]>) => multipartBody(f, files);
        raw('JSON instead of multipart/form-data', '{}', 'application/json');
        let m = form(fields, []);
        raw('form without its file', m.payload, m.contentType);
        m = form([...fields, ['sweep_extra', 'x']], [['file', file, name]]);
        raw('form with an unknown field', m.payload, m.contentType);
        m = form(fields, [['file', Buffer.from('plain text, not the expected kind of file'), name]]);
        raw('file of the wrong kind', m.payload, m.contentType);
        m = form([...fields.map(([k]) => [k, HUGE_ASCII] as [string, string])], [['file', file, name]]);
        if (fields.length > 0) raw('1 MB form fields', m.payload, m.contentType);
        // Every text field the form documents (optional ones too), with a NUL inside: a route may
        // refuse it or clean it (a display name), but never fail.
        const textFields = Object.entries(op.body.schema.properties ?? {}).filter(([, s]) => s.format !== 'binary');
        m = form([...fields.filter(([k]) => !textFields.some(([n]) => n === k)), ...textFields.map(([k]) => [k, 'a\u0000b'] as [string, string])], [['file', file, name]]);
        if (textFields.length > 0) raw('form fields with a NUL', m.payload, m.contentType, base, true);
        for (const p of op.params.filter((x) => x.in === 'path')) {
          for (const v of ['nope', 'x\u0000y']) {
            const parts = mutate(base, { loc: 'path', pointer: [p.name], schema: p.schema, required: true }, { kind: 'wrong_type', value: v });
            if (parts) raw(describeCase(`path ${p.name}`, v), form(fields, [['file', file, name]]).payload, form(fields, []).contentType, parts);
          }
        }
      } else {
        if (op.body?.type === 'json') {
          const root: Target = { loc: 'body', pointer: [], schema: deref(doc, op.body.schema), required: op.body.required };
          for (const value of [[], 'text', 42]) {
            const parts = mutate(base, root, { kind: 'wrong_type', value });
            if (parts) add(describeCase('body', value), parts);
          }
          if ((root.schema.required ?? []).length > 0) add('body {} (every required field missing)', { ...base, body: {} });
          const extra = mutate(base, root, { kind: 'extra', value: 1 });
          if (extra) add('body with an unknown field', extra);
        }
        if (op.method !== 'GET') {
          raw('malformed JSON', '{"sweep": ', 'application/json');
          if (op.body?.type === 'json') raw(`JSON body over the limit (${t.config.bodyLimitBytes + 10} bytes)`, `{"s":"${'x'.repeat(t.config.bodyLimitBytes)}"}`, 'application/json');
        }
        const targets = targetsOf(doc, op, base);
        if (targets.length === 0 && op.method === 'GET') add('unknown query parameters with NUL and a lone surrogate', { ...base, query: { sweep: 'a\u0000b', other: '\uD800' } });
        if (targets.length > 0) {
          const samples = fc.sample(fc.tuple(fc.constantFrom(...targets), mutationArb), { seed, numRuns: RUNS * 3 });
          let generated = 0;
          for (const [target, m] of samples) {
            if (generated >= RUNS) break;
            const parts = mutate(base, target, m);
            if (!parts) continue;
            generated++;
            add(describeCase(`${target.loc} ${target.pointer.join('/') || '(root)'} ${m.kind}`, 'value' in m ? m.value : undefined), parts);
          }
        }
      }

      let last: Fingerprint = await fingerprint(t.db);
      let sinceCheck: string[] = [];
      for (const c of list) {
        cases++;
        if (c.valid) {
          const now = await fingerprint(t.db);
          const changed = changedTables(last, now);
          if (changed.length) failures.push(`${op.name}: refused requests changed the database (${changed.join(', ')}) — one of: ${sinceCheck.join(' | ')}`);
          sinceCheck = [];
        }
        const res = await t.app.inject(c.options);
        const where = `${op.name} [${c.label}] → ${res.statusCode}`;
        if (res.statusCode >= 500) failures.push(`${where}: ${res.body.slice(0, 200)}`);
        else if (res.statusCode >= 400) {
          if (!isErrorShape(res.body)) failures.push(`${where}: not in the error shape: ${res.body.slice(0, 200)}`);
        } else if (batchRefusal(res.body)) refusedInBatch++;
        else if (!c.valid) failures.push(`${where}: accepted a request its schema refuses`);
        else accepted++;
        if (c.valid) last = await fingerprint(t.db);
        else sinceCheck.push(c.label);
      }
      const end = await fingerprint(t.db);
      const changed = changedTables(last, end);
      if (changed.length) failures.push(`${op.name}: refused requests changed the database (${changed.join(', ')}) — one of: ${sinceCheck.join(' | ')}`);
    }

    console.log(
      `[bad-input sweep] ${ops.length} operations in the OpenAPI document: ${swept} swept with ${cases} corrupted requests ` +
        `(${accepted} still schema-valid and accepted, ${refusedInBatch} refused item by item in a 200 batch answer), ${skipped.length} skipped`,
    );
    for (const s of skipped) console.log(`  skipped ${s}`);
    expect(failures, `seed ${SWEEP_SEED}\n${failures.join('\n')}`).toEqual([]);
    expect(swept + skipped.length).toBe(ops.length);
  }, 600_000);
});
