import { CANCELLED_BY_OWNER, jobSubject } from '@glint/core';
import { UnrecoverableError, type Job, type Worker } from 'bullmq';
import { pino } from 'pino';
import type { Logger } from './logger';
import type { DaemonMetrics } from './metrics';

/**
 * What every log line about a job carries: the job, its kind, its owner (the project, once
 * projects own sites), the sites it touches and the API request that asked for it, so one copy
 * can be followed from the API's request log through every daemon that ran it.
 */
export function jobContext(job: Job): Record<string, unknown> {
  return { jobId: job.id, kind: job.name, ...jobSubject(job.data) };
}

export function jobLogger(logger: Logger, job: Job): Logger {
  return logger.child(jobContext(job));
}

/** Logs nothing: for daemons started without a log of their own (in tests). */
const silent = pino({ level: 'silent' });

const secondsSince = (ms: number | undefined) => (ms ? (Date.now() - ms) / 1000 : 0);

/**
 * Logs each job a worker takes up and how each attempt ends, and counts the jobs that reach a final
 * state with the time their last attempt took.
 */
export function observeJobs(worker: Worker, logger?: Logger, metrics?: DaemonMetrics): void {
  logger ??= silent;
  worker.on('active', (job) =>
    jobLogger(logger, job).info({ attempt: job.attemptsMade + 1 }, 'job started'),
  );
  worker.on('completed', (job) => {
    const seconds = secondsSince(job.processedOn);
    jobLogger(logger, job).info({ state: 'succeeded', seconds }, 'job succeeded');
    metrics?.jobEnded(job.name, 'succeeded', seconds);
  });
  worker.on('failed', (job, error) => {
    if (!job) {
      logger.error({ err: error, queue: worker.name }, 'job failed before it was read');
      return;
    }
    const seconds = secondsSince(job.processedOn);
    const log = jobLogger(logger, job);
    // BullMQ sets finishedOn only on the attempt after which it gives up.
    if (job.finishedOn === undefined) {
      log.warn(
        { err: error, attempt: job.attemptsMade, seconds },
        'job attempt failed; it is retried',
      );
      metrics?.jobRetried(job.name);
      return;
    }
    const cancelled = error instanceof UnrecoverableError && error.message === CANCELLED_BY_OWNER;
    const state = cancelled ? 'cancelled' : 'failed';
    if (cancelled) log.info({ state, seconds }, 'job cancelled');
    else log.error({ err: error, state, attempt: job.attemptsMade, seconds }, 'job failed');
    metrics?.jobEnded(job.name, state, seconds);
  });
}
