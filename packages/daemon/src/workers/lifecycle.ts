import { InvalidJobPayloadError, parseJobPayload, type JobPayload } from '@glint/core';
import { isCloudError } from '@glint/cloud-adapters';
import type { Repositories } from '@glint/store';
import { UnrecoverableError, type Job } from 'bullmq';
import type { PublishEvents } from '../events';
import { announce, type JobAudience } from '../job-reporting';

/** Why a job (or one destination of it) failed, and whether another attempt may fare better. */
export interface JobFailure {
  message: string;
  retryable: boolean;
}

export function failureOf(error: unknown): JobFailure {
  return {
    message: (error as Error).message,
    // Only the clouds know which of their errors may clear; anything else (a removed site) will not.
    retryable: isCloudError(error) && error.retryable,
  };
}

/** Ends the attempt: BullMQ retries (with the job's backoff) only what may clear. */
export function raise(failure: JobFailure): never {
  if (failure.retryable) throw new Error(failure.message);
  throw new UnrecoverableError(failure.message);
}

/** Fails every row of the job with `failure`, tells the owner, and ends the attempt. */
export async function failJob(
  repositories: Repositories,
  job: Job,
  audience: JobAudience,
  failure: JobFailure,
): Promise<never> {
  await repositories.jobs.markFinished(job.id!, null, {
    state: 'failed',
    bytesDone: 0,
    error: failure.message,
  });
  await announce(job, audience, 'failed', failure.message);
  return raise(failure);
}

/**
 * Takes up a copy or delete job: checks its payload, marks its rows running (one more attempt) and
 * tells the owner. Returns the payload, and who hears of the job, about which cells.
 */
export async function startJob<K extends 'copy' | 'delete'>(
  repositories: Repositories,
  publish: PublishEvents,
  job: Job,
  kind: K,
  cellsOf: (payload: JobPayload<K>) => Pick<JobAudience, 'imageId' | 'siteIds'>,
): Promise<{ payload: JobPayload<K>; audience: JobAudience }> {
  let payload: JobPayload<K>;
  try {
    payload = parseJobPayload(kind, job.data);
  } catch (error) {
    return invalidPayload(repositories, job, error);
  }
  const audience: JobAudience = {
    publish,
    ownerId: payload.ownerId,
    operation: kind,
    ...cellsOf(payload),
  };
  await repositories.jobs.markRunning(job.id!);
  await announce(job, audience, 'running');
  return { payload, audience };
}

/**
 * Fails a job whose payload does not match the queue contract, for good and before anything else:
 * its owner is unknown, so there is no one to tell, and no cloud is touched. Other errors go on.
 */
async function invalidPayload(
  repositories: Repositories,
  job: Job,
  error: unknown,
): Promise<never> {
  if (!(error instanceof InvalidJobPayloadError)) throw error;
  await repositories.jobs.markFinished(job.id!, null, {
    state: 'failed',
    bytesDone: 0,
    error: error.message,
  });
  throw new UnrecoverableError(error.message);
}
