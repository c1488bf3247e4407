/**
 * The daemon's workers on a test environment's database and Redis prefix, so the API's refreshes
 * and imports really run.
 */
import {
  deleteWorker,
  importWorker,
  inventoryWorker,
  transferWorker,
  workerResources,
  type WorkerOptions,
} from '@glint/daemon';
import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config';
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
  const resources = workerResources(config, () => {});
  const { options } = resources;
  const worker = make(options, config);
  await worker.waitUntilReady();
  return {
    worker,
    async close() {
      await worker.close();
      await resources.close();
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

export const startTransferWorker = (env: TestEnvironment) => startWorker(env, transferWorker);

export const startDeleteWorker = (env: TestEnvironment) => startWorker(env, deleteWorker);

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
