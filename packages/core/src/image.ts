/** Image visibility as Glance v2 defines it. */
export type Visibility = 'public' | 'private' | 'shared' | 'community';

/** Lifecycle states an image service reports, normalised to Glance's names. */
export type ImageStatus =
  | 'queued'
  | 'saving'
  | 'uploading'
  | 'importing'
  | 'active'
  | 'deactivated'
  | 'killed'
  | 'deleted'
  | 'pending_delete';

/** The content hash Glint identifies an image by, e.g. `{ algo: 'sha512', value: '…' }`. */
export interface ContentHash {
  algo: string;
  value: string;
}

/** Properties Glint writes on every image it makes, so later inventory can recognise them. */
export const GLINT_MARKERS = {
  sourceSite: 'glint_source_site',
  sourceImage: 'glint_source_image',
  contentHash: 'glint_content_hash',
} as const;

/** The image carries Glint's markers: Glint made it. */
export function madeByGlint(properties: Record<string, string>): boolean {
  return (
    properties[GLINT_MARKERS.contentHash] !== undefined ||
    properties[GLINT_MARKERS.sourceSite] !== undefined
  );
}

/** Renders a content hash as the `algo:value` form stored in the glint_content_hash marker. */
export function formatContentHash(hash: ContentHash): string {
  return `${hash.algo}:${hash.value}`;
}

/** Parses the `algo:value` form; returns undefined for anything else. */
export function parseContentHash(text: string | undefined): ContentHash | undefined {
  const match = /^([a-z0-9]+):([0-9a-f]+)$/i.exec(text ?? '');
  return match ? { algo: match[1]!.toLowerCase(), value: match[2]!.toLowerCase() } : undefined;
}
