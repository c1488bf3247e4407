import type { Queryable } from '../queryable';
import { batch, batchJson } from './batch';
import type { SeenCopy, SiteImage } from './records';

/** Single copies between inventories: one a job made or deleted, and every copy of one image. */
export function inventoryCopies(db: Queryable) {
  return {
    /**
     * Records one copy a job just made (or found) on the site as a copy of logical image `imageId`,
     * so its cell shows it before the site's next inventory.
     */
    async recordCopy(
      ownerId: string,
      siteId: string,
      imageId: string,
      image: SiteImage,
    ): Promise<void> {
      await db.query(
        `INSERT INTO site_images (owner_id, site_id, cloud_image_id, image_id, name, hash_algo, hash_value,
           checksum, size, disk_format, container_format, visibility, status, protected, cloud_owner,
           glint_source_site, glint_source_image, glint_content_hash, properties, hidden, seen_at)
         SELECT $1, $2, x."cloudImageId", $3, x.name, x."hashAlgo", x."hashValue", x.checksum, x.size,
                x."diskFormat", x."containerFormat", x.visibility, x.status, x.protected, x."cloudOwner",
                x."glintSourceSite", x."glintSourceImage", x."glintContentHash", x.properties, coalesce(x.hidden, false), now()
         FROM ${batch('$4')}
         ON CONFLICT (site_id, cloud_image_id) DO UPDATE SET
           image_id = EXCLUDED.image_id, status = EXCLUDED.status, size = EXCLUDED.size,
           checksum = EXCLUDED.checksum, hash_algo = EXCLUDED.hash_algo, hash_value = EXCLUDED.hash_value,
           glint_content_hash = EXCLUDED.glint_content_hash, properties = EXCLUDED.properties,
           hidden = EXCLUDED.hidden, seen_at = EXCLUDED.seen_at`,
        [ownerId, siteId, imageId, batchJson([image])],
      );
    },

    /** Every copy the owner's sites hold of logical image `imageId`, as last seen, by site. */
    async copiesOf(ownerId: string, imageId: string): Promise<(SiteImage & SeenCopy)[]> {
      const { rows } = await db.query<SiteImage & SeenCopy>(
        `SELECT site_id AS "siteId", cloud_image_id AS "cloudImageId", name, hash_algo AS "hashAlgo",
                hash_value AS "hashValue", checksum, size::float8 AS size, disk_format AS "diskFormat",
                container_format AS "containerFormat", visibility, status, protected,
                cloud_owner AS "cloudOwner", glint_source_site AS "glintSourceSite",
                glint_source_image AS "glintSourceImage", glint_content_hash AS "glintContentHash",
                seen_at AS "seenAt"
         FROM site_images WHERE owner_id = $1 AND image_id = $2 ORDER BY site_id, cloud_image_id`,
        [ownerId, imageId],
      );
      return rows;
    },

    /** Forgets one image the site no longer holds (a job deleted it). */
    async forget(ownerId: string, siteId: string, cloudImageId: string): Promise<void> {
      await db.query(
        'DELETE FROM site_images WHERE owner_id = $1 AND site_id = $2 AND cloud_image_id = $3',
        [ownerId, siteId, cloudImageId],
      );
    },
  };
}
