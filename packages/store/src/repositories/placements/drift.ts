import type { Queryable } from '../queryable';
import type { SelfHeal } from '../sites';

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

/** Cells the reconciler may heal. */
export function driftQueries(db: Queryable) {
  return {
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
               AND (CASE WHEN p.wanted THEN si.status = 'active'
                         -- A hidden image Glint did not make is kept on purpose: no copy to prune.
                         ELSE NOT si.hidden OR si.glint_content_hash IS NOT NULL
                              OR si.glint_source_site IS NOT NULL END))
         ORDER BY p.image_id, p.site_id`,
        [ownerId],
      );
      return rows;
    },
  };
}
