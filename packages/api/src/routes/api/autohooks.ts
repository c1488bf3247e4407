import type { FastifyInstance } from 'fastify';

/** Every API route needs a caller (unless it says it is public), and cookie sessions a CSRF token to change anything. */
export default async function authenticated(fastify: FastifyInstance): Promise<void> {
  fastify.addHook('onRequest', fastify.authenticate);
  fastify.addHook('onRequest', fastify.verifyCsrf);
}
