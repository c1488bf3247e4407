import type { MatrixCell } from '@glint/api/replies';
import {
  cellDetail,
  effectiveWanted,
  overriddenRule,
  progressOf,
  shownWanted,
  stateLooks,
} from '../src/matrix/cell-display';

const MiB = 1024 * 1024;
const cell = (overrides: Partial<MatrixCell>): MatrixCell => ({
  siteId: 's',
  state: 'missing',
  wanted: null,
  selfHeal: 'off',
  cloudImageId: null,
  ...overrides,
});

test('every state has its own icon and word, so colour is never the only cue', () => {
  const looks = Object.values(stateLooks);
  expect(new Set(looks.map((look) => look.icon)).size).toBe(looks.length);
  expect(new Set(looks.map((look) => look.label)).size).toBe(looks.length);
});

test('a cell nobody said anything about is wanted where it holds a copy', () => {
  expect(effectiveWanted(cell({ state: 'present' }))).toBe(true);
  expect(effectiveWanted(cell({ state: 'queued' }))).toBe(true);
  expect(effectiveWanted(cell({ state: 'missing' }))).toBe(false);
  expect(effectiveWanted(cell({ state: 'error' }))).toBe(false);
  expect(effectiveWanted(cell({ state: 'present', wanted: false }))).toBe(false);
  expect(effectiveWanted(cell({ state: 'missing', wanted: true }))).toBe(true);
});

test('a pending change shows over the cell; one giving the cell back to its rule shows wanted', () => {
  const notHere = cell({
    state: 'missing',
    wanted: false,
    placedBy: { kind: 'hand', overrides: 'r' },
  });
  expect(shownWanted(notHere, undefined)).toBe(false);
  expect(shownWanted(notHere, true)).toBe(true);
  expect(shownWanted(notHere, null)).toBe(true);
  expect(shownWanted(cell({ state: 'present' }), false)).toBe(false);
});

test('only a hand decision over a rule names a rule to give the cell back to', () => {
  expect(overriddenRule(cell({ placedBy: { kind: 'hand', overrides: 'base' } }))).toBe('base');
  expect(overriddenRule(cell({ placedBy: { kind: 'hand' } }))).toBeUndefined();
  expect(overriddenRule(cell({ placedBy: { kind: 'rule', rule: 'base' } }))).toBeUndefined();
  expect(overriddenRule(cell({}))).toBeUndefined();
});

test('a transfer shows bytes, rate and time left; its progress is known only with its size', () => {
  const copying = cell({
    state: 'transferring',
    bytes: 10 * MiB,
    bytesTotal: 40 * MiB,
    bytesPerSecond: 5 * MiB,
  });
  expect(cellDetail(copying)).toBe('10 MiB of 40 MiB · 5.0 MiB/s · 6 s left');
  expect(progressOf(copying)).toBe(0.25);
  expect(progressOf(cell({ state: 'transferring', bytes: 5, bytesTotal: null }))).toBeNull();
  expect(cellDetail(cell({ state: 'transferring', bytes: 2048 }))).toBe('2.0 KiB');
});

test('a copy whose site imports the bytes shows the stage and its percentage', () => {
  const importing = cell({
    state: 'transferring',
    bytes: 40 * MiB,
    bytesTotal: 40 * MiB,
    stage: 'importing',
    percent: 42,
  });
  expect(cellDetail(importing)).toBe('importing 42%');
  expect(progressOf(importing)).toBe(0.42);
});

test('an error cell shows its message', () => {
  expect(cellDetail(cell({ state: 'error', message: 'Glance said 500' }))).toBe('Glance said 500');
});
