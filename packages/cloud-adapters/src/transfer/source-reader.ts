import { backoffDelay, sleep, type BackoffPolicy } from '@glint/core';
import type { CloudAdapter } from '../adapter';
import { CancelledError, isCloudError, TransientError } from '../errors';

/** Failures while a body is streaming surface as plain socket errors; those are worth a resume. */
function isResumable(error: unknown): boolean {
  return isCloudError(error) ? error.retryable : true;
}

/**
 * Reads one image's data as a sequence of chunks. When the connection breaks mid-way it reopens the
 * download with a Range from the first byte not yet delivered, so a flaky link costs a retry, not
 * the whole transfer, and the consumer sees one uninterrupted stream.
 */
export async function* readImageData(
  adapter: CloudAdapter,
  imageId: string,
  expectedSize: number | null,
  policy: BackoffPolicy,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  let offset = 0;
  let failures = 0;
  for (;;) {
    try {
      const download = await adapter.openDownload(imageId, { offset, signal });
      for await (const chunk of download.stream as AsyncIterable<Buffer>) {
        offset += chunk.length;
        failures = 0;
        yield chunk;
      }
      if (expectedSize !== null && offset < expectedSize) {
        throw new TransientError(
          `the source stream ended after ${offset} of ${expectedSize} bytes`,
        );
      }
      return;
    } catch (error) {
      if (signal?.aborted) throw new CancelledError('the transfer was cancelled', { cause: error });
      if (!isResumable(error) || ++failures > policy.retries) throw error;
      await sleep(backoffDelay(policy, failures), signal);
    }
  }
}
