import type { Queryable } from '../queryable';
import type { PendingJob } from './records';

/**
 * Getting recorded jobs onto the queue and keeping them there: the outbox of jobs committed but not
 * yet enqueued, and the confirmations by which daemons vouch for the jobs they run.
 */
export function jobDelivery(db: Queryable) {
  return {
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

    /** Those of the queue jobs with a row still open (queued or running): not yet ended. */
    async openOf(queueJobIds: string[]): Promise<string[]> {
      const { rows } = await db.query<{ queueJobId: string }>(
        `SELECT DISTINCT queue_job_id AS "queueJobId" FROM jobs
         WHERE queue_job_id = ANY ($1::text[]) AND state IN ('queued', 'running')`,
        [queueJobIds],
      );
      return rows.map((row) => row.queueJobId);
    },

    async markEnqueued(queueJobIds: string[]): Promise<void> {
      await db.query(
        `UPDATE jobs SET enqueued_at = now(), confirmed_at = now()
         WHERE queue_job_id = ANY ($1::text[]) AND enqueued_at IS NULL`,
        [queueJobIds],
      );
    },

    /** Whether the queue job has rows: it was recorded when asked for, or adopted since. */
    async has(queueJobId: string): Promise<boolean> {
      const { rowCount } = await db.query('SELECT 1 FROM jobs WHERE queue_job_id = $1 LIMIT 1', [
        queueJobId,
      ]);
      return (rowCount ?? 0) > 0;
    },
  };
}
