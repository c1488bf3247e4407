import type { CellFacts } from '@glint/store';
import { cellState, driftOf, placedByOf } from '../src/cell-state';

const nothing: CellFacts = {
  imageId: 'i',
  siteId: 's',
  cloudImageId: null,
  status: null,
  managed: false,
  hidden: false,
  wanted: null,
  selfHeal: 'off',
  source: null,
  rule: null,
  jobOperation: null,
  jobState: null,
  bytesDone: null,
  bytesTotal: null,
  jobStage: null,
  jobPercent: null,
  runningSeconds: null,
  jobError: null,
};
const held = { ...nothing, cloudImageId: 'c', status: 'active' };

test.each([
  ['nothing known', nothing, false, { state: 'missing' }],
  ['a copy Glint made', { ...held, managed: true }, false, { state: 'present' }],
  ['a copy made elsewhere', held, false, { state: 'unmanaged' }],
  [
    'a copy whose name other content shares',
    { ...held, managed: true },
    true,
    { state: 'conflict' },
  ],
  [
    'a queued copy',
    { ...nothing, jobOperation: 'copy', jobState: 'queued' },
    false,
    { state: 'queued' },
  ],
  [
    'a queued delete',
    { ...held, jobOperation: 'delete', jobState: 'queued' },
    false,
    { state: 'deleting' },
  ],
  [
    'a running copy',
    {
      ...nothing,
      jobOperation: 'copy',
      jobState: 'running',
      bytesDone: 1000,
      bytesTotal: 4000,
      runningSeconds: 4,
    },
    false,
    { state: 'transferring', bytes: 1000, bytesTotal: 4000, bytesPerSecond: 250 },
  ],
  [
    'a copy whose bytes are out and whose import is under way',
    {
      ...nothing,
      jobOperation: 'copy',
      jobState: 'running',
      bytesDone: 4000,
      bytesTotal: 4000,
      jobStage: 'importing',
      jobPercent: 42,
      runningSeconds: 8,
    },
    false,
    {
      state: 'transferring',
      bytes: 4000,
      bytesTotal: 4000,
      bytesPerSecond: 500,
      stage: 'importing',
      percent: 42,
    },
  ],
  [
    'a failed copy',
    { ...nothing, jobOperation: 'copy', jobState: 'failed', jobError: 'Glance said no' },
    false,
    { state: 'error', message: 'Glance said no' },
  ],
  [
    'a killed image',
    { ...held, status: 'killed' },
    false,
    { state: 'error', message: 'the site reports the image killed' },
  ],
  [
    'a copy that succeeded',
    { ...held, managed: true, jobOperation: 'copy', jobState: 'succeeded' },
    false,
    { state: 'present' },
  ],
] as const)('%s', (_what, facts, conflict, expected) => {
  expect(cellState(facts, conflict)).toEqual(expected);
});

const running = { jobOperation: 'copy', jobState: 'running' };
test.each([
  ['no desired state said', held, undefined],
  ['wanted and there', { ...held, wanted: true }, undefined],
  ['wanted and gone', { ...nothing, wanted: true }, 'missing'],
  ['wanted, gone, and being copied', { ...nothing, wanted: true, ...running }, undefined],
  [
    'wanted, and only a half-made copy left',
    { ...held, status: 'queued', wanted: true },
    'missing',
  ],
  ['wanted, and the last copy failed', { ...nothing, wanted: true, jobState: 'failed' }, 'missing'],
  ['unwanted and gone', { ...nothing, wanted: false }, undefined],
  ['unwanted and there', { ...held, wanted: false }, 'unwanted'],
  [
    'unwanted, there, and being deleted',
    { ...held, wanted: false, jobOperation: 'delete', jobState: 'queued' },
    undefined,
  ],
])('drift: %s', (_case, facts, drift) => {
  expect(driftOf(facts as CellFacts)).toBe(drift);
});

test.each([
  ['nothing says', nothing, undefined],
  [
    'a rule wants it',
    { ...nothing, wanted: true, source: 'rule', rule: 'atlas' },
    { kind: 'rule', rule: 'atlas' },
  ],
  [
    'a pruning rule unwants it',
    { ...nothing, wanted: false, source: 'rule', rule: 'atlas' },
    { kind: 'rule', rule: 'atlas' },
  ],
  ['a hand tick, no rule', { ...nothing, wanted: true, source: 'hand' }, { kind: 'hand' }],
  [
    'a hand tick agreeing with a rule',
    { ...nothing, wanted: true, source: 'hand', rule: 'atlas' },
    { kind: 'hand' },
  ],
  [
    'a hand "not here" beating a rule',
    { ...nothing, wanted: false, source: 'hand', rule: 'atlas' },
    { kind: 'hand', overrides: 'atlas' },
  ],
] as const)('placedBy: %s', (_name, facts, expected) => {
  expect(placedByOf(facts as CellFacts)).toEqual(expected);
});

test('a hidden copy Glint did not make is no unwanted drift; one it made and hid is', () => {
  const hidden = { ...held, wanted: false, hidden: true };
  expect(driftOf(hidden)).toBeUndefined();
  expect(driftOf({ ...hidden, managed: true })).toBe('unwanted');
  expect(driftOf({ ...hidden, hidden: false })).toBe('unwanted');
  // Wanted and there, hidden or not: present, never missing.
  expect(driftOf({ ...hidden, wanted: true })).toBeUndefined();
  expect(cellState({ ...hidden, managed: true }, false)).toEqual({ state: 'present' });
});
