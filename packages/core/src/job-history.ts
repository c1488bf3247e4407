/**
 * The job history as its readers see it: the store writes it, the API serves it, the CLI and the
 * panel show it. A job is one queue job, named by its queue id everywhere, with a part per
 * destination.
 */
import type { CopyMethod } from './jobs';

export type JobOperation = 'copy' | 'delete' | 'inventory' | 'upload' | 'import';
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** One destination of a job (a delete's only site). */
export interface JobPart {
  siteId: string | null;
  /** The site's name now; null once the site is removed. */
  siteName: string | null;
  state: JobState;
  attempts: number;
  bytesDone: number;
  bytesTotal: number | null;
  error: string | null;
  /** How a copy's destination was made, once it ended (`copy` jobs only). */
  method: CopyMethod | null;
  startedAt: string | null;
  finishedAt: string | null;
}

/** A job: its id is the one `glint place`, the events and the queue give it. */
export interface Job {
  id: string;
  operation: JobOperation;
  /** Running while any part runs, else queued while any waits, else failed, cancelled, succeeded. */
  state: JobState;
  imageId: string | null;
  /** The image's name when the job was asked for; for an upload or import, the name given. */
  imageName: string | null;
  sourceSiteId: string | null;
  sourceSiteName: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  parts: JobPart[];
}
