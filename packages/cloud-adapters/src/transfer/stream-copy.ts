import { GLINT_MARKERS, type ContentHash } from '@glint/core';
import type { ImageSpec } from '../adapter';
import { IntegrityError } from '../errors';
import {
  DEFAULT_RETRY_POLICIES,
  type CopyDestination,
  type CopyResult,
  type CopyStages,
  type DestinationResult,
  type RetryPolicies,
} from './copy-request';
import { finishTargets } from './finish-targets';
import { streamToTargets, type StreamOptions } from './stream-to-targets';
import { provisionalSpec } from './provisional';
import { planVerification } from './verification-plan';
import { createTarget, failedBeforeData, type SentData, type Target } from './target';

export interface StreamCopyRequest extends StreamOptions {
  /** Names where the data came from in Glint's markers (`glint_source_site`), e.g. `upload`. */
  sourceKey: string;
  /** Names the data within that origin (`glint_source_image`), e.g. a file name or URL. */
  sourceName: string;
  data: AsyncIterable<Buffer>;
  /** The length the data must have, when known; it is also given to each destination. */
  size?: number;
  /** The hash the data must have, when known. */
  expectedHash?: ContentHash;
  spec: Omit<ImageSpec, 'id'>;
  destinations: CopyDestination[];
  stallTimeoutMs?: number;
  retry?: Partial<RetryPolicies>;
}

/**
 * Streams data from outside any cloud (an upload, a download) to one or many destinations, as
 * copyImage streams a source image: read once, never held whole, hashed on the way, the last
 * bytes held back until the size and any expected hash check out, each copy verified and marked
 * with its content hash, failed copies deleted.
 */
export async function copyFromStream(request: StreamCopyRequest): Promise<CopyResult> {
  const retry = { ...DEFAULT_RETRY_POLICIES, ...request.retry };
  const { signal } = request;
  const results = new Map<string, DestinationResult>();
  const targets: Target[] = [];
  const properties = {
    ...request.spec.properties,
    [GLINT_MARKERS.sourceSite]: request.sourceKey,
    [GLINT_MARKERS.sourceImage]: request.sourceName,
  };
  for (const destination of request.destinations) {
    const spec: ImageSpec = {
      ...request.spec,
      properties,
      ...(destination.imageId ? { id: destination.imageId } : {}),
    };
    try {
      const provisional = provisionalSpec(destination.adapter, spec);
      targets.push(await createTarget(destination, provisional, request, retry.request));
    } catch (error) {
      results.set(destination.key, failedBeforeData(destination, error, signal));
    }
  }
  const stages: CopyStages = { created: Date.now() };
  // Data from outside any cloud has no digests of its own to compare: it is hashed here, once.
  const plan = planVerification(
    undefined,
    request.expectedHash?.algo,
    targets.map((t) => t.destination.adapter),
  );
  const { algo } = plan;
  const streamed = await streamToTargets(
    request,
    {
      chunks: request.data,
      size: request.size ?? null,
      plan,
      verify: (data) => verifyStream(request, data, algo),
    },
    targets,
    stages,
  );
  await finishTargets(
    targets,
    streamed,
    { markHash: true, hidden: false },
    plan,
    retry,
    results,
    signal,
  );
  stages.verified = Date.now();
  const { sent } = streamed;
  return {
    sourceImageId: request.sourceName,
    ...(sent ? { contentHash: { algo, value: sent.hashes[algo]! } } : {}),
    bytesRead: sent?.bytes ?? 0,
    destinations: request.destinations.map((d) => results.get(d.key)!),
    stages,
  };
}

/** Fails unless streamed data has the size and hash its sender announced. */
function verifyStream(request: StreamCopyRequest, sent: SentData, algo: string): void {
  const mismatches: string[] = [];
  if (request.size !== undefined && sent.bytes !== request.size)
    mismatches.push(`${sent.bytes} bytes arrived, ${request.size} were announced`);
  if (request.expectedHash && sent.hashes[algo] !== request.expectedHash.value.toLowerCase())
    mismatches.push(`the ${algo} hash differs from the one expected`);
  if (mismatches.length > 0)
    throw new IntegrityError(
      `the data of ${request.sourceName} is not what was announced (${mismatches.join('; ')}); nothing was kept`,
    );
}
