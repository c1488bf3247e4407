import type { JobOperation, JobPart, JobState } from '@glint/core';
import type { Queryable } from './queryable';
import { jobDelivery } from './jobs/delivery';
import { jobProgress } from './jobs/progress';
import { jobQueries } from './jobs/queries';
import { jobRecording } from './jobs/recording';
import { jobStates } from './jobs/states';

export type { JobOperation, JobPart, JobState };
export type { JobFilter, JobRecord, NewJob, PendingJob } from './jobs/records';

/**
 * The job history, one row per destination of a queue job (see ./jobs/ for its query groups):
 * recorded when asked for, delivered to the queue, read by the API, and moved through its states
 * by the daemon.
 */
export function jobsRepository(db: Queryable) {
  return {
    ...jobRecording(db),
    ...jobDelivery(db),
    ...jobQueries(db),
    ...jobStates(db),
    ...jobProgress(db),
  };
}

export type JobsRepository = ReturnType<typeof jobsRepository>;
