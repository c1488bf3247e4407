import type { JobQueues } from '@glint/core';
import { withTransaction } from '@glint/store';
import type { Pool } from 'pg';
import { everyInterval } from './ticker';

/** Sites one tick claims at most; the rest are due on the next tick. */
const batch = 500;

/**
 * Claims the sites, of every owner, whose inventory is due, and enqueues their inventories; returns
 * how many. Claims are row locks other daemons skip, given back when the enqueue fails, so each
 * site is listed once per interval however many daemons run. Inventories queued by hand (the
 * API's refresh) share the job id, so one per site waits or runs at a time.
 */
export async function enqueueDueInventories(
  pool: Pool,
  queues: JobQueues,
  intervalMs: number,
): Promise<number> {
  return withTransaction(pool, async (repositories) => {
    const due = await repositories.inventory.claimDue(intervalMs / 1000, batch);
    await queues.enqueue(
      'inventory',
      due.map(({ ownerId, siteId }) => ({
        id: `inventory-${siteId}`,
        payload: { version: 1, ownerId, siteId },
      })),
    );
    return due.length;
  });
}

/** Every site's inventory on a schedule, from now on; returns a function that stops it. */
export function scheduleInventories(
  pool: Pool,
  queues: JobQueues,
  intervalMs: number,
  log: (message: string, error?: unknown) => void,
): () => void {
  // Often enough that a site is never much later than its interval, and spread across daemons.
  const every = Math.min(intervalMs, 30_000) * (0.75 + Math.random() / 2);
  return everyInterval(
    () => enqueueDueInventories(pool, queues, intervalMs),
    every,
    log,
    'inventory schedule',
  );
}
