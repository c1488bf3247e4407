import { queuePrefix } from '@glint/core';
import { CredentialCipher } from '@glint/store';
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import type { DaemonConfig } from './config';
import { redisEventPublisher } from './events';
import { deleteWorker } from './workers/delete';
import { importWorker } from './workers/import';
import { inventoryWorker, type WorkerOptions } from './workers/inventory';
import { transferWorker } from './workers/transfer';

export interface RunningDaemon {
  workers: Worker[];
  /**
   * Stops taking jobs and waits for the running ones, up to the grace period. Jobs still running
   * then are left: their locks lapse, and another daemon's stalled-job check takes them up again.
   * Returns whether every running job finished.
   */
  stop(): Promise<boolean>;
}

/** What every worker runs on: one database pool and one connection to publish events on. */
export interface WorkerResources {
  options: WorkerOptions;
  close(): Promise<void>;
}

export function workerResources(
  config: Pick<DaemonConfig, 'databaseUrl' | 'redis' | 'credentialKeys'>,
  log: (message: string, error?: unknown) => void,
): WorkerResources {
  const pool = new Pool({ connectionString: config.databaseUrl });
  // A dropped idle connection is replaced on the next query; it must not end the process.
  pool.on('error', (error) => log('PostgreSQL connection lost', error));
  const publisher = new Redis(config.redis.url, { maxRetriesPerRequest: null });
  publisher.on('error', (error) => log('Redis connection failed', error));
  return {
    options: {
      connection: { url: config.redis.url, maxRetriesPerRequest: null },
      prefix: queuePrefix(config.redis.keyPrefix),
      pool,
      cipher: new CredentialCipher(config.credentialKeys),
      publish: redisEventPublisher(publisher, config.redis.keyPrefix),
    },
    async close() {
      await pool.end();
      publisher.disconnect();
    },
  };
}

/** Every worker of the daemon, on shared resources. */
export async function startDaemon(
  config: DaemonConfig,
  log: (message: string, error?: unknown) => void,
): Promise<RunningDaemon> {
  const resources = workerResources(config, log);
  const options: WorkerOptions = { ...resources.options, concurrency: config.concurrency };
  const workers: Worker[] = [
    inventoryWorker(options),
    importWorker({ ...options, allowedNetworks: config.importAllowedNetworks }),
    transferWorker(options),
    deleteWorker(options),
  ];
  for (const worker of workers) {
    worker.on('error', (error) => log(`worker ${worker.name} failed`, error));
    worker.on('failed', (job, error) => log(`job ${job?.id} on ${worker.name} failed`, error));
  }
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  return {
    workers,
    async stop() {
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), config.graceMs);
      });
      const finished = await Promise.race([
        Promise.all(workers.map((worker) => worker.close())).then(() => true),
        graceOver,
      ]);
      clearTimeout(timer);
      await resources.close();
      return finished;
    },
  };
}
