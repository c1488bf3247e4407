import { PassThrough } from 'node:stream';
import { TransientError } from '../errors';

/**
 * Enough buffered per destination to ride out short stalls (the socket's own buffers hold more)
 * without holding much of the image. Kept small because a chunk still queued at two of V8's
 * young-generation collections moves to the old generation, where its memory waits for a full
 * collection, which a copy's small heap rarely needs: with 1 MiB queued, a copy's resident memory
 * grew by 35 MiB over 4 GiB; with 256 KiB it stays within a few MiB.
 */
export const SINK_BUFFER_BYTES = 256 * 1024;

/**
 * One destination's end of the fan-out: a stream its upload reads from, and the count of bytes the
 * upload has taken.
 */
export class FanOutSink {
  readonly stream = new PassThrough({ highWaterMark: SINK_BUFFER_BYTES });
  bytesWritten = 0;
  /** Set once the destination dropped out; it gets no more data. */
  failure?: unknown;

  /**
   * @param stallTimeoutMs how long the destination may take no data before it is dropped, so one
   * hung upload cannot stall every other destination of the copy.
   */
  constructor(
    readonly key: string,
    private readonly stallTimeoutMs = 120_000,
  ) {
    // The reason is kept in `failure`; the upload reading this stream sees the destroy on its own.
    this.stream.on('error', () => undefined);
  }

  /** Stops feeding this destination; a pending write is released at once. */
  detach(reason: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = reason;
    this.stream.destroy(reason instanceof Error ? reason : new Error(String(reason)));
  }

  get live(): boolean {
    return this.failure === undefined;
  }

  /** Writes one chunk; resolves once the destination is ready for more, or has dropped out. */
  write(chunk: Buffer): Promise<void> {
    if (!this.live) return Promise.resolve();
    this.bytesWritten += chunk.length;
    if (this.stream.write(chunk)) return Promise.resolve();
    return new Promise((resolve) => {
      const stalled = setTimeout(() => {
        this.detach(
          new TransientError(
            `destination ${this.key} accepted no data for ${this.stallTimeoutMs / 1000} s`,
          ),
        );
      }, this.stallTimeoutMs);
      const done = () => {
        clearTimeout(stalled);
        this.stream.off('drain', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('close', done);
    });
  }
}

/**
 * Writes each chunk to every live sink and waits for all of them before the next chunk, so the
 * slowest destination paces the read and memory stays bounded by the sink buffers.
 */
export async function fanOut(
  chunks: AsyncIterable<Buffer>,
  sinks: FanOutSink[],
  onChunk: (chunk: Buffer) => Promise<void> | void,
): Promise<void> {
  for await (const chunk of chunks) {
    await onChunk(chunk);
    const live = sinks.filter((sink) => sink.live);
    if (live.length === 0) return;
    await Promise.all(live.map((sink) => sink.write(chunk)));
  }
}
