import { CANCELLED_BY_OWNER, JOBS, QUEUES, type OutboundPolicy } from '@glint/core';
import { repositoriesOn, type Repositories } from '@glint/store';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { StopReason } from '../job-control';
import { announce, progressRelay } from '../job-reporting';
import type { SiteSlots } from '../site-slots';
import { copyTransfer } from './copy-transfer';
import { importTransfer } from './import-transfer';
import type { DestinationOutcome, Transfer, TransferKind, TransferOutcome } from './transfer-kind';
import { TransferMeter } from './transfer-meter';
import type { WorkerOptions } from './worker-options';
import {
  admitJob,
  parsePayload,
  raise,
  rejectJob,
  recordFailure,
  failJob,
  startJob,
  failureOf,
  willRetry,
  type StartedJob,
} from './lifecycle';

export interface TransferWorkerOptions extends WorkerOptions {
  slots: SiteSlots;
  /** Where imports may connect (GLINT_OUTBOUND_ALLOW). */
  outbound: OutboundPolicy;
  /** Bytes per second each transfer may read (GLINT_TRANSFER_BANDWIDTH_LIMIT). */
  bandwidthLimit?: number;
}

/** The kinds on the transfer queue, by BullMQ job name. */
const transfers = new Map<string, Transfer<TransferKind>>([
  [JOBS.copy.name, copyTransfer],
  [JOBS.import.name, importTransfer],
]);

/** How long a job waits for a busy site before it asks again: 0.25 to 1 s, spread out. */
const slotWaitMs = () => 250 + Math.floor(Math.random() * 750);

/** Puts the job back on the queue, not as a failed attempt, to run `delayMs` from now. */
async function requeue(job: Job, token: string | undefined, delayMs: number): Promise<never> {
  await job.moveToDelayed(Date.now() + delayMs, token);
  throw new DelayedError();
}

/** Records how each destination ended, tells the owner, and ends the attempt accordingly. */
async function settle(
  repositories: Repositories,
  job: Job,
  started: StartedJob<TransferKind>,
  outcomes: DestinationOutcome[],
): Promise<TransferOutcome> {
  for (const outcome of outcomes) {
    if (outcome.error)
      await recordFailure(
        repositories,
        job,
        outcome.siteId,
        outcome.error,
        outcome.bytes,
        outcome.method,
      );
    else
      await repositories.jobs.markFinished(job.id!, outcome.siteId, {
        state: 'succeeded',
        bytesDone: outcome.bytes,
        error: null,
        ...(outcome.method && { method: outcome.method }),
      });
  }
  const { audience } = started;
  await audience.publish(audience.ownerId, [
    {
      type: 'cells',
      siteIds: audience.siteIds,
      ...(audience.imageId && { imageIds: [audience.imageId] }),
    },
  ]);
  const failures = outcomes.flatMap((outcome) => (outcome.error ? [outcome.error] : []));
  if (failures.length === 0) {
    await announce(job, audience, 'succeeded');
    return { destinations: outcomes };
  }
  // Another attempt redoes only the destinations that may fare better; the others keep their end.
  const failure = failures.find((f) => f.retryable) ?? failures[0]!;
  const retrying = failure.retryable && willRetry(job);
  // Rows of sites that are not the owner's (a job put straight on the queue) name no destination.
  if (!retrying) await repositories.jobs.failOpen(job.id!, failure.message);
  await announce(job, audience, retrying ? 'queued' : 'failed', failure.message);
  return raise(failure);
}

/** Ends a job stopped early: cancelled for good, or handed back to run again elsewhere. */
async function stopped(
  repositories: Repositories,
  job: Job,
  token: string | undefined,
  started: StartedJob<TransferKind>,
  reason: StopReason,
): Promise<never> {
  if (reason === 'cancelled') {
    await repositories.jobs.markCancelled(job.id!, CANCELLED_BY_OWNER);
    await announce(job, started.audience, 'cancelled');
    throw new UnrecoverableError(CANCELLED_BY_OWNER);
  }
  await repositories.jobs.markWaiting(job.id!, null, null);
  await announce(job, started.audience, 'queued');
  return requeue(job, token, 0);
}

/**
 * The `glint-transfer` queue's worker: every job that moves image bytes (copies and imports). Its
 * concurrency is the daemon's global limit on transfers; each job also takes a slot on every site
 * it reads or writes, and waits on the queue (not as an attempt) while one of them is at its limit.
 * A destination that may fare better later fails the job retryably (BullMQ retries it with
 * backoff, redoing only such destinations); one that cannot fails for good, its reason on its row.
 */
export function transferWorker(options: TransferWorkerOptions): Worker<unknown, TransferOutcome> {
  const { pool, publish, slots, control, metrics } = options;
  const repositories = repositoriesOn(pool);
  return new Worker<unknown, TransferOutcome>(
    QUEUES.transfer,
    async (job, token) => {
      const transfer = transfers.get(job.name);
      if (!transfer) {
        const data = job.data as { ownerId?: unknown; url?: unknown } | null;
        return rejectJob(
          repositories,
          publish,
          job,
          data?.url === undefined ? 'copy' : 'import',
          data?.ownerId,
          `no transfer is called "${job.name}": name the job ${JOBS.copy.name} or ${JOBS.import.name}`,
        );
      }
      const payload = await parsePayload(repositories, publish, job, transfer.kind);
      await admitJob(repositories, publish, job, payload, transfer);
      const lease = await slots.acquire(transfer.sitesUsed(payload));
      if (!lease) return requeue(job, token, slotWaitMs());
      const running = await control.start(job.id!);
      try {
        const started = await startJob(repositories, publish, job, payload, transfer);
        const meter =
          metrics && new TransferMeter(metrics, transfer.kind, transfer.sourceSiteId(payload));
        const relay = progressRelay(job, repositories, started.audience);
        let outcomes: DestinationOutcome[];
        try {
          outcomes = await transfer.run({
            repositories,
            adapters: options.adapters,
            outbound: options.outbound,
            ...(options.bandwidthLimit && { bandwidthLimit: options.bandwidthLimit }),
            started,
            signal: running.signal,
            onProgress: meter ? meter.relaying(relay) : relay,
          });
        } catch (error) {
          if (running.signal.aborted)
            return stopped(repositories, job, token, started, running.signal.reason as StopReason);
          // The source could not be opened or read: every destination fails the same way.
          const failure = failureOf(error);
          meter?.failedWhole(failure, transfer.siteIds(payload));
          return failJob(repositories, job, started.audience, failure);
        }
        if (running.signal.aborted)
          return stopped(repositories, job, token, started, running.signal.reason as StopReason);
        meter?.settled(outcomes);
        return settle(repositories, job, started, outcomes);
      } finally {
        running.done();
        await lease.release();
      }
    },
    // Its concurrency is the daemon's global limit, set by whoever starts it.
    options.bullmq,
  );
}
