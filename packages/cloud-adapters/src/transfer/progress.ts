import type { TransferStage } from '@glint/core';
/** Progress of one destination of a copy. */
export interface DestinationProgress {
  key: string;
  bytes: number;
  /** Over the last few seconds, not since the start, so a stall shows at once. */
  bytesPerSecond: number;
  /** Seconds left at the current rate; null when the size or the rate is unknown. */
  etaSeconds: number | null;
  /**
   * Set once the destination works on the copy itself: an EC2 import once it has all the bytes, or
   * a copy its cloud makes from another of its sites.
   */
  stage?: TransferStage;
  /** How far that stage is, 0–100. */
  percent?: number;
}

export interface TransferProgress {
  totalBytes: number | null;
  bytesRead: number;
  destinations: DestinationProgress[];
}

const RATE_WINDOW_MS = 5000;

/** Samples a byte counter and derives its recent rate from the oldest sample inside the window. */
class RateMeter {
  private readonly samples: Array<{ at: number; bytes: number }> = [];

  sample(at: number, bytes: number): number {
    this.samples.push({ at, bytes });
    while (this.samples.length > 2 && at - this.samples[0]!.at > RATE_WINDOW_MS)
      this.samples.shift();
    const first = this.samples[0]!;
    const elapsed = (at - first.at) / 1000;
    return elapsed > 0 ? (bytes - first.bytes) / elapsed : 0;
  }
}

/**
 * Reports progress through a callback at most once per interval, plus a final report, so a caller
 * that publishes every report (the daemon, to BullMQ) is not flooded at chunk rate.
 */
export class ProgressReporter {
  private readonly meters = new Map<string, RateMeter>();
  private lastReport = 0;

  constructor(
    private readonly totalBytes: number | null,
    private readonly read: () => number,
    private readonly destinations: () => Array<
      { key: string; bytes: number } & Pick<DestinationProgress, 'stage' | 'percent'>
    >,
    private readonly onProgress: ((progress: TransferProgress) => void) | undefined,
    private readonly intervalMs: number,
  ) {}

  tick(): void {
    const now = performance.now();
    if (this.onProgress && now - this.lastReport >= this.intervalMs) this.report(now);
  }

  finish(): void {
    if (this.onProgress) this.report(performance.now());
  }

  private report(now: number): void {
    this.lastReport = now;
    const destinations = this.destinations().map(({ key, bytes, ...stage }) => {
      const meter = this.meters.get(key) ?? new RateMeter();
      this.meters.set(key, meter);
      const bytesPerSecond = meter.sample(now, bytes);
      const etaSeconds =
        this.totalBytes !== null && bytesPerSecond > 0
          ? Math.max(0, (this.totalBytes - bytes) / bytesPerSecond)
          : null;
      return { key, bytes, bytesPerSecond, etaSeconds, ...stage };
    });
    this.onProgress!({ totalBytes: this.totalBytes, bytesRead: this.read(), destinations });
  }
}
