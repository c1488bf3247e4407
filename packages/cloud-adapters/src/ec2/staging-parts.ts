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

/** The ETag S3 gives a multipart object: the md5 of the parts' md5s, then the part count. */
export function compositeEtag(partMd5s: Buffer[]): string {
  const md5 = createHash('md5');
  for (const part of partMd5s) md5.update(part);
  return `${md5.digest('hex')}-${partMd5s.length}`;
}

/** An ETag as S3 sends it, quoted, as the bare value. */
export function bareEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '').toLowerCase();
}
