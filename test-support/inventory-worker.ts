/**
 * The daemon's workers on a test environment's database and Redis prefix, so the API's refreshes
 * and imports really run.
 */
import {
  deleteWorker,
  inventoryWorker,
  loadDaemonConfig,
  reconcileWorker,
  releaseWorker,
  transferWorkerOn,
  workerResources,
  type DaemonConfig,
  type WorkerResources,
} from '@glint/daemon';
import type { Worker } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { TestEnvironment } from './test-environment';

export interface RunningWorker {
  worker: Worker;
  close(): Promise<void>;
}

/** A worker made by `make`, configured as a server of `env` with `overrides` would be. */
async function startWorker(
  env: TestEnvironment,
  make: (resources: WorkerResources, config: DaemonConfig) => Worker,
  overrides: Record<string, string> = {},
): Promise<RunningWorker> {
  const config = loadDaemonConfig(env.env(overrides));
  const resources = workerResources(config, () => {});
  const worker = make(resources, config);
  await worker.waitUntilReady();
  return {
    worker,
    async close() {
      await worker.close();
      await resources.close();
    },
  };
}

export const startInventoryWorker = (
  env: TestEnvironment,
  overrides: Record<string, string> = {},
) => startWorker(env, ({ options }) => inventoryWorker(options), overrides);

export const startReconcileWorker = (env: TestEnvironment) =>
  startWorker(env, ({ options }) => reconcileWorker(options));

/** The transfer worker: copies and imports. */
export const startTransferWorker = (env: TestEnvironment, overrides: Record<string, string> = {}) =>
  startWorker(env, transferWorkerOn, overrides);

/** The release worker: a refused delete is tried again after `retryBaseMs`. */
export const startReleaseWorker = (
  env: TestEnvironment,
  retryBaseMs = 500,
  overrides: Record<string, string> = {},
) => startWorker(env, ({ options }) => releaseWorker(options, retryBaseMs), overrides);

/** What a release's rollout runs on: inventories, copies, and the release stepper. */
export const startReleaseWorkers = (env: TestEnvironment, overrides: Record<string, string> = {}) =>
  Promise.all([
    startInventoryWorker(env, overrides),
    startTransferWorker(env, overrides),
    startReleaseWorker(env, 500, overrides),
  ]);

export const startDeleteWorker = (env: TestEnvironment) =>
  startWorker(env, ({ options }) => deleteWorker(options));

/**
 * Refreshes every site of the caller's user and waits until the worker has taken every inventory.
 * The caller is a cookie session, or `{headers: {'x-auth-token': token}}`.
 */
export async function refreshAll(
  server: FastifyInstance,
  caller: { headers: Record<string, string> },
): Promise<void> {
  const response = await server.inject({
    method: 'POST',
    url: '/api/v1/sites/refresh',
    headers: caller.headers,
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
