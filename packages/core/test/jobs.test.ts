import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  InvalidJobPayloadError,
  JOBS,
  QUEUES,
  jobOptions,
  parseJobPayload,
  type JobKind,
} from '@glint/core';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const copy = {
  version: 1,
  ownerId: id(1),
  imageId: id(2),
  source: { siteId: id(3), cloudImageId: 'glance-image-a' },
  destinations: [{ siteId: id(4), cloudImageId: id(5) }],
  visibility: 'private',
  requestedBy: 'demo',
};

test('a well-formed payload comes back typed', () => {
  const job = parseJobPayload('copy', copy);
  expect(job.destinations[0]!.siteId).toBe(id(4));
});

test('a malformed payload is refused with every problem and where it is', () => {
  const bad = { ...copy, ownerId: 'alice', destinations: [], extra: true };
  expect(() => parseJobPayload('copy', bad)).toThrow(InvalidJobPayloadError);
  try {
    parseJobPayload('copy', bad);
  } catch (error) {
    const problems = (error as InvalidJobPayloadError).problems.join('\n');
    expect(problems).toMatch(/\/ownerId/);
    expect(problems).toMatch(/\/destinations/);
    expect(problems).toMatch(/extra|additional/i);
  }
});

test('every job kind has its own name; transfers (copies and imports) share one queue', () => {
  const names = Object.values(JOBS).map((j) => `${j.queue}/${j.name}`);
  expect(new Set(names).size).toBe(names.length);
  expect([JOBS.copy.queue, JOBS.import.queue]).toEqual([QUEUES.transfer, QUEUES.transfer]);
  // The Redis names are the queue contract's: automation enqueues by them.
  expect(QUEUES).toEqual({
    transfer: 'glint-transfer',
    delete: 'glint-delete',
    inventory: 'glint-inventory',
    reconcile: 'glint-reconcile',
    release: 'glint-release',
  });
  const queues = [JOBS.delete, JOBS.inventory, JOBS.reconcile].map((j) => j.queue);
  expect(queues).toEqual([QUEUES.delete, QUEUES.inventory, QUEUES.reconcile]);
  expect(() => parseJobPayload('inventory', { version: 1, ownerId: id(1) })).toThrow(/siteId/);
  expect(parseJobPayload('inventory', { version: 1, ownerId: id(1), siteId: id(2) })).toBeTruthy();
});

test('the queue contract states the options Glint enqueues each queue with', () => {
  const contract = readFileSync(join(__dirname, '../../../docs/queue-contract.md'), 'utf8');
  const stated = new Map<string, { removeOnComplete: unknown; removeOnFail: unknown }>();
  for (const [, queues, complete, fail] of contract.matchAll(
    /^ *\| (`glint-[^|]+) \| `([^`]+)` \| `([^`]+)` \|/gm,
  ))
    for (const [, queue] of queues!.matchAll(/`(glint-[a-z]+)`/g))
      stated.set(queue!, {
        removeOnComplete: JSON.parse(complete!),
        removeOnFail: JSON.parse(fail!),
      });
  for (const kind of Object.keys(JOBS) as JobKind[]) {
    const { removeOnComplete, removeOnFail } = jobOptions(kind);
    expect({ kind, ...stated.get(JOBS[kind].queue) }).toEqual({
      kind,
      removeOnComplete,
      removeOnFail,
    });
  }
  const backoff = /`(\{ "type": "exponential"[^`]*\})`/.exec(contract)?.[1];
  expect(JSON.parse(backoff ?? 'null')).toEqual(jobOptions('copy').backoff);
});
