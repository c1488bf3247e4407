import { JOBS, parseJobPayload } from '@glint/core';
import { UnrecoverableError, Worker } from 'bullmq';
import { reconcile, type ReconcileOutcome } from '../reconciler';
import type { WorkerOptions } from './worker-options';

/** The `reconcile` queue's worker: one owner's desired state against the inventory. */
export function reconcileWorker(options: WorkerOptions): Worker<unknown, ReconcileOutcome> {
  const { pool, queues, publish } = options;
  return new Worker<unknown, ReconcileOutcome>(
    JOBS.reconcile.queue,
    async (job) => {
      let ownerId: string;
      try {
        ({ ownerId } = parseJobPayload('reconcile', job.data));
      } catch (error) {
        throw new UnrecoverableError((error as Error).message);
      }
      return reconcile(pool, queues, publish, ownerId);
    },
    { ...options.bullmq, concurrency: 2 },
  );
}
