import type { Queryable } from '../queryable';
import { batch, batchJson } from './batch';
import type { InventoryOutcome, SiteImage } from './records';

/** The batch's logical images (name plus content) that the owner has not yet: $1 owner, $2 batch. */
const insertLogicalImages = `INSERT INTO images (owner_id, name, hash_algo, hash_value, size, disk_format, container_format)
   SELECT DISTINCT ON (x.name, x."hashAlgo", x."hashValue") $1::uuid, x.name, x."hashAlgo", x."hashValue",
          x.size, x."diskFormat", x."containerFormat"
   FROM ${batch('$2')}
   ON CONFLICT ON CONSTRAINT images_identity DO NOTHING`;

/** The batch as the site's images, each mapped to its logical image: $1 owner, $2 site, $3 batch, $4 seen. */
const upsertSiteImages = `INSERT INTO site_images (owner_id, site_id, cloud_image_id, image_id, name, hash_algo, hash_value,
     checksum, size, disk_format, container_format, visibility, status, protected, cloud_owner,
     glint_source_site, glint_source_image, glint_content_hash, properties, hidden, seen_at)
   SELECT $1, $2, x."cloudImageId", i.id, x.name, x."hashAlgo", x."hashValue", x.checksum, x.size,
          x."diskFormat", x."containerFormat", x.visibility, x.status, x.protected, x."cloudOwner",
          x."glintSourceSite", x."glintSourceImage", x."glintContentHash", x.properties, coalesce(x.hidden, false), $4
   FROM ${batch('$3')}
   JOIN images i ON i.owner_id = $1 AND i.name = x.name
     AND i.hash_algo IS NOT DISTINCT FROM x."hashAlgo" AND i.hash_value IS NOT DISTINCT FROM x."hashValue"
   ON CONFLICT (site_id, cloud_image_id) DO UPDATE SET
     image_id = EXCLUDED.image_id, name = EXCLUDED.name, hash_algo = EXCLUDED.hash_algo,
     hash_value = EXCLUDED.hash_value, checksum = EXCLUDED.checksum, size = EXCLUDED.size,
     disk_format = EXCLUDED.disk_format, container_format = EXCLUDED.container_format,
     visibility = EXCLUDED.visibility, status = EXCLUDED.status, protected = EXCLUDED.protected,
     cloud_owner = EXCLUDED.cloud_owner, glint_source_site = EXCLUDED.glint_source_site,
     glint_source_image = EXCLUDED.glint_source_image,
     glint_content_hash = EXCLUDED.glint_content_hash, properties = EXCLUDED.properties,
     hidden = EXCLUDED.hidden, seen_at = EXCLUDED.seen_at`;

/** A site's inventory runs: when they are due, and what each found the site holding. */
export function inventoryListing(db: Queryable) {
  return {
    /**
     * Replaces what the site holds with `images`, seen at `seenAt`: maps each to its logical image
     * (name plus content; created when new), forgets the site's images not in the list, and drops
     * logical images nothing holds or wants any more. Run it in a transaction.
     */
    async record(
      ownerId: string,
      siteId: string,
      images: SiteImage[],
      seenAt: Date,
    ): Promise<InventoryOutcome> {
      const rows = batchJson(images);
      await db.query(insertLogicalImages, [ownerId, rows]);
      await db.query(upsertSiteImages, [ownerId, siteId, rows, seenAt]);
      const removed = await db.query(
        'DELETE FROM site_images WHERE owner_id = $1 AND site_id = $2 AND seen_at < $3',
        [ownerId, siteId, seenAt],
      );
      // A logical image stays while a site holds it, the user wants it somewhere, or it is a
      // release's version (whose copies, once renamed, are filed under their new names).
      await db.query(
        `DELETE FROM images i WHERE i.owner_id = $1
           AND NOT EXISTS (SELECT 1 FROM site_images s WHERE s.owner_id = i.owner_id AND s.image_id = i.id)
           AND NOT EXISTS (SELECT 1 FROM placements p WHERE p.owner_id = i.owner_id AND p.image_id = i.id AND p.wanted)
           AND NOT EXISTS (SELECT 1 FROM release_versions v WHERE v.owner_id = i.owner_id AND v.image_id = i.id)`,
        [ownerId],
      );
      return { seen: images.length, removed: removed.rowCount ?? 0 };
    },

    /**
     * Notes a finished listing of the site: the project its credential is scoped to, as the cloud
     * reported it, and when the listing ran.
     */
    async markInventoried(ownerId: string, siteId: string, projectId: string): Promise<void> {
      await db.query(
        `UPDATE sites SET cloud_project_id = $3, inventoried_at = now() WHERE owner_id = $1 AND id = $2`,
        [ownerId, siteId, projectId],
      );
    },

    /**
     * Claims up to `limit` sites, of every owner, whose inventory is due, and pushes their next one
     * `intervalSeconds` on. Rows another daemon is claiming are skipped, so each due site goes to
     * one caller; run it in the transaction that enqueues the inventories, so a failure to enqueue
     * gives the claim back.
     */
    async claimDue(
      intervalSeconds: number,
      limit: number,
    ): Promise<{ ownerId: string; siteId: string }[]> {
      const { rows } = await db.query<{ ownerId: string; siteId: string }>(
        `UPDATE sites SET inventory_due_at = now() + make_interval(secs => $1)
         WHERE id IN (SELECT id FROM sites WHERE inventory_due_at <= now()
                      ORDER BY inventory_due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING owner_id AS "ownerId", id AS "siteId"`,
        [intervalSeconds, limit],
      );
      return rows;
    },
  };
}
