/** The rollout's decisions from facts alone: waves, halts, soaks, switches and retention. */
import type { CopyAttempt, RolloutFacts, VersionRecord } from '@glint/store';
import { copyJobsOf, openCopiesOf, RELEASES, stepsOf, wavesOf } from '../src';
import {
  familyRecord,
  rolloutNow,
  rolloutSites,
  versionRecord,
} from '../../../test-support/rollout-facts';

const now = rolloutNow;
const sites = rolloutSites;
const version = versionRecord;

const copy = (n: number, siteId: string) => ({
  imageId: `i${n}`,
  siteId,
  cloudImageId: `c${n}-${siteId}`,
  name: 'x',
  active: true,
  verified: true,
});

function facts(versions: VersionRecord[], extra: Partial<RolloutFacts> = {}): RolloutFacts {
  return {
    // Copies wave by wave, unless a test pre-stages.
    family: familyRecord({ soakSeconds: 60 }),
    versions: [...versions].reverse(),
    channels: [
      { name: 'latest', versionId: versions.at(-1)!.id, previousVersionId: null, movedAt: '' },
    ],
    stages: [],
    sites,
    copies: [],
    attempts: [],
    ...extra,
  };
}

/** The rollout's copy of version 1 to the site, in one queue job with its other sites. */
const attempt = (
  siteId: string,
  state: CopyAttempt['state'],
  error: string | null = null,
): CopyAttempt => ({
  imageId: 'i1',
  siteId,
  queueJobId: 'copy-1',
  requestedBy: RELEASES,
  state,
  error,
  createdAt: now.toISOString(),
});

const kinds = (f: RolloutFacts) =>
  stepsOf(f, now).map((s) =>
    [
      s.kind,
      s.version.version,
      'siteId' in s ? s.siteId : 'siteIds' in s ? s.siteIds.join() : '',
    ].join(' '),
  );

test('the canary wave comes first; the rest form the last wave', () => {
  expect(wavesOf(facts([version(1)]).family, sites)).toEqual([['canary'], ['a', 'b']]);
  expect(kinds(facts([version(1)]))).toEqual(['copy 1 canary']);
});

test('a complete wave switches its sites, then waits out its soak before the next starts', () => {
  const done = facts([version(1)], { copies: [copy(1, 'canary')] });
  expect(kinds(done)).toEqual(['promote 1 canary', 'wave-done 1 ']);
  const soaking = facts(
    [version(1, { waveDoneAt: new Date(now.getTime() - 30_000).toISOString() })],
    {
      copies: [copy(1, 'canary')],
      stages: [
        {
          versionId: 'v1',
          siteId: 'canary',
          stage: 'stable',
          cloudImageId: 'c1-canary',
          error: null,
          attempts: 0,
          nextAttemptAt: null,
        },
      ],
    },
  );
  expect(kinds(soaking)).toEqual([]);
  soaking.versions[0]!.waveDoneAt = new Date(now.getTime() - 61_000).toISOString();
  // The next wave starts, and asks for its copies in the same step.
  expect(kinds(soaking)).toEqual(['next-wave 1 ', 'copy 1 a,b']);
});

test('a wave whose failures pass the threshold halts, naming the sites; under it, the rest go on', () => {
  const failing = facts([version(1, { wave: 1 })], {
    copies: [copy(1, 'canary')],
    attempts: [attempt('a', 'failed', 'quota'), attempt('b', 'failed', 'gone')],
  });
  const steps = stepsOf(failing, now);
  expect(steps.map((s) => s.kind)).toEqual(['promote', 'halt']);
  expect(steps[1]).toMatchObject({
    reason: expect.stringMatching(/2 of 2 sites of wave 2 failed.*a: quota; b: gone/) as unknown,
  });
  failing.attempts.pop();
  expect(kinds(failing)).toEqual(['promote 1 canary', 'copy 1 b']);
});

test('a halt names the wave that failed, an earlier one too (a version rolled back to is in every wave)', () => {
  const rolledBack = facts([version(1, { wave: 1 })], {
    attempts: [attempt('canary', 'failed', 'quota')],
  });
  expect(stepsOf(rolledBack, now)).toEqual([
    expect.objectContaining({
      kind: 'halt',
      reason: expect.stringMatching(/^1 of 1 sites of wave 1 failed.*canary: quota/) as unknown,
    }),
  ]);
});

test('retention hides, then deletes past the grace period; never what a channel or a site still holds', () => {
  const three = facts([version(1), version(2), version(3)], {
    copies: [copy(1, 'canary'), copy(1, 'a'), copy(2, 'canary'), copy(3, 'canary')],
    stages: [
      {
        versionId: 'v1',
        siteId: 'a',
        stage: 'stable',
        cloudImageId: 'c1-a',
        error: null,
        attempts: 0,
        nextAttemptAt: null,
      },
    ],
  });
  // v1 still holds the stable name on a: kept.
  expect(kinds(three).filter((k) => !k.startsWith('promote') && !k.startsWith('copy'))).toEqual([
    'wave-done 3 ',
  ]);
  three.stages = [];
  expect(kinds(three).filter((k) => k.includes(' 1 '))).toEqual([
    'retire 1 ',
    'demote 1 canary',
    'demote 1 a',
  ]);
  three.versions[2]!.retiredAt = now.toISOString();
  expect(kinds(three).filter((k) => k.includes(' 1 '))).toEqual(['delete 1 canary', 'delete 1 a']);
  // A refused delete waits for its time; a channel's version is never retired.
  three.stages = [
    {
      versionId: 'v1',
      siteId: 'a',
      stage: 'retiring',
      cloudImageId: 'c1-a',
      error: 'protected',
      attempts: 1,
      nextAttemptAt: new Date(now.getTime() + 1000).toISOString(),
    },
  ];
  three.channels.push({ name: 'stable', versionId: 'v1', previousVersionId: null, movedAt: '' });
  expect(kinds(three).filter((k) => k.includes(' 1 '))).toEqual([]);
});

const stable = (n: number, siteId: string) => ({
  versionId: `v${n}`,
  siteId,
  stage: 'stable' as const,
  cloudImageId: `c${n}-${siteId}`,
  error: null,
  attempts: 0,
  nextAttemptAt: null,
});

const prestaged = (versions: VersionRecord[], extra: Partial<RolloutFacts> = {}) => {
  const f = facts(versions, extra);
  f.family.prestage = true;
  return f;
};

test('pre-staging copies to every wave’s sites at once, in one copy; off, only the current wave’s', () => {
  expect(kinds(prestaged([version(1)]))).toEqual(['copy 1 canary,a,b']);
  expect(kinds(facts([version(1)]))).toEqual(['copy 1 canary']);
  // Copies already made or under way are not asked for again.
  const underWay = prestaged([version(1)], {
    copies: [copy(1, 'a')],
    attempts: [attempt('canary', 'running')],
  });
  expect(kinds(underWay)).toEqual(['copy 1 b']);
});

test('pre-staged, the waves still gate the stable name: a later wave switches only once it is current', () => {
  const everywhere = [copy(1, 'canary'), copy(1, 'a'), copy(1, 'b')];
  const canaryDone = prestaged([version(1)], { copies: everywhere });
  // Wave 1 holds its copies, yet only the canary switches.
  expect(kinds(canaryDone)).toEqual(['promote 1 canary', 'wave-done 1 ']);
  const soaking = prestaged(
    [version(1, { waveDoneAt: new Date(now.getTime() - 30_000).toISOString() })],
    { copies: everywhere, stages: [stable(1, 'canary')] },
  );
  expect(kinds(soaking)).toEqual([]);
  soaking.versions[0]!.waveDoneAt = new Date(now.getTime() - 61_000).toISOString();
  // Soaked, the next wave starts and switches in the same step: its bytes are there already.
  expect(kinds(soaking)).toEqual(['next-wave 1 ', 'promote 1 a', 'promote 1 b', 'wave-done 1 ']);
  // With no soak, the canary's switch and the rest's follow in one step.
  canaryDone.family.soakSeconds = 0;
  expect(kinds(canaryDone)).toEqual([
    'promote 1 canary',
    'wave-done 1 ',
    'next-wave 1 ',
    'promote 1 a',
    'promote 1 b',
    'wave-done 1 ',
  ]);
  // A wave started earlier switches once it is current.
  const second = prestaged([version(1, { wave: 1 })], {
    copies: everywhere,
    stages: [stable(1, 'canary')],
  });
  expect(kinds(second)).toEqual(['promote 1 a', 'promote 1 b', 'wave-done 1 ']);
});

test('pre-staged, a later wave’s failed copies do not halt the canary; they count once their wave is current', () => {
  const failedLater = [attempt('a', 'failed', 'quota'), attempt('b', 'failed', 'gone')];
  const canary = prestaged([version(1)], { copies: [copy(1, 'canary')], attempts: failedLater });
  // Over the threshold in wave 2, yet the canary switches, and no failed copy is asked for again.
  expect(kinds(canary)).toEqual(['promote 1 canary', 'wave-done 1 ']);
  const current = prestaged([version(1, { wave: 1 })], {
    copies: [copy(1, 'canary')],
    stages: [stable(1, 'canary')],
    attempts: failedLater,
  });
  const steps = stepsOf(current, now);
  expect(steps.map((s) => s.kind)).toEqual(['halt']);
  expect(steps[0]).toMatchObject({
    reason: expect.stringMatching(/2 of 2 sites of wave 2 failed/) as unknown,
  });
  // Under the threshold, the rest of the wave goes on.
  current.attempts.pop();
  expect(kinds(current)).toEqual(['copy 1 b']);
});

test('a halted version asks for no copies, pre-staged or not; a halt this step asks for none either', () => {
  const halted = prestaged([version(1, { haltedReason: 'a person halted it' })]);
  expect(kinds(halted)).toEqual([]);
  halted.family.prestage = false;
  expect(kinds(halted)).toEqual([]);
  // The canary's copy failed over the threshold: the halt comes alone, no wave 2 copy with it.
  const failing = prestaged([version(1)], { attempts: [attempt('canary', 'failed', 'quota')] });
  expect(kinds(failing)).toEqual(['halt 1 ']);
});

test('a halt cancels the rollout’s copies of the version under way, each queue job once; a person’s copy stays', () => {
  const mine = { ...attempt('b', 'running'), queueJobId: 'copy-mine', requestedBy: 'u1' };
  const halting = prestaged([version(1)], {
    attempts: [attempt('canary', 'failed', 'quota'), attempt('a', 'running'), mine],
  });
  const [halt] = stepsOf(halting, now);
  expect(halt).toMatchObject({ kind: 'halt', cancels: [attempt('a', 'running')] });
  const queued = { ...attempt('b', 'queued'), queueJobId: 'copy-2' };
  halting.attempts.push(attempt('b', 'queued'), queued);
  expect(copyJobsOf(openCopiesOf(halting, halting.versions[0]!))).toEqual([
    { queueJobId: 'copy-1', operation: 'copy', imageId: 'i1', siteIds: ['a', 'b'] },
    { queueJobId: 'copy-2', operation: 'copy', imageId: 'i1', siteIds: ['b'] },
  ]);
});

test('a cancelled copy counts toward no threshold: it is asked for again, unless the version is halted', () => {
  const cancelled = facts([version(1)], { attempts: [attempt('canary', 'cancelled')] });
  expect(kinds(cancelled)).toEqual(['copy 1 canary']);
  cancelled.versions[0]!.haltedReason = 'halted by demo';
  expect(kinds(cancelled)).toEqual([]);
});
