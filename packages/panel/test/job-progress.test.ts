import type { Job, JobPart } from '@glint/api/replies';
import { cancellable, methodText, progressText, retryable } from '../src/jobs/job-progress';

const part = (fields: Partial<JobPart>): JobPart => ({
  siteId: 's2',
  siteName: 'two',
  state: 'running',
  attempts: 1,
  bytesDone: 0,
  bytesTotal: 40 * 1024 * 1024,
  error: null,
  method: null,
  startedAt: null,
  finishedAt: null,
  ...fields,
});

const job = (fields: Partial<Job>, parts: Partial<JobPart>[] = [{}]): Job => ({
  id: 'copy-1',
  operation: 'copy',
  state: 'running',
  imageId: 'i',
  imageName: 'cirros',
  sourceSiteId: 's1',
  sourceSiteName: 'one',
  createdAt: '2026-01-01T00:00:00Z',
  startedAt: null,
  finishedAt: null,
  parts: parts.map(part),
  ...fields,
});

test('a running part shows the bytes of its latest progress event, the rate and the time left', () => {
  expect(progressText(part({}), { bytes: 10 * 1024 * 1024, bytesPerSecond: 5 * 1024 * 1024 })).toBe(
    '10 MiB of 40 MiB · 5.0 MiB/s · 6 s left',
  );
  // Before any event: the bytes the history recorded, no rate yet.
  expect(progressText(part({ bytesDone: 1024 }), undefined)).toBe('1.0 KiB of 40 MiB');
});

test('copies, deletes and imports with a failed or cancelled part retry; open ones cancel; uploads and inventories neither', () => {
  expect(retryable(job({ state: 'failed' }, [{ state: 'failed' }]))).toBe(true);
  expect(retryable(job({ operation: 'import' }, [{ state: 'cancelled' }]))).toBe(true);
  // One destination failed while another still runs: the failed one can run again already.
  const mixed = job({ state: 'running' }, [{ state: 'failed' }, { state: 'running' }]);
  expect([retryable(mixed), cancellable(mixed)]).toEqual([true, true]);
  expect(retryable(job({ operation: 'upload' }, [{ state: 'failed' }]))).toBe(false);
  expect(retryable(job({ state: 'succeeded' }, [{ state: 'succeeded' }]))).toBe(false);
  expect(cancellable(job({ operation: 'delete' }, [{ state: 'queued' }]))).toBe(true);
  expect(cancellable(job({ operation: 'inventory' }, [{ state: 'running' }]))).toBe(false);
  expect(cancellable(job({ state: 'failed' }, [{ state: 'failed' }]))).toBe(false);
});

test('a copy EC2 made itself says so; a streamed one, or another operation, says nothing more', () => {
  expect(methodText(part({ state: 'succeeded', method: 'ec2-copy-image' }))).toBe(
    'copied by EC2 from another region',
  );
  expect(methodText(part({ state: 'succeeded', method: 'stream' }))).toBe('');
  expect(methodText(part({ state: 'queued' }))).toBe('');
});
