import { JOBS, parseJobPayload, type JobQueues } from '@glint/core';
import { RELEASES, repositoriesOn } from '@glint/store';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Pool } from 'pg';
import type { WorkerOptions } from '../workers/worker-options';
import { advanceRelease, type ReleaseOutcome } from './rollout';
import { everyInterval } from '../ticker';

/**
 * The `release` queue's worker: one family's next step. A delete a site refused is tried again
 * after `retryBaseMs` (the release interval), doubling with each refusal.
 */
export function releaseWorker(
  options: WorkerOptions,
  retryBaseMs: number,
): Worker<unknown, ReleaseOutcome> {
  return new Worker<unknown, ReleaseOutcome>(
    JOBS.release.queue,
    async (job) => {
      let payload;
      try {
        payload = parseJobPayload('release', job.data);
      } catch (error) {
        throw new UnrecoverableError((error as Error).message);
      }
      return advanceRelease(options, payload.ownerId, payload.familyId, retryBaseMs);
    },
    { ...options.bullmq, concurrency: 2 },
  );
}

/**
 * Enqueues a step of every family. The job id is the family's, so a family has one step waiting
 * or running at a time however many daemons tick.
 */
export async function enqueueReleaseSteps(pool: Pool, queues: JobQueues): Promise<number> {
  const families = await repositoriesOn(pool).releases.allFamilies();
  await queues.enqueue(
    'release',
    families.map(({ ownerId, familyId }) => ({
      id: `release-${familyId}`,
      payload: { version: 1, ownerId, familyId },
    })),
  );
  return families.length;
}

/** Every family's steps on a schedule (soaks, waves, retention, retries); returns a stopper. */
export function scheduleReleases(
  pool: Pool,
  queues: JobQueues,
  intervalMs: number,
  log: (message: string, error?: unknown) => void,
): () => void {
  return everyInterval(
    () => enqueueReleaseSteps(pool, queues),
    intervalMs,
    log,
    'release schedule',
  );
}

/**
 * Takes a family's next step as soon as it may be due instead of on the next tick: when a copy a
 * rollout asked for ends (the wave may be verified), and again after a step that changed
 * something (a wave done with no soak lets the next one start). Each successful step changes the
 * family's state, so the repeats end once nothing more is due.
 */
export function stepReleasesOnProgress(
  copies: Worker,
  releases: Worker<unknown, ReleaseOutcome>,
  pool: Pool,
  queues: JobQueues,
  log: (message: string, error?: unknown) => void,
): void {
  const stepAll = () =>
    void enqueueReleaseSteps(pool, queues).catch((error: unknown) =>
      log('release step after a copy failed', error),
    );
  const copyEnded = (job: { data: unknown } | undefined) => {
    if ((job?.data as { requestedBy?: string } | undefined)?.requestedBy === RELEASES) stepAll();
  };
  copies.on('completed', copyEnded);
  copies.on('failed', copyEnded);
  releases.on('completed', (job, outcome) => {
    if (outcome.steps > outcome.failed && job.id)
      void queues
        .enqueue('release', [{ id: job.id, payload: job.data as never }])
        .catch((error: unknown) => log('release follow-up step failed', error));
  });
}
