import { join } from 'node:path';
import AutoLoad from '@fastify/autoload';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config';
import { ApiError, errorReply } from './errors';
import ops from './routes/ops';
import panel from './routes/panel';

export interface AppOptions {
  config: Config;
}

/**
 * The service: third-party plugins, then Glint's own (database, Redis, identity, stores), then the
 * routes under /api/v1, each group a directory of routes/api, and the panel and the operator's
 * health and metrics endpoints (outside /api/v1: they need no caller, so none of the API's hooks).
 */
export default async function serviceApp(
  fastify: FastifyInstance,
  opts: AppOptions,
): Promise<void> {
  fastify.setErrorHandler((error, request, reply) => {
    const { status, body } = errorReply(error as Error, request.id);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ statusCode: status, error: body.error }, body.message);
    return reply.code(status).send(body);
  });

  fastify.setNotFoundHandler((request) => {
    throw new ApiError(
      404,
      'route_not_found',
      `there is no route ${request.method} ${request.url.split('?')[0]}`,
    );
  });

  // After the handlers: each plugin context copies its parent's handlers when it is created.
  await fastify.register(AutoLoad, { dir: join(__dirname, 'plugins/external'), options: opts });
  await fastify.register(AutoLoad, { dir: join(__dirname, 'plugins/app'), options: opts });
  await fastify.register(AutoLoad, {
    dir: join(__dirname, 'routes/api'),
    autoHooks: true,
    cascadeHooks: true,
    options: { ...opts, prefix: '/api/v1' },
  });
  await fastify.register(panel);
  await fastify.register(ops);
}
