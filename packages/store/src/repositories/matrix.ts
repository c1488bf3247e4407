import type { TransferStage } from '@glint/core';
import { pageOf, type Queryable } from './queryable';
import { familySummaries } from './matrix/families';
import { imageLookups } from './matrix/image-lookups';
import type { SelfHeal } from './sites';

export type { AdminImage } from './matrix/image-lookups';
export type { FamilySummary, FamilyVersionRef } from './matrix/families';

/** What the rows can be ordered by; ties go by name, content and id, so pages never overlap. */
export const matrixSortKeys = ['name', 'size', 'created', 'copies'] as const;
export type MatrixSortKey = (typeof matrixSortKeys)[number];
export interface MatrixSort {
  key: MatrixSortKey;
  descending: boolean;
}

const sortColumn: Record<MatrixSortKey, string | null> = {
  name: null,
  size: 'size',
  created: '"createdAt"::timestamptz',
  copies: 'copies',
};

const sortOf = (filter: { sort?: MatrixSort }): MatrixSort =>
  filter.sort ?? { key: 'name', descending: false };

/** The ORDER BY of a sort: the key (nulls last either way), then name and content, then id. */
function orderBy({ key, descending }: MatrixSort): string {
  const direction = descending ? 'DESC' : 'ASC';
  const column = sortColumn[key];
  const lead = column ? `${column} ${direction} NULLS LAST, name` : `name ${direction}`;
  return `${lead}, "hashAlgo", "hashValue", id`;
}

/**
 * The logical images that pass a filter, as rows, each with the release version it is (if any):
 * $1 owner, $2 name, $3 conflicts only, $4 visibility, $5 image ids. A version's copies are found by
 * content, whatever their names (promoting renames them, and the inventory files a renamed copy
 * under a logical image of its new name), so every row with a version's content is that version.
 */
const passingRows = `WITH candidates AS (
   SELECT i.id, i.name, i.hash_algo AS "hashAlgo", i.hash_value AS "hashValue", i.size::float8 AS size,
          to_jsonb(i.created_at) #>> '{}' AS "createdAt",
          (SELECT count(DISTINCT s.site_id)::int FROM site_images s
           WHERE s.owner_id = i.owner_id AND s.image_id = i.id) AS copies,
          i.disk_format AS "diskFormat", i.container_format AS "containerFormat",
          ARRAY(SELECT DISTINCT s.visibility FROM site_images s
                WHERE s.owner_id = i.owner_id AND s.image_id = i.id ORDER BY 1) AS visibilities,
          i.hash_value IS NOT NULL AND EXISTS (
            SELECT 1 FROM images o WHERE o.owner_id = i.owner_id AND o.name = i.name
              AND o.id <> i.id AND o.hash_value IS NOT NULL) AS conflict,
          ARRAY(SELECT o.id FROM images o
                WHERE o.owner_id = i.owner_id AND o.hash_algo = i.hash_algo
                  AND o.hash_value = i.hash_value AND o.id <> i.id ORDER BY o.name) AS related,
          r.family_id AS "familyId", r.family, r.version_id AS "versionId", r.version
   FROM images i
   LEFT JOIN LATERAL (
     SELECT v.family_id, f.name AS family, v.id AS version_id, v.version
     FROM release_versions v
     JOIN images vi ON vi.owner_id = v.owner_id AND vi.id = v.image_id
     JOIN release_families f ON f.owner_id = v.owner_id AND f.id = v.family_id
     WHERE v.owner_id = i.owner_id
       AND (vi.id = i.id OR (i.hash_value IS NOT NULL AND vi.hash_algo = i.hash_algo
                             AND vi.hash_value = i.hash_value))
     ORDER BY f.name, v.published_at DESC LIMIT 1) r ON true
   WHERE i.owner_id = $1 AND ($2::text IS NULL OR strpos(lower(i.name), lower($2)) > 0)
     AND ($5::uuid[] IS NULL OR i.id = ANY ($5))),
 passing AS (
   SELECT * FROM candidates
   WHERE (NOT $3 OR conflict) AND ($4::text IS NULL OR $4 = ANY (visibilities)))`;

/** When a passing row's version was published: the order of a family's rows. */
const publishedAt = '(SELECT v.published_at FROM release_versions v WHERE v.id = "versionId")';

function filterParameters(ownerId: string, filter: Omit<MatrixFilter, 'offset' | 'limit'>) {
  return [
    ownerId,
    filter.name ?? null,
    filter.conflictsOnly ?? false,
    filter.visibility ?? null,
    filter.imageIds ?? null,
  ];
}

export interface MatrixFilter {
  /** Part of the name, in any letter case. */
  name?: string;
  /** Rows with a copy of this visibility somewhere. */
  visibility?: string;
  conflictsOnly?: boolean;
  /** Only these logical images: what a client reads again when events say they changed. */
  imageIds?: string[];
  /** Leaves out the rows that are a release family's versions: they are shown under their family. */
  versionsApart?: boolean;
  /** Only the rows that are this family's versions, in version order (newest published first). */
  familyId?: string;
  /** By name A to Z when not given; with `familyId`, only between rows of one version. */
  sort?: MatrixSort;
  offset: number;
  limit: number;
}

export interface MatrixColumn {
  id: string;
  name: string;
  type: string;
  region: string | null;
  labels: Record<string, string>;
}

export interface MatrixRow {
  id: string;
  name: string;
  hashAlgo: string | null;
  hashValue: string | null;
  size: number | null;
  createdAt: string;
  /** How many sites hold a copy. */
  copies: number;
  diskFormat: string | null;
  containerFormat: string | null;
  visibilities: string[];
  /** Another logical image has this name with other content. */
  conflict: boolean;
  /** Logical images with the same content under other names. */
  related: string[];
  /** The release family and version the image is (its content is the version's); null if none. */
  familyId: string | null;
  family: string | null;
  versionId: string | null;
  version: string | null;
}

/** What is known about one cell: the copy a site holds, the wish, the latest job on it. */
export interface CellFacts {
  imageId: string;
  siteId: string;
  cloudImageId: string | null;
  status: string | null;
  /** Carries Glint's markers: Glint made it. */
  managed: boolean;
  /** Left out of the site's listings (Glance's os_hidden): there, and bootable by id. */
  hidden: boolean;
  wanted: boolean | null;
  /** The self-heal policy in force on the cell: its placement's own, else its site's. */
  selfHeal: SelfHeal;
  /** Who decided the desired state: a person's tick or a rule; null when nothing says. */
  source: 'hand' | 'rule' | null;
  /** The rule implying the cell (on a hand row, the rule the hand overrides). */
  rule: string | null;
  jobOperation: string | null;
  jobState: string | null;
  bytesDone: number | null;
  bytesTotal: number | null;
  /** The stage the destination's cloud is at on the copy (an import, or its own copy), and how far. */
  jobStage: TransferStage | null;
  jobPercent: number | null;
  /** Seconds the latest job has been running. */
  runningSeconds: number | null;
  jobError: string | null;
}

export function matrixRepository(db: Queryable) {
  return {
    /** The owner's sites as columns: those carrying every one of `labels`, when given. */
    async columns(ownerId: string, labels: Record<string, string> = {}): Promise<MatrixColumn[]> {
      const { rows } = await db.query<MatrixColumn>(
        `SELECT id, name, type, config->>'region' AS region, labels FROM sites
         WHERE owner_id = $1 AND labels @> $2::jsonb ORDER BY lower(name), id`,
        [ownerId, JSON.stringify(labels)],
      );
      return rows;
    },

    /** One page of rows in the sort's order, and how many rows pass the filter. */
    async rows(
      ownerId: string,
      filter: MatrixFilter,
    ): Promise<{ rows: MatrixRow[]; total: number }> {
      const { rows } = await db.query<MatrixRow & { total: string }>(
        `${passingRows}
         SELECT *, count(*) OVER () AS total FROM passing
         WHERE (NOT $6 OR "familyId" IS NULL) AND ($7::uuid IS NULL OR "familyId" = $7)
         ORDER BY ${filter.familyId ? `${publishedAt} DESC, ` : ''}${orderBy(sortOf(filter))} LIMIT $8 OFFSET $9`,
        [
          ...filterParameters(ownerId, filter),
          filter.versionsApart ?? false,
          filter.familyId ?? null,
          filter.limit,
          filter.offset,
        ],
      );
      const { items, total } = pageOf(rows);
      return { rows: items, total };
    },

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

    /** Every cell of the given rows across the owner's sites, in one query. */
    async cells(ownerId: string, imageIds: string[]): Promise<CellFacts[]> {
      const { rows } = await db.query<CellFacts>(
        `SELECT i.id AS "imageId", s.id AS "siteId", si.cloud_image_id AS "cloudImageId", si.status,
                coalesce(si.managed, false) AS managed, coalesce(si.hidden, false) AS hidden, p.wanted, p.source, p.rule,
                coalesce(p.self_heal, s.self_heal) AS "selfHeal", j.operation AS "jobOperation",
                j.state AS "jobState", j.bytes_done::float8 AS "bytesDone", j.bytes_total::float8 AS "bytesTotal",
                j.stage AS "jobStage", j.percent AS "jobPercent",
                extract(epoch FROM now() - j.started_at)::float8 AS "runningSeconds", j.error AS "jobError"
         FROM unnest($2::uuid[]) AS i (id)
         JOIN sites s ON s.owner_id = $1
         LEFT JOIN LATERAL (
           SELECT cloud_image_id, status, hidden,
                  glint_content_hash IS NOT NULL OR glint_source_site IS NOT NULL AS managed
           FROM site_images WHERE owner_id = $1 AND image_id = i.id AND site_id = s.id
           ORDER BY status = 'active' DESC, hidden, cloud_image_id LIMIT 1) si ON true
         LEFT JOIN placements p ON p.owner_id = $1 AND p.image_id = i.id AND p.site_id = s.id
         LEFT JOIN LATERAL (
           SELECT operation, state, bytes_done, bytes_total, stage, percent, started_at, error FROM jobs
           WHERE owner_id = $1 AND image_id = i.id AND destination_site_id = s.id
           ORDER BY created_at DESC LIMIT 1) j ON true`,
        [ownerId, imageIds],
      );
      return rows;
    },

    ...imageLookups(db),
    ...familySummaries(db),
  };
}

export type MatrixRepository = ReturnType<typeof matrixRepository>;
