import type { TransferStage } from '@glint/core';
import { pageOf, type Queryable } from './queryable';
import { familySummaries } from './matrix/families';
import { imageLookups } from './matrix/image-lookups';
import {
  filterParameters,
  orderBy,
  passingRows,
  publishedAt,
  sortOf,
  type MatrixFilter,
} from './matrix/row-query';
import type { SelfHeal } from './sites';

export type { AdminImage } from './matrix/image-lookups';
export type { FamilySummary, FamilyVersionRef } from './matrix/families';
export {
  matrixSortKeys,
  type MatrixFilter,
  type MatrixSort,
  type MatrixSortKey,
} from './matrix/row-query';

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
