import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { badRequest } from './errors.js';

/**
 * Two validators: request bodies are validated strictly (no type coercion: `"quantity": "2"`
 * is an error, not a 2), while query strings, params and headers, which arrive as text, are
 * coerced. Unknown properties are refused wherever a schema says `additionalProperties: false`
 * (never silently stripped), and all errors are reported at once.
 */
function makeAjv(coerce: boolean) {
  const ajv = new Ajv.default({
    coerceTypes: coerce ? 'array' : false,
    useDefaults: true,
    removeAdditional: false,
    allErrors: true,
    strict: false,
  });
  addFormats.default(ajv);
  return ajv;
}

const bodyAjv = makeAjv(false);
const textAjv = makeAjv(true);

/**
 * Schemas compile on a route's first request, not at start: compiling every route's validators
 * and serializers up front was the largest part of a cold start (issue 16 §1, docs/performance.md).
 * The route sweeps (access, bad input, authorization) call every route, so a schema that does not
 * compile still fails a test.
 */
export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv;
  let compiled: ValidateFunction | undefined;
  const validate = (data: unknown): boolean => {
    compiled ??= ajv.compile(schema);
    const ok = compiled(data) as boolean;
    validate.errors = compiled.errors;
    return ok;
  };
  validate.errors = null as ValidateFunction['errors'];
  return validate as ReturnType<FastifySchemaCompiler<object>>;
};

type BuildSerializer = ReturnType<typeof SerializerSelector>;

/** Fastify's own response serializers (fast-json-stringify with the shared schemas), each compiled on first use. */
export const lazySerializers: BuildSerializer = (externalSchemas, options) => {
  const compile = SerializerSelector()(externalSchemas, options);
  return (route) => {
    let serialize: ((data: unknown) => string) | undefined;
    return (data: unknown) => (serialize ??= compile(route))(data);
  };
};

/** NUL, or a UTF-16 surrogate without its partner (JSON allows both; PostgreSQL text and jsonb refuse them). */
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what this looks for
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether `s` can be stored in PostgreSQL text/jsonb (no NUL, no lone surrogate). */
export const isStorableText = (s: string): boolean => !UNSTORABLE.test(s);

/** Where the first string (or key) with unstorable characters is in a parsed JSON value, else null. */
export function unstorableAt(value: unknown, at: string, depth = 0): string | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? at : null;
  if (value === null || typeof value !== 'object' || depth > 64 || ArrayBuffer.isView(value)) return null;
  for (const [k, v] of Object.entries(value)) {
    if (UNSTORABLE.test(k)) return `${at}/${encodeURIComponent(Buffer.from(k).toString())}`;
    const found = unstorableAt(v, `${at}/${k}`, depth + 1);
    if (found) return found;
  }
  return null;
}

/**
 * 400 `validation_failed` (rule `well_formed_text`) when any string or key in `value` carries NUL
 * or a lone surrogate, which PostgreSQL cannot store: bad input is refused before any write, never
 * a 500 from the database. `part` names where the value came from (`body`, `querystring`, …).
 */
export function assertStorableText(value: unknown, part: string): void {
  const at = unstorableAt(value, part);
  if (at) {
    const message = 'must not contain U+0000 or unpaired surrogates';
    throw badRequest('validation_failed', `Text ${message}`, [{ field: at, rule: 'well_formed_text', message, params: {} }]);
  }
}

/**
 * Instants every layer stores and reads back alike (years 1000–9999): PostgreSQL's timestamptz
 * reaches further, but JavaScript reaches years PostgreSQL refuses, ISO 8601 (`toISOString`)
 * keeps to four-digit years, and reading PostgreSQL's text back (`new Date("0001-01-01 …")`)
 * turns years below 100 into 19xx/20xx.
 */
export const STORABLE_TIME_MIN = Date.parse('1000-01-01T00:00:00.000Z');
export const STORABLE_TIME_MAX = Date.parse('9999-12-31T23:59:59.999Z');

/** A valid Date inside the storable range (not `Invalid Date`, not year 275760 or 5000 BC, not year 1). */
export const isStorableDate = (d: Date): boolean => {
  const t = d.getTime();
  return Number.isFinite(t) && t >= STORABLE_TIME_MIN && t <= STORABLE_TIME_MAX;
};
