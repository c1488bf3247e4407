import { CANCELLED_BY_OWNER, type JobKind } from '@glint/core';
import {
  dispatchJobs,
  jobEvent,
  repositoriesOn,
  withTransaction,
  type JobsRepository,
  type PendingJob,
} from '@glint/store';
import type { Job } from 'bullmq';
import type { WorkerOptions } from './workers/worker-options';

/** Queue jobs one check looks at at most; the rest are due on the next. */
const batch = 500;

/** What one check did, by queue job id. */
export interface Recovery {
  /** Lost by the queue, and put back on it under the same id. */
  requeued: string[];
  /** Finished on the queue while their rows said otherwise; the rows now say how. */
  settled: string[];
  /** Lost by the queue after their owner asked to cancel them; cancelled. */
  cancelled: string[];
}

/** What became of a claimed job, as the queue tells it. */
type Fate =
  | { is: 'tracked' }
  | { is: 'lost' }
  | { is: 'cancelled' }
  | { is: 'completed'; returnvalue: unknown }
  | { is: 'failed'; reason: string };

/**
 * Looks the job up in BullMQ. Waiting, delayed, prioritized and active jobs are the queue's to run:
 * an active one whose lock expired is taken up again by BullMQ's own stalled-job check. A job whose
 * data outlived its place in the queue's lists (evicted, or half-restored) is never taken up: it is
 * removed, unless a worker holds its lock, so that it can be added again.
 */
async function fateOf(options: WorkerOptions, pending: PendingJob): Promise<Fate> {
  const queue = options.queues.queue(pending.operation as JobKind);
  const job: Job | undefined = await queue.getJob(pending.queueJobId);
  if (job) {
    const state = await job.getState();
    if (state === 'completed') return { is: 'completed', returnvalue: job.returnvalue };
    if (state === 'failed') return { is: 'failed', reason: job.failedReason };
    if (state !== 'unknown' || (await queue.remove(pending.queueJobId)) !== 1)
      return { is: 'tracked' };
  }
  // The owner's request outlives the job on the queue; one already taken off it stays off.
  return (await options.control.cancelRequested(pending.queueJobId))
    ? { is: 'cancelled' }
    : { is: 'lost' };
}

/** The destinations a completed transfer reports as made, with their bytes. */
function madeDestinations(returnvalue: unknown): { siteId: string; bytes: number }[] {
  const destinations = (returnvalue as { destinations?: unknown } | null)?.destinations;
  if (!Array.isArray(destinations)) return [];
  return destinations.filter(
    (d): d is { siteId: string; bytes: number } =>
      typeof d?.siteId === 'string' && typeof d?.bytes === 'number' && !d.error,
  );
}

/** Vouches for the jobs this daemon runs: their rows are confirmed now. PostgreSQL only. */
export async function confirmRunningJobs(options: WorkerOptions): Promise<void> {
  await repositoriesOn(options.pool).jobs.confirm(options.control.ids());
}

/** A finished fate: the rows' end, and the event that tells the owner. */
async function settle(
  jobs: JobsRepository,
  pending: PendingJob,
  fate: Exclude<Fate, { is: 'tracked' | 'lost' }>,
) {
  const id = pending.queueJobId;
  if (fate.is === 'cancelled') {
    await jobs.markCancelled(id, CANCELLED_BY_OWNER);
    return jobEvent(pending, 'cancelled');
  }
  if (fate.is === 'failed') {
    await jobs.failOpen(id, fate.reason);
    return jobEvent(pending, 'failed', fate.reason);
  }
  for (const { siteId, bytes } of madeDestinations(fate.returnvalue))
    await jobs.markFinished(id, siteId, { state: 'succeeded', bytesDone: bytes, error: null });
  // A delete names no bytes; a completed transfer made every destination still open.
  await jobs.markFinished(id, null, { state: 'succeeded', bytesDone: 0, error: null });
  return jobEvent(pending, 'succeeded');
}

/**
 * Checks one batch of unconfirmed rows in a transaction that holds their claims (see
 * recoverLostJobs); adds what it did to `recovery` and returns how many queue jobs it claimed.
 */
async function checkBatch(
  options: WorkerOptions,
  boundMs: number,
  recovery: Recovery,
): Promise<number> {
  const { pool, queues, publish, control } = options;
  return withTransaction(pool, async (repositories) => {
    const claimed = await repositories.jobs.claimUnconfirmed(boundMs / 2000, batch);
    const running = new Set(control.ids());
    const checked = claimed.filter((pending) => !running.has(pending.queueJobId));
    const fates = await Promise.all(checked.map((pending) => fateOf(options, pending)));
    const lost: PendingJob[] = [];
    for (const [i, fate] of fates.entries()) {
      const pending = checked[i]!;
      if (fate.is === 'tracked') continue;
      if (fate.is === 'lost') {
        lost.push(pending);
        continue;
      }
      const { ownerId, event } = await settle(repositories.jobs, pending, fate);
      await publish(ownerId, [event]);
      (fate.is === 'cancelled' ? recovery.cancelled : recovery.settled).push(pending.queueJobId);
    }
    await dispatchJobs(queues, repositories.jobs, publish, lost);
    recovery.requeued.push(...lost.map((job) => job.queueJobId));
    return claimed.length;
  });
}

/**
 * One recovery check. It claims the open rows of copies, deletes and imports that no one confirmed
 * for half of `boundMs` (a live daemon vouches for its jobs far more often), and holds their row
 * locks while it asks BullMQ about each (a worker that takes the job up meanwhile waits for them
 * before it marks the rows running):
 * - running here, waiting, delayed or active: a worker has it or the queue runs it; nothing to do;
 * - missing, or data in no list and no lock: lost; put back under its own id (a second daemon
 *   adding the same id adds nothing), or cancelled when its owner asked for that;
 * - completed or failed: the rows missed the end (a daemon that died in between, a failure nobody
 *   heard of); they are settled as the queue says, and the job is not run again.
 * Batch after batch, until no unconfirmed row is left: a claimed row is confirmed, so none comes
 * round twice, and a backlog of any size is checked within the bound.
 */
export async function recoverLostJobs(options: WorkerOptions, boundMs: number): Promise<Recovery> {
  const recovery: Recovery = { requeued: [], settled: [], cancelled: [] };
  let claimed: number;
  do {
    claimed = await checkBatch(options, boundMs, recovery);
  } while (claimed > 0);
  return recovery;
}

/** `run` starts `work` unless its last run is still going; `settled` waits for that run. */
function oneAtATime(work: () => Promise<void>) {
  let going: Promise<void> | undefined;
  return {
    run() {
      going ??= work().finally(() => (going = undefined));
    },
    settled: () => going ?? Promise.resolve(),
  };
}

/**
 * The recovery check on a schedule, from now on; returns a function that stops it and waits for
 * the check under way. It runs often enough that a lost job is back on the queue within `boundMs`
 * of being lost (or of its daemon's last word). The daemon vouches for its own jobs as often,
 * through PostgreSQL alone, so that a check stuck while Redis is away never makes them look
 * abandoned.
 */
export function scheduleRecovery(
  options: WorkerOptions,
  boundMs: number,
  log: (message: string, error?: unknown) => void,
): () => Promise<void> {
  const confirm = oneAtATime(() =>
    confirmRunningJobs(options).catch((error: unknown) =>
      log('confirming the running jobs failed', error),
    ),
  );
  const check = oneAtATime(() =>
    recoverLostJobs(options, boundMs).then(
      ({ requeued, settled, cancelled }) => {
        const told = (what: string, ids: string[]) =>
          ids.length > 0 && log(`queue recovery: ${what} (${ids.length}): ${ids.join(', ')}`);
        told('put back the jobs the queue had lost', requeued);
        told('settled the jobs the queue had finished', settled);
        told('cancelled the lost jobs their owners had cancelled', cancelled);
      },
      (error: unknown) => log('queue recovery failed', error),
    ),
  );
  const tick = () => {
    confirm.run();
    check.run();
  };
  // A row is claimed once unconfirmed for half the bound; a tick at most 0.21 × the bound later
  // (every sixth of it, spread ±25 % across daemons) finds it.
  const timer = setInterval(tick, (boundMs / 6) * (0.75 + Math.random() / 2));
  timer.unref();
  tick();
  return async () => {
    clearInterval(timer);
    await Promise.all([confirm.settled(), check.settled()]);
  };
}
