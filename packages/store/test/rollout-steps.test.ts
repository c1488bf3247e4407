/** The rollout's decisions from facts alone: waves, halts, soaks, switches and retention. */
import type { RolloutFacts, VersionRecord } from '@glint/store';
import { stepsOf, wavesOf } from '../src';

const now = new Date('2026-12-06T12:00:00Z');
const sites = ['canary', 'a', 'b'].map((id) => ({
  id,
  name: id,
  type: 'openstack' as const,
  region: null,
  labels: { tier: id === 'canary' ? 'canary' : 'prod' },
}));

const version = (n: number, extra: Partial<VersionRecord> = {}): VersionRecord => ({
  id: `v${n}`,
  familyId: 'f',
  version: String(n),
  imageId: `i${n}`,
  imageName: `build-${n}`,
  hashAlgo: 'sha512',
  hashValue: `h${n}`,
  size: 1,
  provenance: {},
  publishedAt: new Date(now.getTime() - (10 - n) * 1000).toISOString(),
  wave: 0,
  waveDoneAt: null,
  promotedWave: 0,
  haltedReason: null,
  resumedAt: null,
  retiredAt: null,
  ...extra,
});

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
    family: {
      id: 'f',
      name: 'fam',
      stableName: 'Fam',
      properties: {},
      requiredProperties: [],
      sites: { types: ['openstack'] },
      waves: [{ labels: { tier: 'canary' } }],
      soakSeconds: 60,
      manualWaves: false,
      failureThreshold: 0.5,
      follows: 'latest',
      keepMode: 'last',
      keepLast: 2,
      graceSeconds: 0,
      createdAt: '',
      updatedAt: '',
    },
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
  expect(kinds(soaking)).toEqual(['next-wave 1 ']);
});

test('a wave whose failures pass the threshold halts, naming the sites; under it, the rest go on', () => {
  const failing = facts([version(1, { wave: 1 })], {
    copies: [copy(1, 'canary')],
    attempts: [
      { imageId: 'i1', siteId: 'a', state: 'failed', error: 'quota', createdAt: now.toISOString() },
      { imageId: 'i1', siteId: 'b', state: 'failed', error: 'gone', createdAt: now.toISOString() },
    ],
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
    attempts: [
      {
        imageId: 'i1',
        siteId: 'canary',
        state: 'failed',
        error: 'quota',
        createdAt: now.toISOString(),
      },
    ],
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
