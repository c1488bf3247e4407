/**
 * The daemon's workers on a test environment's database and Redis prefix, so the API's refreshes
 * and imports really run.
 */
import {
  importWorker,
  inventoryWorker,
  redisEventPublisher,
  type WorkerOptions,
} from '@glint/daemon';
import { CredentialCipher } from '@glint/store';
import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { Pool } from 'pg';
import { loadConfig } from '../src/config';
import { queuePrefix } from '../src/plugins/app/queues';
import type { Session, TestEnvironment } from './test-environment';

export interface RunningWorker {
  worker: Worker;
  close(): Promise<void>;
}

/** A worker made by `make`, configured as a server of `env` with `overrides` would be. */
async function startWorker(
  env: TestEnvironment,
  make: (options: WorkerOptions, config: ReturnType<typeof loadConfig>) => Worker,
  overrides: Record<string, string> = {},
): Promise<RunningWorker> {
  const config = loadConfig(env.env(overrides));
  const pool = new Pool({ connectionString: config.databaseUrl });
  const publisher = new Redis(config.redis.url);
  const options: WorkerOptions = {
    connection: { url: config.redis.url, maxRetriesPerRequest: null },
    prefix: queuePrefix(config.redis.keyPrefix),
    pool,
    cipher: new CredentialCipher(config.credentialKeys),
    publish: redisEventPublisher(publisher, config.redis.keyPrefix),
  };
  const worker = make(options, config);
  await worker.waitUntilReady();
  return {
    worker,
    async close() {
      await worker.close();
      await pool.end();
      await publisher.quit();
    },
  };
}

export const startInventoryWorker = (env: TestEnvironment) => startWorker(env, inventoryWorker);

export const startImportWorker = (env: TestEnvironment, overrides: Record<string, string>) =>
  startWorker(
    env,
    (options, config) =>
      importWorker({ ...options, allowedNetworks: config.importAllowedNetworks }),
    overrides,
  );

/** Refreshes every site of the session's user and waits until the worker has taken every inventory. */
export async function refreshAll(server: FastifyInstance, session: Session): Promise<void> {
  const response = await server.inject({
    method: 'POST',
    url: '/api/v1/sites/refresh',
    headers: session.headers,
  });
  expect(response.statusCode).toBe(202);
  // Finished inventory jobs are removed, so an empty queue means all ran.
  const queue = server.queues.queue('inventory');
  for (;;) {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    if (Object.values(counts).every((n) => n === 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
