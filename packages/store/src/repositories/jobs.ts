import type { CopyMethod, Job, JobOperation, JobPart, JobState, TransferStage } from '@glint/core';
import { pageOf, type Queryable } from './queryable';

export type { JobOperation, JobPart, JobState };

/** One cell's share of a queue job, as the history records it. */
export interface NewJob {
  queueJobId: string;
  operation: 'copy' | 'delete' | 'import' | 'upload';
  imageId: string | null;
  /** The image's name where no logical image names it (uploads, imports); else the image's. */
  imageName?: string | null;
  sourceSiteId: string | null;
  destinationSiteId: string | null;
  bytesTotal: number | null;
  /** The queue payload, kept until it is on the queue (the outbox); null for work done at once. */
  payload: unknown;
  /** For work done at once (an upload): how it ended. Queued work starts queued. */
  outcome?: { state: 'succeeded' | 'failed'; bytesDone: number; error: string | null };
}

/** A queue job written but not yet known to be on the queue. */
export interface PendingJob {
  queueJobId: string;
  operation: NewJob['operation'];
  payload: unknown;
}

export interface JobFilter {
  state?: JobState;
  operation?: JobOperation;
  imageId?: string;
  /** Jobs reading from or writing to the site. */
  siteId?: string;
  offset: number;
  limit: number;
}

/** A job as the API shows it, with its owner; the payload stays inside. */
export interface JobRecord extends Job {
  ownerId: string;
}

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

/** Rows of a new job as a row set: the image's name is the logical image's unless given. */
const newRows = (ownerParameter: string, rowsParameter: string) => `
  SELECT x.*, coalesce(x."imageName",
           (SELECT name FROM images WHERE owner_id = ${ownerParameter} AND id = x."imageId")) AS image_name
  FROM jsonb_to_recordset(${rowsParameter}::jsonb) AS x ("queueJobId" text, operation text,
    "imageId" uuid, "imageName" text, "sourceSiteId" uuid, "destinationSiteId" uuid,
    "bytesTotal" bigint, payload jsonb, outcome jsonb)`;

export function jobsRepository(db: Queryable) {
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

    /** Queue jobs whose rows were committed but never marked enqueued, oldest first, one per queue job. */
    async pending(limit: number): Promise<PendingJob[]> {
      const { rows } = await db.query<PendingJob>(
        `SELECT DISTINCT ON (queue_job_id) queue_job_id AS "queueJobId", operation, payload FROM jobs
         WHERE enqueued_at IS NULL AND state = 'queued' AND payload IS NOT NULL
         ORDER BY queue_job_id, created_at LIMIT $1`,
        [limit],
      );
      return rows;
    },

    /**
     * Claims the open rows of queued work, of every owner, not confirmed for `staleSeconds`, and
     * confirms them now; returns their queue jobs, one each. The claims are row locks other daemons
     * skip, held until the caller's transaction ends: run it in one, and settle each job's fate (on
     * the queue, put back, or finished) before it commits.
     */
    async claimUnconfirmed(staleSeconds: number, limit: number): Promise<PendingJob[]> {
      const { rows } = await db.query<PendingJob>(
        `UPDATE jobs SET confirmed_at = now()
         WHERE id IN (SELECT id FROM jobs WHERE state IN ('queued', 'running') AND payload IS NOT NULL
                        AND confirmed_at <= now() - make_interval(secs => $1)
                      ORDER BY confirmed_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING queue_job_id AS "queueJobId", operation, payload`,
        [staleSeconds, limit],
      );
      return [...new Map(rows.map((row) => [row.queueJobId, row])).values()];
    },

    /** The daemon running these queue jobs vouches for their open rows. */
    async confirm(queueJobIds: string[]): Promise<void> {
      if (queueJobIds.length === 0) return;
      await db.query(
        `UPDATE jobs SET confirmed_at = now()
         WHERE queue_job_id = ANY ($1::text[]) AND state IN ('queued', 'running')`,
        [queueJobIds],
      );
    },

    async markEnqueued(queueJobIds: string[]): Promise<void> {
      await db.query(
        `UPDATE jobs SET enqueued_at = now(), confirmed_at = now()
         WHERE queue_job_id = ANY ($1::text[]) AND enqueued_at IS NULL`,
        [queueJobIds],
      );
    },

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

    /** Marks every still-queued row of the queue job cancelled; returns how many were. */
    async cancelQueued(ownerId: string, queueJobId: string): Promise<number> {
      const { rowCount } = await db.query(
        `UPDATE jobs SET state = 'cancelled', finished_at = now(), updated_at = now()
         WHERE owner_id = $1 AND queue_job_id = $2 AND state = 'queued'`,
        [ownerId, queueJobId],
      );
      return rowCount ?? 0;
    },

    /** Whether the queue job has rows: it was recorded when asked for, or adopted since. */
    async has(queueJobId: string): Promise<boolean> {
      const { rowCount } = await db.query('SELECT 1 FROM jobs WHERE queue_job_id = $1 LIMIT 1', [
        queueJobId,
      ]);
      return (rowCount ?? 0) > 0;
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

    /**
     * A worker took the queue job: its open rows run, one more start. Returns how many times the
     * job has been started, this one included (crashed starts count: their rows were marked), and
     * the destinations an earlier attempt already finished (made, or failed for good).
     */
    async markRunning(queueJobId: string): Promise<{ starts: number; finishedSiteIds: string[] }> {
      const { rows } = await db.query<{ attempts: number }>(
        `UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()),
           error = NULL, updated_at = now(), confirmed_at = now()
         WHERE queue_job_id = $1 AND state IN ('queued', 'running')
         RETURNING attempts`,
        [queueJobId],
      );
      const finished = await db.query<{ siteId: string }>(
        `SELECT destination_site_id AS "siteId" FROM jobs
         WHERE queue_job_id = $1 AND state IN ('succeeded', 'failed', 'cancelled')
           AND destination_site_id IS NOT NULL`,
        [queueJobId],
      );
      return {
        starts: Math.max(1, ...rows.map((row) => row.attempts)),
        finishedSiteIds: finished.rows.map((row) => row.siteId),
      };
    },

    /**
     * The queue job's running rows (or one destination's) wait again: for a retry after an error
     * that may clear (`error` says which), or handed back by a daemon shutting down.
     */
    async markWaiting(
      queueJobId: string,
      destinationSiteId: string | null,
      error: string | null,
    ): Promise<void> {
      await db.query(
        `UPDATE jobs SET state = 'queued', error = $3, updated_at = now()
         WHERE queue_job_id = $1 AND ($2::uuid IS NULL OR destination_site_id = $2) AND state = 'running'`,
        [queueJobId, destinationSiteId, error],
      );
    },

    /** The owner cancelled the queue job while it ran; its open rows end cancelled. */
    async markCancelled(queueJobId: string, reason: string): Promise<void> {
      await db.query(
        `UPDATE jobs SET state = 'cancelled', error = $2, finished_at = now(), updated_at = now()
         WHERE queue_job_id = $1 AND state IN ('queued', 'running')`,
        [queueJobId, reason],
      );
    },

    /** Fails the rows still open when the queue gave the job up without a worker saying why. */
    async failOpen(queueJobId: string, error: string): Promise<void> {
      await db.query(
        `UPDATE jobs SET state = 'failed', error = $2, finished_at = now(), updated_at = now()
         WHERE queue_job_id = $1 AND state IN ('queued', 'running')`,
        [queueJobId, error],
      );
    },

    /**
     * Bytes a running queue job has sent to one destination so far, and the stage the destination
     * has reached after the bytes (an import) with its percentage, when it reports one.
     */
    async markProgress(
      queueJobId: string,
      destinationSiteId: string,
      bytes: { done: number; total: number | null },
      stage?: { stage: TransferStage; percent: number },
    ): Promise<void> {
      // The source's own size fills a total nobody knew when the row was written (an import).
      await db.query(
        `UPDATE jobs SET bytes_done = $3, bytes_total = coalesce(bytes_total, $6), stage = $4,
           percent = $5, updated_at = now()
         WHERE queue_job_id = $1 AND destination_site_id = $2 AND state = 'running'`,
        [
          queueJobId,
          destinationSiteId,
          bytes.done,
          stage?.stage ?? null,
          stage?.percent ?? null,
          bytes.total,
        ],
      );
    },

    /** How the queue job ended for one destination (or, without one, for all its open rows). */
    async markFinished(
      queueJobId: string,
      destinationSiteId: string | null,
      outcome: {
        state: 'succeeded' | 'failed';
        bytesDone: number;
        error: string | null;
        /** How a copy's destination was made. */
        method?: CopyMethod;
      },
    ): Promise<void> {
      await db.query(
        `UPDATE jobs SET state = $3, bytes_done = $4, error = $5, method = coalesce($6, method),
           finished_at = now(), updated_at = now()
         WHERE queue_job_id = $1 AND ($2::uuid IS NULL OR destination_site_id = $2)
           AND state IN ('queued', 'running')`,
        [
          queueJobId,
          destinationSiteId,
          outcome.state,
          outcome.bytesDone,
          outcome.error,
          outcome.method ?? null,
        ],
      );
    },
  };
}

export type JobsRepository = ReturnType<typeof jobsRepository>;
