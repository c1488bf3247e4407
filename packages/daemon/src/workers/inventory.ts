import { JOBS, parseJobPayload } from '@glint/core';
import { isCloudError } from '@glint/cloud-adapters';
import type { InventoryOutcome } from '@glint/store';
import { UnrecoverableError, Worker } from 'bullmq';
import { takeInventory } from '../inventory';
import type { DaemonMetrics } from '../metrics';
import { SiteGoneError } from '../site-gone-error';
import { failureOf } from './lifecycle';
import type { WorkerOptions } from './worker-options';

/** Takes an inventory, counting its time and the site's part in it when metrics are kept. */
async function measured<T>(
  metrics: DaemonMetrics | undefined,
  siteId: string,
  take: () => Promise<T>,
): Promise<T> {
  if (!metrics) return take();
  metrics.touch(siteId);
  const started = performance.now();
  try {
    const outcome = await take();
    metrics.inventoryTaken(siteId, (performance.now() - started) / 1000);
    metrics.siteOutcome(siteId, 'succeeded');
    return outcome;
  } catch (error) {
    if (!(error instanceof SiteGoneError)) metrics.siteOutcome(siteId, 'failed', failureOf(error));
    throw error;
  }
}

/**
 * The `inventory` queue's worker: one site's images, all pages, into the inventory; then a
 * reconcile of the owner's desired state against what was found.
 */
export function inventoryWorker(options: WorkerOptions): Worker<unknown, InventoryOutcome> {
  const { pool, adapters, publish, queues, metrics } = options;
  return new Worker<unknown, InventoryOutcome>(
    JOBS.inventory.queue,
    async (job) => {
      try {
        const payload = parseJobPayload('inventory', job.data);
        const outcome = await measured(metrics, payload.siteId, () =>
          takeInventory(pool, adapters, payload),
        );
        await publish(payload.ownerId, [{ type: 'cells', siteIds: [payload.siteId] }]);
        // One reconcile per inventory: they are cheap, and serialised per owner by the reconciler.
        await queues.enqueue('reconcile', [
          {
            id: `reconcile-${job.id}-${Date.now()}`,
            payload: { version: 1, ownerId: payload.ownerId },
          },
        ]);
        return outcome;
      } catch (error) {
        // A bad payload, a vanished site, or a site that answers what no retry changes (a refused
        // address, an endpoint that is not Glance, a rejected password) fails the same way every
        // time; the next scheduled inventory tries again.
        if (
          error instanceof SiteGoneError ||
          (error as Error).name === 'InvalidJobPayloadError' ||
          (isCloudError(error) && !error.retryable)
        )
          throw new UnrecoverableError((error as Error).message);
        throw error;
      }
    },
    { ...options.bullmq, concurrency: 4 },
  );
}
