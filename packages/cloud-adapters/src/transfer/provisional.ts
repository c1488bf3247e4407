import { formatContentHash, GLINT_MARKERS, type ContentHash } from '@glint/core';
import type { CloudAdapter, ImageInfo, ImageSpec, PropertyChanges } from '../adapter';

/*
 * A copy is provisional until verified, where its destination can hide images
 * (CloudAdapter.hidesImages): a Glance makes a copy active, and so bootable and listed, before
 * Glint compared its digests with the source's, and a corrupt one is deleted only after that. So
 * the copy is created hidden and without Glint's content-hash marker, and once it matched, one
 * request publishes it: the marker set and the copy shown (unless its caller keeps it hidden).
 * One request, so that on such a destination a hidden copy with the marker was verified, and a
 * hidden copy without it is what an attempt cut short left: never verified, never shown.
 */

/** The spec a copy is created with: provisional where the destination hides images. */
export function provisionalSpec(adapter: CloudAdapter, spec: ImageSpec): ImageSpec {
  if (!adapter.hidesImages) return spec;
  const properties = { ...spec.properties };
  delete properties[GLINT_MARKERS.contentHash];
  return { ...spec, properties, hidden: true };
}

/**
 * The one change that publishes a verified copy: `contentHash` marked (when the copy must carry
 * it), and, where the destination hides images, the copy shown unless `keepHidden`. Undefined when
 * there is nothing to change.
 */
export function publication(
  adapter: CloudAdapter,
  contentHash: ContentHash | undefined,
  keepHidden: boolean,
): PropertyChanges | undefined {
  const marker = contentHash && { [GLINT_MARKERS.contentHash]: formatContentHash(contentHash) };
  if (!adapter.hidesImages) return marker && { set: marker };
  return { ...(marker && { set: marker }), hidden: keepHidden };
}

/** A hidden copy without the content-hash marker: provisional, never verified (see above). */
export function isUnverifiedCopy(image: ImageInfo): boolean {
  return image.hidden === true && image.properties[GLINT_MARKERS.contentHash] === undefined;
}
