import fastifyMultipart from '@fastify/multipart';
import fp from 'fastify-plugin';

/** Largest uploaded file: ample for openrc, clouds.yaml and CA bundles, which are what is uploaded. */
const maxFileBytes = 256 * 1024;

/**
 * multipart/form-data as an alternative to JSON: fields and uploaded files become a body of strings,
 * which the route's JSON schema then checks like any other body.
 */
export default fp(
  async (fastify) => {
    await fastify.register(fastifyMultipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: maxFileBytes, fieldSize: maxFileBytes, files: 4, fields: 10 },
      async onFile(part) {
        (part as unknown as { value: string }).value = (await part.toBuffer()).toString('utf8');
      },
    });
  },
  { name: 'multipart' },
);
