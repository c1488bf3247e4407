import type { ImageStatus, Visibility } from '@glint/core';
import type { ImageInfo, ImageSpec, PropertyChanges } from '../adapter';
import { InvalidRequestError } from '../errors';

/** An image as Glance v2 returns it: core fields and extra properties side by side. */
export type GlanceImage = { id: string } & Record<string, unknown>;

export interface JsonPatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

/**
 * Keys that are Glance's own rather than the image's properties: the image schema's base
 * properties, the names Glance reserves (glance/api/v2/images.py), and the `os_glance*` namespace.
 */
const glanceOwnKeys = new Set([
  'id',
  'name',
  'status',
  'visibility',
  'protected',
  'os_hidden',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'owner',
  'size',
  'virtual_size',
  'container_format',
  'disk_format',
  'created_at',
  'updated_at',
  'tags',
  'direct_url',
  'min_ram',
  'min_disk',
  'self',
  'file',
  'stores',
  'schema',
  'locations',
  'location',
  'deleted',
  'deleted_at',
]);

function isGlanceOwnKey(key: string): boolean {
  return glanceOwnKeys.has(key) || key.startsWith('os_glance');
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function numberOr<T>(value: unknown, fallback: T): number | T {
  return typeof value === 'number' ? value : fallback;
}

function propertyText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function imageInfoFromGlance(image: GlanceImage): ImageInfo {
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(image)) {
    if (!isGlanceOwnKey(key) && value !== null && value !== undefined)
      properties[key] = propertyText(value);
  }
  return {
    id: image.id,
    name: stringOrNull(image.name) ?? '',
    status: image.status as ImageStatus,
    size: numberOr(image.size, null),
    diskFormat: stringOrNull(image.disk_format),
    containerFormat: stringOrNull(image.container_format),
    visibility: image.visibility as Visibility,
    protected: image.protected === true,
    minDisk: numberOr(image.min_disk, 0),
    minRam: numberOr(image.min_ram, 0),
    tags: Array.isArray(image.tags) ? image.tags.map(String) : [],
    checksum: stringOrNull(image.checksum),
    hashAlgo: stringOrNull(image.os_hash_algo),
    hashValue: stringOrNull(image.os_hash_value),
    owner: stringOrNull(image.owner),
    properties,
    createdAt: stringOrNull(image.created_at),
    updatedAt: stringOrNull(image.updated_at),
    hidden: image.os_hidden === true,
  };
}

/** Glance answers a reserved key with 403, which would read as a permission problem. */
function assertSettable(keys: Iterable<string>): void {
  for (const key of keys) {
    if (isGlanceOwnKey(key)) {
      throw new InvalidRequestError(
        `"${key}" is one of Glance's own image fields or reserved names, not a property: choose another property name`,
      );
    }
  }
}

/** The body of `POST /v2/images`. */
export function glanceCreateBody(spec: ImageSpec): Record<string, unknown> {
  const properties = spec.properties ?? {};
  assertSettable(Object.keys(properties));
  return {
    ...properties,
    ...(spec.id ? { id: spec.id } : {}),
    name: spec.name,
    disk_format: spec.diskFormat,
    container_format: spec.containerFormat,
    visibility: spec.visibility,
    ...(spec.minDisk !== undefined ? { min_disk: spec.minDisk } : {}),
    ...(spec.minRam !== undefined ? { min_ram: spec.minRam } : {}),
    ...(spec.tags ? { tags: spec.tags } : {}),
    ...(spec.hidden !== undefined ? { os_hidden: spec.hidden } : {}),
  };
}

/** RFC 6901: `~` and `/` inside a key would otherwise read as pointer syntax. */
function pointer(key: string): string {
  return `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

// Glance keeps tags as a set, so order does not count as a change.
function sameTags(current: unknown, wanted: string[]): boolean {
  const have = new Set(Array.isArray(current) ? current.map(String) : []);
  const want = new Set(wanted);
  return have.size === want.size && [...want].every((tag) => have.has(tag));
}

/**
 * The JSON patch that applies `changes` to `current`: `replace` for properties that exist and
 * `add` for new ones (Glance answers 409 to `replace` of a missing one), removals only of
 * properties that exist (likewise), and tags replaced whole since Glance refuses `/tags/-`.
 */
export function propertyPatch(
  current: GlanceImage,
  changes: PropertyChanges,
): JsonPatchOperation[] {
  const set = changes.set ?? {};
  const remove = changes.remove ?? [];
  assertSettable([...Object.keys(set), ...remove]);
  const both = remove.filter((key) => key in set);
  if (both.length > 0) {
    throw new InvalidRequestError(
      `properties ${both.join(', ')} are both set and removed in one change: choose one`,
    );
  }
  const operations: JsonPatchOperation[] = [];
  for (const [key, value] of Object.entries(set)) {
    if (!(key in current)) operations.push({ op: 'add', path: pointer(key), value });
    else if (current[key] !== value) operations.push({ op: 'replace', path: pointer(key), value });
  }
  for (const key of remove) {
    if (key in current) operations.push({ op: 'remove', path: pointer(key) });
  }
  if (changes.tags && !sameTags(current.tags, changes.tags))
    operations.push({ op: 'replace', path: '/tags', value: changes.tags });
  // Glance gives every image os_hidden (false unless set), so it is always replaced.
  if (changes.hidden !== undefined && (current.os_hidden === true) !== changes.hidden)
    operations.push({ op: 'replace', path: '/os_hidden', value: changes.hidden });
  return operations;
}
