import fp from 'fastify-plugin';
import type { AppOptions } from '../../app';
import type { Config } from '../../config';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
  }
}

/** The configuration server.ts loaded (checked against @glint/core's settings schema, see config.ts), for every plugin and route. */
export default fp<AppOptions>(
  async (fastify, opts) => {
    fastify.decorate('config', opts.config);
  },
  { name: 'env' },
);
