import type { Queryable } from './queryable';
import { planFacts } from './placements/plan-facts';
import type { SelfHeal } from './sites';

export type { OpenJob, PlanCopy, PlanFacts, PlanImage, PlanSite } from './placements/plan-facts';

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

const cellsOf = (parameter: string) =>
  `jsonb_to_recordset(${parameter}::jsonb) AS x ("imageId" uuid, "siteId" uuid)`;

export function placementsRepository(db: Queryable) {
  return {
    ...planFacts(db),

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

    /** The hand rows of these cells, with the rule each overrides (null: none implies the cell). */
    async handRows(
      ownerId: string,
      cells: { imageId: string; siteId: string }[],
    ): Promise<{ imageId: string; siteId: string; rule: string | null }[]> {
      if (cells.length === 0) return [];
      const { rows } = await db.query<{ imageId: string; siteId: string; rule: string | null }>(
        `SELECT p.image_id AS "imageId", p.site_id AS "siteId", p.rule
         FROM placements p JOIN ${cellsOf('$2')}
           ON p.image_id = x."imageId" AND p.site_id = x."siteId"
         WHERE p.owner_id = $1 AND p.source = 'hand'`,
        [ownerId, JSON.stringify(cells)],
      );
      return rows;
    },

    /**
     * Removes the hand rows of these cells, giving them back to the rules: the caller evaluates
     * the rules again in the same transaction, so the cells' rule rows appear at once.
     */
    async clearHand(ownerId: string, cells: { imageId: string; siteId: string }[]): Promise<void> {
      if (cells.length === 0) return;
      await db.query(
        `DELETE FROM placements p USING ${cellsOf('$2')}
         WHERE p.owner_id = $1 AND p.image_id = x."imageId" AND p.site_id = x."siteId"
           AND p.source = 'hand'`,
        [ownerId, JSON.stringify(cells)],
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
