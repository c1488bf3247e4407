import fp from 'fastify-plugin';
import { JOBS, parseJobPayload, queuePrefix, type JobKind, type JobPayload } from '@glint/core';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { AppOptions } from '../../app';

/**
 * Attempts of a job that fails with an error that may clear (a 5xx, a reset connection, a busy
 * 409), spaced by exponential backoff with jitter. Workers fail permanent errors at once.
 */
const retries = { attempts: 5, backoff: { type: 'exponential', delay: 5000, jitter: 0.5 } };

export interface QueuedJob<K extends JobKind> {
  /** Deterministic: BullMQ keeps one job per id, so enqueueing the same id again adds nothing. */
  id: string;
  payload: JobPayload<K>;
}

/** Glint's queues, as the queue contract in @glint/core names them. */
export class JobQueues {
  private readonly queues = new Map<JobKind, Queue>();

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
  ) {}

  /** Adds the jobs, each checked against its payload schema first; ids already queued are skipped by BullMQ. */
  async enqueue<K extends JobKind>(
    kind: K,
    jobs: QueuedJob<K>[],
    /** Remove the job from Redis as soon as it finished, so the same id can be queued again. */
    options: { removeOnComplete?: true } = {},
  ): Promise<void> {
    if (jobs.length === 0) return;
    const { name } = JOBS[kind];
    await this.queue(kind).addBulk(
      jobs.map((job) => ({
        name,
        data: parseJobPayload(kind, job.payload),
        opts: {
          jobId: job.id,
          ...retries,
          // The jobs table keeps the history; Redis keeps only recent jobs for the workers' sake.
          removeOnComplete: options.removeOnComplete ?? { count: 1000 },
          removeOnFail: options.removeOnComplete ?? { count: 5000 },
        },
      })),
    );
  }

  queue(kind: JobKind): Queue {
    let queue = this.queues.get(kind);
    if (!queue) {
      queue = new Queue(JOBS[kind].queue, { connection: this.connection, prefix: this.prefix });
      this.queues.set(kind, queue);
    }
    return queue;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }
}

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
    const queues = new JobQueues(connection, queuePrefix(opts.config.redis.keyPrefix));
    fastify.decorate('queues', queues);
    fastify.addHook('onClose', async () => {
      await queues.close();
      await connection.quit();
    });
  },
  { name: 'queues' },
);
