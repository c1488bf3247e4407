import { pageOf, type Queryable } from '../queryable';
import type { JobFilter, JobRecord } from './records';

/**
 * A job's state from its parts': under way while any part is (running before queued), else
 * failed if any failed, else cancelled if any was, else succeeded.
 */
const jobState = `CASE WHEN bool_or(j.state = 'running') THEN 'running'
  WHEN bool_or(j.state = 'queued') THEN 'queued' WHEN bool_or(j.state = 'failed') THEN 'failed'
  WHEN bool_or(j.state = 'cancelled') THEN 'cancelled' ELSE 'succeeded' END`;

const firstOf = (column: string) =>
  `(array_agg(${column}) FILTER (WHERE ${column} IS NOT NULL))[1]`;
const time = (value: string) => `to_jsonb(${value}) #>> '{}'`;

/**
 * The jobs `chosen` names (rows of owner_id, queue_job_id, ord and total), in `ord` order, each
 * assembled from its rows. Choosing first keeps the parts' assembly to one page of jobs.
 */
const selectJobs = (chosen: string, extra = '') => `
  SELECT c.queue_job_id AS id, c.owner_id AS "ownerId", min(j.operation) AS operation,
         ${jobState} AS state, ${firstOf('j.image_id')} AS "imageId",
         ${firstOf('j.image_name')} AS "imageName", ${firstOf('j.source_site_id')} AS "sourceSiteId",
         ${firstOf('src.name')} AS "sourceSiteName", ${time('min(j.created_at)')} AS "createdAt",
         ${time('min(j.started_at)')} AS "startedAt",
         CASE WHEN bool_and(j.finished_at IS NOT NULL) THEN ${time('max(j.finished_at)')} END AS "finishedAt",
         jsonb_agg(jsonb_build_object('siteId', j.destination_site_id, 'siteName', dst.name,
           'state', j.state, 'attempts', j.attempts, 'bytesDone', j.bytes_done,
           'bytesTotal', j.bytes_total, 'error', j.error, 'method', j.method, 'startedAt', j.started_at,
           'finishedAt', j.finished_at) ORDER BY dst.name, j.id) AS parts,
         min(c.total) AS total${extra}
  FROM (${chosen}) c
  JOIN jobs j ON j.owner_id = c.owner_id AND j.queue_job_id = c.queue_job_id
  LEFT JOIN sites src ON src.owner_id = j.owner_id AND src.id = j.source_site_id
  LEFT JOIN sites dst ON dst.owner_id = j.owner_id AND dst.id = j.destination_site_id
  GROUP BY c.owner_id, c.queue_job_id, c.ord
  ORDER BY c.ord`;

/** Reading jobs as the API shows them, each assembled from its rows. */
export function jobQueries(db: Queryable) {
  return {
    /** The owner's jobs, newest first; every owner's when `ownerId` is null (for admins). */
    async list(
      ownerId: string | null,
      filter: JobFilter,
    ): Promise<{ jobs: JobRecord[]; total: number }> {
      const { rows } = await db.query<JobRecord & { total: string }>(
        selectJobs(`
          SELECT j.owner_id, j.queue_job_id, count(*) OVER () AS total,
                 row_number() OVER (ORDER BY min(j.created_at) DESC, j.queue_job_id) AS ord
          FROM jobs j
          WHERE ($1::uuid IS NULL OR j.owner_id = $1) AND ($3::text IS NULL OR j.operation = $3)
            AND ($4::uuid IS NULL OR j.image_id = $4)
          GROUP BY j.owner_id, j.queue_job_id
          HAVING ($2::text IS NULL OR ${jobState} = $2)
            AND ($5::uuid IS NULL OR bool_or(j.source_site_id = $5 OR j.destination_site_id = $5))
          ORDER BY ord LIMIT $6 OFFSET $7`),
        [
          ownerId,
          filter.state ?? null,
          filter.operation ?? null,
          filter.imageId ?? null,
          filter.siteId ?? null,
          filter.limit,
          filter.offset,
        ],
      );
      const { items, total } = pageOf(rows);
      return { jobs: items, total };
    },

    /** One of the owner's jobs by its id, with its payload. */
    async find(
      ownerId: string,
      id: string,
    ): Promise<(JobRecord & { payload: unknown }) | undefined> {
      const { rows } = await db.query<JobRecord & { payload: unknown; total: string }>(
        selectJobs(
          `SELECT DISTINCT owner_id, queue_job_id, 1 AS total, 1 AS ord FROM jobs
           WHERE owner_id = $1 AND queue_job_id = $2`,
          `, ${firstOf('j.payload')} AS payload`,
        ),
        [ownerId, id],
      );
      return pageOf(rows).items[0];
    },
  };
}
