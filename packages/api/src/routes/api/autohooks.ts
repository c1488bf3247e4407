import type { FastifyInstance } from 'fastify';

/**
 * Every API route needs a caller holding the role its schema declares (unless it says it is
 * public), and cookie sessions a CSRF token to change anything. Replies hold a user's data, which no browser or proxy cache may keep.
 */
export default async function authenticated(fastify: FastifyInstance): Promise<void> {
  fastify.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
  fastify.addHook('onRequest', fastify.authenticate);
  fastify.addHook('onRequest', fastify.authorize);
  fastify.addHook('onRequest', fastify.verifyCsrf);
}
