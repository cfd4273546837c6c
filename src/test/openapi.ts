import type { FastifyInstance } from 'fastify';

/**
 * The OpenAPI document as the sweeps see it: every operation with its parameters and body schema,
 * and a generator of schema-valid values (ids filled from a pool of real ids by their prefix).
 * Test support only (src/platform/sweeps.*.test.ts).
 */

export type JsonSchema = Record<string, unknown> & {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  $ref?: string;
};

export interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: string;
  /** OpenAPI path, `/v1/orders/{id}`. */
  path: string;
  /** `POST /v1/orders/{id}`. */
  name: string;
  params: Parameter[];
  body: { type: 'json' | 'multipart'; schema: JsonSchema; required: boolean } | null;
  /** Declared security; `[]` means public. */
  security: unknown[] | undefined;
  /** `x-roles`: the caller needs one of these roles (undefined: any signed-in caller, or public). */
  roles: string[] | undefined;
  /** Content types of the declared responses. */
  produces: string[];
  tags: string[];
}

export interface OpenApiDoc {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export async function fetchOpenApi(app: FastifyInstance): Promise<OpenApiDoc> {
  const res = await app.inject('/docs/json');
  if (res.statusCode !== 200) throw new Error(`/docs/json answered ${res.statusCode}`);
  return res.json() as OpenApiDoc;
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

/** Every operation of the document, in document order. */
export function operations(doc: OpenApiDoc): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method] as Record<string, unknown> | undefined;
      if (!op) continue;
      const params = ((op.parameters as Parameter[] | undefined) ?? []).map((p) => ({ ...p, required: !!p.required, schema: p.schema ?? {} }));
      const content = (op.requestBody as { content?: Record<string, { schema: JsonSchema }>; required?: boolean } | undefined)?.content;
      let body: Operation['body'] = null;
      if (content?.['application/json']) body = { type: 'json', schema: content['application/json'].schema, required: !!(op.requestBody as { required?: boolean }).required };
      else if (content?.['multipart/form-data']) body = { type: 'multipart', schema: content['multipart/form-data'].schema, required: true };
      const produces = new Set<string>();
      for (const r of Object.values((op.responses as Record<string, { content?: Record<string, unknown> }> | undefined) ?? {})) {
        for (const ct of Object.keys(r.content ?? {})) produces.add(ct);
      }
      out.push({
        method: method.toUpperCase(),
        path,
        name: `${method.toUpperCase()} ${path}`,
        params,
        body,
        security: op.security as unknown[] | undefined,
        roles: op['x-roles'] as string[] | undefined,
        produces: [...produces],
        tags: (op.tags as string[] | undefined) ?? [],
      });
    }
  }
  return out;
}

/** Follows `$ref`s into components.schemas (by the last segment of the reference). */
export function deref(doc: OpenApiDoc, s: JsonSchema | undefined): JsonSchema {
  let cur = s ?? {};
  for (let i = 0; i < 20 && typeof cur.$ref === 'string'; i++) {
    const name = cur.$ref.split('/').pop()!;
    const target = doc.components?.schemas?.[name];
    if (!target) throw new Error(`unresolved $ref ${cur.$ref}`);
    cur = target;
  }
  return cur;
}

/** The id prefix a string schema stands for (`^ord_[0-9a-z]{26}$` → `ord`), if any. */
export function idPrefixOf(s: JsonSchema): string | null {
  const m = typeof s.pattern === 'string' ? /^\^([a-z]{2,5})_\[0-9a-z\]\{26\}\$$/.exec(s.pattern) : null;
  return m ? m[1]! : null;
}

export const typesOf = (s: JsonSchema): string[] =>
  Array.isArray(s.type) ? s.type : typeof s.type === 'string' ? [s.type] : s.properties ? ['object'] : s.items ? ['array'] : [];

/** Values for strings that the generic generator cannot guess, by pattern. */
const KNOWN_PATTERNS: Record<string, string> = {
  '^[A-Z]{3}$': 'USD',
  '^[A-Z]{2}$': 'US',
};

export interface ValueContext {
  doc: OpenApiDoc;
  /** An existing id for a prefix (the sweeps pass tenant A's ids). */
  idFor(prefix: string, fieldName: string): string;
  /** Current time (ISO) for date-time fields. */
  now: Date;
  /** A string matching a regular expression (fast-check's stringMatching, seeded). */
  matching(pattern: string): string;
}

/**
 * A small value valid for `schema`: required properties only, first enum/const/union member,
 * lower bounds for numbers and lengths, real ids for id patterns.
 */
export function validValue(ctx: ValueContext, schema: JsonSchema, fieldName = ''): unknown {
  const s = deref(ctx.doc, schema);
  if ('const' in s) return s.const;
  if (s.enum && s.enum.length > 0) return s.enum[0];
  if (s.default !== undefined && typesOf(s).length > 0) return s.default;
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) {
    const pick = alternatives.map((a) => deref(ctx.doc, a)).find((a) => !typesOf(a).includes('null') || typesOf(a).length > 1) ?? alternatives[0]!;
    return validValue(ctx, pick, fieldName);
  }
  if (s.allOf) return Object.assign({}, ...s.allOf.map((p) => validValue(ctx, p, fieldName) as object));
  const type = typesOf(s).find((t) => t !== 'null') ?? (typesOf(s).includes('null') ? 'null' : 'unknown');
  switch (type) {
    case 'null':
      return null;
    case 'boolean':
      return true;
    case 'integer':
    case 'number': {
      const lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : undefined);
      const hi = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : undefined);
      let n = lo ?? 1;
      if (hi !== undefined && n > hi) n = hi;
      return type === 'integer' ? Math.ceil(n) : n;
    }
    case 'string':
      return validString(ctx, s, fieldName);
    case 'array': {
      const n = Math.max(s.minItems ?? 0, 1);
      if (s.maxItems === 0) return [];
      const items = Array.from({ length: Math.min(n, s.maxItems ?? n) }, () => validValue(ctx, s.items ?? {}, fieldName));
      // uniqueItems with fixed values: keep one.
      return s.uniqueItems ? [...new Map(items.map((v) => [JSON.stringify(v), v])).values()] : items;
    }
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const k of s.required ?? []) o[k] = validValue(ctx, s.properties?.[k] ?? {}, k);
      // minProperties (PATCH bodies: "change at least one thing"): add optional ones in order.
      for (const k of Object.keys(s.properties ?? {})) {
        if (Object.keys(o).length >= ((s.minProperties as number | undefined) ?? 0)) break;
        if (!(k in o)) o[k] = validValue(ctx, s.properties![k]!, k);
      }
      return o;
    }
    default:
      return {};
  }
}

function validString(ctx: ValueContext, s: JsonSchema, fieldName: string): string {
  const prefix = idPrefixOf(s);
  if (prefix) return ctx.idFor(prefix, fieldName);
  switch (s.format) {
    case 'email':
      return 'sweep@example.com';
    case 'date-time':
      return ctx.now.toISOString();
    case 'date':
      return ctx.now.toISOString().slice(0, 10);
    case 'uri':
    case 'url':
      return 'https://example.com/sweep';
    case 'binary':
      return '';
  }
  if (typeof s.pattern === 'string') return KNOWN_PATTERNS[s.pattern] ?? ctx.matching(s.pattern);
  const min = s.minLength ?? 1;
  const max = s.maxLength ?? Math.max(min, 5);
  return 'sweep'.padEnd(min, 'x').slice(0, Math.max(min, Math.min(5, max)));
}

/** Fills `/v1/orders/{id}` from `values`. */
export function fillPath(path: string, values: Record<string, string>): string {
  // Through UTF-8 bytes first: a lone surrogate becomes U+FFFD instead of a URIError.
  return path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(Buffer.from(values[name] ?? '').toString()));
}

/** `?a=1&b=2` from a record (arrays repeat the key). */
export function queryString(values: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) q.append(k, typeof item === 'string' ? item : JSON.stringify(item));
    else q.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A multipart/form-data body from text fields and optional files (name → bytes). */
export function multipartBody(fields: Array<[string, string]>, files: Array<[string, Buffer, string]> = []): { payload: Buffer; contentType: string } {
  const boundary = `----sweep${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of fields) {
    chunks.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const [name, data, filename] of files) {
    chunks.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${name}"; filename="${filename}"\r\ncontent-type: application/octet-stream\r\n\r\n`));
    chunks.push(data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
