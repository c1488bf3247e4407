import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import {
  bearerMatches,
  checkReadiness,
  inNetworks,
  queryProbe,
  queueProbe,
  redisProbe,
} from '@glint/core';
import { checkSchemaCurrent } from '@glint/store';
import { ApiError } from '../../errors';
import { errorReplies } from '../../schemas/errors';
import { Health, Readiness } from '../../schemas/ops';

const tags = ['operations'];

/**
 * The operator's endpoints, outside /api/v1 and its authentication: `/healthz` (the process
 * answers) and `/readyz` (its dependencies answer) for a load balancer or supervisor, and
 * `/metrics` for Prometheus, which is not public (see mayReadMetrics).
 */
const ops: FastifyPluginAsyncTypebox = async (fastify) => {
  /**
   * The token, when the request carries it; else a direct connection from an allowed network. A
   * proxied request is never let in by address: behind nginx every peer is nginx itself.
   */
  function mayReadMetrics(request: FastifyRequest): boolean {
    const { token, allowedNetworks } = fastify.config.metrics;
    if (token && bearerMatches(request.headers.authorization, token)) return true;
    const proxied = request.headers['x-forwarded-for'] !== undefined || !!request.headers.forwarded;
    return !proxied && inNetworks(request.socket.remoteAddress, allowedNetworks);
  }

  fastify.get(
    '/healthz',
    {
      schema: { tags, summary: 'The process answers', response: { 200: Health } },
    },
    async () => ({ status: 'ok' as const }),
  );

  fastify.get(
    '/readyz',
    {
      schema: {
        tags,
        summary: 'PostgreSQL, Redis and the queue answer, and the schema is current',
        description: '200 when ready; 503 naming what failed otherwise.',
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const readiness = await checkReadiness({
        postgres: queryProbe(fastify.pg),
        migrations: () => checkSchemaCurrent(fastify.pg),
        redis: redisProbe(fastify.redis),
        queue: queueProbe(fastify.queues),
      });
      return reply.code(readiness.ready ? 200 : 503).send(readiness);
    },
  );

  fastify.get(
    '/metrics',
    {
      schema: {
        tags,
        summary: "Prometheus' text format",
        description:
          'Needs GLINT_METRICS_TOKEN as Authorization: Bearer, or a direct connection from GLINT_METRICS_ALLOWED_NETWORKS.',
        response: {
          200: Type.String({ description: 'text/plain; version=0.0.4' }),
          ...errorReplies,
        },
      },
    },
    async (request, reply) => {
      if (!mayReadMetrics(request))
        throw new ApiError(
          401,
          'metrics_token_required',
          'send GLINT_METRICS_TOKEN as Authorization: Bearer <token>, or connect from GLINT_METRICS_ALLOWED_NETWORKS',
        );
      return reply
        .type(fastify.metrics.registry.contentType)
        .send(await fastify.metrics.registry.metrics());
    },
  );
};

export default ops;
