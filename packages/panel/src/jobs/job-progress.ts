import type { GlintEvent } from '@glint/core';
import type { Job, JobPart, MatrixCell } from '@glint/api/replies';
import { cellDetail } from '../matrix/cell-display';

type JobEvent = Extract<GlintEvent, { type: 'job' }>;

/** A running job's latest progress, from its events. */
export interface Progress {
  bytes: number;
  bytesPerSecond: number;
}

/** "12 MiB of 40 MiB · 5.0 MiB/s · 6 s left": the same words as a transferring cell's. */
export function progressText(part: JobPart, progress: Progress | undefined): string {
  const cell: MatrixCell = {
    siteId: part.siteId ?? '',
    state: 'transferring',
    wanted: null,
    selfHeal: 'off',
    cloudImageId: null,
    bytes: progress?.bytes ?? part.bytesDone,
    bytesTotal: part.bytesTotal,
    bytesPerSecond: progress?.bytesPerSecond ?? 0,
  };
  return cellDetail(cell);
}

/** How a copy's destination was made, said only when its cloud made it itself. */
const methodTexts: Partial<Record<NonNullable<JobPart['method']>, string>> = {
  'ec2-copy-image': 'copied by EC2 from another region',
  'glance-download': 'pulled by Glance from another region',
};
export const methodText = (part: JobPart): string =>
  part.method ? (methodTexts[part.method] ?? '') : '';

/** Whether an event is progress of a running job (bytes only), as opposed to a change of state. */
export const isProgress = (event: JobEvent) =>
  event.state === 'running' && event.bytes !== undefined;

const queued = (job: Job) => ['copy', 'delete', 'import'].includes(job.operation);

/** A part that ended without its copy, delete or import: a retry runs it again. */
export const ended = (part: JobPart) => part.state === 'failed' || part.state === 'cancelled';

/** Copies, deletes and imports with a failed or cancelled part retry; those still open cancel. */
export const retryable = (job: Job) => queued(job) && job.parts.some(ended);

export const cancellable = (job: Job) =>
  queued(job) && job.parts.some((part) => part.state === 'queued' || part.state === 'running');
