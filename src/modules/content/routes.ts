import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../../platform/auth.js';
import { AppError, badRequest } from '../../platform/errors.js';
import { errors, page, PageQuery } from '../../platform/http-schemas.js';
import { ExternalLink, Nullable, ProductSummary, Video } from './views.js';
import {
  createVideo,
  deleteVideo,
  retryVideo,
  ensureMediaDirs,
  getShowcase,
  getVideo,
  incomingFile,
  listCreatorVideos,
  setShowcase,
  setShowcaseLinks,
  setVideoExternalAnchors,
  updateVideoCaption,
} from './service.js';


const ExternalInput = Type.Array(
  Type.Object({ url: Type.String({ minLength: 1, maxLength: 2000 }), title: Type.Optional(Nullable(Type.String({ maxLength: 200 }))) }, { additionalProperties: false }),
  { maxItems: 10 },
);


const Showcase = Type.Object({
  creator: Type.Object({ id: Type.String(), name: Type.String() }),
  products: Type.Array(ProductSummary),
  links: Type.Array(ExternalLink, { description: 'External links (semi-closed markets), active ones' }),
});

const VideoId = Type.Object({ id: Type.String({ pattern: '^vid_[0-9a-z]{26}$', description: 'vid_… id' }) });
const UserId = Type.Object({ id: Type.String({ pattern: '^usr_[0-9a-z]{26}$', description: 'usr_… id' }) });

function fieldError(field: string, rule: string, message: string): AppError {
  return badRequest('validation_failed', message, [{ field, rule, message, params: {} }]);
}

export async function contentRoutes(server: FastifyInstance): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock, config } = app.ctx;

  // Multipart parsing only for the upload route (the rest of the API stays JSON-only).
  await app.register(async (scope) => {
    await scope.register(multipart, {
      limits: { fileSize: config.maxUploadBytes, files: 1, fields: 20, parts: 21, fieldSize: 64 * 1024 },
    });
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      '/videos',
      {
        config: {
          auth: ['creator', 'seller'],
          docsBody: Type.Object({
            file: Type.String({ format: 'binary', description: 'The video (MP4, MOV, WebM, …); checked by content' }),
            caption: Type.Optional(Type.String({ maxLength: 2200 })),
            'product_ids[]': Type.Array(Type.String({ pattern: '^prd_[0-9a-z]{26}$' }), { minItems: 1, maxItems: 5, description: 'Repeat the field once per product' }),
          }),
        },
        schema: {
          tags: ['content'],
          summary: 'Upload a video (multipart: file, caption, product_ids[] repeated 1–5 times); processed by a job',
          description:
            'The file is checked by its content (ffprobe), not its name; a non-video answers 415 `unsupported_media`, a file over the ' +
            'upload limit 413 `file_too_large`. The video is `processing` until it is playable; a damaged file ends `failed` with a reason.',
          consumes: ['multipart/form-data'],
          response: { 202: Type.Object({ video: Video }), ...errors(400, 401, 403, 413, 415, 422) },
        },
      },
      async (req, reply) => {
        const user = requireUser(req);
        if (!req.isMultipart()) throw new AppError('unsupported_media_type', 415, 'Send the video as multipart/form-data');
        ensureMediaDirs(config.mediaDir);
        const file = incomingFile(config.mediaDir);
        let caption = '';
        const productIds: string[] = [];
        let received = false;
        try {
          for await (const part of req.parts()) {
            if (part.type === 'file') {
              if (part.fieldname !== 'file' || received) throw fieldError(`body/${part.fieldname}`, 'additionalProperties', 'Only one file, in the field "file"');
              await pipeline(part.file, createWriteStream(file));
              received = true;
            } else if (part.valueTruncated) {
              throw fieldError(`body/${part.fieldname}`, 'maxLength', `${part.fieldname} is too long`);
            } else if (part.fieldname === 'caption') {
              caption = String(part.value);
            } else if (part.fieldname === 'product_ids[]' || part.fieldname === 'product_ids') {
              productIds.push(String(part.value).slice(0, 100));
            } else {
              throw fieldError(`body/${part.fieldname}`, 'additionalProperties', `Unknown field "${part.fieldname}"`);
            }
          }
          if (!received) throw fieldError('body/file', 'required', 'The video goes in the field "file"');
        } catch (err) {
          await rm(file, { force: true });
          const { code, statusCode } = err as { code?: string; statusCode?: number };
          if (code === 'FST_REQ_FILE_TOO_LARGE') {
            throw new AppError('file_too_large', 413, `The file is larger than the limit of ${config.maxUploadBytes} bytes`, { limit: config.maxUploadBytes });
          }
          if (statusCode === 413) throw new AppError('payload_too_large', 413, 'Too many parts in the form');
          throw err;
        }
        const video = await createVideo(db, clock, { ...app.ctx.strategies.media, mediaDir: config.mediaDir }, { creatorId: user.id, caption, productIds, file });
        return reply.code(202).send({ video });
      },
    );
  });

  app.get(
    '/videos/:id',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['content'],
        summary: 'A video with its creator and product anchors (not yet ready: only its creator sees it)',
        security: [],
        params: VideoId,
        response: { 200: Video, ...errors(400, 404) },
      },
    },
    async (req) => getVideo(db, req.params.id, req.user?.id ?? null),
  );

  app.delete(
    '/videos/:id',
    {
      config: { auth: 'user' },
      schema: { tags: ['content'], summary: 'Delete one of your videos', params: VideoId, response: { 204: Type.Null(), ...errors(400, 401, 404) } },
    },
    async (req, reply) => {
      const user = requireUser(req);
      await deleteVideo(db, clock, config, req.params.id, user.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/videos/:id/retry',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['content'],
        summary: 'Process one of your failed videos again (failed on our side: `can_retry`)',
        description: 'Not failed (already retried, processing or ready): 409 `video_not_failed`; failed because of the file itself: 409 `video_not_retryable` (upload it again).',
        params: VideoId,
        response: { 202: Type.Object({ video: Video }), ...errors(400, 401, 404, 409) },
      },
    },
    async (req, reply) => reply.code(202).send({ video: await retryVideo(db, clock, config, req.params.id, requireUser(req).id) }),
  );

  app.patch(
    '/videos/:id',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['content'],
        summary: 'Edit the caption of one of your videos (a closed market refuses links: 422 `external_link_forbidden`)',
        params: VideoId,
        body: Type.Object({ caption: Type.String({ maxLength: 10_000 }) }, { additionalProperties: false }),
        response: { 200: Video, ...errors(400, 401, 404, 422) },
      },
    },
    async (req) => updateVideoCaption(db, clock, req.params.id, requireUser(req).id, req.body.caption),
  );

  app.put(
    '/videos/:id/external-anchors',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['content'],
        summary: "Replace your video's external anchors (semi-closed markets only; with product anchors at most 5)",
        description: 'A closed market answers 422 `external_link_forbidden`; a URL that is not http(s) to another site 400 `invalid_external_url`.',
        params: VideoId,
        body: Type.Object({ anchors: ExternalInput }, { additionalProperties: false }),
        response: { 200: Video, ...errors(400, 401, 404, 422) },
      },
    },
    async (req) => setVideoExternalAnchors(db, clock, req.params.id, requireUser(req).id, req.body.anchors, [req.hostname]),
  );

  app.get(
    '/creators/:id/videos',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['content'],
        summary: "A creator's videos, newest first (the creator also sees processing and failed ones)",
        security: [],
        params: UserId,
        querystring: PageQuery,
        response: { 200: page(Video), ...errors(400, 404) },
      },
    },
    async (req) => listCreatorVideos(db, req.params.id, req.user?.id ?? null, req.query),
  );

  app.get(
    '/creators/:id/showcase',
    {
      config: { auth: 'public' },
      schema: {
        tags: ['content'],
        summary: "A creator's showcase of products (live ones)",
        security: [],
        params: UserId,
        response: { 200: Showcase, ...errors(400, 404) },
      },
    },
    async (req) => getShowcase(db, req.params.id),
  );

  app.put(
    '/creators/me/showcase',
    {
      config: { auth: ['creator'] },
      schema: {
        tags: ['content'],
        summary: 'Replace your showcase (up to 50 live products, in order)',
        body: Type.Object({ product_ids: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 }) }, { additionalProperties: false }),
        response: { 200: Showcase, ...errors(400, 401, 403, 422) },
      },
    },
    async (req) => {
      const user = requireUser(req);
      return setShowcase(db, clock, user.id, req.body.product_ids);
    },
  );

  app.put(
    '/creators/me/showcase-links',
    {
      config: { auth: ['creator', 'seller'] },
      schema: {
        tags: ['content'],
        summary: 'Replace the external links on your showcase (semi-closed markets only, up to 10)',
        description: 'A closed market answers 422 `external_link_forbidden`; a URL that is not http(s) to another site 400 `invalid_external_url`.',
        body: Type.Object({ links: ExternalInput }, { additionalProperties: false }),
        response: { 200: Showcase, ...errors(400, 401, 403, 422) },
      },
    },
    async (req) => {
      const user = requireUser(req);
      return setShowcaseLinks(db, clock, user.id, req.body.links, [req.hostname]);
    },
  );
}

/**
 * Processed media at `/media/videos/<id>.mp4` and `/media/posters/<id>.jpg`, with HTTP range
 * requests (206 / 416). Mounted at the root, not under /v1. Uploads waiting for processing are
 * never served.
 */
export async function mediaRoutes(server: FastifyInstance): Promise<void> {
  const { config } = server.ctx;
  await server.register(fastifyStatic, {
    root: config.mediaDir,
    suppressWarning: true, // the folders appear with the first upload
    prefix: '/media/',
    decorateReply: false,
    index: false,
    list: false,
    acceptRanges: true,
    allowedPath: (pathName) => /^\/(videos\/vid_[0-9a-z]{26}\.mp4|posters\/vid_[0-9a-z]{26}\.jpg)$/.test(pathName),
    setHeaders: (res) => res.header('cache-control', 'public, max-age=86400'),
  });
}
