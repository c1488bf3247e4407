import { JOBS, parseJobPayload } from '@glint/core';
import type { CredentialCipher, InventoryOutcome } from '@glint/store';
import { UnrecoverableError, Worker, type ConnectionOptions } from 'bullmq';
import type { Pool } from 'pg';
import type { PublishEvents } from '../events';
import { takeInventory } from '../inventory';
import { SiteGoneError } from '../site-adapter';

export interface WorkerOptions {
  connection: ConnectionOptions;
  /** BullMQ's key prefix, the same the API enqueues under. */
  prefix: string;
  pool: Pool;
  cipher: CredentialCipher;
  /** Tells the user's clients their cells may have changed. */
  publish: PublishEvents;
  concurrency?: number;
}

/** The `inventory` queue's worker: one site's images, all pages, into the inventory. */
export function inventoryWorker(options: WorkerOptions): Worker<unknown, InventoryOutcome> {
  const { connection, prefix, pool, cipher, publish, concurrency = 4 } = options;
  return new Worker<unknown, InventoryOutcome>(
    JOBS.inventory.queue,
    async (job) => {
      try {
        const payload = parseJobPayload('inventory', job.data);
        const outcome = await takeInventory(pool, cipher, payload);
        await publish(payload.ownerId, [{ type: 'cells', siteIds: [payload.siteId] }]);
        return outcome;
      } catch (error) {
        // A bad payload or a vanished site fails the same way on every attempt.
        if (error instanceof SiteGoneError || (error as Error).name === 'InvalidJobPayloadError')
          throw new UnrecoverableError((error as Error).message);
        throw error;
      }
    },
    { connection, prefix, concurrency },
  );
}
