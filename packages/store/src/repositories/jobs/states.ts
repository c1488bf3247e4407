import type { Queryable } from '../queryable';

/** A queue job's rows through its life: started, waiting again, cancelled or failed. */
export function jobStates(db: Queryable) {
  return {
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
  };
}
