import { withRetries, type BackoffPolicy } from '@glint/core';
import type { CloudAdapter } from '../adapter';
import { IntegrityError, NotFoundError } from '../errors';
import type { DestinationResult, RetryPolicies } from './copy-request';
import type { ProgressReporter } from './progress';
import type { Streamed } from './stream-to-targets';
import { publication } from './provisional';
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

/** How a verified copy is published (./provisional). */
export interface Publish {
  /** Mark the content hash on every copy: the source declared none, so its copies carry none yet. */
  markHash: boolean;
  /** The copies stay hidden (CopyRequest.hidden). */
  hidden: boolean;
}

/**
 * After the data went out: checks each destination's copy against the bytes sent, and publishes
 * it in one request (marks its content hash where it lacks it, shows it where it was created
 * hidden); then records each target's outcome, deleting the copies that failed, never shown.
 */
export async function finishTargets(
  targets: Target[],
  streamed: Streamed,
  publish: Publish,
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
        const { adapter } = target.destination;
        // A provisional copy was created without the marker, whatever the source declares.
        const mark = publish.markHash || adapter.hidesImages;
        const contentHash = mark ? { algo: plan.algo, value: sent.hashes[plan.algo]! } : undefined;
        const changes = publication(adapter, contentHash, publish.hidden);
        if (changes) await adapter.updateProperties(target.imageId, changes);
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
