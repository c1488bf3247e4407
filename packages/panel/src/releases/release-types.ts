/**
 * The replies of GET /releases and GET /releases/:family as the panel reads them. They mirror
 * packages/api/src/schemas/releases.ts (Families, FamilyDetails), which is the contract.
 */
export type SiteStage =
  'missing' | 'copying' | 'failed' | 'present' | 'stable' | 'hidden' | 'retiring' | 'deleted';

export interface FamilySummary {
  id: string;
  name: string;
  stableName: string;
  follows: string;
}

export interface VersionSite {
  siteId: string;
  siteName: string;
  wave: number;
  state: SiteStage;
  cloudImageId: string | null;
  error: string | null;
}

export interface ReleaseVersion {
  id: string;
  version: string;
  imageName: string;
  publishedAt: string;
  channels: string[];
  wave: number;
  haltedReason: string | null;
  retiredAt: string | null;
  sites: VersionSite[];
}

export interface ReleaseChannel {
  name: string;
  versionId: string;
  version: string;
  previousVersion: string | null;
  movedAt: string;
}

export interface FamilyDetails {
  family: FamilySummary & { manualWaves: boolean; soakSeconds: number };
  channels: ReleaseChannel[];
  /** Site ids per wave, in order. */
  waves: string[][];
  versions: ReleaseVersion[];
}
