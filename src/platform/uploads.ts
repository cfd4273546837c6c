import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import multipart from '@fastify/multipart';
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireUser } from './auth.js';
import { AppError, badRequest } from './errors.js';

/**
 * Small private uploads (evidence photos, qualification documents): one multipart file, typed by
 * its bytes (never its name or declared type), stored as a plain file under a directory that no
 * static route serves, and handed out only by routes that check who asks.
 */
export type UploadType = 'application/pdf' | 'image/jpeg' | 'image/png' | 'image/webp';

/** The file's type by magic bytes, if it is one of `accepted`; else null. */
export function sniffType(data: Buffer, accepted: readonly UploadType[]): UploadType | null {
  const found: UploadType | null =
    data.length >= 5 && data.toString('latin1', 0, 5) === '%PDF-'
      ? 'application/pdf'
      : data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff
        ? 'image/jpeg'
        : data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
          ? 'image/png'
          : data.length >= 12 && data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP'
            ? 'image/webp'
            : null;
  return found && accepted.includes(found) ? found : null;
}

export const fileTooLarge = (maxBytes: number) => new AppError('file_too_large', 413, `Files are at most ${maxBytes} bytes`, { limit: maxBytes });

const fieldError = (field: string, rule: string, message: string) => badRequest('validation_failed', message, [{ field, rule, message, params: {} }]);

/** Enables multipart parsing in `scope` for one file of at most `maxBytes` and a few text fields. */
export async function registerUploads(scope: FastifyInstance, maxBytes: number): Promise<void> {
  await scope.register(multipart, { limits: { fileSize: maxBytes, files: 1, fields: 5, parts: 6 } });
}

/**
 * Reads a multipart body with one file in the field `file` and, optionally, the text `fields`
 * (each at most once). Anything else is refused with `validation_failed`; an oversized file 413.
 */
export async function receiveUpload(
  req: FastifyRequest,
  maxBytes: number,
  fields: readonly string[] = [],
): Promise<{ data: Buffer; fields: Record<string, string> }> {
  if (!req.isMultipart()) throw new AppError('unsupported_media_type', 415, 'Send the file as multipart/form-data');
  let data: Buffer | null = null;
  const values: Record<string, string> = {};
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file' && part.fieldname === 'file' && !data) data = await part.toBuffer();
      else if (part.type === 'field' && fields.includes(part.fieldname) && !(part.fieldname in values)) values[part.fieldname] = String(part.value);
      else {
        const expected = ['one file in the field "file"', ...fields.map((f) => `"${f}"`)].join(', ');
        throw fieldError(`body/${part.fieldname}`, 'additionalProperties', `Send ${expected} and nothing else`);
      }
    }
  } catch (err) {
    const { code, statusCode } = err as { code?: string; statusCode?: number };
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw fileTooLarge(maxBytes);
    if (statusCode === 413) throw new AppError('payload_too_large', 413, 'Too many parts in the form');
    throw err;
  }
  if (!data) throw fieldError('body/file', 'required', 'The file goes in the field "file"');
  return { data, fields: values };
}

/** A file a signed-in user sent, with the text fields read beside it. */
export interface Upload {
  userId: string;
  data: Buffer;
  fields: Record<string, string>;
}

/**
 * Declares a signed-in user's upload route, `POST url`, with multipart parsing in a scope of its
 * own: one file of at most `maxBytes` in the field `file`, and the text `fields`. `authorize` runs before the body is read; `save` makes
 * the answer, sent with `status`.
 */
export async function uploadRoute(
  app: FastifyInstance,
  r: {
    url: string;
    maxBytes: number;
    /** What the file may be, as the OpenAPI document says it. */
    file: string;
    /** The text fields read beside the file, as the OpenAPI document shows them. */
    fields?: Record<string, TSchema>;
    schema: { tags: string[]; summary: string; description: string; params?: TSchema; response: Record<number, TSchema> };
    status: 201 | 202;
    authorize?: (userId: string, params: Record<string, string>) => Promise<unknown>;
    save: (upload: Upload, params: Record<string, string>) => Promise<unknown>;
  },
): Promise<void> {
  const { params, response, ...doc } = r.schema;
  const textFields = r.fields ?? {};
  const docsBody = Type.Object({ file: Type.String({ format: 'binary', description: r.file }), ...textFields });
  await app.register(async (scope) => {
    await registerUploads(scope, r.maxBytes);
    scope.post(
      r.url,
      { config: { auth: 'user', docsBody }, schema: { ...doc, consumes: ['multipart/form-data'], ...(params ? { params } : {}), response } },
      async (req, reply) => {
        const userId = requireUser(req).id;
        const pathParams = req.params as Record<string, string>;
        await r.authorize?.(userId, pathParams);
        const { data, fields } = await receiveUpload(req, r.maxBytes, Object.keys(textFields));
        return reply.code(r.status).send(await r.save({ userId, data, fields }, pathParams));
      },
    );
  });
}

export async function writePrivateFile(dir: string, name: string, data: Buffer): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, name), data);
}

export function readPrivateFile(dir: string, name: string): Promise<Buffer> {
  return readFile(path.join(dir, name));
}
