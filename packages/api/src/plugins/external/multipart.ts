import fastifyMultipart from '@fastify/multipart';
import fp from 'fastify-plugin';
import { ApiError } from '../../errors';

/** Largest uploaded file: ample for openrc, clouds.yaml and CA bundles, which are what is uploaded. */
const maxFileBytes = 256 * 1024;

/**
 * multipart/form-data as an alternative to JSON, on the routes that list it in their schema's
 * `consumes`; anywhere else (login above all, which a cross-site form could otherwise post to) it
 * is a 415. Fields and uploaded files become a body of strings, which the route's JSON schema then
 * checks like any other body. A body that breaks off or is malformed is the client's to fix: a 400.
 */
export default fp(
  async (fastify) => {
    await fastify.register(fastifyMultipart, {
      limits: { fileSize: maxFileBytes, fieldSize: maxFileBytes, files: 4, fields: 10 },
    });

    fastify.addHook('preValidation', async (request) => {
      if (!request.isMultipart()) return;
      if (!request.routeOptions.schema?.consumes?.includes('multipart/form-data')) {
        throw new ApiError(
          415,
          'unsupported_media_type',
          `${request.method} ${request.routeOptions.url} takes a JSON body (Content-Type: application/json), not multipart/form-data`,
        );
      }
      const body: Record<string, string> = {};
      try {
        for await (const part of request.parts()) {
          if (Object.hasOwn(body, part.fieldname))
            throw new ApiError(
              400,
              'malformed_multipart',
              `the field ${part.fieldname} comes more than once: send each field once`,
            );
          body[part.fieldname] =
            part.type === 'file' ? (await part.toBuffer()).toString('utf8') : String(part.value);
        }
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (error instanceof ApiError || (status !== undefined && status < 500)) throw error;
        throw new ApiError(
          400,
          'malformed_multipart',
          `the multipart/form-data body cannot be read (${(error as Error).message}): send the whole body, ending with its closing boundary`,
        );
      }
      request.body = body;
    });
  },
  { name: 'multipart' },
);
