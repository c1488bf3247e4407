import { InvalidEventError, parseGlintEvent, type GlintEvent } from '@glint/core';

const samples: GlintEvent[] = [
  {
    type: 'job',
    queueJobId: 'copy-1',
    operation: 'copy',
    state: 'running',
    imageId: null,
    siteIds: ['s'],
    bytes: 1,
    bytesPerSecond: 2,
    etaSeconds: null,
    stage: 'importing',
    percent: 50,
    error: 'x',
  },
  { type: 'cells', siteIds: ['s'], imageIds: ['i'] },
  { type: 'rules', ownerId: 'project', names: ['atlas', 'cms-2'] },
  {
    type: 'release',
    familyId: 'f',
    family: 'atlas-worker',
    action: 'wave-started',
    versionId: 'v',
    version: '20261206',
    siteIds: ['s'],
    wave: 1,
    reason: 'x',
  },
];

test.each(samples)('a $type event with every field passes as it is', (event) => {
  expect(parseGlintEvent(JSON.parse(JSON.stringify(event)))).toEqual(event);
});

test('a rules event must name rules by their slugs, at least one', () => {
  expect(() => parseGlintEvent({ type: 'rules', ownerId: 'p', names: [] })).toThrow(
    InvalidEventError,
  );
  expect(() => parseGlintEvent({ type: 'rules', ownerId: 'p', names: ['Not A Slug'] })).toThrow(
    /invalid event/,
  );
});

const problemsOf = (data: unknown): string[] => {
  try {
    parseGlintEvent(data);
    return [];
  } catch (error) {
    return (error as InvalidEventError).problems;
  }
};

test('unknown types and extra fields are refused, saying where', () => {
  expect(() => parseGlintEvent({ type: 'releases', names: ['x'] })).toThrow(InvalidEventError);
  expect(
    problemsOf({ type: 'release', familyId: 'f', family: 'f', action: 'renamed' }),
  ).not.toEqual([]);
  expect(problemsOf({ type: 'cells', siteIds: [], extra: 1 })).not.toEqual([]);
  expect(problemsOf({ type: 'cells', siteIds: [] })).toEqual([]);
});
