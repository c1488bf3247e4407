/**
 * Release plans from facts alone: each action applied in memory and the rollout's own steps run,
 * read per site (a rollback switches and hides with no copy, a halt withholds what was due and
 * names the copies under way it cancels, a wave let start shows the copies it leads to), and
 * refusals as the actions meet them.
 */
import { RELEASES, type RolloutFacts, type VersionRecord } from '@glint/store';
import { changeOf, type RolloutAction } from '../src/release-actions';
import { previewOf } from '../src/release-preview';
import {
  familyRecord,
  rolloutNow,
  rolloutSites,
  versionRecord,
} from '../../../test-support/rollout-facts';

const now = rolloutNow;
const sites = rolloutSites;
/** Rolled out: both waves done an hour ago. */
const version = (n: number, extra: Partial<VersionRecord> = {}) =>
  versionRecord(n, { size: 1000 * n, wave: 1, waveDoneAt: '2026-12-06T11:00:00Z', ...extra });

const stage = (n: number, siteId: string, at: 'stable' | 'hidden') => ({
  versionId: `v${n}`,
  siteId,
  stage: at,
  cloudImageId: `c${n}-${siteId}`,
  error: null,
  attempts: 0,
  nextAttemptAt: null,
});

/** v1 then v2 rolled out everywhere (v1 hidden), unless `extra` says otherwise. */
function facts(extra: Partial<RolloutFacts> = {}): RolloutFacts {
  return {
    family: familyRecord(),
    versions: [version(2), version(1)],
    channels: [{ name: 'latest', versionId: 'v2', previousVersionId: 'v1', movedAt: '' }],
    stages: sites.flatMap((s) => [stage(2, s.id, 'stable'), stage(1, s.id, 'hidden')]),
    sites,
    copies: [],
    attempts: [],
    ...extra,
  };
}

const plan = (f: RolloutFacts, action: RolloutAction) =>
  previewOf(f, changeOf(f, action, 'ada'), now);

/** Each site's changes and withheld ones, as kind:version. */
const bySite = (p: ReturnType<typeof plan>) =>
  Object.fromEntries(
    p.sites.map((s) => [
      s.siteName,
      [
        s.changes.map((c) => `${c.kind}:${c.version}`).join(' '),
        s.withheld.map((c) => `${c.kind}:${c.version}`).join(' '),
      ],
    ]),
  );

test('a rollback switches every site back and hides the version it leaves, copying nothing', () => {
  const before = facts();
  const copy = structuredClone(before);
  const p = plan(before, { kind: 'rollback' });
  expect(p).toMatchObject({ action: 'rollback', channel: 'latest', version: '1', bytes: 0 });
  expect(bySite(p)).toEqual({
    canary: ['switch:1 hide:2', ''],
    a: ['switch:1 hide:2', ''],
    b: ['switch:1 hide:2', ''],
  });
  expect(p.sites.map((s) => [s.wave, s.holds])).toEqual([
    [0, '2'],
    [1, '2'],
    [1, '2'],
  ]);
  expect(p.sites[0]!.changes.map((c) => c.text)).toEqual([
    '1 takes “Fam”',
    '2 becomes “Fam (2)”, hidden',
  ]);
  // The facts given are left as they were: the plan works on a copy.
  expect(before).toEqual(copy);
});

test('a halt withholds the copies due; a resume of it shows them again, with their bytes', () => {
  const v3 = version(3, { wave: 0, waveDoneAt: null });
  const rolling = facts({
    versions: [v3, version(2), version(1)],
    channels: [{ name: 'latest', versionId: 'v3', previousVersionId: 'v2', movedAt: '' }],
    copies: [
      { imageId: 'i3', siteId: 'a', cloudImageId: 'c3-a', name: '', active: true, verified: true },
    ],
  });
  const halt = plan(rolling, { kind: 'halt' });
  expect(halt.summary).toBe('The rollout of 3 stops where it is.');
  expect(bySite(halt)).toEqual({ canary: ['', 'copy:3'], a: ['', ''], b: ['', ''] });
  expect(halt.bytes).toBe(0);

  const halted = {
    ...rolling,
    versions: [{ ...v3, haltedReason: 'looking' }, ...rolling.versions.slice(1)],
  };
  const resume = plan(halted, { kind: 'resume' });
  expect(bySite(resume)).toEqual({ canary: ['copy:3', ''], a: ['', ''], b: ['', ''] });
  expect(resume.bytes).toBe(3000);
  expect(resume.sites[0]!.changes[0]!.text).toBe(
    '3 is copied here (3000 bytes), then takes “Fam” once its wave holds it everywhere',
  );
});

test('a halt names each copy under way it cancels, site and job; a person’s copy is not among them', () => {
  const v3 = version(3, { wave: 0, waveDoneAt: null });
  const attempt = (siteId: string, state: 'queued' | 'running', queueJobId: string) => ({
    imageId: 'i3',
    siteId,
    queueJobId,
    requestedBy: RELEASES,
    state,
    error: null,
    createdAt: now.toISOString(),
  });
  const copying = facts({
    family: { ...facts().family, prestage: true },
    versions: [v3, version(2), version(1)],
    channels: [{ name: 'latest', versionId: 'v3', previousVersionId: 'v2', movedAt: '' }],
    attempts: [
      attempt('canary', 'running', 'copy-r'),
      attempt('a', 'running', 'copy-r'),
      { ...attempt('b', 'queued', 'copy-mine'), requestedBy: 'u1' },
    ],
  });
  const halt = plan(copying, { kind: 'halt' });
  expect(halt.summary).toBe(
    'The rollout of 3 stops where it is, and its copies under way are cancelled.',
  );
  expect(bySite(halt)).toEqual({ canary: ['cancel:3', ''], a: ['cancel:3', ''], b: ['', ''] });
  expect(halt.sites[0]!.changes).toEqual([
    {
      kind: 'cancel',
      version: '3',
      bytes: null,
      text: 'the running copy of 3 (job copy-r) is cancelled and what it wrote is removed',
      job: { id: 'copy-r', state: 'running' },
    },
  ]);
  expect(halt.bytes).toBe(0);
  // Nothing under way: the halt cancels nothing, and its plan says nothing of it.
  const idle = plan({ ...copying, attempts: [] }, { kind: 'halt' });
  expect(idle.summary).toBe('The rollout of 3 stops where it is.');
  expect(idle.sites.flatMap((s) => s.changes)).toEqual([]);
});

test('the next wave of a family that waits for a person shows the copies it leads to', () => {
  const v3 = version(3, { wave: 0, waveDoneAt: '2026-12-06T11:00:00Z' });
  const waiting = facts({
    family: { ...facts().family, manualWaves: true },
    versions: [v3, version(2)],
    channels: [{ name: 'latest', versionId: 'v3', previousVersionId: 'v2', movedAt: '' }],
    stages: [
      stage(3, 'canary', 'stable'),
      stage(2, 'canary', 'hidden'),
      stage(2, 'a', 'stable'),
      stage(2, 'b', 'stable'),
    ],
  });
  const p = plan(waiting, { kind: 'next-wave' });
  expect(p.summary).toBe('The rollout of 3 may go on to wave 2.');
  expect(p.steps.map((s) => s.text)).toEqual(['Wave 2 of 3 starts']);
  expect(bySite(p)).toEqual({ canary: ['', ''], a: ['copy:3', ''], b: ['copy:3', ''] });
  expect(p.bytes).toBe(6000);
});

test('a promote to a channel the stable name does not follow changes no site', () => {
  const p = plan(facts(), { kind: 'promote', version: '1', channel: 'candidate' });
  expect(p.summary).toBe(
    'Channel candidate points at 1. The stable name follows latest, so no site changes.',
  );
  expect(p.sites.every((s) => s.changes.length === 0 && s.withheld.length === 0)).toBe(true);
});

test('a plan meets the refusals its action meets', () => {
  const first = facts({
    channels: [{ name: 'latest', versionId: 'v2', previousVersionId: null, movedAt: '' }],
  });
  expect(() => plan(first, { kind: 'rollback' })).toThrow(/has no earlier version to go back to/);
  const retired = facts({
    versions: [version(2), version(1, { retiredAt: '2026-12-06T10:00:00Z' })],
  });
  expect(() => plan(retired, { kind: 'promote', version: '1' })).toThrow(/is retired/);
  expect(() => plan(facts(), { kind: 'promote', version: '9' })).toThrow(
    /no release version fam 9/,
  );
  expect(() => plan(facts({ versions: [], channels: [] }), { kind: 'halt' })).toThrow(
    /publish one first/,
  );
});
