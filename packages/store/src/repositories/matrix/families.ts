import type { SiteSelector } from '@glint/core';
import type { Queryable } from '../queryable';

/** A version, as a family's summary names it. */
export interface FamilyVersionRef {
  versionId: string;
  version: string;
}

/** A release family as the matrix's family row shows it. */
export interface FamilySummary {
  id: string;
  name: string;
  stableName: string;
  /** The family's target sites. */
  sites: SiteSelector;
  /** The version the stable name follows (its channel's, else latest's), and why it halted. */
  target: (FamilyVersionRef & { haltedReason: string | null }) | null;
  /** The version holding the stable name on each site where one does. */
  stable: (FamilyVersionRef & { siteId: string })[];
}

/** The release families the matrix groups rows under. */
export function familySummaries(db: Queryable) {
  return {
    /** The owner's families of these ids, by name. */
    async familySummaries(ownerId: string, familyIds: string[]): Promise<FamilySummary[]> {
      if (familyIds.length === 0) return [];
      const { rows } = await db.query<FamilySummary>(
        `SELECT f.id, f.name, f.stable_name AS "stableName", f.sites,
                (SELECT jsonb_build_object('versionId', v.id, 'version', v.version,
                                           'haltedReason', v.halted_reason)
                 FROM release_channels c JOIN release_versions v ON v.id = c.version_id
                 WHERE c.family_id = f.id AND c.name IN (f.follows, 'latest')
                 ORDER BY c.name = f.follows DESC LIMIT 1) AS target,
                coalesce((SELECT jsonb_agg(jsonb_build_object('siteId', rs.site_id, 'versionId', v.id,
                                                              'version', v.version) ORDER BY rs.site_id)
                          FROM release_version_sites rs JOIN release_versions v ON v.id = rs.version_id
                          WHERE v.family_id = f.id AND rs.stage = 'stable'), '[]') AS stable
         FROM release_families f WHERE f.owner_id = $1 AND f.id = ANY ($2::uuid[])
         ORDER BY f.name`,
        [ownerId, familyIds],
      );
      return rows;
    },
  };
}
