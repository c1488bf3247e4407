import type { SiteType } from '@glint/core';
import type { Queryable } from '../queryable';

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
  hidden: boolean;
  /** Carries Glint's markers: Glint made it. */
  managed: boolean;
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

/** What a plan reads, under the owner's lock so that two plans never interleave. */
export function planFacts(db: Queryable) {
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
                  cloud_owner AS "cloudOwner", hidden,
                  glint_content_hash IS NOT NULL OR glint_source_site IS NOT NULL AS managed
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
  };
}
