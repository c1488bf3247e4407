import { formatContentHash, GLINT_MARKERS, withRetries, type BackoffPolicy } from '@glint/core';
import type { CloudAdapter } from '../adapter';
import { IntegrityError, NotFoundError } from '../errors';
import type { DestinationResult, RetryPolicies } from './copy-request';
import type { ProgressReporter } from './progress';
import type { Streamed } from './stream-to-targets';
import { failureReason, isRetryable, type SentData, type Target } from './target';

/**
 * Checks what the destination reports for the copy against the bytes that were sent: its size, and
 * the digests it computed itself (md5 and its multihash) against those known for the bytes.
 */
async function verifyDestination(
  target: Target,
  sent: SentData,
  policy: BackoffPolicy,
  progress: ProgressReporter | undefined,
  signal?: AbortSignal,
): Promise<void> {
  const image = await target.destination.adapter.awaitActive(target.imageId, {
    policy,
    ...(signal ? { signal } : {}),
    onProgress: (activation) => {
      target.activation = activation;
      progress?.tick();
    },
  });
  const computed = sent.hashes;
  const mismatches: string[] = [];
  if (image.size !== sent.bytes) mismatches.push(`size ${image.size} ≠ ${sent.bytes} sent`);
  if (image.checksum && computed.md5 && image.checksum.toLowerCase() !== computed.md5)
    mismatches.push('md5 differs');
  const algo = image.hashAlgo?.toLowerCase();
  if (algo && image.hashValue && computed[algo] && computed[algo] !== image.hashValue.toLowerCase())
    mismatches.push(`${algo} differs`);
  if (mismatches.length > 0) {
    throw new IntegrityError(
      `copy ${target.imageId} on ${target.destination.key} does not match the bytes sent (${mismatches.join('; ')})`,
    );
  }
}

/** Deletes a failed copy, retrying through outages; returns the id when it is still there. */
export async function removeFailedCopy(
  adapter: CloudAdapter,
  imageId: string,
  policy: BackoffPolicy,
): Promise<string | undefined> {
  try {
    await withRetries(() => adapter.deleteImage(imageId), isRetryable, policy);
    return undefined;
  } catch (error) {
    return error instanceof NotFoundError ? undefined : imageId;
  }
}

/**
 * After the data went out: checks each destination's copy against the bytes sent (and marks its
 * content hash when the source declared none), then records each target's outcome, deleting the
 * copies that failed.
 */
export async function finishTargets(
  targets: Target[],
  streamed: Streamed,
  markHash: boolean,
  algo: string,
  retry: RetryPolicies,
  results: Map<string, DestinationResult>,
  signal?: AbortSignal,
): Promise<void> {
  const { sent, progress } = streamed;
  await Promise.all(
    targets.map(async (target) => {
      if (target.error || !sent) return;
      try {
        await verifyDestination(target, sent, retry.activation, progress, signal);
        if (markHash) {
          const contentHash = formatContentHash({ algo, value: sent.hashes[algo]! });
          await target.destination.adapter.updateProperties(target.imageId, {
            set: { [GLINT_MARKERS.contentHash]: contentHash },
          });
        }
      } catch (error) {
        target.error = failureReason(error, signal);
      }
    }),
  );
  await Promise.all(
    targets.map(async (target) => {
      const { key, adapter } = target.destination;
      const bytes = target.sink.bytesWritten;
      if (!target.error) {
        results.set(key, {
          key,
          outcome: 'copied',
          imageId: target.imageId,
          bytes,
          method: 'stream',
        });
        return;
      }
      const leftoverImageId = await removeFailedCopy(adapter, target.imageId, retry.cleanup);
      results.set(key, {
        key,
        outcome: 'failed',
        bytes,
        error: target.error,
        method: 'stream',
        ...(leftoverImageId ? { leftoverImageId } : {}),
      });
    }),
  );
  progress?.finish();
}
