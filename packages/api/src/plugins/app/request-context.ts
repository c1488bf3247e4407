import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

interface RequestScope {
  id: string;
  log: FastifyBaseLogger;
}

const scope = new AsyncLocalStorage<RequestScope>();

/**
 * The request being served, wherever a service is down its call chain: jobs it enqueues carry its
 * id (the queue contract's `requestId`), so the daemons' lines about them name the request too.
 */
export function currentRequest(): RequestScope | undefined {
  return scope.getStore();
}

export default fp(
  async (fastify) => {
    // The rest of the request's hooks and its handler run inside the scope, as @fastify/request-context does.
    fastify.addHook('onRequest', (request: FastifyRequest, reply, done) => {
      reply.header('x-request-id', request.id);
      scope.run({ id: request.id, log: request.log }, done);
    });
  },
  { name: 'request-context' },
);
