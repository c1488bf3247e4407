import type { TransferProgress } from '@glint/cloud-adapters';
import type { DaemonMetrics } from '../metrics';
import type { JobFailure } from './lifecycle';
import type { DestinationOutcome } from './transfer-kind';

/**
 * One attempt of a transfer as the metrics see it: the bytes read from the source and written to
 * each destination as progress reports them (so a long copy's traffic shows while it runs, not all
 * at its end), the time it streamed, and each site's part in how it ended.
 */
export class TransferMeter {
  private readonly started = performance.now();
  private read = 0;
  private readonly written = new Map<string, number>();

  constructor(
    private readonly metrics: DaemonMetrics,
    private readonly kind: string,
    private readonly sourceSiteId: string | null,
  ) {
    if (sourceSiteId) metrics.touch(sourceSiteId);
  }

  /** A progress callback that counts the bytes moved since the last report, then relays it. */
  relaying(relay: (progress: TransferProgress) => void): (progress: TransferProgress) => void {
    return (progress) => {
      if (this.sourceSiteId)
        this.metrics.bytesRead(this.sourceSiteId, progress.bytesRead - this.read);
      this.read = Math.max(this.read, progress.bytesRead);
      for (const { key, bytes } of progress.destinations) {
        this.metrics.bytesWritten(key, bytes - (this.written.get(key) ?? 0));
        this.written.set(key, Math.max(bytes, this.written.get(key) ?? 0));
      }
      relay(progress);
    };
  }

  /** The streaming ended with these destination outcomes. */
  settled(outcomes: DestinationOutcome[]): void {
    for (const { siteId, error } of outcomes)
      this.metrics.siteOutcome(siteId, error ? 'failed' : 'succeeded', error);
    // The source did its part unless an error was its own: a destination's outage is not its.
    const source = this.sourceSiteId;
    if (source) {
      const own = outcomes.find((outcome) => outcome.error?.siteId === source)?.error;
      this.metrics.siteOutcome(source, own ? 'failed' : 'succeeded');
    }
    if (outcomes.length > 0 && outcomes.every((outcome) => !outcome.error))
      this.metrics.transferred(this.kind, this.read, (performance.now() - this.started) / 1000);
  }

  /**
   * The transfer failed as a whole (its source could not be opened or read): the site whose error
   * it was failed, or the source, or else every destination.
   */
  failedWhole(failure: JobFailure, destinationSiteIds: string[]): void {
    const blamed = failure.siteId ?? this.sourceSiteId;
    for (const site of blamed ? [blamed] : destinationSiteIds)
      this.metrics.siteOutcome(site, 'failed', failure);
  }
}
