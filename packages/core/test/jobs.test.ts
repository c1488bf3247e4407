import { InvalidJobPayloadError, JOBS, parseJobPayload } from '@glint/core';

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
  expect(JOBS.import.queue).toBe(JOBS.copy.queue);
  const others = [JOBS.delete, JOBS.inventory, JOBS.reconcile].map((j) => j.queue);
  expect(new Set([...others, JOBS.copy.queue]).size).toBe(4);
  expect(() => parseJobPayload('inventory', { version: 1, ownerId: id(1) })).toThrow(/siteId/);
  expect(parseJobPayload('inventory', { version: 1, ownerId: id(1), siteId: id(2) })).toBeTruthy();
});
