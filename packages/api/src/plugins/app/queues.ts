import fp from 'fastify-plugin';
import { JobQueues, queuePrefix } from '@glint/core';
import { Redis } from 'ioredis';
import type { AppOptions } from '../../app';

declare module 'fastify' {
  interface FastifyInstance {
    queues: JobQueues;
  }
}

export default fp<AppOptions>(
  async (fastify, opts) => {
    // BullMQ needs a connection of its own: without ioredis's keyPrefix, and blocking-safe.
    const connection = new Redis(opts.config.redis.url, { maxRetriesPerRequest: null });
    connection.on('error', (error) => fastify.log.error({ err: error }, 'Redis connection failed'));
    const queues = new JobQueues(
      connection,
      queuePrefix(opts.config.redis.keyPrefix),
      opts.config.jobAttempts,
      (error) => fastify.log.error({ err: error }, 'queue connection failed'),
    );
    fastify.decorate('queues', queues);
    fastify.addHook('onClose', async () => {
      await queues.close();
      await connection.quit();
    });
  },
  { name: 'queues' },
);
