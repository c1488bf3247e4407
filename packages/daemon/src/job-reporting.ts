import type { PublishEvents, TransferJobProgress } from '@glint/core';
import type { TransferProgress } from '@glint/cloud-adapters';
import type { Repositories } from '@glint/store';
import type { Job } from 'bullmq';

/** Who hears of one queue job: its owner's event stream, about these cells. */
export interface JobAudience {
  publish: PublishEvents;
  ownerId: string;
  operation: string;
  imageId: string | null;
  siteIds: string[];
}

/** Tells the owner's clients the job moved to `state`. */
export function announce(
  job: Job,
  audience: JobAudience,
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled',
  error?: string,
): Promise<void> {
  const { publish, ownerId, operation, imageId, siteIds } = audience;
  return publish(ownerId, [
    {
      type: 'job',
      queueJobId: job.id!,
      operation,
      state,
      imageId,
      siteIds,
      ...(error && { error }),
    },
  ]);
}

/**
 * A transfer engine progress callback that relays each report into BullMQ's job progress (the
 * queue contract's shape), the job rows and the owner's event stream.
 */
export function progressRelay(
  job: Job,
  repositories: Repositories,
  audience: JobAudience,
): (progress: TransferProgress) => void {
  return (progress) => {
    const report: TransferJobProgress = {
      totalBytes: progress.totalBytes,
      bytesRead: progress.bytesRead,
      destinations: progress.destinations.map(({ key, ...rest }) => ({ siteId: key, ...rest })),
    };
    const relay = async () => {
      await job.updateProgress(report);
      for (const { siteId, bytes, stage, percent } of report.destinations)
        await repositories.jobs.markProgress(
          job.id!,
          siteId,
          { done: bytes, total: report.totalBytes },
          stage && percent !== undefined ? { stage, percent } : undefined,
        );
      await audience.publish(
        audience.ownerId,
        report.destinations.map((destination) => ({
          type: 'job',
          queueJobId: job.id!,
          operation: audience.operation,
          state: 'running',
          imageId: audience.imageId,
          siteIds: [destination.siteId],
          bytes: destination.bytes,
          bytesPerSecond: destination.bytesPerSecond,
          etaSeconds: destination.etaSeconds,
          ...(destination.stage && { stage: destination.stage, percent: destination.percent }),
        })),
      );
    };
    // Progress is news, not a duty: a report that fails to land does not fail the transfer.
    relay().catch(() => undefined);
  };
}
