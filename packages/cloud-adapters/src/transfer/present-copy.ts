import type { ContentHash } from '@glint/core';
import type { CloudAdapter, ImageInfo } from '../adapter';
import { declaredContentHash } from './metadata';

/**
 * An active image on the destination with the copy's name (the source's, unless the copy is named
 * otherwise) and the content, if there is one: a copy an earlier attempt finished, kept rather
 * than made again.
 */
export async function findPresentCopy(
  adapter: CloudAdapter,
  name: string,
  contentHash: ContentHash | undefined,
): Promise<ImageInfo | undefined> {
  if (!contentHash) return undefined;
  for await (const image of adapter.listImages({ name })) {
    const hash = declaredContentHash(image);
    if (
      image.status === 'active' &&
      image.name === name &&
      hash?.algo === contentHash.algo &&
      hash.value === contentHash.value
    ) {
      return image;
    }
  }
  return undefined;
}
