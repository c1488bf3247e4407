/**
 * Rollout facts built in memory, for the tests of the rollout's steps and of the release plans:
 * a canary and two production sites, versions numbered 1, 2, … and a family over them whose first
 * wave is the canary. Each test file states what its own defaults differ in.
 */
import type { FamilyRecord, RolloutSite, VersionRecord } from '@glint/store';

export const rolloutNow = new Date('2026-12-06T12:00:00Z');

export const rolloutSites: RolloutSite[] = ['canary', 'a', 'b'].map((id) => ({
  id,
  name: id,
  type: 'openstack' as const,
  region: null,
  labels: { tier: id === 'canary' ? 'canary' : 'prod' },
}));

/** Version `n` (id `v<n>`, image `i<n>`), published n seconds apart before `rolloutNow`. */
export const versionRecord = (n: number, extra: Partial<VersionRecord> = {}): VersionRecord => ({
  id: `v${n}`,
  familyId: 'f',
  version: String(n),
  imageId: `i${n}`,
  imageName: `build-${n}`,
  hashAlgo: 'sha512',
  hashValue: `h${n}`,
  size: 1,
  provenance: {},
  publishedAt: new Date(rolloutNow.getTime() - (10 - n) * 1000).toISOString(),
  wave: 0,
  waveDoneAt: null,
  promotedWave: 0,
  haltedReason: null,
  resumedAt: null,
  retiredAt: null,
  ...extra,
});

/** The family "fam": the canary first, copies wave by wave, half of a wave may fail, keep 2. */
export const familyRecord = (extra: Partial<FamilyRecord> = {}): FamilyRecord => ({
  id: 'f',
  name: 'fam',
  stableName: 'Fam',
  properties: {},
  requiredProperties: [],
  sites: { types: ['openstack'] },
  waves: [{ labels: { tier: 'canary' } }],
  soakSeconds: 0,
  manualWaves: false,
  prestage: false,
  failureThreshold: 0.5,
  follows: 'latest',
  keepMode: 'last',
  keepLast: 2,
  graceSeconds: 0,
  createdAt: '',
  updatedAt: '',
  ...extra,
});
