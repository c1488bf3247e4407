import fp from 'fastify-plugin';
import { redisPersistenceWarnings } from '@glint/core';
import { Redis } from 'ioredis';
import type { AppOptions } from '../../app';

declare module 'fastify' {
  interface FastifyInstance {
    redis: Redis;
  }
}

export default fp<AppOptions>(
  async (fastify, opts) => {
    const redis = new Redis(opts.config.redis.url, {
      keyPrefix: opts.config.redis.keyPrefix,
      lazyConnect: true,
    });
    // ioredis reconnects by itself; without a listener its errors would crash the process.
    redis.on('error', (error) => fastify.log.error({ err: error }, 'Redis connection failed'));
    await redis.connect();
    for (const warning of await redisPersistenceWarnings(redis)) fastify.log.warn(warning);
    fastify.decorate('redis', redis);
    fastify.addHook('onClose', async () => {
      await redis.quit();
    });
  },
  { name: 'redis' },
);
