import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { requestCancel, type JobKind } from '@glint/core';
import {
  cancelJobs,
  type JobFilter,
  type JobPart,
  type JobRecord,
  type JobToCancel,
  type NewJob,
} from '@glint/store';
import { Redis } from 'ioredis';
import { ApiError, notFound } from '../../errors';
import type { ProjectCaller } from '../../caller';
import type { AppOptions } from '../../app';

type QueuedOperation = NewJob['operation'] & JobKind;
const queued = (operation: string): operation is QueuedOperation =>
  operation === 'copy' || operation === 'delete' || operation === 'import';

/** The payload of a retry: only the retried destinations, each with a fresh id for its new image. */
function retryPayload(payload: unknown, siteIds: string[]): unknown {
  const data = payload as { destinations?: { siteId: string }[] };
  if (!data.destinations) return payload;
  return {
    ...data,
    destinations: data.destinations
      .filter((destination) => siteIds.includes(destination.siteId))
      .map((destination) => ({ ...destination, cloudImageId: randomUUID() })),
  };
}

const ended = (part: JobPart) => part.state === 'failed' || part.state === 'cancelled';
const open = (part: JobPart) => part.state === 'queued' || part.state === 'running';

/** The caller's job history, and retrying and cancelling in it. */
export class JobService {
  constructor(
    private readonly fastify: FastifyInstance,
    /** Where cancel requests go: a connection without ioredis's keyPrefix (see requestCancel). */
    private readonly cancelRedis: Redis,
  ) {}

  list(caller: ProjectCaller, filter: JobFilter) {
    return this.fastify.repositories.jobs.list(caller.ownerId, filter);
  }

  /** The job with its payload, which the routes' reply schema leaves out. */
  async get(caller: ProjectCaller, id: string) {
    const job = await this.fastify.repositories.jobs.find(caller.ownerId, id);
    if (!job) throw notFound('job', id);
    return job;
  }

  /**
   * The job's failed or cancelled destinations (`siteIds` of them, or all) again, as a new job;
   * the old one stays in the history.
   */
  async retry(caller: ProjectCaller, id: string, siteIds?: string[]): Promise<JobRecord> {
    const job = await this.get(caller, id);
    const parts = job.parts.filter(
      (part): part is JobPart & { siteId: string } =>
        ended(part) && part.siteId !== null && (!siteIds || siteIds.includes(part.siteId)),
    );
    const notEnded = (siteIds ?? []).filter((site) => !parts.some((part) => part.siteId === site));
    if (!queued(job.operation) || parts.length === 0 || notEnded.length > 0)
      throw new ApiError(
        409,
        'job_not_retryable',
        notEnded.length > 0
          ? `job ${id} has no failed or cancelled part on site ${notEnded.join(', ')}`
          : `job ${id} is ${job.state}; only failed or cancelled copies, deletes and imports can be retried`,
      );
    const queueJobId = `${job.operation}-${randomUUID()}`;
    const payload = retryPayload(
      job.payload,
      parts.map((part) => part.siteId),
    );
    const rows: NewJob[] = parts.map((part) => ({
      queueJobId,
      operation: job.operation as QueuedOperation,
      imageId: job.imageId,
      imageName: job.imageName,
      sourceSiteId: job.sourceSiteId,
      destinationSiteId: part.siteId,
      bytesTotal: part.bytesTotal,
      payload,
    }));
    await this.fastify.outbox.record(caller, rows, {
      action: 'job.retried',
      targetId: id,
      details: { jobId: queueJobId, sites: parts.map((part) => part.siteId) },
    });
    await this.fastify.outbox.dispatch([{ queueJobId, operation: rows[0]!.operation, payload }]);
    return this.get(caller, queueJobId);
  }

  /**
   * Cancels a job with every cell of its queue job (a fanned-out copy is one). One still waiting
   * is taken off the queue and ends cancelled at once (`stopping` false). One a daemon is running
   * is asked to stop (`stopping` true): the daemon stops its streams, removes the half-made copies
   * and marks it cancelled, which the owner's event stream tells. The request is recorded first,
   * so a job a daemon takes up meanwhile stops as soon as it starts.
   */
  async cancel(caller: ProjectCaller, id: string): Promise<{ job: JobRecord; stopping: boolean }> {
    const job = await this.get(caller, id);
    if (!job.parts.some(open) || !queued(job.operation))
      throw new ApiError(
        409,
        'job_not_cancellable',
        `job ${id} is ${job.state}; only queued or running copies, deletes and imports can be cancelled`,
      );
    const siteIds = job.parts.flatMap((part) => (part.siteId ? [part.siteId] : []));
    const ended = await this.stop(caller.ownerId, caller.userId, [
      { queueJobId: id, operation: job.operation, imageId: job.imageId, siteIds },
    ]);
    const removed = ended.length > 0;
    await this.fastify.repositories.audit.record({
      ownerId: caller.ownerId,
      actorId: caller.userId,
      action: removed ? 'job.cancelled' : 'job.cancel_requested',
      targetType: 'job',
      targetId: id,
      details: {},
    });
    return { job: await this.get(caller, id), stopping: !removed };
  }

  /**
   * Stops the owner's queue jobs as `cancel` does, without its checks or audit (a halted release's
   * copies); returns those that ended now, the others stopping on their daemon.
   */
  stop(ownerId: string, requestedBy: string, jobs: JobToCancel[]): Promise<string[]> {
    const { queues, config, repositories, events } = this.fastify;
    return cancelJobs(
      (kind, ids) =>
        requestCancel(
          this.cancelRedis,
          config.redis.keyPrefix,
          queues.queue(kind),
          ids,
          requestedBy,
        ),
      repositories.jobs,
      (owner, list) => events.publish(owner, list),
      ownerId,
      jobs,
    );
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    jobs: JobService;
  }
}

export default fp<AppOptions>(
  async (fastify, opts) => {
    const cancelRedis = new Redis(opts.config.redis.url);
    cancelRedis.on('error', (error) =>
      fastify.log.error({ err: error }, 'Redis connection failed'),
    );
    fastify.decorate('jobs', new JobService(fastify, cancelRedis));
    fastify.addHook('onClose', async () => {
      await cancelRedis.quit();
    });
  },
  { name: 'jobs', dependencies: ['repositories', 'outbox', 'queues', 'events'] },
);
