import { pageOf, type Queryable } from './queryable';

/** The operations and states the jobs table allows. */
export type JobOperation = 'copy' | 'delete' | 'inventory' | 'upload' | 'import';
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** One cell's share of a queue job, as the history records it. */
export interface NewJob {
  queueJobId: string;
  operation: 'copy' | 'delete' | 'import' | 'upload';
  imageId: string | null;
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

/** A job as the API shows it; the payload stays inside. */
export interface JobRecord {
  id: string;
  ownerId: string;
  queueJobId: string;
  operation: JobOperation;
  imageId: string | null;
  sourceSiteId: string | null;
  destinationSiteId: string | null;
  state: JobState;
  attempts: number;
  bytesDone: number;
  bytesTotal: number | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

const jobColumns = `
  id, owner_id AS "ownerId", queue_job_id AS "queueJobId", operation, image_id AS "imageId",
         source_site_id AS "sourceSiteId", destination_site_id AS "destinationSiteId", state, attempts,
         bytes_done::float8 AS "bytesDone", bytes_total::float8 AS "bytesTotal", error,
         to_jsonb(created_at) #>> '{}' AS "createdAt", to_jsonb(started_at) #>> '{}' AS "startedAt",
         to_jsonb(finished_at) #>> '{}' AS "finishedAt"`;
const selectJobs = `SELECT ${jobColumns} FROM jobs`;

export function jobsRepository(db: Queryable) {
  return {
    /** Writes the rows; returns their ids. */
    async insert(ownerId: string, requestedBy: string, jobs: NewJob[]): Promise<string[]> {
      if (jobs.length === 0) return [];
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO jobs (owner_id, queue_job_id, operation, image_id, source_site_id, destination_site_id,
                           bytes_total, payload, requested_by, state, bytes_done, error, started_at, finished_at)
         SELECT $1, x."queueJobId", x.operation, x."imageId", x."sourceSiteId", x."destinationSiteId",
                x."bytesTotal", x.payload, $2, coalesce(x.outcome->>'state', 'queued'),
                coalesce((x.outcome->>'bytesDone')::bigint, 0), x.outcome->>'error',
                CASE WHEN x.outcome IS NOT NULL THEN now() END, CASE WHEN x.outcome IS NOT NULL THEN now() END
         FROM jsonb_to_recordset($3::jsonb) AS x ("queueJobId" text, operation text, "imageId" uuid,
           "sourceSiteId" uuid, "destinationSiteId" uuid, "bytesTotal" bigint, payload jsonb, outcome jsonb)
         RETURNING id`,
        [ownerId, requestedBy, JSON.stringify(jobs)],
      );
      return rows.map((row) => row.id);
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
        `SELECT *, count(*) OVER () AS total FROM (${selectJobs}
           WHERE ($1::uuid IS NULL OR owner_id = $1) AND ($2::text IS NULL OR state = $2)
             AND ($3::text IS NULL OR operation = $3) AND ($4::uuid IS NULL OR image_id = $4)
             AND ($5::uuid IS NULL OR source_site_id = $5 OR destination_site_id = $5)) j
         ORDER BY "createdAt" DESC, id LIMIT $6 OFFSET $7`,
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

    async find(
      ownerId: string,
      id: string,
    ): Promise<(JobRecord & { payload: unknown }) | undefined> {
      const { rows } = await db.query<JobRecord & { payload: unknown }>(
        `SELECT ${jobColumns}, payload FROM jobs WHERE owner_id = $1 AND id = $2`,
        [ownerId, id],
      );
      return rows[0];
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

    /**
     * Records a queue job that reached the queue without rows (put there by automation, straight
     * into Redis), so its history and cells show like any other. Sites and images that are not the
     * owner's are recorded as unknown; an owner who is no Glint user gets no rows.
     */
    async adopt(ownerId: string, rows: NewJob[]): Promise<void> {
      await db.query(
        `INSERT INTO jobs (owner_id, queue_job_id, operation, image_id, source_site_id, destination_site_id,
                           bytes_total, payload, enqueued_at)
         SELECT $1, x."queueJobId", x.operation,
                (SELECT id FROM images WHERE owner_id = $1 AND id = x."imageId"),
                (SELECT id FROM sites WHERE owner_id = $1 AND id = x."sourceSiteId"),
                (SELECT id FROM sites WHERE owner_id = $1 AND id = x."destinationSiteId"),
                x."bytesTotal", x.payload, now()
         FROM jsonb_to_recordset($2::jsonb) AS x ("queueJobId" text, operation text, "imageId" uuid,
           "sourceSiteId" uuid, "destinationSiteId" uuid, "bytesTotal" bigint, payload jsonb)
         WHERE EXISTS (SELECT 1 FROM users WHERE id = $1)
           AND NOT EXISTS (SELECT 1 FROM jobs WHERE queue_job_id = x."queueJobId")`,
        [ownerId, JSON.stringify(rows)],
      );
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
      bytesDone: number,
      stage?: { stage: 'importing'; percent: number },
    ): Promise<void> {
      await db.query(
        `UPDATE jobs SET bytes_done = $3, stage = $4, percent = $5, updated_at = now()
         WHERE queue_job_id = $1 AND destination_site_id = $2 AND state = 'running'`,
        [queueJobId, destinationSiteId, bytesDone, stage?.stage ?? null, stage?.percent ?? null],
      );
    },

    /** How the queue job ended for one destination (or, without one, for all its open rows). */
    async markFinished(
      queueJobId: string,
      destinationSiteId: string | null,
      outcome: { state: 'succeeded' | 'failed'; bytesDone: number; error: string | null },
    ): Promise<void> {
      await db.query(
        `UPDATE jobs SET state = $3, bytes_done = $4, error = $5, finished_at = now(), updated_at = now()
         WHERE queue_job_id = $1 AND ($2::uuid IS NULL OR destination_site_id = $2)
           AND state IN ('queued', 'running')`,
        [queueJobId, destinationSiteId, outcome.state, outcome.bytesDone, outcome.error],
      );
    },
  };
}

export type JobsRepository = ReturnType<typeof jobsRepository>;
