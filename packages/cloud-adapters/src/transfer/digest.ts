import { createHash, getHashes, type Hash } from 'node:crypto';
import { InvalidRequestError } from '../errors';

/** Glance's default `os_hash_algo`, and what Glint uses when a source declares none. */
export const DEFAULT_HASH_ALGO = 'sha512';

/**
 * Computes the digests of one byte stream in a single pass: the algorithm the source declares (its
 * multihash), and md5 (Glance's legacy `checksum`) where a source declares nothing else.
 */
export class StreamDigest {
  private readonly hashes: Map<string, Hash>;
  private finished?: Record<string, string>;
  bytes = 0;

  constructor(algorithms: string[]) {
    const supported = new Set(getHashes());
    this.hashes = new Map();
    for (const algo of new Set(algorithms.map((a) => a.toLowerCase()))) {
      if (!supported.has(algo)) {
        throw new InvalidRequestError(
          `the source declares hash algorithm "${algo}", which this Node.js cannot compute`,
        );
      }
      this.hashes.set(algo, createHash(algo));
    }
  }

  update(chunk: Buffer): void {
    this.bytes += chunk.length;
    for (const hash of this.hashes.values()) hash.update(chunk);
  }

  /** Hex digests by algorithm. Computed once; later calls return the same values. */
  digest(): Record<string, string> {
    this.finished ??= Object.fromEntries(
      [...this.hashes].map(([algo, hash]) => [algo, hash.digest('hex')]),
    );
    return this.finished;
  }
}
