import type { GlintEvent, Job, MatrixCell } from '../api-types';
import { cellDetail } from '../matrix/cell-display';

type JobEvent = Extract<GlintEvent, { type: 'job' }>;

/** A running job's latest progress, from its events. */
export interface Progress {
  bytes: number;
  bytesPerSecond: number;
}

/** "12 MiB of 40 MiB · 5.0 MiB/s · 6 s left": the same words as a transferring cell's. */
export function progressText(job: Job, progress: Progress | undefined): string {
  const cell: MatrixCell = {
    siteId: job.destinationSiteId ?? '',
    state: 'transferring',
    wanted: null,
    selfHeal: 'off',
    cloudImageId: null,
    bytes: progress?.bytes ?? job.bytesDone,
    bytesTotal: job.bytesTotal,
    bytesPerSecond: progress?.bytesPerSecond ?? 0,
  };
  return cellDetail(cell);
}

/** Whether an event is progress of a running job (bytes only), as opposed to a change of state. */
export const isProgress = (event: JobEvent) =>
  event.state === 'running' && event.bytes !== undefined;

export const retryable = (job: Job) =>
  (job.state === 'failed' || job.state === 'cancelled') &&
  ['copy', 'delete', 'import'].includes(job.operation);

export const cancellable = (job: Job) =>
  (job.state === 'queued' || job.state === 'running') &&
  ['copy', 'delete', 'import'].includes(job.operation);
