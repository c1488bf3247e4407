import { sleep } from '@glint/core';

/**
 * A token bucket that paces a stream to a bandwidth cap. Allows a burst of one second's worth so
 * short stalls are made up without exceeding the average rate.
 */
export class RateLimiter {
  private available: number;
  private last = performance.now();

  constructor(private readonly bytesPerSecond: number) {
    if (!(bytesPerSecond > 0))
      throw new RangeError('a rate limit must be a positive number of bytes per second');
    this.available = bytesPerSecond;
  }

  /** Waits until `bytes` may pass. */
  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    const now = performance.now();
    this.available = Math.min(
      this.bytesPerSecond,
      this.available + ((now - this.last) / 1000) * this.bytesPerSecond,
    );
    this.last = now;
    this.available -= bytes;
    if (this.available < 0) await sleep((-this.available / this.bytesPerSecond) * 1000, signal);
  }
}
