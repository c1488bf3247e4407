import { withRetries } from '@glint/core';
import type { CloudAdapter, ImageInfo, ImageSpec, RegionCopy } from '../adapter';
import { IntegrityError } from '../errors';
import type { CopyDestination, DestinationResult, RetryPolicies } from './copy-request';
import { removeFailedCopy } from './finish-targets';
import { failureReason, isRetryable } from './target';

/**
 * Starts the copy inside the clouds where the destination can make one. Only a source with a
 * multihash qualifies: the destination's own hash of what it pulled is then checked against it.
 */
export async function startRegionCopy(
  destination: CopyDestination,
  sourceAdapter: CloudAdapter,
  source: ImageInfo,
  spec: ImageSpec,
  retry: RetryPolicies,
): Promise<RegionCopy | undefined> {
  const { adapter } = destination;
  if (!adapter.copyWithin || !source.hashAlgo || !source.hashValue) return undefined;
  return withRetries(
    () => adapter.copyWithin!(sourceAdapter, source, spec),
    isRetryable,
    retry.request,
  );
}

/**
 * Waits for a copy the destination's cloud makes, checks the digests it computed against the
 * source's, and sets what the copy did not carry over (the cloud's copy keeps a few properties
 * of its own choosing). A copy that fails or does not match is deleted.
 */
export async function finishRegionCopy(
  destination: CopyDestination,
  copy: RegionCopy,
  source: ImageInfo,
  spec: ImageSpec,
  retry: RetryPolicies,
  signal?: AbortSignal,
): Promise<DestinationResult> {
  const { key, adapter } = destination;
  const { imageId, method } = copy;
  try {
    const image = await adapter.awaitActive(imageId, {
      policy: retry.serverSide,
      ...(signal ? { signal } : {}),
    });
    const mismatches: string[] = [];
    if (image.size !== source.size) mismatches.push(`size ${image.size} ≠ ${source.size}`);
    if (image.checksum && source.checksum && image.checksum !== source.checksum)
      mismatches.push('md5 differs');
    if (image.hashAlgo === source.hashAlgo && image.hashValue !== source.hashValue)
      mismatches.push(`${source.hashAlgo} differs`);
    if (mismatches.length > 0)
      throw new IntegrityError(
        `copy ${imageId} on ${key}, made by ${method}, does not match source image ${source.id} (${mismatches.join('; ')})`,
      );
    const missing = Object.entries(spec.properties ?? {}).filter(
      ([name, value]) => image.properties[name] !== value,
    );
    if (missing.length > 0)
      await adapter.updateProperties(imageId, { set: Object.fromEntries(missing) });
    return { key, outcome: 'copied', imageId, bytes: image.size ?? 0, method };
  } catch (error) {
    const leftoverImageId = await removeFailedCopy(adapter, imageId, retry.cleanup);
    return {
      key,
      outcome: 'failed',
      bytes: 0,
      error: failureReason(error, signal),
      method,
      ...(leftoverImageId ? { leftoverImageId } : {}),
    };
  }
}
