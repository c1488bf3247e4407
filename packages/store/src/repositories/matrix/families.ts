import type { SiteSelector } from '@glint/core';
import type { Queryable } from '../queryable';
import {
  filterParameters,
  orderBy,
  passingRows,
  publishedAt,
  sortOf,
  type MatrixFilter,
} from './row-query';

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
    /**
     * The families with rows that pass the filter, how many rows each has, and where its family row
     * goes when the versions are apart: `at`, how many of the other rows come before it in the
     * sort's order. Sorted by name, a family goes by its name, as its row shows it; by size, created
     * or copies, by its newest version's row (latest published among those passing the filter), as
     * that is the version an operator looks at: "newest first" puts a family that just published
     * near the top, "largest first" weighs the image its release now rolls out. Ties go by name
     * and id as any row's. In that order.
     */
    async familiesOf(
      ownerId: string,
      filter: Omit<MatrixFilter, 'offset' | 'limit'>,
    ): Promise<{ familyId: string; rows: number; at: number }[]> {
      const { rows } = await db.query<{ familyId: string; rows: number; at: number }>(
        `${passingRows},
         heads AS (
           SELECT DISTINCT ON ("familyId") "familyId", family AS name, size, "createdAt", copies,
                  count(*) OVER (PARTITION BY "familyId")::int AS rows
           FROM passing WHERE "familyId" IS NOT NULL
           ORDER BY "familyId", ${publishedAt} DESC, "createdAt"::timestamptz DESC, id),
         ranked AS (
           SELECT "familyId", rows, row_number() OVER (ORDER BY ${orderBy(sortOf(filter))}) AS n
           FROM (SELECT NULL::uuid AS "familyId", 0 AS rows, id, name, "hashAlgo", "hashValue",
                        size, "createdAt", copies
                 FROM passing WHERE "familyId" IS NULL
                 UNION ALL
                 SELECT "familyId", rows, "familyId", name, NULL, NULL, size, "createdAt", copies
                 FROM heads) sorted)
         -- The n-th in the whole order, k-th of the families: n - k other rows come before it.
         SELECT "familyId", rows, (n - row_number() OVER (ORDER BY n))::int AS at
         FROM ranked WHERE "familyId" IS NOT NULL ORDER BY n`,
        filterParameters(ownerId, filter),
      );
      return rows;
    },

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
