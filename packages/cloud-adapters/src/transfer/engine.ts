import { withRetries } from '@glint/core';
import type { ImageInfo } from '../adapter';
import { IntegrityError } from '../errors';
import {
  DEFAULT_RETRY_POLICIES,
  type CopyRequest,
  type CopyResult,
  type CopyStages,
  type DestinationResult,
} from './copy-request';
import { DEFAULT_HASH_ALGO } from './digest';
import { finishTargets } from './finish-targets';
import { assertCopyable, copySpec, declaredContentHash } from './metadata';
import { findPresentCopy } from './present-copy';
import { readImageData } from './source-reader';
import { streamToTargets } from './stream-to-targets';
import { createTarget, failedBeforeData, isRetryable, type SentData, type Target } from './target';

/**
 * The algorithms to compute over the bytes, once each: the content hash's, and md5 only to check a
 * source that declares its legacy checksum and no multihash. A destination's own digests are
 * compared with these, never recomputed here.
 */
function algorithmsFor(source: ImageInfo, algo: string): string[] {
  return source.checksum && !source.hashValue ? [algo, 'md5'] : [algo];
}

/** The md5 the source declares, trusted once the bytes matched its multihash. */
function declaredHashes(source: ImageInfo): Record<string, string> {
  return source.checksum ? { md5: source.checksum.toLowerCase() } : {};
}

/** Fails unless the bytes read match every hash the source declares for them. */
function verifySource(source: ImageInfo, sent: SentData, algo: string): void {
  const computed = sent.hashes;
  const mismatches: string[] = [];
  if (source.size !== null && sent.bytes !== source.size)
    mismatches.push(`size ${sent.bytes} ≠ declared ${source.size}`);
  if (source.hashValue && computed[algo] !== source.hashValue.toLowerCase())
    mismatches.push(`${algo} differs from os_hash_value`);
  if (source.checksum && computed.md5 && computed.md5 !== source.checksum.toLowerCase())
    mismatches.push('md5 differs from checksum');
  if (mismatches.length > 0) {
    throw new IntegrityError(
      `the data of source image ${source.id} does not match what the source declares (${mismatches.join('; ')}); ` +
        'the source copy is corrupt: re-upload it there, nothing was copied',
    );
  }
}

/**
 * Copies one source image to one or many destinations. The source is read once and streamed to all
 * destinations at the same time; nothing is held whole in memory or staged on disk. Every byte is
 * hashed on the way; a destination whose data does not verify, or whose upload fails, is cleaned up
 * and reported failed while the others go on. A copy a destination's cloud can make itself is
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
  const algo = declared?.algo ?? DEFAULT_HASH_ALGO;
  const results = new Map<string, DestinationResult>();
  const targets: Target[] = [];

  for (const destination of request.destinations) {
    try {
      const present = await withRetries(
        () => findPresentCopy(destination.adapter, request.name ?? source.name, declared),
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
      targets.push(await createTarget(destination, spec, request, retry.request));
    } catch (error) {
      results.set(destination.key, failedBeforeData(destination, error, signal));
    }
  }

  stages.created = Date.now();
  const streamed = await streamToTargets(
    request,
    {
      chunks: readImageData(sourceAdapter, source.id, source.size, retry.read, signal),
      size: source.size,
      algorithms: algorithmsFor(source, algo),
      verify: (data) => verifySource(source, data, algo),
      declaredHashes: declaredHashes(source),
    },
    targets,
    stages,
  );
  await finishTargets(targets, streamed, declared === undefined, algo, retry, results, signal);
  stages.verified = Date.now();
  const { sent } = streamed;

  return {
    sourceImageId: source.id,
    ...(declared || sent ? { contentHash: declared ?? { algo, value: sent!.hashes[algo]! } } : {}),
    bytesRead: sent?.bytes ?? 0,
    destinations: request.destinations.map((d) => results.get(d.key)!),
    stages,
  };
}
