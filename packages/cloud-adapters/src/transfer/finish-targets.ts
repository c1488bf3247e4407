import { formatContentHash, GLINT_MARKERS, withRetries, type BackoffPolicy } from '@glint/core';
import type { CloudAdapter } from '../adapter';
import { IntegrityError, NotFoundError } from '../errors';
import type { DestinationResult, RetryPolicies } from './copy-request';
import type { ProgressReporter } from './progress';
import type { Streamed } from './stream-to-targets';
import { compareDigests, type VerificationPlan } from './verification-plan';
import { failureReason, isRetryable, type SentData, type Target } from './target';

/**
 * Checks what the destination reports for the copy against the bytes that were sent: its size, and
 * the digests it computed itself against those known for the bytes (computed on the way, or, under
 * the `ends` plan, the source's own).
 */
async function verifyDestination(
  target: Target,
  sent: SentData,
  plan: VerificationPlan,
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
  const what = `copy ${target.imageId} on ${target.destination.key}`;
  if (image.size !== sent.bytes)
    throw new IntegrityError(
      `${what} does not match the bytes sent (size ${image.size} ≠ ${sent.bytes} sent)`,
    );
  compareDigests(plan, image, sent.hashes, what);
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
  plan: VerificationPlan,
  retry: RetryPolicies,
  results: Map<string, DestinationResult>,
  signal?: AbortSignal,
): Promise<void> {
  const { sent, progress } = streamed;
  await Promise.all(
    targets.map(async (target) => {
      if (target.error || !sent) return;
      try {
        await verifyDestination(target, sent, plan, retry.activation, progress, signal);
        if (markHash) {
          const { algo } = plan;
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
          verification: { method: plan.method, algo: plan.algo },
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
