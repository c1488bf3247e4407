import type { CopyRequest, CopyStages } from './copy-request';
import { StreamDigest } from './digest';
import { fanOut } from './fan-out';
import { ProgressReporter } from './progress';
import { RateLimiter } from './rate-limit';
import type { VerificationPlan } from './verification-plan';
import { failureReason, type SentData, type Target } from './target';

/** Where the bytes of a transfer come from, and the check they must pass before the last goes out. */
interface DataSource {
  chunks: AsyncIterable<Buffer>;
  size: number | null;
  /** What to compute over the bytes, and the digests the origin declares for them. */
  plan: VerificationPlan;
  verify(sent: SentData): void;
}

export type StreamOptions = Pick<
  CopyRequest,
  'signal' | 'rateLimit' | 'onProgress' | 'progressIntervalMs'
>;

/**
 * What went out: `sent` is undefined when there was no target or the read failed (every target
 * then carries the reason). The progress reporter goes on reporting the destinations' later stages.
 */
export interface Streamed {
  sent?: SentData;
  progress?: ProgressReporter;
}

/**
 * Runs every target's upload while one read of the source feeds them. The last bytes are held back
 * until the source's check passes (its size, and the digests the plan computes here): a source
 * caught corrupt aborts the uploads, so no destination turns active with its data. Under the
 * `ends` plan only the size is checked here; the destinations' digests tell the rest.
 */
export async function streamToTargets(
  options: StreamOptions,
  source: DataSource,
  targets: Target[],
  stages: CopyStages,
): Promise<Streamed> {
  if (targets.length === 0) return {};
  const { signal } = options;
  const digest = new StreamDigest(source.plan.algorithms);
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
    sent.hashes = { ...source.plan.declared, ...sent.hashes };
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
