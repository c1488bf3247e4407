/*
 * The query every matrix read starts from: the rows that pass a filter, and their sort order. The
 * rows themselves (matrix.ts) and where a family's row goes among them (families.ts) read it alike.
 */
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

export const sortOf = (filter: { sort?: MatrixSort }): MatrixSort =>
  filter.sort ?? { key: 'name', descending: false };

/** The ORDER BY of a sort: the key (nulls last either way), then name and content, then id. */
export function orderBy({ key, descending }: MatrixSort): string {
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
export const passingRows = `WITH candidates AS (
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
export const publishedAt =
  '(SELECT v.published_at FROM release_versions v WHERE v.id = "versionId")';

export function filterParameters(ownerId: string, filter: Omit<MatrixFilter, 'offset' | 'limit'>) {
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
