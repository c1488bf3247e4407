import type {
  RetentionPolicy,
  RolloutPolicy,
  SelectableSite,
  SiteType,
  VersionSiteStage,
} from '@glint/core';
import type { Queryable } from './queryable';

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

const iso = (column: string) => `to_jsonb(${column}) #>> '{}'`;

const selectFamilies = `
  SELECT id, name, stable_name AS "stableName", properties, required_properties AS "requiredProperties",
         sites, waves, soak_seconds AS "soakSeconds", manual_waves AS "manualWaves",
         failure_threshold AS "failureThreshold", follows, keep_mode AS "keepMode",
         keep_last AS "keepLast", grace_seconds AS "graceSeconds",
         ${iso('created_at')} AS "createdAt", ${iso('updated_at')} AS "updatedAt"
  FROM release_families`;

const selectVersions = `
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
  failureThreshold: ['failure_threshold', 'real'],
  follows: ['follows', 'text'],
  keepMode: ['keep_mode', 'text'],
  keepLast: ['keep_last', 'integer'],
  graceSeconds: ['grace_seconds', 'integer'],
};

function familyValues(input: Partial<FamilyInput>): { columns: string[]; values: unknown[] } {
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

/** The unique constraint that keeps family names distinct per project. */
export const familyNameConstraint = 'release_families_name';
/** The unique constraints that keep a family's versions distinct by string and by image. */
export const versionConstraints = {
  version: 'release_versions_version',
  image: 'release_versions_image',
} as const;

export function releasesRepository(db: Queryable) {
  return {
    async createFamily(ownerId: string, input: FamilyInput): Promise<FamilyRecord> {
      const { columns, values } = familyValues(input);
      const names = columns.map((c) => c.split('::')[0]);
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO release_families (owner_id, name, ${names.join(', ')})
         VALUES ($1, $2, ${columns.map((c, i) => `$${i + 3}::${c.split('::')[1]}`).join(', ')})
         RETURNING id`,
        [ownerId, input.name, ...values],
      );
      return (await this.family(ownerId, rows[0]!.id))!;
    },

    /** Changes what `changes` gives; undefined when the project has no such family. */
    async updateFamily(
      ownerId: string,
      id: string,
      changes: Partial<Omit<FamilyInput, 'name'>>,
    ): Promise<FamilyRecord | undefined> {
      const { columns, values } = familyValues(changes);
      const sets = columns.map((c, i) => `${c.split('::')[0]} = $${i + 3}::${c.split('::')[1]}`);
      await db.query(
        `UPDATE release_families SET ${[...sets, 'updated_at = now()'].join(', ')}
         WHERE owner_id = $1 AND id = $2`,
        [ownerId, id, ...values],
      );
      return this.family(ownerId, id);
    },

    async removeFamily(ownerId: string, id: string): Promise<boolean> {
      const { rowCount } = await db.query(
        'DELETE FROM release_families WHERE owner_id = $1 AND id = $2',
        [ownerId, id],
      );
      return (rowCount ?? 0) > 0;
    },

    /** The family by id or by name. */
    async family(ownerId: string, idOrName: string): Promise<FamilyRecord | undefined> {
      const { rows } = await db.query<FamilyRecord>(
        `${selectFamilies} WHERE owner_id = $1 AND (id::text = $2 OR name = $2)`,
        [ownerId, idOrName],
      );
      return rows[0];
    },

    async families(ownerId: string): Promise<FamilyRecord[]> {
      const { rows } = await db.query<FamilyRecord>(
        `${selectFamilies} WHERE owner_id = $1 ORDER BY name`,
        [ownerId],
      );
      return rows;
    },

    /** Every project's families, for the daemon's schedule. */
    async allFamilies(): Promise<{ ownerId: string; familyId: string }[]> {
      const { rows } = await db.query<{ ownerId: string; familyId: string }>(
        'SELECT owner_id AS "ownerId", id AS "familyId" FROM release_families ORDER BY id',
      );
      return rows;
    },

    /** Serialises the steps of one family's rollout until the transaction ends. */
    async lockFamily(familyId: string): Promise<void> {
      await db.query("SELECT pg_advisory_xact_lock(hashtextextended('release:' || $1, 0))", [
        familyId,
      ]);
    },

    ...versionQueries(db),
    ...rolloutQueries(db),
  };
}

function versionQueries(db: Queryable) {
  return {
    async insertVersion(
      ownerId: string,
      version: {
        familyId: string;
        version: string;
        imageId: string;
        provenance: Record<string, string>;
        publishedBy: string | null;
      },
    ): Promise<string> {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO release_versions (owner_id, family_id, version, image_id, provenance, published_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [
          ownerId,
          version.familyId,
          version.version,
          version.imageId,
          version.provenance,
          version.publishedBy,
        ],
      );
      return rows[0]!.id;
    },

    /** The family's versions, newest first. */
    async versions(ownerId: string, familyId: string): Promise<VersionRecord[]> {
      const { rows } = await db.query<VersionRecord>(
        `${selectVersions} WHERE v.owner_id = $1 AND v.family_id = $2
         ORDER BY v.published_at DESC, v.id DESC`,
        [ownerId, familyId],
      );
      return rows;
    },

    async channels(ownerId: string, familyId: string): Promise<ChannelRecord[]> {
      const { rows } = await db.query<ChannelRecord>(
        `SELECT name, version_id AS "versionId", previous_version_id AS "previousVersionId",
                ${iso('moved_at')} AS "movedAt"
         FROM release_channels WHERE owner_id = $1 AND family_id = $2 ORDER BY name`,
        [ownerId, familyId],
      );
      return rows;
    },

    /** Points the channel at the version; the version it pointed at becomes its previous one. */
    async moveChannel(
      ownerId: string,
      familyId: string,
      channel: string,
      versionId: string,
      movedBy: string | null,
    ): Promise<void> {
      await db.query(
        `INSERT INTO release_channels (owner_id, family_id, name, version_id, moved_by)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (family_id, name) DO UPDATE SET
           previous_version_id = CASE WHEN release_channels.version_id = EXCLUDED.version_id
                                      THEN release_channels.previous_version_id
                                      ELSE release_channels.version_id END,
           version_id = EXCLUDED.version_id, moved_by = EXCLUDED.moved_by, moved_at = now()`,
        [ownerId, familyId, channel, versionId, movedBy],
      );
    },

    /** Changes the version's rollout state; what `changes` leaves out stays. */
    async updateVersion(
      ownerId: string,
      versionId: string,
      changes: Partial<
        Pick<
          VersionRecord,
          'wave' | 'waveDoneAt' | 'promotedWave' | 'haltedReason' | 'resumedAt' | 'retiredAt'
        >
      >,
    ): Promise<void> {
      const columns: Record<string, string> = {
        wave: 'wave',
        waveDoneAt: 'wave_done_at',
        promotedWave: 'promoted_wave',
        haltedReason: 'halted_reason',
        resumedAt: 'resumed_at',
        retiredAt: 'retired_at',
      };
      const entries = Object.entries(changes).filter(([, value]) => value !== undefined);
      if (entries.length === 0) return;
      const sets = entries.map(([key], i) => `${columns[key]} = $${i + 3}`);
      await db.query(
        `UPDATE release_versions SET ${sets.join(', ')} WHERE owner_id = $1 AND id = $2`,
        [ownerId, versionId, ...entries.map(([, value]) => value)],
      );
    },
  };
}

function rolloutQueries(db: Queryable) {
  return {
    /** Records what Glint did to a version's copy on a site. */
    async setStage(
      ownerId: string,
      stage: Pick<VersionSite, 'versionId' | 'siteId' | 'stage' | 'cloudImageId'> &
        Partial<Pick<VersionSite, 'error' | 'nextAttemptAt'>>,
    ): Promise<void> {
      await db.query(
        `INSERT INTO release_version_sites
           (owner_id, version_id, site_id, stage, cloud_image_id, error, next_attempt_at, attempts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $4 = 'retiring' THEN 1 ELSE 0 END)
         ON CONFLICT (version_id, site_id) DO UPDATE SET
           stage = EXCLUDED.stage, cloud_image_id = EXCLUDED.cloud_image_id, error = EXCLUDED.error,
           next_attempt_at = EXCLUDED.next_attempt_at, updated_at = now(),
           attempts = CASE WHEN EXCLUDED.stage = 'retiring' THEN release_version_sites.attempts + 1
                           ELSE 0 END`,
        [
          ownerId,
          stage.versionId,
          stage.siteId,
          stage.stage,
          stage.cloudImageId,
          stage.error ?? null,
          stage.nextAttemptAt ?? null,
        ],
      );
    },

    /** Notes why a step on a site failed, on the version's row there, if it has one. */
    async noteError(ownerId: string, versionId: string, siteId: string, error: string) {
      await db.query(
        `UPDATE release_version_sites SET error = $4, updated_at = now()
         WHERE owner_id = $1 AND version_id = $2 AND site_id = $3`,
        [ownerId, versionId, siteId, error],
      );
    },

    /** What one step of the family's rollout and retirement needs, read in a handful of queries. */
    async rolloutFacts(ownerId: string, familyId: string): Promise<RolloutFacts | undefined> {
      const family = await releasesRepositoryFamily(db, ownerId, familyId);
      if (!family) return undefined;
      const versions = await versionQueries(db).versions(ownerId, familyId);
      const channels = await versionQueries(db).channels(ownerId, familyId);
      const imageIds = versions.map((v) => v.imageId);
      const stages = await db.query<VersionSite>(
        `SELECT rs.version_id AS "versionId", rs.site_id AS "siteId", rs.stage,
                rs.cloud_image_id AS "cloudImageId", rs.error, rs.attempts,
                ${iso('rs.next_attempt_at')} AS "nextAttemptAt"
         FROM release_version_sites rs JOIN release_versions v ON v.id = rs.version_id
         WHERE rs.owner_id = $1 AND v.family_id = $2`,
        [ownerId, familyId],
      );
      const sites = await db.query<RolloutSite>(
        `SELECT s.id, s.name, s.type, s.config->>'region' AS region,
                s.labels
         FROM sites s WHERE s.owner_id = $1 ORDER BY lower(s.name)`,
        [ownerId],
      );
      // A version's copies are found by content, whatever their name: promoting renames them,
      // and the inventory then files a renamed copy under a logical image of its new name.
      const copies = await db.query<VersionCopy>(
        `SELECT i.id AS "imageId", si.site_id AS "siteId", si.cloud_image_id AS "cloudImageId",
                si.name, si.status = 'active' AS active, true AS verified
         FROM images i JOIN site_images si ON si.owner_id = i.owner_id
           AND si.hash_algo = i.hash_algo AND si.hash_value = i.hash_value
         WHERE i.owner_id = $1 AND i.id = ANY ($2::uuid[])
         ORDER BY si.site_id, si.cloud_image_id`,
        [ownerId, imageIds],
      );
      const attempts = await db.query<CopyAttempt>(
        `SELECT DISTINCT ON (image_id, destination_site_id) image_id AS "imageId",
                destination_site_id AS "siteId", state, error, ${iso('created_at')} AS "createdAt"
         FROM jobs WHERE owner_id = $1 AND operation = 'copy' AND image_id = ANY ($2::uuid[])
         ORDER BY image_id, destination_site_id, created_at DESC`,
        [ownerId, imageIds],
      );
      return {
        family,
        versions,
        channels,
        stages: stages.rows,
        sites: sites.rows,
        copies: copies.rows,
        attempts: attempts.rows,
      };
    },
  };
}

async function releasesRepositoryFamily(db: Queryable, ownerId: string, familyId: string) {
  const { rows } = await db.query<FamilyRecord>(
    `${selectFamilies} WHERE owner_id = $1 AND id = $2`,
    [ownerId, familyId],
  );
  return rows[0];
}

export type ReleasesRepository = ReturnType<typeof releasesRepository>;
