import { JOBS, type CopyJob } from '@glint/core';
import { copyImage, type CloudAdapter, type TransferProgress } from '@glint/cloud-adapters';
import { repositoriesOn, type Repositories } from '@glint/store';
import { Worker } from 'bullmq';
import { clearEarlierCopies } from '../copy-image-ids';
import { siteImageFrom } from '../inventory';
import { announce, progressRelay } from '../job-reporting';
import { openSiteAdapter } from '../site-adapter';
import { failJob, failureOf, raise, startJob, type JobFailure } from './lifecycle';
import type { WorkerOptions } from './inventory';

/** How one destination of a copy ended. */
export interface DestinationOutcome {
  siteId: string;
  /** The copy on the site, made now or found there. */
  cloudImageId?: string;
  bytes: number;
  error?: JobFailure;
}

export interface TransferOutcome {
  bytesRead: number;
  destinations: DestinationOutcome[];
}

/** A destination made ready for the engine, or the reason it cannot be. */
type Prepared =
  | { siteId: string; cloudImageId: string; adapter: CloudAdapter }
  | { siteId: string; failure: DestinationOutcome };

/**
 * Opens the destination and clears what earlier starts of the job left there, so this start's copy
 * gets an id of its own and no half-made copy stays behind.
 */
async function prepareDestination(
  repositories: Repositories,
  options: WorkerOptions,
  job: { ownerId: string; earlierStarts: number },
  destination: CopyJob['destinations'][number],
): Promise<Prepared> {
  const { siteId } = destination;
  let adapter: CloudAdapter | undefined;
  try {
    adapter = await openSiteAdapter(repositories, options.cipher, job.ownerId, siteId);
    const cloudImageId = await clearEarlierCopies(
      adapter,
      destination.cloudImageId,
      job.earlierStarts,
    );
    return { siteId, cloudImageId, adapter };
  } catch (error) {
    await adapter?.close();
    return { siteId, failure: { siteId, bytes: 0, error: failureOf(error) } };
  }
}

/** Copies the source to every destination that could be prepared, and records what each holds. */
async function transfer(
  repositories: Repositories,
  options: WorkerOptions,
  payload: CopyJob,
  /** Starts of the job before this one, crashed ones included. */
  earlierStarts: number,
  onProgress: (progress: TransferProgress) => void,
): Promise<TransferOutcome> {
  const { ownerId } = payload;
  const source = await openSiteAdapter(
    repositories,
    options.cipher,
    ownerId,
    payload.source.siteId,
  );
  const prepared: Prepared[] = [];
  try {
    for (const destination of payload.destinations)
      prepared.push(
        await prepareDestination(repositories, options, { ownerId, earlierStarts }, destination),
      );
    const ready = prepared.filter((p) => 'adapter' in p);
    const result = await copyImage({
      source: { key: payload.source.siteId, adapter: source, imageId: payload.source.cloudImageId },
      destinations: ready.map((p) => ({
        key: p.siteId,
        adapter: p.adapter,
        imageId: p.cloudImageId,
      })),
      visibility: payload.visibility,
      onProgress,
    });
    const outcomes = new Map<string, DestinationOutcome>();
    for (const p of prepared) if ('failure' in p) outcomes.set(p.siteId, p.failure);
    for (const [i, done] of result.destinations.entries()) {
      const { siteId, adapter } = ready[i]!;
      if (done.outcome === 'failed') {
        outcomes.set(siteId, { siteId, bytes: done.bytes, error: failureOf(done.error) });
        continue;
      }
      const image = await adapter.getImage(done.imageId!);
      await repositories.inventory.recordCopy(
        ownerId,
        siteId,
        payload.imageId,
        siteImageFrom(image),
      );
      outcomes.set(siteId, { siteId, cloudImageId: image.id, bytes: done.bytes });
    }
    return {
      bytesRead: result.bytesRead,
      destinations: payload.destinations.map((d) => outcomes.get(d.siteId)!),
    };
  } finally {
    await Promise.all([
      source.close(),
      ...prepared.flatMap((p) => ('adapter' in p ? [p.adapter.close()] : [])),
    ]);
  }
}

/**
 * The `copy` queue's worker: one source image streamed to every destination of the job, each copy
 * verified, recorded in the inventory and on its job row. A destination that may fare better later
 * fails the job retryably (BullMQ retries it with backoff; finished copies are found and kept);
 * one that cannot fails it for good, its reason on its row.
 */
export function transferWorker(options: WorkerOptions): Worker<unknown, TransferOutcome> {
  const { connection, prefix, pool, publish, concurrency = 2 } = options;
  const repositories = repositoriesOn(pool);
  return new Worker<unknown, TransferOutcome>(
    JOBS.copy.queue,
    async (job) => {
      const { payload, audience } = await startJob(repositories, publish, job, 'copy', (p) => ({
        imageId: p.imageId,
        siteIds: p.destinations.map((d) => d.siteId),
      }));
      let outcome: TransferOutcome;
      try {
        outcome = await transfer(
          repositories,
          options,
          payload,
          job.attemptsStarted - 1,
          progressRelay(job, repositories, audience),
        );
      } catch (error) {
        // The source could not be opened or read: every destination fails the same way.
        return failJob(repositories, job, audience, failureOf(error));
      }
      for (const destination of outcome.destinations)
        await repositories.jobs.markFinished(job.id!, destination.siteId, {
          state: destination.error ? 'failed' : 'succeeded',
          bytesDone: destination.bytes,
          error: destination.error?.message ?? null,
        });
      await publish(payload.ownerId, [
        { type: 'cells', siteIds: audience.siteIds, imageIds: [payload.imageId] },
      ]);
      const failures = outcome.destinations.flatMap((d) => (d.error ? [d.error] : []));
      if (failures.length === 0) {
        await announce(job, audience, 'succeeded');
        return outcome;
      }
      const failure = failures.find((f) => f.retryable) ?? failures[0]!;
      await announce(job, audience, 'failed', failure.message);
      return raise(failure);
    },
    { connection, prefix, concurrency },
  );
}
