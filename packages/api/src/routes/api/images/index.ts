import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authOf } from '../../../plugins/app/authentication';
import { errorReplies } from '../../../schemas/errors';
import type { Readable } from 'node:stream';
import {
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
        authOf(request).caller,
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
        tags: ['images'],
        summary: 'Import an image from a URL onto sites; the daemon fetches it',
        description:
          'URLs whose host resolves to a loopback, private, link-local or other internal address are refused ' +
          '(import_url_refused) unless GLINT_IMPORT_ALLOWED_NETWORKS allows it. With expectedHash, content ' +
          'already known is reported instead of imported again.',
        body: ImportBody,
        response: { 202: ImportQueued, 200: ImportPresent, ...errorReplies },
      },
    },
    async (request, reply) => {
      const outcome = await fastify.imports.importUrl(authOf(request).caller, request.body);
      return reply.code(outcome.status === 'queued' ? 202 : 200).send(outcome);
    },
  );
};

export default images;
