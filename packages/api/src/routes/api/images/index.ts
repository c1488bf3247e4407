import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { projectCallerOf } from '../../../plugins/app/authorization';
import { errorReplies } from '../../../schemas/errors';
import type { Readable } from 'node:stream';
import {
  ImageDetails,
  ImageParams,
  ImportBody,
  ImportPresent,
  ImportQueued,
  Uploaded,
  UploadQuery,
} from '../../../schemas/images';

const images: FastifyPluginAsyncTypebox = async (fastify) => {
  // Image data is handed on as the request stream, never read into memory, so no body limit
  // applies to it: the sites' own limits do.
  fastify.addContentTypeParser('application/octet-stream', (_request, payload, done) =>
    done(null, payload),
  );

  fastify.post(
    '/upload',
    {
      bodyLimit: Number.MAX_SAFE_INTEGER,
      schema: {
        'x-glint-role': 'member',
        tags: ['images'],
        summary: 'Upload an image file onto sites, streamed to all of them at once',
        description:
          'Send the file as the body with Content-Type application/octet-stream; the sites, name and formats go ' +
          'in the query (site may repeat). With size, data of another length is refused and nothing is kept.',
        consumes: ['application/octet-stream'],
        querystring: UploadQuery,
        response: { 201: Uploaded, ...errorReplies },
      },
    },
    async (request, reply) => {
      const { site, size, ...image } = request.query;
      const outcome = await fastify.uploads.upload(
        projectCallerOf(request),
        { ...image, sites: site, ...(size !== undefined && { size }) },
        request.body as Readable,
      );
      return reply.code(201).send(outcome);
    },
  );

  fastify.post(
    '/import',
    {
      schema: {
        'x-glint-role': 'member',
        tags: ['images'],
        summary: 'Import an image from a URL onto sites; the daemon fetches it',
        description:
          'URLs whose host resolves to a loopback, private, link-local or other internal address are refused ' +
          '(import_url_refused) unless GLINT_OUTBOUND_ALLOW allows it; so is every redirect to one. With expectedHash, content ' +
          'already known is reported instead of imported again.',
        body: ImportBody,
        response: { 202: ImportQueued, 200: ImportPresent, ...errorReplies },
      },
    },
    async (request, reply) => {
      const outcome = await fastify.imports.importUrl(projectCallerOf(request), request.body);
      return reply.code(outcome.status === 'queued' ? 202 : 200).send(outcome);
    },
  );

  fastify.get(
    '/:id',
    {
      schema: {
        'x-glint-role': 'reader',
        tags: ['images'],
        summary: 'One image: its hashes, formats and size, and each site’s copies and state',
        params: ImageParams,
        response: { 200: ImageDetails, ...errorReplies },
      },
    },
    async (request) => fastify.imageDetails.of(projectCallerOf(request), request.params.id),
  );
};

export default images;
