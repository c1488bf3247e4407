import type { Job, JobOperation, JobState } from '@glint/core';

/** One cell's share of a queue job, as the history records it. */
export interface NewJob {
  queueJobId: string;
  operation: 'copy' | 'delete' | 'import' | 'upload';
  imageId: string | null;
  /** The image's name where no logical image names it (uploads, imports); else the image's. */
  imageName?: string | null;
  sourceSiteId: string | null;
  destinationSiteId: string | null;
  bytesTotal: number | null;
  /** The queue payload, kept until it is on the queue (the outbox); null for work done at once. */
  payload: unknown;
  /** For work done at once (an upload): how it ended. Queued work starts queued. */
  outcome?: { state: 'succeeded' | 'failed'; bytesDone: number; error: string | null };
}

/** A queue job written but not yet known to be on the queue. */
export interface PendingJob {
  queueJobId: string;
  operation: NewJob['operation'];
  payload: unknown;
}

export interface JobFilter {
  state?: JobState;
  operation?: JobOperation;
  imageId?: string;
  /** Jobs reading from or writing to the site. */
  siteId?: string;
  offset: number;
  limit: number;
}

/** A job as the API shows it, with its owner; the payload stays inside. */
export interface JobRecord extends Job {
  ownerId: string;
}
