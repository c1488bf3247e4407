import {
  formatContentHash,
  GLINT_MARKERS,
  parseContentHash,
  type ContentHash,
  type Visibility,
} from '@glint/core';
import type { ImageInfo, ImageSpec, VisibilityPolicy } from '../adapter';
import { InvalidRequestError } from '../errors';

/**
 * Properties a copy must not carry over: the service's own bookkeeping (os_glance*), hashes the
 * destination computes itself, and flags with a type or meaning local to the source cloud.
 */
const NOT_COPIED =
  /^(os_glance.*|os_hash_algo|os_hash_value|checksum|os_hidden|stores|direct_url|locations)$/;
const MARKERS = new Set<string>(Object.values(GLINT_MARKERS));

export interface Provenance {
  sourceSite: string;
  sourceImageId: string;
  /** Unknown up front for images that declare no hash; the engine adds it once computed. */
  contentHash?: ContentHash;
}

export type CopyableImage = ImageInfo & { diskFormat: string; containerFormat: string };

/** Fails unless the image can be copied: active, its formats known. */
export function assertCopyable(image: ImageInfo): asserts image is CopyableImage {
  if (image.status !== 'active') {
    throw new InvalidRequestError(
      `source image ${image.id} is ${image.status}, not active; only active images can be copied`,
    );
  }
  if (!image.diskFormat || !image.containerFormat) {
    throw new InvalidRequestError(
      `source image ${image.id} has no disk or container format; set them on the source first`,
    );
  }
}

/**
 * The spec for a destination copy of `source`: the same name, formats, minimums, tags and custom
 * properties, plus Glint's markers naming where it came from. `protected` is never copied: a
 * protected half-made copy could not be cleaned up.
 */
export function copySpec(
  source: CopyableImage,
  provenance: Provenance,
  policy: VisibilityPolicy,
  id?: string,
): ImageSpec {
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(source.properties)) {
    if (!NOT_COPIED.test(key) && !MARKERS.has(key)) properties[key] = value;
  }
  properties[GLINT_MARKERS.sourceSite] = provenance.sourceSite;
  properties[GLINT_MARKERS.sourceImage] = provenance.sourceImageId;
  if (provenance.contentHash)
    properties[GLINT_MARKERS.contentHash] = formatContentHash(provenance.contentHash);
  const visibility: Visibility = policy === 'same-as-source' ? source.visibility : 'private';
  return {
    ...(id ? { id } : {}),
    name: source.name,
    diskFormat: source.diskFormat,
    containerFormat: source.containerFormat,
    visibility,
    minDisk: source.minDisk,
    minRam: source.minRam,
    tags: [...source.tags],
    properties,
  };
}

/** The content hash an image is known by: its declared multihash, else Glint's marker on it. */
export function declaredContentHash(image: ImageInfo): ContentHash | undefined {
  if (image.hashAlgo && image.hashValue)
    return { algo: image.hashAlgo.toLowerCase(), value: image.hashValue.toLowerCase() };
  return parseContentHash(image.properties[GLINT_MARKERS.contentHash]);
}
