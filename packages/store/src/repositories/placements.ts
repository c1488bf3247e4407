import type { Queryable } from './queryable';
import { driftQueries } from './placements/drift';
import { planFacts } from './placements/plan-facts';
import type { SelfHeal } from './sites';

export type { DriftedCell } from './placements/drift';
export type { OpenJob, PlanCopy, PlanFacts, PlanImage, PlanSite } from './placements/plan-facts';

export interface Placement {
  imageId: string;
  siteId: string;
  wanted: boolean;
  /** The cell's own self-heal policy; left out, the site's holds. */
  selfHeal?: SelfHeal | null;
}

const cellsOf = (parameter: string) =>
  `jsonb_to_recordset(${parameter}::jsonb) AS x ("imageId" uuid, "siteId" uuid)`;

export function placementsRepository(db: Queryable) {
  return {
    ...planFacts(db),
    ...driftQueries(db),

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
  };
}

export type PlacementsRepository = ReturnType<typeof placementsRepository>;
