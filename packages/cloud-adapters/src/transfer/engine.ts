import {
  formatContentHash,
  GLINT_MARKERS,
  withRetries,
  type BackoffPolicy,
  type ContentHash,
  type CopyMethod,
} from '@glint/core';
import type {
  ActivationProgress,
  CloudAdapter,
  ImageInfo,
  ImageSpec,
  RegionCopy,
} from '../adapter';
import {
  CancelledError,
  CloudError,
  IntegrityError,
  InvalidRequestError,
  isCloudError,
  NotFoundError,
  TransientError,
} from '../errors';
import { DEFAULT_HASH_ALGO, StreamDigest } from './digest';
import { fanOut, FanOutSink } from './fan-out';
import { copySpec, declaredContentHash, type VisibilityPolicy } from './metadata';
import { ProgressReporter, type TransferProgress } from './progress';
import { RateLimiter } from './rate-limit';
import { readImageData } from './source-reader';

export interface CopySource {
  /** Names the source site in Glint's markers on every copy. */
  key: string;
  adapter: CloudAdapter;
  imageId: string;
}

export interface CopyDestination {
  /** Names the destination in results and progress. */
  key: string;
  adapter: CloudAdapter;
  /**
   * Id for the new image. A caller that derives it from its job can find and remove the half-made
   * record a crash left behind before it copies again.
   */
  imageId?: string;
}

export interface RetryPolicies {
  /** Resuming the source read after a broken connection. */
  read: BackoffPolicy;
  /** Creating the destination record, looking for an existing copy. */
  request: BackoffPolicy;
  /** Deleting a failed copy; long enough to outlast a destination's restart. */
  cleanup: BackoffPolicy;
  /** Waiting for a destination to report the image active after its data arrived. */
  activation: BackoffPolicy;
  /** Waiting for a copy the destination's cloud makes itself: as long as the copy of the bytes. */
  serverSide: BackoffPolicy;
}

export const DEFAULT_RETRY_POLICIES: RetryPolicies = {
  read: { initialMs: 500, maxMs: 10_000, retries: 5 },
  request: { initialMs: 500, maxMs: 10_000, retries: 4 },
  cleanup: { initialMs: 1000, maxMs: 15_000, retries: 10 },
  activation: { initialMs: 200, maxMs: 5000, retries: 20 },
  serverSide: { initialMs: 200, maxMs: 5000, retries: 720 },
};

export interface CopyRequest {
  source: CopySource;
  destinations: CopyDestination[];
  visibility?: VisibilityPolicy;
  signal?: AbortSignal;
  onProgress?: (progress: TransferProgress) => void;
  progressIntervalMs?: number;
  /** Bandwidth cap on the source read, in bytes per second. */
  rateLimit?: number;
  /** How long a destination may accept no data before it is dropped as failed (default 120 s). */
  stallTimeoutMs?: number;
  retry?: Partial<RetryPolicies>;
}

export type DestinationOutcome = 'copied' | 'present' | 'failed';

export interface DestinationResult {
  key: string;
  outcome: DestinationOutcome;
  /** The copy on the destination (made, or found present). */
  imageId?: string;
  /** Bytes handed to this destination. */
  bytes: number;
  error?: CloudError;
  /** An image Glint made for a failed copy and could not delete; the caller must retry the delete. */
  leftoverImageId?: string;
  /** How the bytes went, for a copy made or tried: streamed through Glint, or inside the clouds. */
  method?: CopyMethod;
}

/**
 * When a copy passed each stage (epoch ms), for whoever accounts for its time: the source looked up
 * (Keystone login included), the destination records created, the first and the last byte sent,
 * every destination active and checked.
 */
export interface CopyStages {
  source?: number;
  created?: number;
  firstByte?: number;
  lastByte?: number;
  verified?: number;
}

export interface CopyResult {
  sourceImageId: string;
  /**
   * The content hash the copies carry, verified against the bytes read; absent only when nothing
   * was read and the source declares none.
   */
  contentHash?: ContentHash;
  bytesRead: number;
  destinations: DestinationResult[];
  stages: CopyStages;
}

type CopyableImage = ImageInfo & { diskFormat: string; containerFormat: string };

/** One destination that is being written. */
interface Target {
  destination: CopyDestination;
  imageId: string;
  sink: FanOutSink;
  error?: CloudError;
  /** Where the destination is after the data went out, when it reports a stage of its own. */
  activation?: ActivationProgress;
}

/** Why a target failed: a cancellation whatever the error it surfaced as, else the error typed. */
function failureReason(error: unknown, signal?: AbortSignal): CloudError {
  if (signal?.aborted) return new CancelledError('the transfer was cancelled', { cause: error });
  if (isCloudError(error)) return error;
  return new TransientError(error instanceof Error ? error.message : String(error), {
    cause: error,
  });
}

const isRetryable = (error: unknown) => isCloudError(error) && error.retryable;

function assertCopyable(image: ImageInfo): asserts image is CopyableImage {
  if (image.status !== 'active') {
    throw new InvalidRequestError(
      `source image ${image.id} is ${image.status}, not active; only active images can be copied`,
    );
  }
  if (!image.diskFormat || !image.containerFormat) {
    throw new InvalidRequestError(
      `source image ${image.id} has no disk or container format; set them on the source first`,
    );
  }
}

/** An active image on the destination with the same name and content, if there is one. */
async function findPresentCopy(
  adapter: CloudAdapter,
  source: ImageInfo,
  contentHash: ContentHash | undefined,
): Promise<ImageInfo | undefined> {
  if (!contentHash) return undefined;
  for await (const image of adapter.listImages({ name: source.name })) {
    const hash = declaredContentHash(image);
    if (
      image.status === 'active' &&
      image.name === source.name &&
      hash?.algo === contentHash.algo &&
      hash.value === contentHash.value
    ) {
      return image;
    }
  }
  return undefined;
}

/**
 * What went to the destinations: the byte count and its digests by algorithm, those computed on
 * the way and those the source declares for the bytes once they matched its multihash.
 */
interface SentData {
  bytes: number;
  hashes: Record<string, string>;
}

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

/** Creates the destination's image record and its end of the fan-out. */
async function createTarget(
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
function failedBeforeData(
  destination: CopyDestination,
  error: unknown,
  signal?: AbortSignal,
): DestinationResult {
  return { key: destination.key, outcome: 'failed', bytes: 0, error: failureReason(error, signal) };
}

/** Deletes a failed copy, retrying through outages; returns the id when it is still there. */
async function removeFailedCopy(
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
async function finishTargets(
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

/**
 * Starts the copy inside the clouds where the destination can make one. Only a source with a
 * multihash qualifies: the destination's own hash of what it pulled is then checked against it.
 */
async function startRegionCopy(
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
async function finishRegionCopy(
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

/**
 * Copies one source image to one or many destinations. The source is read once and streamed to all
 * destinations at the same time; nothing is held whole in memory or staged on disk. Every byte is
 * hashed on the way; a destination whose data does not verify, or whose upload fails, is cleaned up
 * and reported failed while the others go on.
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
  const serverSide: Promise<DestinationResult>[] = [];

  for (const destination of request.destinations) {
    try {
      const present = await withRetries(
        () => findPresentCopy(destination.adapter, source, declared),
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
        source,
        provenance,
        request.visibility ?? 'private',
        destination.imageId,
      );
      const within = await startRegionCopy(destination, sourceAdapter, source, spec, retry);
      if (within) {
        serverSide.push(finishRegionCopy(destination, within, source, spec, retry, signal));
        continue;
      }
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
  for (const result of await Promise.all(serverSide)) results.set(result.key, result);
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
  const algo = request.expectedHash?.algo ?? DEFAULT_HASH_ALGO;
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
      targets.push(await createTarget(destination, spec, request, retry.request));
    } catch (error) {
      results.set(destination.key, failedBeforeData(destination, error, signal));
    }
  }
  const stages: CopyStages = { created: Date.now() };
  const streamed = await streamToTargets(
    request,
    {
      chunks: request.data,
      size: request.size ?? null,
      algorithms: [algo],
      verify: (data) => verifyStream(request, data, algo),
    },
    targets,
    stages,
  );
  await finishTargets(targets, streamed, true, algo, retry, results, signal);
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

/** Where the bytes of a transfer come from, and the check they must pass before the last goes out. */
interface DataSource {
  chunks: AsyncIterable<Buffer>;
  size: number | null;
  /** What to compute over the bytes. */
  algorithms: string[];
  verify(sent: SentData): void;
  /** Digests the origin declares for the bytes, known once `verify` passed. */
  declaredHashes?: Record<string, string>;
}

type StreamOptions = Pick<
  CopyRequest,
  'signal' | 'rateLimit' | 'onProgress' | 'progressIntervalMs'
>;

/**
 * What went out: `sent` is undefined when there was no target or the read failed (every target
 * then carries the reason). The progress reporter goes on reporting the destinations' later stages.
 */
interface Streamed {
  sent?: SentData;
  progress?: ProgressReporter;
}

/**
 * Runs every target's upload while one read of the source feeds them. The last bytes are held back
 * until the source's check passes: a corrupt source aborts the uploads, so no destination ever
 * turns active with bad data.
 */
async function streamToTargets(
  options: StreamOptions,
  source: DataSource,
  targets: Target[],
  stages: CopyStages,
): Promise<Streamed> {
  if (targets.length === 0) return {};
  const { signal } = options;
  const digest = new StreamDigest(source.algorithms);
  let sent: SentData | undefined;
  const limiter = options.rateLimit ? new RateLimiter(options.rateLimit) : undefined;
  const sinks = targets.map((t) => t.sink);
  const progress = new ProgressReporter(
    source.size,
    () => digest.bytes,
    () =>
      targets.map((target) => ({
        key: target.sink.key,
        bytes: target.sink.bytesWritten,
        ...target.activation,
      })),
    options.onProgress,
    options.progressIntervalMs ?? 1000,
  );
  const uploads = targets.map((target) =>
    target.destination.adapter
      .uploadImageData(target.imageId, target.sink.stream, {
        ...(source.size !== null ? { size: source.size } : {}),
        ...(signal ? { signal } : {}),
      })
      .catch((error: unknown) => {
        // A sink dropped for stalling fails its upload; the stall is the reason worth reporting.
        target.error ??= failureReason(target.sink.failure ?? error, signal);
        target.sink.detach(error);
      }),
  );
  try {
    await fanOut(source.chunks, sinks, async (chunk) => {
      stages.firstByte ??= Date.now();
      digest.update(chunk);
      progress.tick();
      if (limiter) await limiter.take(chunk.length, signal);
    });
    sent = { bytes: digest.bytes, hashes: digest.digest() };
    source.verify(sent);
    stages.lastByte = Date.now();
    sent.hashes = { ...source.declaredHashes, ...sent.hashes };
    for (const sink of sinks) if (sink.live) sink.stream.end();
  } catch (error) {
    sent = undefined;
    const reason = failureReason(error, signal);
    for (const target of targets) {
      target.error ??= reason;
      target.sink.detach(reason);
    }
  }
  await Promise.all(uploads);
  progress.tick();
  return { ...(sent ? { sent } : {}), progress };
}
