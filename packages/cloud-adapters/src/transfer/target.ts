import { withRetries, type BackoffPolicy } from '@glint/core';
import type { ActivationProgress, ImageSpec } from '../adapter';
import { CancelledError, CloudError, isCloudError, TransientError } from '../errors';
import type { CopyDestination, DestinationResult } from './copy-request';
import { FanOutSink } from './fan-out';

/** One destination that is being written. */
export interface Target {
  destination: CopyDestination;
  imageId: string;
  sink: FanOutSink;
  error?: CloudError;
  /** Where the destination is after the data went out, when it reports a stage of its own. */
  activation?: ActivationProgress;
}

/** Why a target failed: a cancellation whatever the error it surfaced as, else the error typed. */
export function failureReason(error: unknown, signal?: AbortSignal): CloudError {
  if (signal?.aborted) return new CancelledError('the transfer was cancelled', { cause: error });
  if (isCloudError(error)) return error;
  return new TransientError(error instanceof Error ? error.message : String(error), {
    cause: error,
  });
}

export const isRetryable = (error: unknown) => isCloudError(error) && error.retryable;

/**
 * What went to the destinations: the byte count and its digests by algorithm, those computed on
 * the way and those the source declares for the bytes once they matched its multihash.
 */
export interface SentData {
  bytes: number;
  hashes: Record<string, string>;
}

/** Creates the destination's image record and its end of the fan-out. */
export async function createTarget(
  destination: CopyDestination,
  spec: ImageSpec,
  request: { signal?: AbortSignal; stallTimeoutMs?: number },
  policy: BackoffPolicy,
): Promise<Target> {
  const created = await withRetries(
    () => destination.adapter.createImage(spec),
    isRetryable,
    policy,
    request.signal,
  );
  return {
    destination,
    imageId: created.id,
    sink: new FanOutSink(destination.key, request.stallTimeoutMs),
  };
}

/** The result of a destination that failed before any data went to it. */
export function failedBeforeData(
  destination: CopyDestination,
  error: unknown,
  signal?: AbortSignal,
): DestinationResult {
  return { key: destination.key, outcome: 'failed', bytes: 0, error: failureReason(error, signal) };
}
