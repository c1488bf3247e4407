import {
  InvalidJobPayloadError,
  parseJobPayload,
  type JobPayload,
  type PublishEvents,
} from '@glint/core';
import type { NewJob, Repositories } from '@glint/store';
import { UnrecoverableError, type Job } from 'bullmq';
import { errorClassOf, type ErrorClass } from '@glint/cloud-adapters';
import { announce, type JobAudience } from '../job-reporting';
import { siteOfError } from '../site-scope';

/** Why a job (or one destination of it) failed, and whether another attempt may fare better. */
export interface JobFailure {
  message: string;
  retryable: boolean;
  /** The cloud error's class, for metrics; null when it was not a cloud's. */
  errorClass?: ErrorClass | null;
  /** The site whose adapter threw it, when one did. */
  siteId?: string;
}

/**
 * Errors of Glint's own services that clear when the service is back: a connection refused, reset
 * or cut, or PostgreSQL shutting down or refusing connections (SQLSTATE classes 08 and 57P).
 */
function isServiceOutage(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string')
    return /Connection terminated|connection is closed/i.test(String((error as Error).message));
  return /^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EAI_AGAIN|08...|57P0[1-3])$/.test(code);
}

export function failureOf(error: unknown): JobFailure {
  const siteId = siteOfError(error);
  return {
    message: (error as Error).message,
    errorClass: errorClassOf(error),
    ...(siteId && { siteId }),
    // Cloud errors and fetch errors say whether they may clear; Glint's own services clear when
    // they are back; anything else (a removed site, a bad payload) will not.
    retryable: (error as { retryable?: unknown }).retryable === true || isServiceOutage(error),
  };
}

/** The reason a job cancelled by its owner ends with. */
export const CANCELLED_BY_OWNER = 'cancelled by its owner';

/** Whether BullMQ will run the job again if this attempt fails with a retryable error. */
export function willRetry(job: Job): boolean {
  return job.attemptsMade + 1 < (job.opts.attempts ?? 1);
}

/** Ends the attempt: BullMQ retries (with the job's backoff) only what may clear. */
export function raise(failure: JobFailure): never {
  if (failure.retryable) throw new Error(failure.message);
  throw new UnrecoverableError(failure.message);
}

/**
 * Records that the job (every destination of it, or just `destinationSiteId`) failed: its rows wait
 * for the retry when there will be one, and fail for good otherwise, keeping the reason.
 */
export async function recordFailure(
  repositories: Repositories,
  job: Job,
  destinationSiteId: string | null,
  failure: JobFailure,
  bytesDone = 0,
): Promise<void> {
  if (failure.retryable && willRetry(job))
    await repositories.jobs.markWaiting(job.id!, destinationSiteId, failure.message);
  else
    await repositories.jobs.markFinished(job.id!, destinationSiteId, {
      state: 'failed',
      bytesDone,
      error: failure.message,
    });
}

/** Fails every row of the job with `failure`, tells the owner, and ends the attempt. */
export async function failJob(
  repositories: Repositories,
  job: Job,
  audience: JobAudience,
  failure: JobFailure,
): Promise<never> {
  await recordFailure(repositories, job, null, failure);
  const retrying = failure.retryable && willRetry(job);
  await announce(job, audience, retrying ? 'queued' : 'failed', failure.message);
  return raise(failure);
}

/** A job taken up: its payload, who hears of it, and what its rows say of this start. */
export interface StartedJob<K extends 'copy' | 'delete' | 'import'> {
  payload: JobPayload<K>;
  audience: JobAudience;
  /** Starts of the job before this one, crashed ones included. */
  earlierStarts: number;
  /** Whether a destination is still to do: not finished by an earlier attempt, nor failed for good. */
  isOpen(siteId: string): boolean;
}

/** What a kind of job means for the jobs table: its cells, and its rows when none were written. */
export interface JobCells<K extends 'copy' | 'delete' | 'import'> {
  kind: K;
  imageId(payload: JobPayload<K>): string | null;
  siteIds(payload: JobPayload<K>): string[];
  rows(queueJobId: string, payload: JobPayload<K>): NewJob[];
}

/** Checks a job's payload; one that does not match the queue contract fails for good at once. */
export async function parsePayload<K extends 'copy' | 'delete' | 'import'>(
  repositories: Repositories,
  job: Job,
  kind: K,
): Promise<JobPayload<K>> {
  try {
    return parseJobPayload(kind, job.data);
  } catch (error) {
    if (!(error instanceof InvalidJobPayloadError)) throw error;
    // Its owner is unknown, so there is no one to tell, and no cloud is touched.
    await repositories.jobs.failOpen(job.id!, error.message);
    throw new UnrecoverableError(error.message);
  }
}

/**
 * Takes up a checked job: records it if it came without rows (straight from automation), marks
 * its rows running (one more start) and tells the owner.
 */
export async function startJob<K extends 'copy' | 'delete' | 'import'>(
  repositories: Repositories,
  publish: PublishEvents,
  job: Job,
  payload: JobPayload<K>,
  cells: JobCells<K>,
): Promise<StartedJob<K>> {
  await repositories.jobs.adopt(payload.ownerId, cells.rows(job.id!, payload));
  const { starts, finishedSiteIds } = await repositories.jobs.markRunning(job.id!);
  const finished = new Set(finishedSiteIds);
  const audience: JobAudience = {
    publish,
    ownerId: payload.ownerId,
    operation: cells.kind,
    imageId: cells.imageId(payload),
    siteIds: cells.siteIds(payload),
  };
  await announce(job, audience, 'running');
  return {
    payload,
    audience,
    earlierStarts: starts - 1,
    isOpen: (siteId) => !finished.has(siteId),
  };
}
