import type { Queryable } from '../queryable';
import {
  iso,
  selectFamilies,
  type CopyAttempt,
  type FamilyRecord,
  type RolloutFacts,
  type RolloutSite,
  type VersionCopy,
  type VersionSite,
} from './records';
import { channelQueries } from './channels';
import { versionQueries } from './versions';

/** Each version's stage on each site: what Glint did to its copy there. */
export function stageQueries(db: Queryable) {
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
  };
}

/** The facts one step of a family's rollout reads. */
export function rolloutReads(db: Queryable) {
  return {
    /** What one step of the family's rollout and retirement needs, read in a handful of queries. */
    async rolloutFacts(ownerId: string, familyId: string): Promise<RolloutFacts | undefined> {
      const family = await familyById(db, ownerId, familyId);
      if (!family) return undefined;
      const versions = await versionQueries(db).versions(ownerId, familyId);
      const channels = await channelQueries(db).channels(ownerId, familyId);
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
                destination_site_id AS "siteId", queue_job_id AS "queueJobId",
                payload->>'requestedBy' AS "requestedBy", state, error,
                ${iso('created_at')} AS "createdAt"
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

async function familyById(db: Queryable, ownerId: string, familyId: string) {
  const { rows } = await db.query<FamilyRecord>(
    `${selectFamilies} WHERE owner_id = $1 AND id = $2`,
    [ownerId, familyId],
  );
  return rows[0];
}
