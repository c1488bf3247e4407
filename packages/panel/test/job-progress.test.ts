import type { Job } from '../src/api-types';
import { cancellable, progressText, retryable } from '../src/jobs/job-progress';

const job = (fields: Partial<Job>): Job => ({
  id: 'j',
  queueJobId: 'copy-1',
  operation: 'copy',
  imageId: 'i',
  sourceSiteId: 's1',
  destinationSiteId: 's2',
  state: 'running',
  attempts: 1,
  bytesDone: 0,
  bytesTotal: 40 * 1024 * 1024,
  error: null,
  createdAt: '2026-01-01T00:00:00Z',
  startedAt: null,
  finishedAt: null,
  ...fields,
});

test('a running job shows the bytes of its latest progress event, the rate and the time left', () => {
  expect(progressText(job({}), { bytes: 10 * 1024 * 1024, bytesPerSecond: 5 * 1024 * 1024 })).toBe(
    '10 MiB of 40 MiB · 5.0 MiB/s · 6 s left',
  );
  // Before any event: the bytes the history recorded, no rate yet.
  expect(progressText(job({ bytesDone: 1024 }), undefined)).toBe('1.0 KiB of 40 MiB');
});

test('failed or cancelled copies, deletes and imports retry; open ones cancel; uploads and inventories neither', () => {
  expect(retryable(job({ state: 'failed' }))).toBe(true);
  expect(retryable(job({ state: 'cancelled', operation: 'import' }))).toBe(true);
  expect(retryable(job({ state: 'failed', operation: 'upload' }))).toBe(false);
  expect(retryable(job({ state: 'succeeded' }))).toBe(false);
  expect(cancellable(job({ state: 'queued', operation: 'delete' }))).toBe(true);
  expect(cancellable(job({ state: 'running', operation: 'inventory' }))).toBe(false);
  expect(cancellable(job({ state: 'failed' }))).toBe(false);
});
