/**
 * A release family as GET /releases/:family describes it (FamilyDetails), for the tests that need one without a
 * rollout behind it: three sites in two waves (canary first); 2026.12.06 rolling out (latest),
 * 2026.11.29 stable on the rest, 2026.11.22 retired with a copy one site refused to delete.
 */
import type { FamilyDetails, ReleaseVersion, SiteStage } from '@glint/api/replies';

const sites = { canary: 's-canary', two: 's-two', three: 's-three' };
const waveOf = { canary: 0, two: 1, three: 1 };

function version(
  name: string,
  publishedAt: string,
  states: Record<keyof typeof sites, SiteStage>,
  fields: Partial<ReleaseVersion> = {},
): ReleaseVersion {
  return {
    id: `v-${name}`,
    version: name,
    imageId: `i-${name}`,
    imageName: `atlas-${name}.qcow2`,
    hash: { algo: 'sha256', value: name },
    provenance: { image_build_date: publishedAt.slice(0, 10), image_source: 'private' },
    publishedAt,
    channels: [],
    wave: 1,
    haltedReason: null,
    retiredAt: null,
    sites: (Object.keys(sites) as (keyof typeof sites)[]).map((site) => ({
      siteId: sites[site],
      siteName: site,
      wave: waveOf[site],
      state: states[site],
      cloudImageId: null,
      error: states[site] === 'failed' ? 'Glance answered 503' : null,
    })),
    ...fields,
  };
}

export function releaseFixture(rolling: Partial<ReleaseVersion> = {}): FamilyDetails {
  return {
    family: {
      id: 'f-atlas',
      name: 'atlas-worker',
      stableName: 'ATLAS worker',
      properties: {},
      requiredProperties: [],
      sites: { labels: { release: 'atlas' } },
      waves: [{ labels: { tier: 'canary' } }],
      soakSeconds: 0,
      manualWaves: false,
      prestage: true,
      failureThreshold: 0.5,
      follows: 'latest',
      keepMode: 'last',
      keepLast: 2,
      graceSeconds: 0,
      createdAt: '2026-11-01T08:00:00.000Z',
      updatedAt: '2026-11-01T08:00:00.000Z',
    },
    channels: [
      {
        name: 'latest',
        versionId: 'v-2026.12.06',
        version: '2026.12.06',
        previousVersion: '2026.11.29',
        movedAt: '2026-12-06T08:00:00.000Z',
      },
      {
        name: 'stable',
        versionId: 'v-2026.11.29',
        version: '2026.11.29',
        previousVersion: null,
        movedAt: '2026-11-29T08:00:00.000Z',
      },
    ],
    waves: [[sites.canary], [sites.two, sites.three]],
    versions: [
      version(
        '2026.12.06',
        '2026-12-06T08:00:00.000Z',
        { canary: 'stable', two: 'copying', three: 'failed' },
        { channels: ['latest'], ...rolling },
      ),
      version(
        '2026.11.29',
        '2026-11-29T08:00:00.000Z',
        { canary: 'hidden', two: 'stable', three: 'stable' },
        { channels: ['stable'] },
      ),
      version(
        '2026.11.22',
        '2026-11-22T08:00:00.000Z',
        { canary: 'deleted', two: 'retiring', three: 'deleted' },
        { retiredAt: '2026-12-06T09:00:00.000Z' },
      ),
    ],
  };
}
