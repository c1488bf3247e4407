import { createHash } from 'node:crypto';

const MiB = 1024 * 1024;
/** S3's smallest part (but the last) and its most parts per upload. */
export const MIN_PART_SIZE = 5 * MiB;
export const MAX_PARTS = 10_000;
/** For data of unknown length: parts this big allow up to 640 GB. */
const UNKNOWN_SIZE_PART = 64 * MiB;

/**
 * The part size for `size` bytes: at least S3's minimum, few enough parts for S3's limit, in whole
 * MiB. It depends on the size alone, so an upload resumed after a crash cuts the same parts.
 */
export function partSizeFor(size: number | undefined): number {
  if (size === undefined) return UNKNOWN_SIZE_PART;
  return Math.max(MIN_PART_SIZE, Math.ceil(size / MAX_PARTS / MiB) * MiB);
}

/**
 * The SHA-256 checksum S3 gives an object uploaded in parts with SHA-256 checksums: the SHA-256 of
 * the parts' digests, base64, then the part count (a "composite" checksum).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 */
export function compositeChecksum(partDigests: Buffer[]): string {
  const sha256 = createHash('sha256');
  for (const digest of partDigests) sha256.update(digest);
  return `${sha256.digest('base64')}-${partDigests.length}`;
}
