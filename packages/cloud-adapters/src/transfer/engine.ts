import { withRetries, type ContentHash } from '@glint/core';
import type { ImageInfo } from '../adapter';
import { IntegrityError } from '../errors';
import {
  DEFAULT_RETRY_POLICIES,
  type CopyRequest,
  type CopyResult,
  type CopyStages,
  type DestinationResult,
  type RetryPolicies,
} from './copy-request';
import { finishTargets } from './finish-targets';
import { assertCopyable, copySpec, declaredContentHash, type CopyableImage } from './metadata';
import { findPresentCopy } from './present-copy';
import { provisionalSpec } from './provisional';
import { readImageData } from './source-reader';
import { streamToTargets } from './stream-to-targets';
import { planVerification, type VerificationPlan } from './verification-plan';
import { createTarget, failedBeforeData, isRetryable, type SentData, type Target } from './target';

/**
 * Fails unless the bytes read match what the source declares for them: their size, and the digests
 * the plan had computed here (none under the `ends` plan, where the destinations' own tell).
 */
function verifySource(source: ImageInfo, sent: SentData, plan: VerificationPlan): void {
  const mismatches: string[] = [];
  if (source.size !== null && sent.bytes !== source.size)
    mismatches.push(`size ${sent.bytes} ≠ declared ${source.size}`);
  for (const algo of plan.algorithms) {
    const declared = plan.declared[algo];
    if (declared !== undefined && sent.hashes[algo] !== declared)
      mismatches.push(
        `${algo} differs from the declared ${algo === 'md5' ? 'checksum' : 'os_hash_value'}`,
      );
  }
  if (mismatches.length > 0) {
    throw new IntegrityError(
      `the data of source image ${source.id} does not match what the source declares (${mismatches.join('; ')}); ` +
        'the source copy is corrupt: re-upload it there, nothing was copied',
    );
  }
}

/**
 * Each destination's record for the copy, or its outcome without one: present already (same name
 * and content), or failed before any data.
 */
async function prepareTargets(
  request: CopyRequest,
  source: CopyableImage,
  declared: ContentHash | undefined,
  retry: RetryPolicies,
): Promise<{ targets: Target[]; results: Map<string, DestinationResult> }> {
  const { signal } = request;
  const results = new Map<string, DestinationResult>();
  const targets: Target[] = [];

  for (const destination of request.destinations) {
    try {
      const present = await withRetries(
        () =>
          findPresentCopy(
            destination.adapter,
            request.name ?? source.name,
            declared,
            request.hidden,
          ),
        isRetryable,
        retry.request,
        signal,
      );
      if (present) {
        results.set(destination.key, {
          key: destination.key,
          outcome: 'present',
          imageId: present.id,
          bytes: 0,
        });
        continue;
      }
      const provenance = {
        sourceSite: request.source.key,
        sourceImageId: source.id,
        ...(declared ? { contentHash: declared } : {}),
      };
      const spec = copySpec(
        request.name ? { ...source, name: request.name } : source,
        provenance,
        request.visibility ?? 'private',
        destination.imageId,
      );
      const provisional = provisionalSpec(destination.adapter, spec);
      targets.push(await createTarget(destination, provisional, request, retry.request));
    } catch (error) {
      results.set(destination.key, failedBeforeData(destination, error, signal));
    }
  }
  return { targets, results };
}

/**
 * Copies one source image to one or many destinations. The source is read once and streamed to all
 * destinations at the same time; nothing is held whole in memory or staged on disk. The bytes are
 * proven as the verification plan says (by the ends' digests, or hashed once on the way); a
 * destination whose data does not verify, or whose upload fails, is cleaned up and reported failed
 * while the others go on. A copy a destination's cloud can make itself is
 * not the engine's: see CloudAdapter.serverSideCopyFrom.
 */
export async function copyImage(request: CopyRequest): Promise<CopyResult> {
  const retry = { ...DEFAULT_RETRY_POLICIES, ...request.retry };
  const { signal } = request;
  const sourceAdapter = request.source.adapter;
  const source = await withRetries(
    () => sourceAdapter.getImage(request.source.imageId),
    isRetryable,
    retry.request,
    signal,
  );
  assertCopyable(source);
  const stages: CopyStages = { source: Date.now() };

  const declared = declaredContentHash(source);
  const { targets, results } = await prepareTargets(request, source, declared, retry);
  stages.created = Date.now();
  const plan = planVerification(
    source,
    declared?.algo,
    targets.map((t) => t.destination.adapter),
  );
  const streamed = await streamToTargets(
    request,
    {
      chunks: readImageData(sourceAdapter, source.id, source.size, retry.read, signal),
      size: source.size,
      plan,
      verify: (data) => verifySource(source, data, plan),
    },
    targets,
    stages,
  );
  const publish = { markHash: declared === undefined, hidden: request.hidden ?? false };
  await finishTargets(targets, streamed, publish, plan, retry, results, signal);
  stages.verified = Date.now();
  const { sent } = streamed;

  return {
    sourceImageId: source.id,
    ...(declared || sent
      ? { contentHash: declared ?? { algo: plan.algo, value: sent!.hashes[plan.algo]! } }
      : {}),
    bytesRead: sent?.bytes ?? 0,
    destinations: request.destinations.map((d) => results.get(d.key)!),
    stages,
  };
}
