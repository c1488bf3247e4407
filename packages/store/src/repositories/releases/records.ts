import type {
  RetentionPolicy,
  RolloutPolicy,
  SelectableSite,
  SiteType,
  VersionSiteStage,
} from '@glint/core';

/** What a family is made with or changed to; what is left out keeps its default (or its value). */
export interface FamilyInput extends Partial<RolloutPolicy>, Partial<RetentionPolicy> {
  name: string;
  stableName: string;
  properties?: Record<string, string>;
  requiredProperties?: string[];
}

export interface FamilyRecord extends RolloutPolicy, RetentionPolicy {
  id: string;
  name: string;
  stableName: string;
  properties: Record<string, string>;
  requiredProperties: string[];
  createdAt: string;
  updatedAt: string;
}

export interface VersionRecord {
  id: string;
  familyId: string;
  version: string;
  imageId: string;
  /** The logical image's name, hash and size. */
  imageName: string;
  hashAlgo: string | null;
  hashValue: string | null;
  size: number | null;
  provenance: Record<string, string>;
  publishedAt: string;
  /** The rollout: the wave running, when it completed (for the soak), what a person promoted. */
  wave: number;
  waveDoneAt: string | null;
  promotedWave: number;
  haltedReason: string | null;
  /** When a person last resumed the rollout: copies that failed before are tried again. */
  resumedAt: string | null;
  retiredAt: string | null;
}

export interface ChannelRecord {
  name: string;
  versionId: string;
  previousVersionId: string | null;
  movedAt: string;
}

export interface VersionSite {
  versionId: string;
  siteId: string;
  stage: VersionSiteStage;
  cloudImageId: string | null;
  error: string | null;
  attempts: number;
  nextAttemptAt: string | null;
}

/** A target site as the rollout sees it. */
export interface RolloutSite extends SelectableSite {
  name: string;
  type: SiteType;
}

/** A site's copy of a version's image, as the inventory last saw it. */
export interface VersionCopy {
  imageId: string;
  siteId: string;
  cloudImageId: string;
  name: string;
  active: boolean;
  /** Its content hash is known and is the version's: a copy is only ever found by it. */
  verified: boolean;
}

/** The latest copy job of a version's image onto a site. */
export interface CopyAttempt {
  imageId: string;
  siteId: string;
  queueJobId: string;
  /** Who the job's payload says asked for it: RELEASES for the rollout's own copies. */
  requestedBy: string | null;
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  error: string | null;
  createdAt: string;
}

/** Everything one step of a family's rollout and retirement reads. */
export interface RolloutFacts {
  family: FamilyRecord;
  /** Newest first. */
  versions: VersionRecord[];
  channels: ChannelRecord[];
  stages: VersionSite[];
  sites: RolloutSite[];
  copies: VersionCopy[];
  attempts: CopyAttempt[];
}

/** A column's timestamp as ISO text, as the records carry it. */
export const iso = (column: string) => `to_jsonb(${column}) #>> '{}'`;

export const selectFamilies = `
  SELECT id, name, stable_name AS "stableName", properties, required_properties AS "requiredProperties",
         sites, waves, soak_seconds AS "soakSeconds", manual_waves AS "manualWaves",
         prestage,
         failure_threshold AS "failureThreshold", follows, keep_mode AS "keepMode",
         keep_last AS "keepLast", grace_seconds AS "graceSeconds",
         ${iso('created_at')} AS "createdAt", ${iso('updated_at')} AS "updatedAt"
  FROM release_families`;

export const selectVersions = `
  SELECT v.id, v.family_id AS "familyId", v.version, v.image_id AS "imageId", i.name AS "imageName",
         i.hash_algo AS "hashAlgo", i.hash_value AS "hashValue", i.size::float8 AS size, v.provenance,
         ${iso('v.published_at')} AS "publishedAt", v.wave, ${iso('v.wave_done_at')} AS "waveDoneAt",
         v.promoted_wave AS "promotedWave", v.halted_reason AS "haltedReason",
         ${iso('v.resumed_at')} AS "resumedAt",
         ${iso('v.retired_at')} AS "retiredAt"
  FROM release_versions v JOIN images i ON i.owner_id = v.owner_id AND i.id = v.image_id`;

/** Columns of a family input, by property, with how each is written. */
const familyColumns: Record<string, [column: string, cast: string]> = {
  stableName: ['stable_name', 'text'],
  properties: ['properties', 'jsonb'],
  requiredProperties: ['required_properties', 'text[]'],
  sites: ['sites', 'jsonb'],
  waves: ['waves', 'jsonb'],
  soakSeconds: ['soak_seconds', 'integer'],
  manualWaves: ['manual_waves', 'boolean'],
  prestage: ['prestage', 'boolean'],
  failureThreshold: ['failure_threshold', 'double precision'],
  follows: ['follows', 'text'],
  keepMode: ['keep_mode', 'text'],
  keepLast: ['keep_last', 'integer'],
  graceSeconds: ['grace_seconds', 'integer'],
};

export function familyValues(input: Partial<FamilyInput>): {
  columns: string[];
  values: unknown[];
} {
  const columns: string[] = [];
  const values: unknown[] = [];
  for (const [key, [column, cast]] of Object.entries(familyColumns)) {
    const value = input[key as keyof FamilyInput];
    if (value === undefined) continue;
    columns.push(`${column}::${cast}`);
    values.push(cast === 'jsonb' ? JSON.stringify(value) : value);
  }
  return { columns, values };
}
