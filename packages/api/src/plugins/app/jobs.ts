import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import {
  CANCEL_REQUEST_TTL_SECONDS,
  cancelChannel,
  cancelRequestKey,
  type JobKind,
} from '@glint/core';
import type { JobFilter, JobRecord, NewJob } from '@glint/store';
import { ApiError, notFound } from '../../errors';
import type { Caller } from './caller-store';

type QueuedOperation = NewJob['operation'] & JobKind;
const queued = (operation: string): operation is QueuedOperation =>
  operation === 'copy' || operation === 'delete' || operation === 'import';

/** The payload of a retry: only the failed row's destination, with a fresh id for its new image. */
function retryPayload(job: JobRecord, payload: unknown): unknown {
  const data = payload as { destinations?: { siteId: string }[] };
  if (!data.destinations) return payload;
  return {
    ...data,
    destinations: data.destinations
      .filter((destination) => destination.siteId === job.destinationSiteId)
      .map((destination) => ({ ...destination, cloudImageId: randomUUID() })),
  };
}

/** The caller's job history, and retrying and cancelling in it. */
export class JobService {
  constructor(private readonly fastify: FastifyInstance) {}

  list(caller: Caller, filter: JobFilter) {
    return this.fastify.repositories.jobs.list(caller.userId, filter);
  }

  /** The job with its payload, which the routes' reply schema leaves out. */
  async get(caller: Caller, id: string) {
    const job = await this.fastify.repositories.jobs.find(caller.userId, id);
    if (!job) throw notFound('job', id);
    return job;
  }

  /** A failed or cancelled cell again, as a new job; the old one stays in the history. */
  async retry(caller: Caller, id: string): Promise<JobRecord> {
    const job = await this.get(caller, id);
    if ((job.state !== 'failed' && job.state !== 'cancelled') || !queued(job.operation))
      throw new ApiError(
        409,
        'job_not_retryable',
        `job ${id} is ${job.state}; only failed or cancelled copies, deletes and imports can be retried`,
      );
    const row: NewJob = {
      queueJobId: `${job.operation}-${randomUUID()}`,
      operation: job.operation,
      imageId: job.imageId,
      sourceSiteId: job.sourceSiteId,
      destinationSiteId: job.destinationSiteId,
      bytesTotal: job.bytesTotal,
      payload: retryPayload(job, job.payload),
    };
    const [newId] = await this.fastify.outbox.record(caller, [row], {
      action: 'job.retried',
      targetId: id,
      details: { queueJobId: row.queueJobId },
    });
    await this.fastify.outbox.dispatch([row]);
    return this.get(caller, newId!);
  }

  /**
   * Cancels a job with every cell of its queue job (a fanned-out copy is one). One still waiting
   * is taken off the queue and ends cancelled at once (`stopping` false). One a daemon is running
   * is asked to stop (`stopping` true): the daemon stops its streams, removes the half-made copies
   * and marks it cancelled, which the owner's event stream tells. The request is recorded first,
   * so a job a daemon takes up meanwhile stops as soon as it starts.
   */
  async cancel(caller: Caller, id: string): Promise<{ job: JobRecord; stopping: boolean }> {
    const job = await this.get(caller, id);
    if ((job.state !== 'queued' && job.state !== 'running') || !queued(job.operation))
      throw new ApiError(
        409,
        'job_not_cancellable',
        `job ${id} is ${job.state}; only queued or running copies, deletes and imports can be cancelled`,
      );
    const { redis, config } = this.fastify;
    await redis
      .multi()
      .set(cancelRequestKey(job.queueJobId), caller.userId, 'EX', CANCEL_REQUEST_TTL_SECONDS)
      .publish(cancelChannel(config.redis.keyPrefix), job.queueJobId)
      .exec();
    const queuedJob = await this.fastify.queues.queue(job.operation).getJob(job.queueJobId);
    // A job a worker holds cannot be removed; its daemon stops it.
    const removed =
      !queuedJob ||
      (await queuedJob.remove().then(
        () => true,
        () => false,
      ));
    await this.fastify.transaction(async (repositories) => {
      if (removed) await repositories.jobs.cancelQueued(caller.userId, job.queueJobId);
      await repositories.audit.record({
        ownerId: caller.userId,
        actorId: caller.userId,
        action: removed ? 'job.cancelled' : 'job.cancel_requested',
        targetType: 'job',
        targetId: id,
        details: { queueJobId: job.queueJobId },
      });
    });
    if (removed)
      await this.fastify.events.publish(caller.userId, [
        {
          type: 'job',
          queueJobId: job.queueJobId,
          operation: job.operation,
          state: 'cancelled',
          imageId: job.imageId,
          siteIds: job.destinationSiteId ? [job.destinationSiteId] : [],
        },
      ]);
    return { job: await this.get(caller, id), stopping: !removed };
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    jobs: JobService;
  }
}

export default fp(
  async (fastify) => {
    fastify.decorate('jobs', new JobService(fastify));
  },
  { name: 'jobs', dependencies: ['repositories', 'outbox', 'queues', 'events', 'redis'] },
);
