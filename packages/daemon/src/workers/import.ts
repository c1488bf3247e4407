import type { BlockList } from 'node:net';
import { JOBS, parseJobPayload, type ImportJob } from '@glint/core';
import {
  copyFromStream,
  type CloudAdapter,
  type CopyResult,
  type TransferProgress,
} from '@glint/cloud-adapters';
import { repositoriesOn } from '@glint/store';
import { UnrecoverableError, Worker } from 'bullmq';
import { displayUrl, fetchImage, ImageFetchError } from '../image-fetch';
import { announce, progressRelay, type JobAudience } from '../job-reporting';
import { openSiteAdapter } from '../site-adapter';
import type { WorkerOptions } from './inventory';

export interface ImportWorkerOptions extends WorkerOptions {
  /** Internal networks imports may reach after all (GLINT_IMPORT_ALLOWED_NETWORKS). */
  allowedNetworks?: BlockList;
}

/**
 * The `import` queue's worker: fetches the URL (checked again, connection by connection) and
 * streams it through the transfer engine to every destination at once, each copy verified.
 */
export function importWorker(options: ImportWorkerOptions): Worker<unknown, CopyResult> {
  const { connection, prefix, pool, cipher, publish, allowedNetworks, concurrency = 2 } = options;
  const repositories = repositoriesOn(pool);

  async function run(
    payload: ImportJob,
    onProgress: (progress: TransferProgress) => void,
  ): Promise<CopyResult> {
    const adapters: CloudAdapter[] = [];
    const fetched = await fetchImage(payload.url, {
      ...(allowedNetworks && { allowed: allowedNetworks }),
      ...(payload.expectedSize !== undefined && { expectedSize: payload.expectedSize }),
    });
    try {
      for (const destination of payload.destinations)
        adapters.push(
          await openSiteAdapter(repositories, cipher, payload.ownerId, destination.siteId),
        );
      const size = payload.expectedSize ?? fetched.size ?? undefined;
      return await copyFromStream({
        sourceKey: 'import',
        sourceName: displayUrl(payload.url),
        data: fetched.body,
        ...(size !== undefined && { size }),
        ...(payload.expectedHash && { expectedHash: payload.expectedHash }),
        onProgress,
        spec: {
          name: payload.name,
          diskFormat: payload.diskFormat,
          containerFormat: payload.containerFormat,
          visibility: payload.visibility,
        },
        destinations: payload.destinations.map((destination, i) => ({
          key: destination.siteId,
          adapter: adapters[i]!,
          imageId: destination.cloudImageId,
        })),
      });
    } finally {
      fetched.body.destroy();
      await Promise.all([
        ...adapters.map((adapter) => adapter.close()),
        fetched.dispatcher.close(),
      ]);
    }
  }

  return new Worker<unknown, CopyResult>(
    JOBS.import.queue,
    async (job) => {
      const jobId = job.id!;
      const payload = parseJobPayload('import', job.data);
      const siteIds = payload.destinations.map((d) => d.siteId);
      const audience: JobAudience = {
        publish,
        ownerId: payload.ownerId,
        operation: 'import',
        imageId: null,
        siteIds,
      };
      const event = (state: 'running' | 'succeeded' | 'failed', error?: string) =>
        announce(job, audience, state, error);
      await repositories.jobs.markRunning(jobId);
      await event('running');
      let result: CopyResult;
      try {
        result = await run(payload, progressRelay(job, repositories, audience));
      } catch (error) {
        const message = (error as Error).message;
        await repositories.jobs.markFinished(jobId, null, {
          state: 'failed',
          bytesDone: 0,
          error: message,
        });
        await event('failed', message);
        if (error instanceof ImageFetchError && !error.retryable)
          throw new UnrecoverableError(message);
        throw error;
      }
      for (const destination of result.destinations)
        await repositories.jobs.markFinished(jobId, destination.key, {
          state: destination.outcome === 'failed' ? 'failed' : 'succeeded',
          bytesDone: destination.bytes,
          error: destination.error?.message ?? null,
        });
      const failed = result.destinations.filter((d) => d.outcome === 'failed');
      await event(failed.length === 0 ? 'succeeded' : 'failed', failed[0]?.error?.message);
      await publish(payload.ownerId, [{ type: 'cells', siteIds }]);
      if (failed.length === result.destinations.length)
        throw new UnrecoverableError(
          failed[0]?.error?.message ?? 'the import failed on every site',
        );
      return result;
    },
    { connection, prefix, concurrency },
  );
}
