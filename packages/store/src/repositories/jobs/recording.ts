import type { Queryable } from '../queryable';
import type { NewJob } from './records';

/** Rows of a new job as a row set: the image's name is the logical image's unless given. */
const newRows = (ownerParameter: string, rowsParameter: string) => `
  SELECT x.*, coalesce(x."imageName",
           (SELECT name FROM images WHERE owner_id = ${ownerParameter} AND id = x."imageId")) AS image_name
  FROM jsonb_to_recordset(${rowsParameter}::jsonb) AS x ("queueJobId" text, operation text,
    "imageId" uuid, "imageName" text, "sourceSiteId" uuid, "destinationSiteId" uuid,
    "bytesTotal" bigint, payload jsonb, outcome jsonb)`;

/** Writing a queue job's rows: when it is asked for, adopted from the queue, or refused. */
export function jobRecording(db: Queryable) {
  return {
    /** Writes the rows, asked for by a user of the owner's project, or by Glint itself (null). */
    async insert(ownerId: string, requestedBy: string | null, jobs: NewJob[]): Promise<void> {
      if (jobs.length === 0) return;
      await db.query(
        `INSERT INTO jobs (owner_id, queue_job_id, operation, image_id, image_name, source_site_id,
                           destination_site_id, bytes_total, payload, requested_by, state, bytes_done,
                           error, started_at, finished_at)
         SELECT $1, x."queueJobId", x.operation, x."imageId", x.image_name, x."sourceSiteId",
                x."destinationSiteId", x."bytesTotal", x.payload, $2, coalesce(x.outcome->>'state', 'queued'),
                coalesce((x.outcome->>'bytesDone')::bigint, 0), x.outcome->>'error',
                CASE WHEN x.outcome IS NOT NULL THEN now() END, CASE WHEN x.outcome IS NOT NULL THEN now() END
         FROM (${newRows('$1::uuid', '$3')}) x`,
        [ownerId, requestedBy, JSON.stringify(jobs)],
      );
    },

    /**
     * Records a queue job that reached the queue without rows (put there by automation, straight
     * into Redis), so its history and cells show like any other. A copy's total is its image's
     * size, as a planned copy's is. An owner who is no Glint user gets no rows. Returns whether
     * rows were written: false when the job had rows already, or no owner.
     */
    async adopt(ownerId: string, rows: NewJob[]): Promise<boolean> {
      const { rowCount } = await db.query(
        `INSERT INTO jobs (owner_id, queue_job_id, operation, image_id, image_name, source_site_id,
                           destination_site_id, bytes_total, payload, enqueued_at)
         SELECT $1, x."queueJobId", x.operation,
                (SELECT id FROM images WHERE owner_id = $1 AND id = x."imageId"), x.image_name,
                (SELECT id FROM sites WHERE owner_id = $1 AND id = x."sourceSiteId"),
                (SELECT id FROM sites WHERE owner_id = $1 AND id = x."destinationSiteId"),
                coalesce(x."bytesTotal", CASE WHEN x.operation = 'copy' THEN
                  (SELECT size FROM images WHERE owner_id = $1 AND id = x."imageId") END),
                x.payload, now()
         FROM (${newRows('$1::uuid', '$2')}) x
         WHERE EXISTS (SELECT 1 FROM projects WHERE id = $1)
           AND NOT EXISTS (SELECT 1 FROM jobs WHERE queue_job_id = x."queueJobId")`,
        [ownerId, JSON.stringify(rows)],
      );
      return (rowCount ?? 0) > 0;
    },

    /**
     * A queue job refused before it ran: its payload or job name is not the contract's, or it
     * names images or sites that are not its owner's. Its open rows fail with the reason; one
     * that came without rows gets a failed row for its owner, naming nothing but the reason.
     * Returns whether a row says so now: false when there is no such owner to tell.
     */
    async reject(
      ownerId: string | null,
      queueJobId: string,
      operation: NewJob['operation'],
      error: string,
    ): Promise<boolean> {
      const failed = await db.query(
        `UPDATE jobs SET state = 'failed', error = $2, finished_at = now(), updated_at = now()
         WHERE queue_job_id = $1 AND state IN ('queued', 'running')`,
        [queueJobId, error],
      );
      if ((failed.rowCount ?? 0) > 0 || ownerId === null) return (failed.rowCount ?? 0) > 0;
      const { rowCount } = await db.query(
        `INSERT INTO jobs (owner_id, queue_job_id, operation, state, error, finished_at, enqueued_at)
         SELECT $1, $2, $3, 'failed', $4, now(), now()
         WHERE EXISTS (SELECT 1 FROM projects WHERE id = $1)
           AND NOT EXISTS (SELECT 1 FROM jobs WHERE queue_job_id = $2)`,
        [ownerId, queueJobId, operation, error],
      );
      return (rowCount ?? 0) > 0;
    },
  };
}
