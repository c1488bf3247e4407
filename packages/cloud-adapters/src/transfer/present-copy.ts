import type { ContentHash } from '@glint/core';
import type { CloudAdapter, ImageInfo } from '../adapter';
import { declaredContentHash } from './metadata';
import { isUnverifiedCopy } from './provisional';

/**
 * An active image on the destination with the copy's name (the source's, unless the copy is named
 * otherwise) and the content, if there is one: a copy an earlier attempt finished, kept rather
 * than made again. A hidden one counts only if Glint verified it (./provisional), as a release's
 * pre-staged copy; it is shown unless the copy is to stay `hidden`, so that a copy whose caller
 * wants it listed is listed. A hidden image someone else made is theirs, hidden on purpose.
 */
export async function findPresentCopy(
  adapter: CloudAdapter,
  name: string,
  contentHash: ContentHash | undefined,
  hidden = false,
): Promise<ImageInfo | undefined> {
  if (!contentHash) return undefined;
  for await (const image of adapter.listImages({ name, includeHidden: adapter.hidesImages })) {
    const hash = declaredContentHash(image);
    if (
      image.status === 'active' &&
      image.name === name &&
      !isUnverifiedCopy(image) &&
      hash?.algo === contentHash.algo &&
      hash.value === contentHash.value
    ) {
      if (!image.hidden || hidden) return image;
      await adapter.updateProperties(image.id, { hidden: false });
      return { ...image, hidden: false };
    }
  }
  return undefined;
}
