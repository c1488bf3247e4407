import {
  InvalidJobPayloadError,
  parseJobPayload,
  type CopyMethod,
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
  method?: CopyMethod,
): Promise<void> {
  if (failure.retryable && willRetry(job))
    await repositories.jobs.markWaiting(job.id!, destinationSiteId, failure.message);
  else
    await repositories.jobs.markFinished(job.id!, destinationSiteId, {
      state: 'failed',
      bytesDone,
      error: failure.message,
      ...(method && { method }),
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
  /** The sites whose cells it changes (the destinations). */
  siteIds(payload: JobPayload<K>): string[];
  /** Every site it reads or writes. */
  sitesUsed(payload: JobPayload<K>): string[];
  rows(queueJobId: string, payload: JobPayload<K>): NewJob[];
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Fails a job for good before it ran, for a reason its rows keep (or, for a job put straight on the
 * queue without rows, a row made for its owner, when `ownerId` names a Glint project), and tells the
 * owner. Nothing else of the job is recorded: its ids may be wrong, or another project's.
 */
export async function rejectJob(
  repositories: Repositories,
  publish: PublishEvents,
  job: Job,
  operation: JobCells<'copy' | 'delete' | 'import'>['kind'],
  ownerId: unknown,
  reason: string,
): Promise<never> {
  const owner = typeof ownerId === 'string' && uuidPattern.test(ownerId) ? ownerId : null;
  if ((await repositories.jobs.reject(owner, job.id!, operation, reason)) && owner)
    await announce(
      job,
      { publish, ownerId: owner, operation, imageId: null, siteIds: [] },
      'failed',
      reason,
    );
  throw new UnrecoverableError(reason);
}

/** Checks a job's payload; one that does not match the queue contract fails for good at once. */
export async function parsePayload<K extends 'copy' | 'delete' | 'import'>(
  repositories: Repositories,
  publish: PublishEvents,
  job: Job,
  kind: K,
): Promise<JobPayload<K>> {
  try {
    return parseJobPayload(kind, job.data);
  } catch (error) {
    if (!(error instanceof InvalidJobPayloadError)) throw error;
    // No cloud is touched; the owner, if the payload names one, hears why.
    return rejectJob(
      repositories,
      publish,
      job,
      kind,
      (job.data as { ownerId?: unknown } | null)?.ownerId,
      error.message,
    );
  }
}

/** Who hears of a checked job: its owner, about its cells. */
function audienceOf<K extends 'copy' | 'delete' | 'import'>(
  publish: PublishEvents,
  payload: JobPayload<K>,
  cells: JobCells<K>,
): JobAudience {
  return {
    publish,
    ownerId: payload.ownerId,
    operation: cells.kind,
    imageId: cells.imageId(payload),
    siteIds: cells.siteIds(payload),
  };
}

/**
 * Records a checked job that came without rows (put straight on the queue by automation), so its
 * history, cells and events show like any other's from now on, and tells its owner it is queued.
 * Its image and sites must be its owner's, checked before anything naming them is recorded: a job
 * that names another project's fails for good, recorded for its owner without them.
 */
export async function admitJob<K extends 'copy' | 'delete' | 'import'>(
  repositories: Repositories,
  publish: PublishEvents,
  job: Job,
  payload: JobPayload<K>,
  cells: JobCells<K>,
): Promise<void> {
  if (await repositories.jobs.has(job.id!)) return;
  const imageId = cells.imageId(payload);
  const foreign = await repositories.projects.notOwned(payload.ownerId, {
    imageIds: imageId ? [imageId] : [],
    siteIds: [...new Set(cells.sitesUsed(payload))],
  });
  const named = [
    ...foreign.imageIds.map((id) => `image ${id}`),
    ...foreign.siteIds.map((id) => `site ${id}`),
  ];
  if (named.length > 0)
    return rejectJob(
      repositories,
      publish,
      job,
      cells.kind,
      payload.ownerId,
      `${named.join(', ')} ${named.length === 1 ? 'is' : 'are'} not the owner's (${payload.ownerId}): ` +
        'take the ids from GET /api/v1/matrix and GET /api/v1/sites as a user of that project',
    );
  if (await repositories.jobs.adopt(payload.ownerId, cells.rows(job.id!, payload)))
    await announce(job, audienceOf(publish, payload, cells), 'queued');
}

/** Takes up an admitted job: marks its rows running (one more start) and tells the owner. */
export async function startJob<K extends 'copy' | 'delete' | 'import'>(
  repositories: Repositories,
  publish: PublishEvents,
  job: Job,
  payload: JobPayload<K>,
  cells: JobCells<K>,
): Promise<StartedJob<K>> {
  const { starts, finishedSiteIds } = await repositories.jobs.markRunning(job.id!);
  const finished = new Set(finishedSiteIds);
  const audience = audienceOf(publish, payload, cells);
  await announce(job, audience, 'running');
  return {
    payload,
    audience,
    earlierStarts: starts - 1,
    isOpen: (siteId) => !finished.has(siteId),
  };
}
