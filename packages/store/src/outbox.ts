import type { GlintEvent, JobKind, JobPayload, JobQueues, PublishEvents } from '@glint/core';
import type { JobsRepository, PendingJob } from './repositories';

/** The queue kinds history rows are enqueued as. */
const kinds: JobKind[] = ['copy', 'delete', 'import'];

/** What clients hear of a queue job that moved to `state`; every payload names its owner and cells. */
export function jobEvent(
  job: PendingJob,
  state: 'queued' | 'succeeded' | 'failed' | 'cancelled',
  error?: string,
): { ownerId: string; event: GlintEvent } {
  const payload = job.payload as {
    ownerId: string;
    imageId?: string;
    siteId?: string;
    destinations?: { siteId: string }[];
  };
  return {
    ownerId: payload.ownerId,
    event: {
      type: 'job',
      queueJobId: job.queueJobId,
      operation: job.operation,
      state,
      imageId: payload.imageId ?? null,
      siteIds:
        payload.destinations?.map((d) => d.siteId) ?? (payload.siteId ? [payload.siteId] : []),
      ...(error && { error }),
    },
  };
}

/**
 * Puts committed jobs on the queue, marks them enqueued and tells their owners. The jobs table is
 * the queue's outbox: whoever decides work (the API, the daemon's reconciler) writes its rows in
 * the deciding transaction and calls this after the commit. Rows a crash left unmarked, and jobs a
 * Redis that lost its data no longer holds (the daemons' recovery check), are put on the queue
 * again under the same ids, which BullMQ takes once.
 */
export async function dispatchJobs(
  queues: JobQueues,
  jobs: JobsRepository,
  publish: PublishEvents,
  pending: PendingJob[],
): Promise<void> {
  if (pending.length === 0) return;
  // A job can end between its commit and here: a release's halt cancels the copies it finds, and
  // its owner heard so. Put on the queue or announced queued now, it would come back on their
  // screens; one cancelled after this check is stopped by its kept cancel request as it starts.
  const open = new Set(await jobs.openOf(pending.map((job) => job.queueJobId)));
  const live = pending.filter((job) => open.has(job.queueJobId));
  for (const kind of kinds) {
    const ofKind = live.filter((job) => job.operation === kind);
    await queues.enqueue(
      kind,
      ofKind.map((job) => ({
        id: job.queueJobId,
        payload: job.payload as JobPayload<typeof kind>,
      })),
    );
  }
  await jobs.markEnqueued(pending.map((job) => job.queueJobId));
  for (const job of live) {
    const { ownerId, event } = jobEvent(job, 'queued');
    await publish(ownerId, [event]);
  }
}

/** A queue job to cancel, with what its owner's clients are told of it. */
export interface JobToCancel {
  queueJobId: string;
  operation: JobKind;
  imageId: string | null;
  siteIds: string[];
}

/**
 * Cancels the owner's queue jobs: `request` asks them to stop (requestCancel, on the kind's queue)
 * and returns those it took off the queue, whose open rows end cancelled now and whose owner hears
 * so. The daemon running any other stops it and marks it. Returns the ids that ended now.
 */
export async function cancelJobs(
  request: (kind: JobKind, queueJobIds: string[]) => Promise<string[]>,
  jobs: JobsRepository,
  publish: PublishEvents,
  ownerId: string,
  toCancel: JobToCancel[],
): Promise<string[]> {
  const ended: string[] = [];
  for (const kind of kinds) {
    const ofKind = toCancel.filter((job) => job.operation === kind);
    if (ofKind.length === 0) continue;
    const removed = await request(
      kind,
      ofKind.map((job) => job.queueJobId),
    );
    for (const job of ofKind.filter((j) => removed.includes(j.queueJobId))) {
      await jobs.cancelQueued(ownerId, job.queueJobId);
      const { queueJobId, operation, imageId, siteIds } = job;
      await publish(ownerId, [
        { type: 'job', queueJobId, operation, state: 'cancelled', imageId, siteIds },
      ]);
      ended.push(queueJobId);
    }
  }
  return ended;
}
