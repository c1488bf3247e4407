import type { SiteType } from '@glint/core';
import type { Queryable } from './queryable';
import type { SelfHeal } from './sites';

export interface PlanImage {
  id: string;
  name: string;
  size: number | null;
}

export interface PlanSite {
  id: string;
  name: string;
  type: SiteType;
  region: string | null;
  /** The project the site's credential is scoped to; null until an inventory ran. */
  cloudProjectId: string | null;
}

/** A copy a site holds of one of the images. */
export interface PlanCopy {
  imageId: string;
  siteId: string;
  cloudImageId: string;
  active: boolean;
  /** Its content hash is known, so a copy from it can be verified. */
  verified: boolean;
  protected: boolean;
  visibility: string;
  cloudOwner: string | null;
}

/** A queued or running job on a cell. */
export interface OpenJob {
  imageId: string;
  siteId: string;
  operation: string;
}

/** Everything a plan for these images needs to know, read in a handful of queries. */
export interface PlanFacts {
  images: PlanImage[];
  /** All the owner's sites: sources may be any of them. */
  sites: PlanSite[];
  copies: PlanCopy[];
  openJobs: OpenJob[];
}

export interface Placement {
  imageId: string;
  siteId: string;
  wanted: boolean;
  /** The cell's own self-heal policy; left out, the site's holds. */
  selfHeal?: SelfHeal | null;
}

/**
 * A cell whose copy differs from the desired state with no job under way to fix it: a wanted copy
 * gone (or never made active), or an unwanted one there. The matrix shows the same drift.
 */
export interface DriftedCell {
  imageId: string;
  siteId: string;
  wanted: boolean;
  /** The policy in force: the placement's own, else the site's. */
  selfHeal: SelfHeal;
  /** The latest job on the cell failed: healing waits for a person to retry it. */
  lastJobFailed: boolean;
  /** A standing rule decided the cell, not a person's tick. */
  byRule: boolean;
  /** The site has been inventoried: what it already holds is known. */
  siteInventoried: boolean;
}

export function placementsRepository(db: Queryable) {
  return {
    /** Serialises the owner's plan-and-apply runs until the transaction ends. */
    async lockOwner(ownerId: string): Promise<void> {
      await db.query("SELECT pg_advisory_xact_lock(hashtextextended('placements:' || $1, 0))", [
        ownerId,
      ]);
    },

    async facts(ownerId: string, imageIds: string[]): Promise<PlanFacts> {
      // One after another: inside a transaction they share one connection.
      const images = await db.query<PlanImage>(
        'SELECT id, name, size::float8 AS size FROM images WHERE owner_id = $1 AND id = ANY ($2::uuid[])',
        [ownerId, imageIds],
      );
      const sites = await db.query<PlanSite>(
        `SELECT id, name, type, config->>'region' AS region, cloud_project_id AS "cloudProjectId"
           FROM sites WHERE owner_id = $1`,
        [ownerId],
      );
      const copies = await db.query<PlanCopy>(
        `SELECT image_id AS "imageId", site_id AS "siteId", cloud_image_id AS "cloudImageId",
                  status = 'active' AS active, hash_value IS NOT NULL AS verified, protected, visibility,
                  cloud_owner AS "cloudOwner"
           FROM site_images WHERE owner_id = $1 AND image_id = ANY ($2::uuid[])
           ORDER BY site_id, cloud_image_id`,
        [ownerId, imageIds],
      );
      const openJobs = await db.query<OpenJob>(
        `SELECT image_id AS "imageId", destination_site_id AS "siteId", operation FROM jobs
           WHERE owner_id = $1 AND image_id = ANY ($2::uuid[]) AND state IN ('queued', 'running')`,
        [ownerId, imageIds],
      );
      return {
        images: images.rows,
        sites: sites.rows,
        copies: copies.rows,
        openJobs: openJobs.rows,
      };
    },

    /** Records a person's ticks: hand rows, which decide their cells whatever the rules say. */
    async record(ownerId: string, requestedBy: string, placements: Placement[]): Promise<void> {
      if (placements.length === 0) return;
      await db.query(
        `INSERT INTO placements (owner_id, image_id, site_id, wanted, requested_by, source)
         SELECT $1, x."imageId", x."siteId", x.wanted, $2, 'hand'
         FROM jsonb_to_recordset($3::jsonb) AS x ("imageId" uuid, "siteId" uuid, wanted boolean)
         ON CONFLICT (owner_id, image_id, site_id) DO UPDATE SET
           wanted = EXCLUDED.wanted, requested_by = EXCLUDED.requested_by, requested_at = now(),
           source = 'hand'`,
        [ownerId, requestedBy, JSON.stringify(placements)],
      );
      // Only changes that say so set a cell's policy; null gives the cell back to its site's.
      const policies = placements.filter((p) => p.selfHeal !== undefined);
      if (policies.length === 0) return;
      await db.query(
        `UPDATE placements p SET self_heal = x."selfHeal"
         FROM jsonb_to_recordset($2::jsonb) AS x ("imageId" uuid, "siteId" uuid, "selfHeal" text)
         WHERE p.owner_id = $1 AND p.image_id = x."imageId" AND p.site_id = x."siteId"`,
        [ownerId, JSON.stringify(policies)],
      );
    },

    /** The owner's drifted cells, with the policy that decides whether to heal them. */
    async drifted(ownerId: string): Promise<DriftedCell[]> {
      const { rows } = await db.query<DriftedCell>(
        `SELECT p.image_id AS "imageId", p.site_id AS "siteId", p.wanted,
                coalesce(p.self_heal, s.self_heal) AS "selfHeal",
                coalesce(j.state = 'failed', false) AS "lastJobFailed", p.source = 'rule' AS "byRule",
                s.inventoried_at IS NOT NULL AS "siteInventoried"
         FROM placements p
         JOIN sites s ON s.owner_id = p.owner_id AND s.id = p.site_id
         LEFT JOIN LATERAL (
           SELECT state FROM jobs WHERE owner_id = p.owner_id AND image_id = p.image_id
             AND destination_site_id = p.site_id ORDER BY created_at DESC LIMIT 1) j ON true
         WHERE p.owner_id = $1
           AND coalesce(j.state NOT IN ('queued', 'running'), true)
           AND p.wanted <> EXISTS (
             SELECT 1 FROM site_images si
             WHERE si.owner_id = p.owner_id AND si.image_id = p.image_id AND si.site_id = p.site_id
               AND (si.status = 'active' OR NOT p.wanted))
         ORDER BY p.image_id, p.site_id`,
        [ownerId],
      );
      return rows;
    },
  };
}

export type PlacementsRepository = ReturnType<typeof placementsRepository>;
