import type { CopyMethod, TransferStage } from '@glint/core';
import type { Queryable } from '../queryable';

/** What a running queue job has done for each destination, and how it ended there. */
export function jobProgress(db: Queryable) {
  return {
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
