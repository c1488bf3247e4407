import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jobSubject } from '@glint/core';
import { dispatchJobs, type NewJob, type PendingJob } from '@glint/store';
import type { ProjectCaller } from '../../caller';
import { currentRequest } from './request-context';

/**
 * A job asked for by the request being served carries its id, and the request's log says it was
 * queued, so it can be followed from the request to the daemons that run it.
 */
function fromRequest(job: PendingJob): PendingJob {
  const request = currentRequest();
  if (!request) return job;
  const payload = { ...(job.payload as Record<string, unknown>), requestId: request.id };
  request.log.info(
    { queueJobId: job.queueJobId, kind: job.operation, ...jobSubject(payload) },
    'job queued',
  );
  return { ...job, payload };
}

/** How many outbox rows one sweep puts on the queue at most, and how often it runs. */
const sweepBatch = 5000;
const sweepIntervalMs = 60_000;

/**
 * The jobs table as the queue's outbox. Services write jobs, payloads included, in the transaction
 * that decides them, and hand them here only after it committed: a rollback never leaves a queued
 * job behind. Jobs committed but never marked enqueued (a crash in between, Redis down) are put on
 * the queue by the next sweep under the same ids, which BullMQ takes once.
 */
export class JobOutbox {
  constructor(private readonly fastify: FastifyInstance) {}

  async dispatch(jobs: PendingJob[]): Promise<void> {
    const { queues, repositories, events } = this.fastify;
    await dispatchJobs(
      queues,
      repositories.jobs,
      (ownerId, list) => events.publish(ownerId, list),
      jobs.map(fromRequest),
    );
  }

  /**
   * Writes the caller's job rows with the audit event that explains them, in one transaction.
   * Queued work is then handed to dispatch().
   */
  async record(
    caller: ProjectCaller,
    rows: NewJob[],
    audit: { action: string; targetId: string; details: Record<string, unknown> },
  ): Promise<void> {
    await this.fastify.transaction(async (repositories) => {
      await repositories.jobs.insert(caller.ownerId, caller.userId, rows);
      await repositories.audit.record({
        ownerId: caller.ownerId,
        actorId: caller.userId,
        targetType: 'job',
        ...audit,
      });
    });
  }

  /** Puts committed jobs that never reached the queue on it; returns how many. */
  async sweep(): Promise<number> {
    const pending = await this.fastify.repositories.jobs.pending(sweepBatch);
    await this.dispatch(pending);
    return pending.length;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    outbox: JobOutbox;
  }
}

export default fp(
  async (fastify) => {
    const outbox = new JobOutbox(fastify);
    fastify.decorate('outbox', outbox);
    // A queue that is down must not keep the API down: the next sweep catches up.
    const sweep = () =>
      outbox
        .sweep()
        .catch((error: unknown) =>
          fastify.log.error({ err: error }, 'committed jobs could not be enqueued yet'),
        );
    let timer: NodeJS.Timeout | undefined;
    fastify.addHook('onReady', async () => {
      await sweep();
      timer = setInterval(sweep, sweepIntervalMs).unref();
    });
    fastify.addHook('onClose', async () => clearInterval(timer));
  },
  { name: 'outbox', dependencies: ['repositories', 'queues', 'events', 'request-context'] },
);
